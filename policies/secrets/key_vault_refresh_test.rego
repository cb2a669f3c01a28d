package apimguard.rules.secrets.key_vault_refresh_test

import rego.v1

import data.apimguard.rules.secrets.key_vault_refresh as rule

estate(kv) := {"subscriptions": [{"services": [{"name": "apim", "namedValues": [{"id": "nv", "name": "orders-cert-password", "properties": {"displayName": "orders-cert-password", "secret": true, "keyVault": kv}}]}]}]}

test_failed_refresh_fails if {
	result := rule.deny with input as estate({"secretIdentifier": "https://kv/secrets/x", "lastStatus": {"code": "Forbidden", "timeStampUtc": "2026-11-25T22:00:00Z"}})
	count(result) == 1
	some f in result
	contains(f.message, "last status Forbidden at 2026-11-25T22:00:00Z")
}

test_success_passes if {
	count(rule.deny) == 0 with input as estate({"secretIdentifier": "https://kv/secrets/x", "lastStatus": {"code": "Success", "timeStampUtc": "2020-09-11T00:54:31.8024882Z"}})
	count(rule.checked) == 1 with input as estate({"secretIdentifier": "https://kv/secrets/x", "lastStatus": {"code": "Success"}})
}

test_no_status_is_not_checked if {
	count(rule.checked) == 0 with input as estate({"secretIdentifier": "https://kv/secrets/x"})
	count(rule.checked) == 0 with input as estate(null)
}
