# METADATA
# title: APIs must not expose catch-all (wildcard) operations
# description: >-
#   An operation whose URL template is "/*" (or a {*path} catch-all) or whose method is "*"
#   forwards any path and any verb to the backend, so admin endpoints, debug routes and
#   unfinished functions the backend happens to serve become public too (broken
#   function-level authorization), and the API inventory no longer says what is exposed.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/mitigate-owasp-api-threats
#   - https://learn.microsoft.com/azure/api-management/add-api-manually
# custom:
#   id: APIM-API-005
#   severity: medium
#   recommendation: >-
#     Replace the wildcard operation with one operation per supported method and path (import
#     the backend's OpenAPI definition), so unknown paths get a 404 from the gateway.
#   frameworks:
#     owasp-api-2023: [API5, API9]
#     anchor: [API-006]
package apimguard.rules.api.wildcard_operations

import rego.v1

checked contains concat("/", [api.id, "operations", op.name]) if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	some op in api.operations
}

deny contains {"resource": concat("/", [api.id, "operations", op.name]), "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	some op in api.operations
	_wildcard(op)
	msg := sprintf("operation %q of API %q (service %q) is a wildcard: %s %s", [op.name, api.displayName, svc.name, op.method, op.urlTemplate])
}

_wildcard(op) if op.method == "*"

_wildcard(op) if endswith(op.urlTemplate, "/*")

_wildcard(op) if op.urlTemplate == "*"

_wildcard(op) if contains(op.urlTemplate, "{*")
