package apimguard.rules.secrets.credential_like_not_secret_test

import rego.v1

import data.apimguard.rules.secrets.credential_like_not_secret as rule

# `word` is what apimguard records in credentialNamedValues for a name that names a
# credential; null for one that does not.
estate(name, props, word) := {"subscriptions": [{"services": [{
	"name": "apim",
	"namedValues": [{"id": "nv", "name": name, "properties": props}],
	"credentialNamedValues": [{"id": "nv", "word": word} | word != null],
}]}]}

test_credential_name_not_secret_fails if {
	result := rule.deny with input as estate("592f1174cc83890dc4f32686", {"displayName": "Logger-Credentials-592f1174cc83890dc4f32687", "secret": false}, "credentials")
	count(result) == 1
	some f in result
	contains(f.message, `("credentials" in its name)`)
}

test_secret_passes if {
	count(rule.deny) == 0 with input as estate("backend-token", {"displayName": "backend-token", "secret": true}, "token")
}

test_harmless_name_passes if {
	count(rule.deny) == 0 with input as estate("bypass", {"displayName": "bypass", "secret": false}, null)
	count(rule.checked) == 1 with input as estate("bypass", {"displayName": "bypass", "secret": false}, null)
}

test_missing_secret_flag_fails_closed if {
	count(rule.deny) == 1 with input as estate("orders-api-key", {"displayName": "orders-api-key"}, "key")
}
