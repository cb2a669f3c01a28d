# METADATA
# title: Backend URLs must not be taken from the request
# description: >-
#   A set-backend-service base-url or a send-request URL built from the incoming request
#   (context.Request headers, query, path or body) lets callers point the gateway at any
#   host: internal services, the Azure instance metadata endpoint, other tenants'
#   endpoints. That is server-side request forgery, with the gateway's network position and
#   credentials.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/set-backend-service-policy
#   - https://owasp.org/API-Security/editions/2023/en/0xa7-server-side-request-forgery/
# custom:
#   id: APIM-POL-008
#   severity: medium
#   input: service
#   recommendation: >-
#     Route with set-backend-service backend-id="..." to configured backend entities, or map
#     request values to a fixed allow-list of URLs inside a <choose>; never concatenate
#     caller-supplied values into the scheme, host or port.
#   frameworks:
#     owasp-api-2023: [API7]
#     nist-800-53: ["SI-10", "AC-4"]
#     pci-dss-4: ["6.2.4"]
#     iso-27001: [A.8.26]
#   unmapped:
#     mcsb: "MCSB v1 has no control for how an application routes requests it receives (server-side request forgery); NS-6 asks for a web application firewall in front of the application, which this rule does not check."
package apimguard.rules.policy.request_controlled_backend

import rego.v1

import data.apimguard.lib.policy

routing := {"set-backend-service", "send-request", "send-one-way-request"}

checked contains scopes[entry[0]].resource if {
	scopes := policy.scopes
	some name in routing
	some entry in policy.elements_named[name]
}

deny contains {"resource": s.resource, "message": msg, "setting": "policy"} if {
	some i, found in _found
	s := policy.scopes[i]
	msg := sprintf("%s: %s", [policy.label(s), concat("; ", sort(found))])
}

# Scope index → what its routing elements take from the request. One body per element
# kind (no helper whose every body is tried per element); the cheap substring test comes
# before the expression test.
_found[entry[0]] contains "set-backend-service takes its base-url from the request" if {
	some entry in policy.elements_named["set-backend-service"]
	v := policy.attr(entry[2], "base-url")
	contains(v, "context.Request")
	policy.is_expression(v)
}

_found[entry[0]] contains sprintf("%s takes its URL from the request", [e.name]) if {
	some name in ["send-request", "send-one-way-request"]
	some entry in policy.elements_named[name]
	e := entry[2]
	some u in object.get(e, "children", [])
	u.name == "set-url"
	v := object.get(u, "text", "")
	contains(v, "context.Request")
	policy.is_expression(v)
}
