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
#   input: service
#   recommendation: >-
#     Configure properties.credentials on the backend: certificateIds (mutual TLS) or an
#     authorization scheme whose parameter references a secret named value
#     ({{backend-token}}); or authenticate with the service's managed identity
#     (authentication-managed-identity policy) and restrict the backend to it.
#   frameworks:
#     owasp-api-2023: [API10]
#     mcsb: [IM-4]
#     nist-800-53: ["IA-3", "IA-9"]
#     pci-dss-4: ["8.3.1"]
#     iso-27001: [A.8.5]
#     azure-policy: [c15dcc82-b93c-4dcb-9332-fbf121685b54]
#     defender: ["API Management calls to API backends should be authenticated"]
package apimguard.rules.backend.authenticated

import rego.v1

key_headers := {"authorization", "x-functions-key", "api-key", "x-api-key", "ocp-apim-subscription-key"}

checked contains b.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some b in svc.backends
	_http_backend(b)
}

deny contains {"resource": b.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some b in svc.backends
	_http_backend(b)
	not _has_credentials(object.get(b.properties, "credentials", null))
	msg := sprintf("backend %q of service %q is called without credentials (no client certificate, authorization or key header)", [b.name, svc.name])
}

# An HTTP backend with a URL, except Service Fabric ones (as Azure Policy c15dcc82).
_http_backend(b) if {
	url := object.get(b.properties, "url", "")
	url != ""
	lower(sprintf("%v", [object.get(b.properties, "protocol", "http")])) in {"http", "null"}
	not startswith(lower(sprintf("%v", [url])), "fabric:")
}

_has_credentials(c) if {
	is_object(c)
	count(object.get(c, "certificate", [])) > 0
}

_has_credentials(c) if {
	is_object(c)
	count(object.get(c, "certificateIds", [])) > 0
}

_has_credentials(c) if {
	is_object(c)
	auth := object.get(c, "authorization", null)
	is_object(auth)
	object.get(auth, "scheme", "") != ""
	object.get(auth, "parameter", "") != ""
}

_has_credentials(c) if {
	is_object(c)
	some name, _ in object.get(c, "header", {})
	lower(name) in key_headers
}
