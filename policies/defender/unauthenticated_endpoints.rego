# METADATA
# title: Defender for APIs must not observe unauthenticated calls to onboarded APIs
# description: >-
#   Defender for APIs counts the endpoints of an onboarded API that it saw called without a
#   subscription key, JWT, client certificate or Entra token being validated. Each one is
#   an endpoint anybody who finds it can use, which is how broken authentication (OWASP API2)
#   is exploited. APIs whose counters are not known (not onboarded, IaC snapshots) are not
#   judged here.
# related_resources:
#   - https://learn.microsoft.com/azure/defender-for-cloud/recommendations-reference-api
#   - https://learn.microsoft.com/azure/defender-for-cloud/defender-for-apis-introduction
# custom:
#   id: APIM-DEF-005
#   severity: high
#   needs: [defender-findings]
#   input: service
#   recommendation: >-
#     Open the API in Defender for Cloud (Workload protections > API security) to see which
#     endpoints are unauthenticated, then require authentication for them: validate-jwt or
#     validate-azure-ad-token in the inbound policy, a client certificate, or set
#     subscriptionRequired on the API.
#   frameworks:
#     owasp-api-2023: [API2]
#     mcsb: [IM-4]
#     nist-800-53: ["AC-3", "IA-2"]
#     pci-dss-4: ["7.2.1"]
#     iso-27001: [A.5.15, A.8.5]
#     azure-policy: [8ac833bd-f505-48d5-887e-c993a1d3eea0]
#     defender: ["API endpoints in Azure API Management should be authenticated"]
package apimguard.rules.defender.unauthenticated_endpoints

import rego.v1

import data.apimguard.lib.estate

checked contains api.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	api.defender.onboarded
	is_number(api.defender.unauthenticatedEndpoints)
}

deny contains {"resource": api.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	api.defender.onboarded
	n := api.defender.unauthenticatedEndpoints
	is_number(n)
	n > 0
	msg := sprintf("Defender for APIs saw %d%s endpoint(s) of API %q (service %q) called without authentication", [n, estate.of_total(api), api.displayName, svc.name])
}
