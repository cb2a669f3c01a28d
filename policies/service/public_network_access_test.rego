package apimguard.rules.service.public_network_access_test

import rego.v1

import data.apimguard.rules.service.public_network_access as rule

estate(sku, props) := {"subscriptions": [{"services": [{"id": "svc", "name": "apim", "sku": {"name": sku}, "properties": props}]}]}

test_public_external_fails if {
	result := rule.deny with input as estate("Premium", {"publicNetworkAccess": "Enabled", "virtualNetworkType": "None"})
	count(result) == 1
	some f in result
	contains(f.message, "publicNetworkAccess is Enabled and virtualNetworkType is None")
}

test_internal_vnet_passes if {
	count(rule.deny) == 0 with input as estate("Premium", {"virtualNetworkType": "Internal"})
}

test_public_access_disabled_passes if {
	count(rule.deny) == 0 with input as estate("Standard", {"publicNetworkAccess": "Disabled", "virtualNetworkType": "None"})
}

test_missing_settings_fail_closed if {
	count(rule.deny) == 1 with input as estate("Developer", {})
}

test_consumption_note if {
	some f in rule.deny with input as estate("Consumption", {"publicNetworkAccess": "Enabled"})
	contains(f.message, "cannot be made private")
}
