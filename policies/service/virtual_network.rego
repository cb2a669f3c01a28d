# METADATA
# title: Developer and Premium services should be deployed into a virtual network
# description: >-
#   Services on tiers that support VNet injection but are not injected reach their backends
#   over the internet and cannot use network controls (NSGs, private backends, internal
#   mode). VNet deployment unlocks network isolation of both the gateway and the backends.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/virtual-network-concepts
#   - https://learn.microsoft.com/azure/api-management/api-management-using-with-vnet
# custom:
#   id: APIM-SVC-005
#   severity: medium
#   needs: [service-settings]
#   input: service
#   recommendation: >-
#     Deploy the service into a subnet (properties.virtualNetworkConfiguration.subnetResourceId)
#     in External or Internal mode (properties.virtualNetworkType), with the NSG rules API
#     Management requires.
#   frameworks:
#     owasp-api-2023: [API8]
#     mcsb: [NS-2]
#     nist-800-53: ["AC-4", "SC-7", "SC-7(3)"]
#     pci-dss-4: ["1.3.1"]
#     iso-27001: [A.8.22]
#     azure-policy: [ef619a2c-cc4d-4d03-b2ba-8c94a834d85b]
#     checkov: [CKV_AZURE_107]
#   parameters:
#     vnet_required_skus: { default: ["Developer", "Premium"], description: "Tiers whose services must be in a virtual network (the Azure Policy default)." }
package apimguard.rules.service.virtual_network

import rego.v1

import data.apimguard.lib.estate

default skus := ["Developer", "Premium"]

skus := object.get(data.apimguard.config, "vnet_required_skus", ["Developer", "Premium"])

checked contains svc.id if {
	some sub in input.subscriptions
	some svc in sub.services
	svc.sku.name in skus
}

deny contains {"resource": svc.id, "message": msg, "setting": "properties/virtualNetworkType"} if {
	some sub in input.subscriptions
	some svc in sub.services
	svc.sku.name in skus
	vnet := object.get(svc.properties, "virtualNetworkType", "None")
	vnet == "None"
	msg := sprintf("service %q (%s) is not deployed into a virtual network (virtualNetworkType None)", [svc.name, svc.sku.name])
}

deny contains {"resource": svc.id, "message": msg, "setting": "properties/virtualNetworkType"} if {
	some sub in input.subscriptions
	some svc in sub.services
	svc.sku.name in skus
	vnet := object.get(svc.properties, "virtualNetworkType", "None")
	estate.unknown(vnet)
	msg := sprintf("whether service %q (%s) is deployed into a virtual network is not known before deployment (virtualNetworkType %s)", [svc.name, svc.sku.name, vnet])
}
