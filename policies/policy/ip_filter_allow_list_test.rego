package apimguard.rules.policy.ip_filter_allow_list_test

import rego.v1

import data.apimguard.rules.policy.ip_filter_allow_list as rule

filter(action) := {"name": "ip-filter", "attributes": {"action": action}, "children": [{"name": "address-range", "attributes": {"from": "10.0.0.1", "to": "10.0.0.255"}, "children": []}]}

doc(inbound) := {"inbound": inbound, "backend": null, "outbound": null, "onError": null, "fragments": []}

estate(api_policy) := {"subscriptions": [{"services": [{"id": "svc", "name": "apim", "policy": null, "products": [], "apis": [{"id": "api", "displayName": "HR API", "policy": api_policy, "operations": []}]}]}]}

test_forbid_fails if {
	result := rule.deny with input as estate(doc([filter("forbid")]))
	count(result) == 1
	some f in result
	f.resource == "api"
	contains(f.message, `action="forbid"`)
}

test_allow_passes if {
	count(rule.deny) == 0 with input as estate(doc([filter("allow")]))
	count(rule.checked) == 1 with input as estate(doc([filter("allow")]))
}

test_no_filter_is_not_checked if {
	count(rule.checked) == 0 with input as estate(doc([]))
	count(rule.checked) == 0 with input as estate(null)
}

allow_entry(scope) := {"name": "ip-filter", "scope": scope, "depth": 0, "conditional": false, "attributes": {"action": "allow"}}

# One service with one API whose call paths are `paths`, over the effective policies `effective`.
paths_estate(paths, effective) := {"subscriptions": [{"services": [{
	"id": "svc", "name": "apim", "policy": null, "products": [],
	"effectivePolicies": effective,
	"apis": [{"id": "api", "name": "hr", "displayName": "HR API", "policy": null, "operations": [{"name": "get"}, {"name": "post"}], "callPaths": paths}],
}]}]}

required := {"ip_filter_required": true}

test_required_allow_list_on_every_path_passes if {
	paths := [{"product": "hr", "policy": "e1"}, {"product": null, "policy": "e1"}]
	effective := {"e1": {"inbound": [allow_entry("global")]}}
	count(rule.deny) == 0 with input as paths_estate(paths, effective) with data.apimguard.config as required
	rule.checked == {"api"} with input as paths_estate(paths, effective) with data.apimguard.config as required
}

test_path_without_allow_list_fails_when_required if {
	paths := [{"product": "hr", "policy": "e1"}, {"product": "open", "policy": "e2"}]
	effective := {"e1": {"inbound": [allow_entry("product")]}, "e2": {"inbound": []}}
	result := rule.deny with input as paths_estate(paths, effective) with data.apimguard.config as required
	count(result) == 1
	some f in result
	f.resource == "api"
	contains(f.message, `through product "open"`)
	not contains(f.message, `product "hr"`)
}

test_not_required_by_default if {
	paths := [{"product": "open", "policy": "e2"}]
	effective := {"e2": {"inbound": []}}
	count(rule.deny) == 0 with input as paths_estate(paths, effective)
	count(rule.checked) == 0 with input as paths_estate(paths, effective)
}

test_conditional_or_forbid_filter_is_no_allow_list if {
	conditional := object.union(allow_entry("api"), {"conditional": true})
	forbid := object.union(allow_entry("api"), {"attributes": {"action": "forbid"}})
	expression := object.union(allow_entry("api"), {"attributes": {"action": "@(\"allow\")"}})
	some e in [conditional, forbid, expression]
	paths := [{"product": "hr", "policy": "e1"}]
	count(rule.deny) >= 1 with input as paths_estate(paths, {"e1": {"inbound": [e]}}) with data.apimguard.config as required
}

test_operation_without_allow_list_fails if {
	paths := [{"product": "hr", "policy": "e1", "operations": [{"operation": "post", "policy": "e2"}]}]
	effective := {"e1": {"inbound": [allow_entry("global")]}, "e2": {"inbound": [{"name": "base"}]}}
	result := rule.deny with input as paths_estate(paths, effective) with data.apimguard.config as required
	some f in result
	contains(f.message, `through product "hr", operation "post"`)
}

test_every_operation_with_its_own_policy_skips_the_path_policy if {
	paths := [{"product": "hr", "policy": "e2", "operations": [{"operation": "get", "policy": "e1"}, {"operation": "post", "policy": "e1"}]}]
	effective := {"e1": {"inbound": [allow_entry("operation")]}, "e2": {"inbound": []}}
	count(rule.deny) == 0 with input as paths_estate(paths, effective) with data.apimguard.config as required
}

test_policy_missing_from_the_snapshot_fails if {
	paths := [{"product": "hr", "policy": "e9"}]
	count(rule.deny) == 1 with input as paths_estate(paths, {}) with data.apimguard.config as required
}

test_snapshot_without_call_paths_fails_closed if {
	old := {"subscriptions": [{"services": [{"id": "svc", "name": "apim", "policy": null, "products": [], "apis": [{"id": "api", "name": "hr", "displayName": "HR API", "policy": null, "operations": []}]}]}]}
	result := rule.deny with input as old with data.apimguard.config as required
	count(result) == 1
	some f in result
	contains(f.message, "holds no call paths")
}

test_non_boolean_parameter_fails_closed if {
	paths := [{"product": "hr", "policy": "e1"}]
	effective := {"e1": {"inbound": [allow_entry("global")]}}
	result := rule.deny with input as paths_estate(paths, effective) with data.apimguard.config as {"ip_filter_required": "yes"}
	count(result) == 1
	some f in result
	f.resource == "svc"
	contains(f.message, `parameter ip_filter_required is "yes"`)
}
