# METADATA
# title: Exposed unauthenticated APIs that Defender for APIs cannot protect
# description: >-
#   Defender for APIs only covers REST APIs served by the managed gateway of a classic or v2
#   tier. An API that is reachable from the internet without authentication and is a SOAP,
#   GraphQL or WebSocket API, runs on a self-hosted gateway, lives in a workspace or on the
#   Consumption tier gets no runtime detection at all, so nobody would notice its abuse.
#   Unknown authentication counts as unauthenticated (fail closed).
# related_resources:
#   - https://learn.microsoft.com/azure/defender-for-cloud/defender-for-apis-prepare
#   - https://learn.microsoft.com/azure/api-management/mitigate-owasp-api-threats
# custom:
#   id: APIM-DEF-004
#   severity: high
#   input: service
#   recommendation: >-
#     Require authentication on the API (validate-jwt or validate-azure-ad-token, a client
#     certificate, or at least a subscription key), or move it to where Defender can watch it
#     (a REST API on the managed gateway of a non-Consumption tier). Otherwise ship its gateway
#     logs to your SIEM and alert on them yourself.
#   frameworks:
#     owasp-api-2023: [API2, API9]
#     mcsb: [LT-1, IM-4]
#     nist-800-53: ["SI-4", "AC-3"]
#     pci-dss-4: ["11.5.1"]
#     iso-27001: [A.8.16]
package apimguard.rules.defender.unprotectable_exposed

import rego.v1

checked contains api.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	not api.defender.eligible
}

deny contains {"resource": api.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	not api.defender.eligible
	api.exposure.external
	api.auth.effective != "authenticated"
	reason := object.get(api.defender, "ineligibleReason", null)
	msg := sprintf("API %q of service %q is reachable from the internet, its authentication is %s, and Defender for APIs cannot protect it (ineligible: %v)", [api.displayName, svc.name, api.auth.effective, _reason(reason)])
}

_reason(null) := "reason unknown"

_reason(r) := r if r != null
