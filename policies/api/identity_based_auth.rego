# METADATA
# title: APIs should authenticate callers with a token or certificate, not only a key
# description: >-
#   A subscription key is a long-lived shared secret: it identifies a subscription, not a
#   user or an application, it is often shared, copied into front-end code and logged, and
#   it cannot carry scopes or claims for authorization. APIs that rely on it alone cannot
#   tell callers apart or limit what each may do. Opinionated: some partner integrations
#   accept key-only access on purpose.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/authentication-authorization-overview
#   - https://learn.microsoft.com/azure/api-management/validate-jwt-policy
# custom:
#   id: APIM-API-004
#   severity: medium
#   input: service
#   recommendation: >-
#     Add validate-jwt (or validate-azure-ad-token) to the API's inbound policy with the
#     expected audience, issuer and required claims, or require client certificates
#     (validate-client-certificate); keep the subscription key for metering.
#   strict: true
#   frameworks:
#     owasp-api-2023: [API2, API1]
#     mcsb: [IM-4]
#     nist-800-53: ["IA-2", "IA-5", "IA-9"]
#     pci-dss-4: ["8.3.1"]
#     iso-27001: [A.8.5]
package apimguard.rules.api.identity_based_auth

import rego.v1

checked contains api.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	api.auth.effective == "authenticated"
}

deny contains {"resource": api.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	api.auth.effective == "authenticated"
	api.auth.subscriptionKey
	not api.auth.jwtValidation
	not api.auth.clientCertificate
	msg := sprintf("API %q (service %q) authenticates callers with a subscription key only (no token or client-certificate validation)", [api.displayName, svc.name])
}
