package apimguard.rules.defender.external_traffic_internal_api_test

import rego.v1

import data.apimguard.rules.defender.external_traffic_internal_api as rule

api(external, ext_endpoints) := {"id": "a", "displayName": "HR API", "exposure": {"external": external}, "defender": {"onboarded": true, "eligible": true, "externalEndpoints": ext_endpoints}}

estate(a) := {"subscriptions": [{"services": [{"name": "apim-int", "apis": [a]}]}]}

test_internal_api_with_internet_traffic_fails if {
	result := rule.deny with input as estate(api(false, 2))
	count(result) == 1
	some f in result
	contains(f.message, "internet traffic on 2 of its endpoint(s)")
}

test_internal_api_without_internet_traffic_passes if {
	count(rule.deny) == 0 with input as estate(api(false, 0))
	count(rule.checked) == 1 with input as estate(api(false, 0))
}

test_external_api_is_not_applicable if {
	count(rule.checked) == 0 with input as estate(api(true, 5))
}

test_unknown_counter_is_not_applicable if {
	a := {"id": "a", "displayName": "A", "exposure": {"external": false}, "defender": {"onboarded": true, "eligible": true}}
	count(rule.checked) == 0 with input as estate(a)
}
