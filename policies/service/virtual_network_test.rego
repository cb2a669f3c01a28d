package apimguard.rules.service.virtual_network_test

import rego.v1

import data.apimguard.rules.service.virtual_network as rule

estate(sku, props) := {"subscriptions": [{"services": [{"id": "svc", "name": "apim", "sku": {"name": sku}, "properties": props}]}]}

test_unknown_network_type_fails if {
	result := rule.deny with input as estate("Premium", {"virtualNetworkType": "<unknown: parameters('vnet')>"})
	count(result) == 1
	some f in result
	contains(f.message, "is not known before deployment")
}

test_premium_without_vnet_fails if {
	result := rule.deny with input as estate("Premium", {"virtualNetworkType": "None"})
	count(result) == 1
}

test_missing_type_fails_closed if {
	count(rule.deny) == 1 with input as estate("Developer", {})
}

test_internal_passes if {
	count(rule.deny) == 0 with input as estate("Premium", {"virtualNetworkType": "Internal"})
}

test_standard_is_not_checked_by_default if {
	count(rule.checked) == 0 with input as estate("Standard", {"virtualNetworkType": "None"})
}

test_parameter_adds_tiers if {
	count(rule.deny) == 1 with input as estate("Standard", {"virtualNetworkType": "None"})
		with data.apimguard.config as {"vnet_required_skus": ["Standard"]}
}
