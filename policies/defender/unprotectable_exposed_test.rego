package apimguard.rules.defender.unprotectable_exposed_test

import rego.v1

import data.apimguard.rules.defender.unprotectable_exposed as rule

api(eligible, reason, external, auth) := {"id": "a", "displayName": "A", "exposure": {"external": external}, "auth": {"effective": auth}, "defender": {"eligible": eligible, "ineligibleReason": reason, "onboarded": false}}

estate(a) := {"subscriptions": [{"services": [{"name": "apim", "apis": [a]}]}]}

test_consumption_unauthenticated_fails_with_reason if {
	result := rule.deny with input as estate(api(false, "consumption-sku", true, "unauthenticated"))
	count(result) == 1
	some f in result
	contains(f.message, "ineligible: consumption-sku")
}

test_unknown_auth_fails_closed if {
	count(rule.deny) == 1 with input as estate(api(false, "non-rest", true, "unknown"))
}

test_authenticated_passes if {
	count(rule.deny) == 0 with input as estate(api(false, "workspace", true, "authenticated"))
	count(rule.checked) == 1 with input as estate(api(false, "workspace", true, "authenticated"))
}

test_internal_passes if {
	count(rule.deny) == 0 with input as estate(api(false, "self-hosted-gateway", false, "unauthenticated"))
}

test_eligible_is_left_to_def_001 if {
	count(rule.deny) == 0 with input as estate(api(true, null, true, "unauthenticated"))
	count(rule.checked) == 0 with input as estate(api(true, null, true, "unauthenticated"))
}

test_missing_reason_is_named if {
	some f in rule.deny with input as estate(api(false, null, true, "unauthenticated"))
	contains(f.message, "reason unknown")
}
