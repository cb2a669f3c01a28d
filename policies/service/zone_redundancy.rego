# METADATA
# title: Premium services should be zone redundant
# description: >-
#   A Premium gateway whose units all sit in one availability zone goes down with that zone,
#   taking every API with it. Spreading units over two or more zones keeps the gateway
#   serving during a datacenter failure (availability is part of resisting resource
#   exhaustion). Only the Premium tier supports availability zones, so only it is checked.
# related_resources:
#   - https://learn.microsoft.com/azure/reliability/reliability-api-management
#   - https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.AvailabilityZone/
# custom:
#   id: APIM-SVC-013
#   severity: low
#   needs: [service-settings]
#   input: service
#   recommendation: >-
#     Set the service's zones to at least two availability zones (for example ["1","2","3"])
#     with at least as many units as zones (portal: the service > Locations), and do the same
#     for each additional region.
#   frameworks:
#     owasp-api-2023: [API4]
#     nist-800-53: ["SC-36"]
#     iso-27001: [A.8.14]
#     azure-policy: [42daa904-5969-47ef-92cb-b75df946195a]
#     psrule: [Azure.APIM.AvailabilityZone]
#   unmapped:
#     mcsb: "MCSB v1 has no availability or redundancy control (its backup and recovery family, BR, covers backups only); NIST SC-36 and ISO A.8.14 carry the mapping."
package apimguard.rules.service.zone_redundancy

import rego.v1

checked contains svc.id if {
	some sub in input.subscriptions
	some svc in sub.services
	svc.sku.name == "Premium"
}

deny contains {"resource": svc.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	svc.sku.name == "Premium"
	zones := _zones(svc)
	count(zones) < 2
	msg := sprintf("Premium service %q (%s) uses %d availability zone(s); at least 2 are needed for zone redundancy", [svc.name, svc.location, count(zones)])
}

# Zones are a top-level field of the ARM resource; some exports put them in properties.
_zones(svc) := z if {
	z := object.get(svc, "zones", null)
	is_array(z)
}

_zones(svc) := z if {
	not is_array(object.get(svc, "zones", null))
	z := object.get(svc.properties, "zones", [])
	is_array(z)
}

_zones(svc) := [] if {
	not is_array(object.get(svc, "zones", null))
	not is_array(object.get(svc.properties, "zones", []))
}
