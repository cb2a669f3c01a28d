package apimguard.rules.secrets.key_vault_test

import rego.v1

import data.apimguard.rules.secrets.key_vault as rule

estate(props) := {"subscriptions": [{"services": [{"name": "apim", "namedValues": [{"id": "nv", "name": "backend-token", "properties": props}]}]}]}

test_secret_outside_key_vault_fails if {
	result := rule.deny with input as estate({"displayName": "backend-token", "secret": true})
	count(result) == 1
	some f in result
	contains(f.message, `secret named value "backend-token"`)
}

test_key_vault_reference_passes if {
	count(rule.deny) == 0 with input as estate({"displayName": "prop6namekv", "secret": true, "keyVault": {"secretIdentifier": "https://contoso.vault.azure.net/secrets/aadSecret"}})
	count(rule.checked) == 1 with input as estate({"displayName": "prop6namekv", "secret": true, "keyVault": {"secretIdentifier": "https://contoso.vault.azure.net/secrets/aadSecret"}})
}

test_empty_identifier_fails if {
	count(rule.deny) == 1 with input as estate({"displayName": "x", "secret": true, "keyVault": {"secretIdentifier": ""}})
}

test_plain_value_is_not_checked if {
	count(rule.checked) == 0 with input as estate({"displayName": "environment", "secret": false})
}
