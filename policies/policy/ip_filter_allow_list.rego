# METADATA
# title: ip-filter policies should allow known callers, not block known bad ones
# description: >-
#   An ip-filter with action="forbid" is a deny-list: every address not on it, which is the
#   whole internet including an attacker's next IP, is let through. Deny-lists give a false
#   sense of restriction; an allow-list of known caller ranges actually limits who can reach
#   the API.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/ip-filter-policy
#   - https://learn.microsoft.com/azure/api-management/mitigate-owasp-api-threats
# custom:
#   id: APIM-POL-004
#   severity: low
#   input: service
#   recommendation: >-
#     Use <ip-filter action="allow"> with the callers' addresses and ranges
#     (<address-range from="..." to="..." />); block abusive addresses at the WAF or with
#     Defender alerts instead.
#   frameworks:
#     owasp-api-2023: [API8]
#     mcsb: [NS-2]
#     nist-800-53: ["AC-4", "SC-7"]
#     pci-dss-4: ["1.3.1"]
#     iso-27001: [A.8.20]
package apimguard.rules.policy.ip_filter_allow_list

import rego.v1

import data.apimguard.lib.policy

checked contains scopes[entry[0]].resource if {
	scopes := policy.scopes
	some entry in policy.elements_named["ip-filter"]
}

deny contains {"resource": s.resource, "message": msg, "setting": "policy"} if {
	some entry in policy.elements_named["ip-filter"]
	e := entry[2]
	action := lower(policy.attr(e, "action"))
	action != "allow"
	s := policy.scopes[entry[0]]
	msg := sprintf("%s: ip-filter uses action=%q, a deny-list that lets every other address through", [policy.label(s), policy.attr(e, "action")])
}
