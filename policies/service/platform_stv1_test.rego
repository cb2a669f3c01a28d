package apimguard.rules.service.platform_stv1_test

import rego.v1

import data.apimguard.rules.service.platform_stv1 as rule

estate(props) := {"subscriptions": [{"services": [{"id": "svc", "name": "apim", "location": "East US", "sku": {"name": "Developer"}, "properties": props}]}]}

test_stv1_fails if {
	result := rule.deny with input as estate({"platformVersion": "stv1"})
	count(result) == 1
	some f in result
	contains(f.message, "retired stv1")
}

test_stv1_additional_region_fails if {
	result := rule.deny with input as estate({"platformVersion": "stv2", "additionalLocations": [{"location": "East US 2", "platformVersion": "stv1"}]})
	count(result) == 1
	some f in result
	contains(f.message, "East US 2")
}

test_stv2_passes if {
	count(rule.deny) == 0 with input as estate({"platformVersion": "stv2", "additionalLocations": [{"location": "East US 2", "platformVersion": "stv2"}]})
	count(rule.checked) == 1 with input as estate({"platformVersion": "stv2"})
}

test_unknown_platform_is_not_checked if {
	count(rule.checked) == 0 with input as estate({})
}
