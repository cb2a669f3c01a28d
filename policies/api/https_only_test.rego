package apimguard.rules.api.https_only_test

import rego.v1

import data.apimguard.rules.api.https_only as rule

estate(protocols) := {"subscriptions": [{"services": [{"name": "apim", "apis": [{"id": "a", "displayName": "Inventory", "protocols": protocols}]}]}]}

test_http_fails if {
	result := rule.deny with input as estate(["http", "https"])
	count(result) == 1
	some f in result
	contains(f.message, "accepts unencrypted http (protocols: http, https)")
}

test_ws_fails if {
	count(rule.deny) == 1 with input as estate(["ws"])
}

test_https_passes if {
	count(rule.deny) == 0 with input as estate(["https"])
	count(rule.checked) == 1 with input as estate(["https"])
}

test_unknown_protocols_fail if {
	result := rule.deny with input as estate(["https", "<unknown: parameters('protocols')>"])
	count(result) == 1
	some f in result
	contains(f.message, "are not known before deployment")
	f.setting == "properties/protocols"
}

test_wss_passes if {
	count(rule.deny) == 0 with input as estate(["wss"])
}

test_unknown_beside_http_reports_http_only if {
	result := rule.deny with input as estate(["http", "<unknown: parameters('protocols')>"])
	count(result) == 1
	some f in result
	contains(f.message, "accepts unencrypted http")
}
