package apimguard.rules.service.weak_ciphers_test

import rego.v1

import data.apimguard.rules.service.weak_ciphers as rule

p := "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers."

all_off := {concat("", [p, c]): "False" | some c in array.concat(rule.weak_ciphers, ["TripleDes168"])}

estate(sku, created, props) := {"subscriptions": [{"services": [{"id": "svc", "name": "apim", "sku": {"name": sku}, "properties": {"createdAtUtc": created, "customProperties": props}}]}]}

test_all_off_passes if {
	props := all_off
	denied := rule.deny with input as estate("Premium", "2021-06-16T09:40:00Z", props)
	checked := rule.checked with input as estate("Premium", "2021-06-16T09:40:00Z", props)
	count(denied) == 0
	count(checked) == 1
}

test_explicitly_enabled_cipher_fails if {
	props := object.union(all_off, {concat("", [p, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"]): "true"})
	result := rule.deny with input as estate("Standard", "2021-06-16T09:40:00Z", props)
	count(result) == 1
	some f in result
	f.message == `service "apim" offers 1 weak cipher suite(s): TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA`
}

test_unset_ciphers_are_on_by_default if {
	some f in rule.deny with input as estate("Standard", "2021-06-16T09:40:00Z", {concat("", [p, "TripleDes168"]): "False"})
	contains(f.message, "offers 9 weak cipher suite(s)")
	contains(f.message, "TLS_RSA_WITH_AES_128_CBC_SHA (default)")
	not contains(f.message, "TripleDes168")
}

test_3des_on_for_old_service if {
	props := object.remove(all_off, [concat("", [p, "TripleDes168"])])
	some f in rule.deny with input as estate("Premium", "2017-01-01T00:00:00Z", props)
	contains(f.message, "TripleDes168 (default)")
}

test_consumption_is_not_checked if {
	count(rule.checked) == 0 with input as estate("Consumption", "2020-08-10T18:07:23Z", {})
}

test_unknown_and_legacy_notes if {
	props := object.union(all_off, {
		concat("", [p, "TLS_RSA_WITH_AES_128_CBC_SHA"]): "<unknown: parameters('c')>",
		concat("", [p, "TripleDes168"]): null,
	})
	some f in rule.deny with input as estate("Premium", "2018-04-01T10:00:00Z", props)
	f.message == `service "apim" offers 2 weak cipher suite(s): TripleDes168 (default), TLS_RSA_WITH_AES_128_CBC_SHA (not known before deployment)`
}

# customProperties not known before deployment as a whole: every cipher may be on, and the
# message says so rather than "(default)".
test_settings_unknown_as_a_whole if {
	some f in rule.deny with input as estate("Premium", "2020-08-10T18:07:23Z", "<unknown: parameters('props')>")
	contains(f.message, "TLS_RSA_WITH_AES_128_CBC_SHA (not known before deployment)")
	not contains(f.message, "(default)")
}
