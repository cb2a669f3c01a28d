package apimguard.rules.defender.inactive_endpoints_test

import rego.v1

import data.apimguard.rules.defender.inactive_endpoints as rule

api(inactive, external) := {"id": "a", "displayName": "Echo API", "exposure": {"external": external}, "defender": {"onboarded": true, "eligible": true, "inactiveEndpoints": inactive, "collection": {"numberOfApiEndpoints": 6}}}

estate(a) := {"subscriptions": [{"services": [{"name": "apim", "apis": [a]}]}]}

test_inactive_external_fails if {
	result := rule.deny with input as estate(api(3, true))
	count(result) == 1
	some f in result
	startswith(f.message, "3 of 6 endpoint(s)")
	contains(f.message, "attack surface")
}

test_inactive_internal_fails_without_note if {
	some f in rule.deny with input as estate(api(1, false))
	not contains(f.message, "attack surface")
}

test_all_active_passes if {
	count(rule.deny) == 0 with input as estate(api(0, true))
}

test_unknown_counter_is_not_applicable if {
	a := {"id": "a", "displayName": "A", "exposure": {"external": true}, "defender": {"onboarded": true, "eligible": true}}
	count(rule.checked) == 0 with input as estate(a)
}

test_unknown_total_is_left_out if {
	a := {"id": "a", "displayName": "Echo API", "exposure": {"external": false}, "defender": {"onboarded": true, "inactiveEndpoints": 2}}
	some f in rule.deny with input as estate(a)
	f.message == `2 endpoint(s) of API "Echo API" (service "apim") received no traffic for 30 days`
}

test_unknown_exposure_has_no_note if {
	a := {"id": "a", "displayName": "Echo API", "defender": {"onboarded": true, "inactiveEndpoints": 1, "collection": {"numberOfApiEndpoints": 6}}}
	some f in rule.deny with input as estate(a)
	f.message == `1 of 6 endpoint(s) of API "Echo API" (service "apim") received no traffic for 30 days`
}
