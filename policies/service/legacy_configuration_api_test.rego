package apimguard.rules.service.legacy_configuration_api_test

import rego.v1

import data.apimguard.rules.service.legacy_configuration_api as rule

estate(sku, props) := {"subscriptions": [{"services": [{"id": "svc", "name": "apim", "sku": {"name": sku}, "properties": props, "gateways": []}]}]}

test_enabled_fails if {
	result := rule.deny with input as estate("Standard", {"configurationApi": {"legacyApi": "Enabled"}})
	count(result) == 1
	some f in result
	contains(f.message, "legacyApi: Enabled)")
}

test_default_is_enabled if {
	some f in rule.deny with input as estate("Premium", {})
	contains(f.message, "Enabled (default)")
}

test_disabled_passes if {
	count(rule.deny) == 0 with input as estate("Premium", {"configurationApi": {"legacyApi": "Disabled"}})
	count(rule.checked) == 1 with input as estate("Premium", {"configurationApi": {"legacyApi": "Disabled"}})
}

test_consumption_and_v2_are_not_checked if {
	count(rule.checked) == 0 with input as estate("Consumption", {})
	count(rule.checked) == 0 with input as estate("StandardV2", {})
}
