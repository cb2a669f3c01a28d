# METADATA
# title: The direct management API of the service must be disabled
# description: >-
#   The direct management REST API (tenant access) manages the service with its own
#   shared-access keys, bypassing Azure Resource Manager role-based access control, Entra
#   sign-in, activity logging and throttling. A leaked key gives full control of the
#   service's APIs, policies and subscriptions.
# related_resources:
#   - https://learn.microsoft.com/azure/defender-for-cloud/recommendations-reference-api
#   - https://learn.microsoft.com/rest/api/apimanagement/tenant-access
# custom:
#   id: APIM-SVC-007
#   severity: medium
#   needs: [service-settings]
#   input: service
#   recommendation: >-
#     Disable it: PATCH {service}/tenant/access?api-version=2024-05-01 with
#     {"properties": {"enabled": false}} (portal: the service > Management API > Enable API
#     Management REST API: No), after checking no automation still calls it; manage the
#     service through Azure Resource Manager instead.
#   frameworks:
#     owasp-api-2023: [API5, API8]
#     mcsb: [PV-2, NS-2]
#     nist-800-53: ["AC-17", "CM-7"]
#     pci-dss-4: ["1.4.4", "7.2.1"]
#     iso-27001: [A.8.2, A.8.20]
#     azure-policy: [b741306c-968e-4b67-b916-5675e5c709f4, df73bd95-24da-4a4f-96b9-4e8b94b402bd]
#     defender: ["API Management direct management endpoint shouldn't be enabled"]
package apimguard.rules.service.direct_management_api

import rego.v1

import data.apimguard.lib.estate

checked contains svc.id if {
	some sub in input.subscriptions
	some svc in sub.services
	is_object(object.get(svc, "tenantAccess", null))
	not estate.is_consumption(svc)
}

deny contains {"resource": svc.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	access := object.get(svc, "tenantAccess", null)
	is_object(access)
	not estate.is_consumption(svc)
	access.enabled == true
	msg := sprintf("service %q has its direct management REST API (tenant access) enabled", [svc.name])
}
