package apimguard.rules.api.authenticated_test

import rego.v1

import data.apimguard.rules.api.authenticated as rule

api(key, jwt, effective) := {"id": "a", "displayName": "Payments", "auth": {"subscriptionKey": key, "jwtValidation": jwt, "clientCertificate": false, "ipFilter": false, "effective": effective}}

estate(a) := {"subscriptions": [{"services": [{"name": "apim", "apis": [a]}]}]}

test_unauthenticated_fails if {
	result := rule.deny with input as estate(api(false, false, "unauthenticated"))
	count(result) == 1
	some f in result
	contains(f.message, "subscription key not required, token validation not required")
}

test_unknown_fails_closed if {
	some f in rule.deny with input as estate(api(true, false, "unknown"))
	contains(f.message, "could not be determined")
	endswith(f.message, "treated as unauthenticated")
}

test_unknown_says_why if {
	a := object.union(api(false, false, "unknown"), {"auth": {"effective": "unknown", "unknownReasons": ["without a product: x", "y"]}})
	some f in rule.deny with input as estate(a)
	endswith(f.message, "treated as unauthenticated: without a product: x; y")
}

test_authenticated_passes if {
	count(rule.deny) == 0 with input as estate(api(true, false, "authenticated"))
	count(rule.checked) == 1 with input as estate(api(true, false, "authenticated"))
}

test_jwt_only_passes if {
	count(rule.deny) == 0 with input as estate(api(false, true, "authenticated"))
}
