# METADATA
# title: Endpoints unused for 30 days should be removed
# description: >-
#   Defender for APIs counts endpoints of an onboarded API that received no traffic for 30
#   days. Forgotten endpoints are unmonitored attack surface that nobody patches or reviews
#   (improper inventory management), all the more when the API is reachable from the
#   internet. APIs whose counters are unknown are not judged here.
# related_resources:
#   - https://learn.microsoft.com/azure/defender-for-cloud/recommendations-reference-api
#   - https://learn.microsoft.com/azure/defender-for-cloud/defender-for-apis-manage
# custom:
#   id: APIM-DEF-007
#   severity: low
#   needs: [defender-findings]
#   input: service
#   recommendation: >-
#     Find the inactive endpoints in Defender for Cloud (Workload protections > API security,
#     column "Inactive"), confirm with their owners, then delete the operations (or the API)
#     from API Management or take them offline.
#   frameworks:
#     owasp-api-2023: [API9]
#     mcsb: [AM-3]
#     nist-800-53: ["CM-7", "CM-8"]
#     pci-dss-4: ["2.2.4", "12.5.1"]
#     iso-27001: [A.5.9, A.8.9]
#     azure-policy: [c8acafaf-3d23-44d1-9624-978ef0f8652c]
#     defender: ["API endpoints that are unused should be disabled and removed from the APIM service"]
package apimguard.rules.defender.inactive_endpoints

import rego.v1

import data.apimguard.lib.estate

checked contains api.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	api.defender.onboarded
	is_number(api.defender.inactiveEndpoints)
}

deny contains {"resource": api.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	api.defender.onboarded
	n := api.defender.inactiveEndpoints
	is_number(n)
	n > 0
	msg := sprintf("%d%s endpoint(s) of API %q (service %q) received no traffic for 30 days%s", [n, estate.of_total(api), api.displayName, svc.name, _exposure_note(api)])
}

_exposure_note(api) := "; the API is reachable from the internet, so they are live attack surface" if {
	api.exposure.external
} else := ""
