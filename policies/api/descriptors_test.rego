package apimguard.rules.api.descriptors_test

import rego.v1

import data.apimguard.rules.api.descriptors as rule

estate(display, props) := {"subscriptions": [{"services": [{"name": "apim", "apis": [{"id": "a", "name": "echo-api", "displayName": display, "properties": props}]}]}]}

test_missing_description_fails if {
	result := rule.deny with input as estate("Echo API", {"displayName": "Echo API"})
	count(result) == 1
	some f in result
	f.message == `API "Echo API" (service "apim") has no description`
}

test_missing_both_fails if {
	some f in rule.deny with input as estate("", {"description": "  "})
	f.message == `API "echo-api" (service "apim") has no displayName and no description`
}

test_documented_passes if {
	count(rule.deny) == 0 with input as estate("Echo API", {"displayName": "Echo API", "description": "Echoes requests; owned by the platform team."})
	count(rule.checked) == 1 with input as estate("Echo API", {"displayName": "Echo API", "description": "x"})
}
