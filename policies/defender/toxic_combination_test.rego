package apimguard.rules.defender.toxic_combination_test

import rego.v1

import data.apimguard.rules.defender.toxic_combination as rule

api(ext, unauth, sens) := {"id": "a", "displayName": "Echo API", "defender": {"onboarded": true, "eligible": true, "externalEndpoints": ext, "unauthenticatedEndpoints": unauth, "sensitiveEndpoints": sens, "sensitivityLabel": "Highly Confidential"}}

estate(a) := {"subscriptions": [{"services": [{"name": "apim", "apis": [a]}]}]}

test_all_three_fail if {
	result := rule.deny with input as estate(api(3, 1, 1))
	count(result) == 1
	some f in result
	contains(f.message, `labelled "Highly Confidential"`)
}

test_authenticated_passes if {
	count(rule.deny) == 0 with input as estate(api(3, 0, 1))
}

test_no_sensitive_data_passes if {
	count(rule.deny) == 0 with input as estate(api(3, 2, 0))
	count(rule.checked) == 1 with input as estate(api(3, 2, 0))
}

test_missing_counter_is_not_applicable if {
	a := {"id": "a", "displayName": "A", "defender": {"onboarded": true, "eligible": true, "externalEndpoints": 3, "unauthenticatedEndpoints": 1}}
	count(rule.deny) == 0 with input as estate(a)
	count(rule.checked) == 0 with input as estate(a)
}

test_message_without_label if {
	a := {"id": "a", "displayName": "Echo API", "defender": {"onboarded": true, "externalEndpoints": 1, "unauthenticatedEndpoints": 1, "sensitiveEndpoints": 2}}
	some f in rule.deny with input as estate(a)
	f.message == `API "Echo API" (service "apim") is called from the internet (1 endpoint(s)), without authentication (1 endpoint(s)), and exposes sensitive data (2 endpoint(s))`
}
