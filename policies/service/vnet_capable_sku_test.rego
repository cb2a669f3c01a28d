package apimguard.rules.service.vnet_capable_sku_test

import rego.v1

import data.apimguard.rules.service.vnet_capable_sku as rule

estate(sku) := {"subscriptions": [{"services": [{"id": "svc", "name": "apim", "sku": {"name": sku}, "properties": {}}]}]}

test_standard_fails if {
	result := rule.deny with input as estate("Standard")
	count(result) == 1
	some f in result
	contains(f.message, "Standard tier")
}

test_consumption_fails if {
	count(rule.deny) == 1 with input as estate("Consumption")
}

test_premium_passes if {
	count(rule.deny) == 0 with input as estate("Premium")
	count(rule.checked) == 1 with input as estate("Premium")
}

test_parameter_narrows_the_list if {
	count(rule.deny) == 1 with input as estate("StandardV2")
		with data.apimguard.config as {"vnet_capable_skus": ["Premium"]}
}
