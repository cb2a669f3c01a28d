# METADATA
# title: API Management services should not be reachable from the public internet
# description: >-
#   A gateway with public network access and no internal virtual network answers anyone on
#   the internet, so every API on it is one leaked key or one missing policy away from
#   abuse. Putting the gateway behind a private endpoint or an internal VNet (with a WAF in
#   front for the APIs that must be public) shrinks the attack surface. This is an
#   opinionated rule: many estates publish public APIs on purpose. The Consumption tier
#   cannot be made private at all.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/virtual-network-concepts
#   - https://learn.microsoft.com/azure/api-management/private-endpoint
# custom:
#   id: APIM-SVC-004
#   severity: medium
#   needs: [service-settings]
#   input: service
#   recommendation: >-
#     Inject the service into a VNet in internal mode (properties.virtualNetworkType
#     "Internal") and publish public APIs through Application Gateway or Front Door with WAF,
#     or add a private endpoint and set properties.publicNetworkAccess to "Disabled".
#   strict: true
#   frameworks:
#     owasp-api-2023: [API8, API5]
#     mcsb: [NS-2]
#     nist-800-53: ["AC-4", "SC-7", "SC-7(3)"]
#     pci-dss-4: ["1.3.1", "1.4.1"]
#     iso-27001: [A.8.20, A.8.22]
#     checkov: [CKV_AZURE_174]
package apimguard.rules.service.public_network_access

import rego.v1

import data.apimguard.lib.estate

checked contains svc.id if {
	some sub in input.subscriptions
	some svc in sub.services
}

deny contains {"resource": svc.id, "message": msg, "setting": "properties/publicNetworkAccess"} if {
	some sub in input.subscriptions
	some svc in sub.services
	access := object.get(svc.properties, "publicNetworkAccess", "Enabled")
	access != "Disabled"
	vnet := object.get(svc.properties, "virtualNetworkType", "None")
	vnet != "Internal"
	msg := sprintf("service %q (%s) is reachable from the internet: publicNetworkAccess is %v and virtualNetworkType is %v%s", [svc.name, svc.sku.name, access, vnet, _note(svc)])
}

_note(svc) := " (the Consumption tier cannot be made private)" if estate.is_consumption(svc)

_note(svc) := "" if not estate.is_consumption(svc)
