package apimguard.rules.service.min_api_version_test

import rego.v1

import data.apimguard.rules.service.min_api_version as rule

estate(sku, constraint) := {"subscriptions": [{"services": [{"id": "svc", "name": "apim", "sku": {"name": sku}, "properties": {"apiVersionConstraint": constraint}}]}]}

test_old_minimum_fails if {
	result := rule.deny with input as estate("Premium", {"minApiVersion": "2019-12-01"})
	count(result) == 1
	some f in result
	contains(f.message, "from 2019-12-01 on (required: 2021-08-01 or later)")
}

test_empty_constraint_fails if {
	some f in rule.deny with input as estate("Premium", {})
	contains(f.message, "sets no minimum")
}

test_current_minimum_passes if {
	count(rule.deny) == 0 with input as estate("Standard", {"minApiVersion": "2022-08-01"})
}

test_parameter_raises_minimum if {
	count(rule.deny) == 1 with input as estate("Standard", {"minApiVersion": "2022-08-01"})
		with data.apimguard.config as {"min_api_version": "2023-03-01"}
}

test_consumption_is_not_checked if {
	count(rule.checked) == 0 with input as estate("Consumption", null)
}
