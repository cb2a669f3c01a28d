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
