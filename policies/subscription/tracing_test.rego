package apimguard.rules.subscription.tracing_test

import rego.v1

import data.apimguard.rules.subscription.tracing as rule

test_unknown_tracing_fails if {
	result := rule.deny with input as estate({"state": "active", "allowTracing": "<unknown: parameters('trace')>"})
	count(result) == 1
	some f in result
	contains(f.message, "is not known before deployment")
}

estate(props) := {"subscriptions": [{"services": [{"name": "apim", "apimSubscriptions": [{"id": "sub1", "name": "5600b59475ff190048070001", "properties": props}]}]}]}

test_tracing_fails if {
	result := rule.deny with input as estate({"state": "active", "allowTracing": true})
	count(result) == 1
	some f in result
	contains(f.message, `subscription "5600b59475ff190048070001"`)
}

test_tracing_off_passes if {
	count(rule.deny) == 0 with input as estate({"state": "active", "allowTracing": false})
	count(rule.checked) == 1 with input as estate({"state": "active", "allowTracing": false})
}

test_unset_passes if {
	count(rule.deny) == 0 with input as estate({"state": "active"})
}
