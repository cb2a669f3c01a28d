package apimguard.rules.policy.validation_prevent_mode_test

import rego.v1

import data.apimguard.rules.policy.validation_prevent_mode as rule

content(a, b) := {"name": "validate-content", "attributes": {"unspecified-content-type-action": a, "max-size": "102400", "max-size-exceeded-action": b}, "children": []}

doc(inbound) := {"inbound": inbound, "backend": null, "outbound": null, "onError": null, "fragments": []}

estate(api_policy) := {"subscriptions": [{"services": [{"id": "svc", "name": "apim", "policy": null, "products": [], "apis": [{"id": "api", "displayName": "Inventory", "policy": api_policy, "operations": []}]}]}]}

test_detect_fails if {
	result := rule.deny with input as estate(doc([content("detect", "prevent")]))
	count(result) == 1
	some f in result
	endswith(f.message, `(validate-content unspecified-content-type-action="detect")`)
}

test_nested_parameter_action_fails if {
	params := {"name": "validate-parameters", "attributes": {"specified-parameter-action": "prevent", "unspecified-parameter-action": "prevent"}, "children": [
		{"name": "query", "attributes": {"specified-parameter-action": "prevent"}, "children": [{"name": "parameter", "attributes": {"name": "id", "action": "ignore"}, "children": []}]},
	]}
	some f in rule.deny with input as estate(doc([params]))
	contains(f.message, `validate-parameters action="ignore"`)
}

test_prevent_passes if {
	count(rule.deny) == 0 with input as estate(doc([content("prevent", "prevent")]))
	count(rule.checked) == 1 with input as estate(doc([content("prevent", "prevent")]))
}

test_no_validation_is_not_checked if {
	count(rule.checked) == 0 with input as estate(doc([]))
}

test_own_and_nested_actions_listed_once if {
	params := {"name": "validate-parameters", "attributes": {"specified-parameter-action": "detect", "unspecified-parameter-action": "prevent"}, "children": [
		{"name": "query", "attributes": {"specified-parameter-action": "Ignore"}, "children": [{"name": "parameter", "attributes": {"name": "id", "action": "detect"}, "children": []}]},
	]}
	result := rule.deny with input as estate(doc([params]))
	[f.message | some f in result] == [`policy of API "Inventory" (service "apim"): validation does not block (validate-parameters action="detect", validate-parameters specified-parameter-action="Ignore", validate-parameters specified-parameter-action="detect")`]
}
