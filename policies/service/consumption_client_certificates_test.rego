package apimguard.rules.service.consumption_client_certificates_test

import rego.v1

import data.apimguard.rules.service.consumption_client_certificates as rule

estate(sku, props) := {"subscriptions": [{"services": [{"id": "svc", "name": "func", "sku": {"name": sku}, "properties": props}]}]}

test_disabled_fails if {
	result := rule.deny with input as estate("Consumption", {"enableClientCertificate": false})
	count(result) == 1
	some f in result
	contains(f.message, "enableClientCertificate is false")
}

test_missing_fails_closed if {
	some f in rule.deny with input as estate("Consumption", {})
	contains(f.message, "not set")
}

test_enabled_passes if {
	count(rule.deny) == 0 with input as estate("Consumption", {"enableClientCertificate": true})
	count(rule.checked) == 1 with input as estate("Consumption", {"enableClientCertificate": true})
}

test_other_tiers_are_not_checked if {
	count(rule.checked) == 0 with input as estate("Premium", {})
}
