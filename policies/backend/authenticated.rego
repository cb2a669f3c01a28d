# METADATA
# title: Calls from API Management to backends must be authenticated
# description: >-
#   A backend that accepts API Management's calls without any credential accepts anyone's:
#   whoever reaches the backend directly (another tenant of a shared network, a leaked
#   URL) skips every gateway control. The backend entity should present a client
#   certificate or an authorization credential (or a key header such as x-functions-key).
#   Service Fabric backends are not checked.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/backends
#   - https://learn.microsoft.com/azure/defender-for-cloud/recommendations-reference-api
# custom:
#   id: APIM-BKD-003
#   severity: medium
#   recommendation: >-
#     Configure properties.credentials on the backend: certificateIds (mutual TLS) or an
#     authorization scheme whose parameter references a secret named value
#     ({{backend-token}}); or authenticate with the service's managed identity
#     (authentication-managed-identity policy) and restrict the backend to it.
#   frameworks:
#     owasp-api-2023: [API10]
#     azure-policy: [c15dcc82-b93c-4dcb-9332-fbf121685b54]
#     defender: ["API Management calls to API backends should be authenticated"]
#     anchor: [SEC-003]
package apimguard.rules.backend.authenticated

import rego.v1

key_headers := {"authorization", "x-functions-key", "api-key", "x-api-key", "ocp-apim-subscription-key"}

checked contains b.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some b in svc.backends
	_applies(b)
}

deny contains {"resource": b.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some b in svc.backends
	_applies(b)
	not _has_credentials(b)
	msg := sprintf("backend %q of service %q is called without credentials (no client certificate, authorization or key header)", [b.name, svc.name])
}

# HTTP backends with a URL, except Service Fabric ones (as Azure Policy c15dcc82).
_applies(b) if {
	object.get(b.properties, "url", "") != ""
	lower(object.get(b.properties, "protocol", "http")) == "http"
	not startswith(lower(sprintf("%v", [object.get(b.properties, "url", "")])), "fabric:")
}

_credentials(b) := c if {
	c := object.get(b.properties, "credentials", null)
	is_object(c)
}

_has_credentials(b) if count(object.get(_credentials(b), "certificate", [])) > 0

_has_credentials(b) if count(object.get(_credentials(b), "certificateIds", [])) > 0

_has_credentials(b) if {
	auth := object.get(_credentials(b), "authorization", null)
	is_object(auth)
	object.get(auth, "scheme", "") != ""
	object.get(auth, "parameter", "") != ""
}

_has_credentials(b) if {
	some name, _ in object.get(_credentials(b), "header", {})
	lower(name) in key_headers
}
