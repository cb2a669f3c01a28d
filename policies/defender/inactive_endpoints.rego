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
	# estate.of_total and the exposure note, inline: most onboarded APIs are reported, and
	# a comprehension costs less than helpers whose every body is tried.
	of_total := concat("", [sprintf(" of %d", [t]) | t := api.defender.collection.numberOfApiEndpoints; is_number(t)])
	note := concat("", ["; the API is reachable from the internet, so they are live attack surface" | api.exposure.external])
	msg := sprintf("%d%s endpoint(s) of API %q (service %q) received no traffic for 30 days%s", [n, of_total, api.displayName, svc.name, note])
}
