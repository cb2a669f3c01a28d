package apimguard.rules.policy.base_inheritance_test

import rego.v1

import data.apimguard.rules.policy.base_inheritance as rule

el(name) := {"name": name, "attributes": {}, "children": []}

base := el("base")

full := {"inbound": [base], "backend": [base], "outbound": [base], "onError": [base], "fragments": []}

estate(global, api_policy) := {"subscriptions": [{"services": [{"id": "svc", "name": "apim", "policy": global, "products": [], "apis": [{"id": "api", "displayName": "Payments", "policy": api_policy, "operations": []}]}]}]}

test_inbound_without_base_fails if {
	result := rule.deny with input as estate(null, object.union(full, {"inbound": [el("cors")]}))
	count(result) == 1
	some f in result
	f.resource == "api"
	f.message == `policy of API "Payments" (service "apim"): <inbound> has no <base />`
}

test_missing_section_fails if {
	some f in rule.deny with input as estate(null, object.union(full, {"onError": null}))
	endswith(f.message, "no <on-error> section")
}

test_problems_are_listed_together if {
	some f in rule.deny with input as estate(null, {"inbound": [el("cors")], "backend": null, "outbound": [base], "onError": [base]})
	endswith(f.message, "<inbound> has no <base />; no <backend> section")
}

test_base_anywhere_in_section_passes if {
	count(rule.deny) == 0 with input as estate(null, object.union(full, {"inbound": [el("quota-by-key"), base]}))
}

test_global_policy_is_not_checked if {
	count(rule.checked) == 0 with input as estate({"inbound": [el("cors")], "backend": [el("forward-request")], "outbound": [], "onError": null}, null)
}

workspace_estate(workspace_policy) := {"subscriptions": [{"services": [{"id": "svc", "name": "apim", "policy": null, "products": [], "apis": [], "workspaces": [{"id": "svc/workspaces/wks1", "name": "wks1", "properties": {"displayName": "Team A"}, "policy": workspace_policy, "apis": []}]}]}]}

test_workspace_policy_without_base_fails if {
	result := rule.deny with input as workspace_estate(object.union(full, {"inbound": [el("cors")]}))
	count(result) == 1
	some f in result
	f.resource == "svc/workspaces/wks1"
	f.message == `policy of workspace "Team A" (service "apim"): <inbound> has no <base />`
}

test_workspace_policy_missing_section_fails if {
	some f in rule.deny with input as workspace_estate(object.union(full, {"onError": null}))
	endswith(f.message, "no <on-error> section")
}

test_workspace_policy_with_base_passes if {
	rule.checked == {"svc/workspaces/wks1"} with input as workspace_estate(full)
	count(rule.deny) == 0 with input as workspace_estate(full)
}

test_workspace_without_policy_is_not_checked if {
	count(rule.checked) == 0 with input as workspace_estate(null)
}
