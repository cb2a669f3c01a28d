package apimguard.rules.api.identity_based_auth_test

import rego.v1

import data.apimguard.rules.api.identity_based_auth as rule

api(key, jwt, cert, effective) := {"id": "a", "displayName": "Events", "auth": {"subscriptionKey": key, "jwtValidation": jwt, "clientCertificate": cert, "ipFilter": false, "effective": effective}}

estate(a) := {"subscriptions": [{"services": [{"name": "apim", "apis": [a]}]}]}

test_key_only_fails if {
	count(rule.deny) == 1 with input as estate(api(true, false, false, "authenticated"))
}

test_key_and_jwt_passes if {
	count(rule.deny) == 0 with input as estate(api(true, true, false, "authenticated"))
}

test_client_certificate_passes if {
	count(rule.deny) == 0 with input as estate(api(true, false, true, "authenticated"))
}

test_unauthenticated_is_left_to_api_003 if {
	count(rule.checked) == 0 with input as estate(api(false, false, false, "unauthenticated"))
}
