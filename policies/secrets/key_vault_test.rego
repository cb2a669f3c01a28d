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

test_plain_value_is_judged_when_all_are_required if {
	result := rule.deny with input as estate({"displayName": "environment", "secret": false})
		with data.apimguard.config as {"key_vault_required_for": "all"}
	count(result) == 1
	some f in result
	contains(f.message, `plain named value "environment"`)
	contains(f.message, "(key_vault_required_for: all)")
}

test_plain_key_vault_reference_passes_when_all_are_required if {
	props := {"displayName": "environment", "secret": false, "keyVault": {"secretIdentifier": "https://contoso.vault.azure.net/secrets/environment"}}
	count(rule.deny) == 0 with input as estate(props) with data.apimguard.config as {"key_vault_required_for": "all"}
	count(rule.checked) == 1 with input as estate(props) with data.apimguard.config as {"key_vault_required_for": "all"}
}

test_missing_secret_flag_is_judged_when_all_are_required if {
	count(rule.deny) == 1 with input as estate({"displayName": "x"}) with data.apimguard.config as {"key_vault_required_for": "all"}
}

test_secrets_keeps_the_default_behaviour if {
	count(rule.checked) == 0 with input as estate({"displayName": "environment", "secret": false})
		with data.apimguard.config as {"key_vault_required_for": "secrets"}
}

test_unknown_parameter_value_fails_closed if {
	svc_estate := {"subscriptions": [{"services": [{"id": "svc", "name": "apim", "namedValues": [{"id": "nv", "name": "environment", "properties": {"secret": false}}]}]}]}
	result := rule.deny with input as svc_estate with data.apimguard.config as {"key_vault_required_for": "All"}
	count(result) == 1
	some f in result
	f.resource == "svc"
	contains(f.message, `parameter key_vault_required_for is "All"`)
}
