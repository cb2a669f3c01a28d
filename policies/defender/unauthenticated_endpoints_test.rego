package apimguard.rules.defender.unauthenticated_endpoints_test

import rego.v1

import data.apimguard.rules.defender.unauthenticated_endpoints as rule

api(defender) := {"id": "a", "displayName": "Echo API", "defender": defender}

estate(a) := {"subscriptions": [{"services": [{"name": "apim", "apis": [a]}]}]}

test_unauthenticated_endpoints_fail if {
	result := rule.deny with input as estate(api({"onboarded": true, "eligible": true, "unauthenticatedEndpoints": 1, "collection": {"numberOfApiEndpoints": 6}}))
	count(result) == 1
	some f in result
	contains(f.message, "saw 1 of 6 endpoint(s)")
}

test_zero_passes if {
	count(rule.deny) == 0 with input as estate(api({"onboarded": true, "eligible": true, "unauthenticatedEndpoints": 0}))
	count(rule.checked) == 1 with input as estate(api({"onboarded": true, "eligible": true, "unauthenticatedEndpoints": 0}))
}

test_absent_counter_is_not_applicable if {
	count(rule.deny) == 0 with input as estate(api({"onboarded": true, "eligible": true, "collection": null}))
	count(rule.checked) == 0 with input as estate(api({"onboarded": true, "eligible": true, "collection": null}))
}

test_not_onboarded_is_not_applicable if {
	count(rule.checked) == 0 with input as estate(api({"onboarded": false, "eligible": true, "unauthenticatedEndpoints": 3}))
}
