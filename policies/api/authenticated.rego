# METADATA
# title: APIs must authenticate every caller
# description: >-
#   An API on which some calls run no subscription key check, no validate-jwt /
#   validate-azure-ad-token and no client-certificate validation can be called by anyone who
#   finds its URL (broken authentication, OWASP API2), and its functions by anyone
#   (API5). The verdict comes from the collector's reading of every policy scope; an API it
#   could not decide (for example authentication inside a <choose>) fails here too.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/authentication-authorization-overview
#   - https://learn.microsoft.com/azure/api-management/mitigate-owasp-api-threats
# custom:
#   id: APIM-API-003
#   severity: high
#   input: service
#   recommendation: >-
#     Require a subscription key (properties.subscriptionRequired true) and, better, validate
#     an OAuth token (validate-jwt or validate-azure-ad-token in the API's inbound policy) or
#     a client certificate (validate-client-certificate). Make the check unconditional so it
#     cannot be skipped by a <choose> branch.
#   frameworks:
#     owasp-api-2023: [API2, API5]
#     mcsb: [IM-4]
#     nist-800-53: ["AC-3", "IA-2", "IA-9"]
#     pci-dss-4: ["7.2.1", "8.3.1"]
#     iso-27001: [A.5.15, A.8.5]
package apimguard.rules.api.authenticated

import rego.v1

checked contains api.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
}

deny contains {"resource": api.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	api.auth.effective == "unauthenticated"
	msg := sprintf("API %q (service %q) can be called without authentication (subscription key %s, token validation %s, client certificate %s)", [api.displayName, svc.name, _yn(api.auth.subscriptionKey), _yn(api.auth.jwtValidation), _yn(api.auth.clientCertificate)])
}

deny contains {"resource": api.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	api.auth.effective == "unknown"
	msg := sprintf("the authentication of API %q (service %q) could not be determined from its policies, so it is treated as unauthenticated%s", [api.displayName, svc.name, _why(api.auth)])
}

# The collector's reasons for an unknown verdict (schema 1.3); none in older snapshots.
_why(auth) := sprintf(": %s", [concat("; ", auth.unknownReasons)]) if {
	count(object.get(auth, "unknownReasons", [])) > 0
} else := ""

_yn(true) := "required"

_yn(false) := "not required"
