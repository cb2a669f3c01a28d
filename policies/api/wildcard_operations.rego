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
#   input: service
#   recommendation: >-
#     Replace the wildcard operation with one operation per supported method and path (import
#     the backend's OpenAPI definition), so unknown paths get a 404 from the gateway.
#   frameworks:
#     owasp-api-2023: [API5, API9]
#     mcsb: [PV-2]
#     nist-800-53: ["AC-3", "CM-7"]
#     pci-dss-4: ["6.2.4"]
#     iso-27001: [A.8.26]
package apimguard.rules.api.wildcard_operations

import rego.v1

checked contains concat("/", [api.id, "operations", op.name]) if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	some op in api.operations
}

# Wildcard: any method, or a URL template that ends in /*, is *, or has a {*catch-all}
# parameter. (A set of the four tests rather than a helper with four bodies: one pass per
# operation. An operation without method or URL template has no message, so no finding.)
deny contains {"resource": concat("/", [api.id, "operations", op.name]), "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	some op in api.operations
	true in {op.method == "*", endswith(op.urlTemplate, "/*"), op.urlTemplate == "*", contains(op.urlTemplate, "{*")}
	msg := sprintf("operation %q of API %q (service %q) is a wildcard: %s %s", [op.name, api.displayName, svc.name, op.method, op.urlTemplate])
}
