# METADATA
# title: Services must run on the stv2 compute platform, not stv1
# description: >-
#   The stv1 platform was retired on 31 August 2024: it gets no more security fixes or
#   support, and Microsoft may shut such services down. A service still on stv1 (in its
#   primary or any additional region) runs every API on unsupported infrastructure.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/compute-infrastructure
#   - https://learn.microsoft.com/azure/api-management/migrate-stv1-to-stv2
# custom:
#   id: APIM-SVC-008
#   severity: high
#   needs: [service-settings, runtime-state]
#   input: service
#   recommendation: >-
#     Migrate the service to stv2 (portal: the service > Platform migration; CLI:
#     az rest --method post --uri {service}/migrateToStv2?api-version=2023-03-01-preview),
#     planning for the IP address change where the service is in a VNet.
#   frameworks:
#     owasp-api-2023: [API8]
#     mcsb: [AM-2, PV-2]
#     nist-800-53: ["SA-22", "SI-2"]
#     pci-dss-4: ["6.3.3"]
#     iso-27001: [A.8.8]
#     azure-policy: [1dc2fc00-2245-4143-99f4-874c937f13ef]
package apimguard.rules.service.platform_stv1

import rego.v1

checked contains svc.id if {
	some sub in input.subscriptions
	some svc in sub.services
	is_string(object.get(svc.properties, "platformVersion", null))
}

deny contains {"resource": svc.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	object.get(svc.properties, "platformVersion", null) == "stv1"
	msg := sprintf("service %q (%s, %s) runs on the retired stv1 compute platform", [svc.name, svc.sku.name, svc.location])
}

deny contains {"resource": svc.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some loc in object.get(svc.properties, "additionalLocations", [])
	object.get(loc, "platformVersion", null) == "stv1"
	msg := sprintf("service %q runs on the retired stv1 compute platform in its additional region %v", [svc.name, object.get(loc, "location", "unknown")])
}
