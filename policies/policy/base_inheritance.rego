# METADATA
# title: Workspace, product, API and operation policies must keep <base /> in every section
# description: >-
#   A policy section without <base /> silently drops everything the enclosing scope runs
#   there: the global authentication, rate limits, IP filtering, CORS and logging that the
#   platform team put in place no longer apply to that API or operation. A workspace policy
#   without it drops the global policy for every API of the workspace. A section that is
#   missing altogether is reported too, because nothing from above is then guaranteed to
#   run. GraphQL resolver policies are not judged: they inherit from no scope (Microsoft:
#   resolver-scoped policies "don't inherit policies from other scopes") and run after the
#   API's inbound and backend sections, which this rule checks.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/api-management-howto-policies
#   - https://learn.microsoft.com/azure/api-management/configure-graphql-resolver
#   - https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.PolicyBase/
# custom:
#   id: APIM-POL-001
#   severity: medium
#   input: service
#   recommendation: >-
#     Add <base /> as the first element of <inbound>, <backend>, <outbound> and <on-error> in
#     the workspace, product, API or operation policy (move it only where the order must differ, and
#     never remove it without a reviewed reason).
#   frameworks:
#     owasp-api-2023: [API8]
#     mcsb: [PV-2]
#     nist-800-53: ["CM-6"]
#     pci-dss-4: ["2.2.1"]
#     iso-27001: [A.8.9]
#     azure-policy: [d5448c98-e503-4fdd-bcd2-784960c00d04]
#     psrule: [Azure.APIM.PolicyBase]
package apimguard.rules.policy.base_inheritance

import rego.v1

import data.apimguard.lib.policy

checked contains s.resource if {
	some s in policy.scopes
	s.kind != "global"
}

deny contains {"resource": s.resource, "message": msg, "setting": "policy"} if {
	some s in policy.scopes
	s.kind != "global"
	doc := s.policy
	not _starts_with_base(doc)
	not _intact(doc)
	problems := [p |
		some section in policy.section_names
		p := _problem(s.policy, section)
	]
	count(problems) > 0
	msg := sprintf("%s: %s", [policy.label(s), concat("; ", problems)])
}

# A document whose every section starts with <base /> has no problem: four reads, which
# spare most documents the tests below. (A function, not an inline comparison of the four
# names: OPA evaluates the names of a missing section outside the `not`, and would skip
# the document.)
_starts_with_base(doc) if {
	doc.inbound[0].name == "base"
	doc.backend[0].name == "base"
	doc.outbound[0].name == "base"
	doc.onError[0].name == "base"
}

# A document whose every section has <base /> has no problem (a cheap test that spares
# most documents the per-section checks below).
_intact(doc) if count({section |
	some section in policy.section_names
	elems := doc[section]
	is_array(elems)
	some e in elems
	e.name == "base"
}) == count(policy.section_names)

_problem(doc, section) := sprintf("no <%s> section", [policy.xml_names[section]]) if {
	object.get(doc, section, null) == null
}

_problem(doc, section) := sprintf("<%s> has no <base />", [policy.xml_names[section]]) if {
	elems := object.get(doc, section, null)
	is_array(elems)
	not _has_base(elems)
}

_has_base(elems) if {
	some e in elems
	e.name == "base"
}
