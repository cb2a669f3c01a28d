# METADATA
# title: API Management services should use a tier that supports virtual networks
# description: >-
#   Basic, Standard and Consumption services cannot be placed in a virtual network, so
#   their gateway is always public and their backends must be reachable from the internet.
#   Production estates that need network isolation should run on a tier that supports it.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/api-management-features
#   - https://learn.microsoft.com/azure/api-management/virtual-network-concepts
# custom:
#   id: APIM-SVC-006
#   severity: low
#   needs: [service-settings]
#   input: service
#   recommendation: >-
#     Move the service to a tier that supports virtual networks (Developer for non-production,
#     Premium, Premium v2 or Standard v2 for VNet integration), then deploy it into a VNet.
#   frameworks:
#     owasp-api-2023: [API8]
#     mcsb: [NS-2]
#     nist-800-53: ["SC-7"]
#     iso-27001: [A.8.22]
#     azure-policy: [73ef9241-5d81-4cd4-b483-8443d1730fe5]
#   parameters:
#     vnet_capable_skus: { default: ["Developer", "Premium", "Isolated", "StandardV2", "PremiumV2"], description: "Tiers accepted as supporting virtual networks." }
package apimguard.rules.service.vnet_capable_sku

import rego.v1

default skus := ["Developer", "Premium", "Isolated", "StandardV2", "PremiumV2"]

skus := object.get(data.apimguard.config, "vnet_capable_skus", ["Developer", "Premium", "Isolated", "StandardV2", "PremiumV2"])

checked contains svc.id if {
	some sub in input.subscriptions
	some svc in sub.services
}

deny contains {"resource": svc.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	not svc.sku.name in skus
	msg := sprintf("service %q runs on the %s tier, which cannot be deployed into a virtual network", [svc.name, svc.sku.name])
}
