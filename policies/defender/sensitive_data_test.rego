package apimguard.rules.defender.sensitive_data_test

import rego.v1

import data.apimguard.rules.defender.sensitive_data as rule

api(defender) := {"id": "a", "displayName": "HR API", "defender": defender}

estate(a) := {"subscriptions": [{"services": [{"name": "apim", "apis": [a]}]}]}

test_sensitive_fails_with_label if {
	result := rule.deny with input as estate(api({"onboarded": true, "sensitiveEndpoints": 2, "sensitivityLabel": "Confidential", "collection": {"numberOfApiEndpoints": 4}}))
	count(result) == 1
	some f in result
	contains(f.message, `2 of 4 endpoint(s) of API "HR API"`)
	endswith(f.message, `labelled "Confidential"`)
}

test_sensitive_without_label_fails if {
	count(rule.deny) == 1 with input as estate(api({"onboarded": true, "sensitiveEndpoints": 1}))
}

test_none_passes if {
	count(rule.deny) == 0 with input as estate(api({"onboarded": true, "sensitiveEndpoints": 0}))
	count(rule.checked) == 1 with input as estate(api({"onboarded": true, "sensitiveEndpoints": 0}))
}

test_absent_is_not_applicable if {
	count(rule.checked) == 0 with input as estate(api({"onboarded": true}))
}

test_message_without_label_or_total if {
	some f in rule.deny with input as estate(api({"onboarded": true, "sensitiveEndpoints": 1, "sensitivityLabel": null, "collection": {"numberOfApiEndpoints": "6"}}))
	f.message == `Defender for APIs found sensitive data in 1 endpoint(s) of API "HR API" (service "apim")`
}
