# METADATA
# title: Content validation policies should block invalid requests, not only log them
# description: >-
#   validate-content, validate-parameters, validate-headers and validate-status-code in
#   "detect" or "ignore" mode let requests with unexpected properties, oversized bodies or
#   undeclared parameters through to the backend (mass assignment, injection) and let
#   undeclared data out in responses; they only leave a trace in the logs.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/validate-content-policy
#   - https://learn.microsoft.com/azure/api-management/mitigate-owasp-api-threats
# custom:
#   id: APIM-POL-007
#   severity: low
#   input: service
#   recommendation: >-
#     After a detect-mode trial, switch the *-action attributes (unspecified-content-type-action,
#     max-size-exceeded-action, specified-/unspecified-parameter-action,
#     specified-/unspecified-header-action, unspecified-status-code-action, action) to
#     "prevent".
#   frameworks:
#     owasp-api-2023: [API3, API8]
#     mcsb: [NS-6]
#     nist-800-53: ["SI-10"]
#     pci-dss-4: ["6.2.4"]
#     iso-27001: [A.8.26]
package apimguard.rules.policy.validation_prevent_mode

import rego.v1

import data.apimguard.lib.policy

validators := {"validate-content", "validate-parameters", "validate-headers", "validate-status-code", "validate-odata-request", "validate-graphql-request"}

lenient := {"detect", "ignore"}

checked contains scopes[entry[0]].resource if {
	scopes := policy.scopes
	some name in validators
	some entry in policy.elements_named[name]
}

deny contains {"resource": s.resource, "message": msg, "setting": "policy"} if {
	some i, found in _found
	s := policy.scopes[i]
	msg := sprintf("%s: validation does not block (%s)", [policy.label(s), concat(", ", sort(found))])
}

# Scope index → the lenient actions of its validation elements (and of the elements nested
# in them). The element's own attributes are read inline; `policy.descendants` walks only
# elements that have children (it lists the element again: the set keeps one copy).
_found[entry[0]] contains sprintf("%s %s=%q", [e.name, k, v]) if {
	modes := lenient
	some name in validators
	some entry in policy.elements_named[name]
	e := entry[2]
	some k, v in object.get(e, "attributes", {})
	endswith(k, "action")
	lower(sprintf("%v", [v])) in modes
}

_found[entry[0]] contains sprintf("%s %s=%q", [e.name, k, v]) if {
	modes := lenient
	some name in validators
	some entry in policy.elements_named[name]
	e := entry[2]
	count(e.children) > 0
	some d in policy.descendants([e])
	some k, v in object.get(d, "attributes", {})
	endswith(k, "action")
	lower(sprintf("%v", [v])) in modes
}
