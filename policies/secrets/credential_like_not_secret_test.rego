package apimguard.rules.secrets.credential_like_not_secret_test

import rego.v1

import data.apimguard.rules.secrets.credential_like_not_secret as rule

estate(name, props) := {"subscriptions": [{"services": [{"name": "apim", "namedValues": [{"id": "nv", "name": name, "properties": props}]}]}]}

test_credential_name_not_secret_fails if {
	result := rule.deny with input as estate("592f1174cc83890dc4f32686", {"displayName": "Logger-Credentials-592f1174cc83890dc4f32687", "secret": false})
	count(result) == 1
	some f in result
	contains(f.message, `("credential" in its name)`)
}

test_secret_passes if {
	count(rule.deny) == 0 with input as estate("backend-token", {"displayName": "backend-token", "secret": true})
}

test_harmless_name_passes if {
	count(rule.deny) == 0 with input as estate("environment", {"displayName": "environment", "secret": false})
	count(rule.checked) == 1 with input as estate("environment", {"displayName": "environment", "secret": false})
}

test_missing_secret_flag_fails_closed if {
	count(rule.deny) == 1 with input as estate("orders-api-key", {"displayName": "orders-api-key"})
}
