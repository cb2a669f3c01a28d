# METADATA
# title: CORS policies must not use wildcards
# description: >-
#   A cors policy that allows any origin ("*") lets every website make browsers call the API
#   and read the responses; allowing any method or header widens what those pages can do.
#   Combined with cookies or tokens held by the browser, a malicious page can act as the
#   signed-in user.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/cors-policy
#   - https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.CORSPolicy/
# custom:
#   id: APIM-POL-002
#   severity: medium
#   input: service
#   recommendation: >-
#     List the exact front-end origins in <allowed-origins> (for example
#     <origin>https://app.contoso.com</origin>), and the methods and headers the front end
#     really uses in <allowed-methods> and <allowed-headers>.
#   frameworks:
#     owasp-api-2023: [API8]
#     mcsb: [PV-2]
#     nist-800-53: ["AC-4", "CM-6"]
#     pci-dss-4: ["2.2.1"]
#     iso-27001: [A.8.26]
#     psrule: [Azure.APIM.CORSPolicy]
package apimguard.rules.policy.cors_wildcard

import rego.v1

import data.apimguard.lib.policy

lists := {"allowed-origins", "allowed-methods", "allowed-headers", "expose-headers"}

checked contains scopes[entry[0]].resource if {
	scopes := policy.scopes
	some entry in policy.elements_named.cors
}

deny contains {"resource": s.resource, "message": msg, "setting": "policy"} if {
	some i, wild in _wild
	s := policy.scopes[i]
	msg := sprintf("%s: the cors policy allows any value (*) in %s", [policy.label(s), concat(", ", sort(wild))])
}

# Scope index → the lists of its cors policies that allow any value.
_wild[entry[0]] contains l.name if {
	names := lists
	some entry in policy.elements_named.cors
	some l in object.get(entry[2], "children", [])
	l.name in names
	some v in object.get(l, "children", [])
	trim_space(object.get(v, "text", "")) == "*"
}
