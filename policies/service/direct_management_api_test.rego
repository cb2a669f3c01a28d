package apimguard.rules.service.direct_management_api_test

import rego.v1

import data.apimguard.rules.service.direct_management_api as rule

estate(sku, access) := {"subscriptions": [{"services": [{"id": "svc", "name": "apim", "sku": {"name": sku}, "properties": {}, "tenantAccess": access}]}]}

test_enabled_fails if {
	result := rule.deny with input as estate("Premium", {"enabled": true})
	count(result) == 1
	some f in result
	f.resource == "svc"
}

test_disabled_passes if {
	count(rule.deny) == 0 with input as estate("Premium", {"enabled": false})
	count(rule.checked) == 1 with input as estate("Premium", {"enabled": false})
}

test_not_read_is_not_checked if {
	count(rule.checked) == 0 with input as estate("Standard", null)
}

test_consumption_is_not_checked if {
	count(rule.checked) == 0 with input as estate("Consumption", {"enabled": true})
}
