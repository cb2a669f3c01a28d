# METADATA
# title: APIs exposing sensitive data need an accountable owner's sign-off
# description: >-
#   Defender for APIs classifies request and response bodies, URL paths and query strings
#   with Microsoft Purview labels. An API that returns sensitive data is where excessive data
#   exposure (OWASP API3) hurts most, so its exposure should be a recorded decision: either
#   the data is removed, or its owner accepts it with a waiver that names them and expires.
# related_resources:
#   - https://learn.microsoft.com/azure/defender-for-cloud/defender-for-apis-introduction
#   - https://learn.microsoft.com/azure/defender-for-cloud/defender-for-apis-posture
# custom:
#   id: APIM-DEF-008
#   severity: medium
#   needs: [defender-findings]
#   input: service
#   recommendation: >-
#     Review which endpoints Defender flags (Workload protections > API security > the API >
#     "Data classification"), remove fields callers do not need (outbound set-body or
#     backend changes), make sure the API requires authentication, and record the data
#     owner's acceptance as an apimguard waiver with an owner and an expiry date.
#   frameworks:
#     owasp-api-2023: [API3]
#     mcsb: [DP-1, DP-2]
#     nist-800-53: ["RA-2"]
#     pci-dss-4: ["12.5.2"]
#     iso-27001: [A.5.12]
package apimguard.rules.defender.sensitive_data

import rego.v1

import data.apimguard.lib.estate

checked contains api.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	api.defender.onboarded
	is_number(api.defender.sensitiveEndpoints)
}

deny contains {"resource": api.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	api.defender.onboarded
	n := api.defender.sensitiveEndpoints
	is_number(n)
	n > 0
	msg := sprintf("Defender for APIs found sensitive data in %d%s endpoint(s) of API %q (service %q)%s", [n, estate.of_total(api), api.displayName, svc.name, estate.label_note(api)])
}
