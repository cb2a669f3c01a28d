package apimguard.rules.service.certificate_key_vault_test

import rego.v1

import data.apimguard.rules.service.certificate_key_vault as rule

host(kv) := {"type": "Proxy", "hostName": "api.contoso.com", "certificateSource": "Custom", "keyVaultId": kv, "certificate": {"expiry": "2027-01-01T00:00:00Z"}}

estate(hosts) := {"subscriptions": [{"services": [{"id": "svc", "name": "apim", "properties": {"hostnameConfigurations": hosts}}]}]}

test_uploaded_certificate_fails if {
	result := rule.deny with input as estate([object.remove(host(""), ["keyVaultId"])])
	count(result) == 1
	some f in result
	contains(f.message, `hostname "api.contoso.com" was uploaded directly`)
}

test_key_vault_reference_passes if {
	count(rule.deny) == 0 with input as estate([host("https://kv.vault.azure.net/secrets/ssl")])
	count(rule.checked) == 1 with input as estate([host("https://kv.vault.azure.net/secrets/ssl")])
}

test_builtin_hostname_is_not_checked if {
	count(rule.checked) == 0 with input as estate([{"type": "Proxy", "hostName": "apim.azure-api.net", "certificateSource": "BuiltIn"}])
}

test_no_hostnames_is_not_checked if {
	count(rule.checked) == 0 with input as estate([])
}

test_hostnames_not_known_before_deployment_fail if {
	result := rule.deny with input as estate("<unknown: parameters('hostnames')>")
	count(result) == 1
	some f in result
	contains(f.message, "not known before deployment (<unknown: parameters('hostnames')>)")
	count(rule.checked) == 1 with input as estate("<unknown: parameters('hostnames')>")
}

test_a_hostname_not_known_before_deployment_fails if {
	result := rule.deny with input as estate([host("https://kv.vault.azure.net/secrets/ssl"), "<unknown: variables('extra')>"])
	count(result) == 1
}
