# METADATA
# title: ip-filter policies should allow known callers, not block known bad ones
# description: >-
#   An ip-filter with action="forbid" is a deny-list: every address not on it, which is the
#   whole internet including an attacker's next IP, is let through. Deny-lists give a false
#   sense of restriction; an allow-list of known caller ranges actually limits who can reach
#   the API. Where the parameter ip_filter_required is true, every call path of every API
#   must also pass an unconditional ip-filter with action="allow" (in the effective policy
#   of the path, global to operation): an API some caller can reach without one is
#   reported, and so is an API whose call paths the snapshot does not hold.
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
#   parameters:
#     ip_filter_required: { default: false, description: "When true, every call path of every API must pass an ip-filter allow-list (an unconditional `<ip-filter action=\"allow\">` in its effective policy); any value other than true or false is reported on every service." }
package apimguard.rules.policy.ip_filter_allow_list

import rego.v1

import data.apimguard.lib.policy

import data.apimguard.lib.estate

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

# Whether every call path must pass an allow-list (parameter ip_filter_required).
default required := false

required := object.get(data.apimguard.config, "ip_filter_required", false)

checked contains api.id if {
	required == true
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
}

deny contains {"resource": api.id, "message": msg, "setting": "policy"} if {
	required == true
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	not is_array(object.get(api, "callPaths", null))
	msg := sprintf("API %s (service %q): the snapshot holds no call paths (schema 1.1 feature callPaths), so whether every call passes an ip-filter allow-list is not known; collect it again with this apimguard", [estate.api_label(api), svc.name])
}

deny contains {"resource": api.id, "message": msg, "setting": "policy"} if {
	required == true
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	paths := object.get(api, "callPaths", null)
	is_array(paths)
	open := sort({_path_label(path, where) | some path in paths; some where in _unfiltered(svc, api, path)})
	count(open) > 0
	msg := sprintf("API %s (service %q) can be called without passing an ip-filter allow-list (ip_filter_required): %s", [estate.api_label(api), svc.name, concat("; ", open)])
}

# Where on a call path no allow-list runs: "" for the path's own policy, else the
# operation's name. A policy the snapshot does not hold counts as no allow-list.
_unfiltered(svc, api, path) := {where |
	some where, id in _policies(api, path)
	not _allow_list(object.get(object.get(svc, "effectivePolicies", {}), sprintf("%v", [id]), {}))
}

# The effective policies of a path: its own (for operations without one, or when the
# API lists no operation), and each operation's.
_policies(api, path) := object.union(_own(api, path), {sprintf("operation %q", [o.operation]): o.policy | some o in object.get(path, "operations", [])})

_own(api, path) := {"": object.get(path, "policy", null)} if _runs_own(api, path)

else := {}

_runs_own(api, _) if count(object.get(api, "operations", [])) == 0

_runs_own(api, path) if {
	own := {o.operation | some o in object.get(path, "operations", [])}
	some op in api.operations
	not op.name in own
}

# An unconditional ip-filter with action "allow" in the inbound section.
_allow_list(effective) if {
	is_object(effective)
	some e in object.get(effective, "inbound", [])
	e.name == "ip-filter"
	object.get(e, "conditional", false) == false
	lower(policy.attr(e, "action")) == "allow"
}

_path_label(path, where) := sprintf("%s%s%s", [_product(path), _at(where), _uncertain(path)])

_product(path) := sprintf("through product %q", [p]) if {
	p := object.get(path, "product", null)
	is_string(p)
}

_product(path) := "without a product" if not is_string(object.get(path, "product", null))

_at(where) := "" if where == ""

_at(where) := sprintf(", %s", [where]) if where != ""

_uncertain(path) := sprintf(" (effective policy uncertain: %v)", [path.uncertain]) if object.get(path, "uncertain", null) != null

_uncertain(path) := "" if object.get(path, "uncertain", null) == null

# A value of the parameter other than true or false judges nothing: every service is
# reported, so a typo never passes silently.
checked contains svc.id if {
	not is_boolean(required)
	some sub in input.subscriptions
	some svc in sub.services
}

deny contains {"resource": svc.id, "message": msg} if {
	not is_boolean(required)
	some sub in input.subscriptions
	some svc in sub.services
	msg := sprintf("parameter ip_filter_required is %v, which is neither true nor false: whether the APIs of service %q need an ip-filter allow-list was not judged", [json.marshal(required), svc.name])
}
