package apimguard.rules.service.tls_client_protocols_test

import rego.v1

import data.apimguard.rules.service.tls_client_protocols as rule

p := "Microsoft.WindowsAzure.ApiManagement.Gateway.Security."

estate(created, props) := {"subscriptions": [{"services": [{"id": "svc", "name": "apim", "sku": {"name": "Premium"}, "properties": {"createdAtUtc": created, "customProperties": props}}]}]}

test_tls10_and_tls11_on_fail if {
	result := rule.deny with input as estate("2019-12-02T01:42:09Z", {concat("", [p, "Protocols.Tls10"]): "True", concat("", [p, "Protocols.Tls11"]): "True", concat("", [p, "Protocols.Ssl30"]): "False"})
	count(result) == 1
	some f in result
	f.message == `service "apim" accepts TLS 1.0, TLS 1.1 from clients`
}

test_all_off_passes if {
	count(rule.deny) == 0 with input as estate("2021-06-16T09:40:00Z", {concat("", [p, "Protocols.Tls10"]): "false", concat("", [p, "Protocols.Tls11"]): "false", concat("", [p, "Protocols.Ssl30"]): "false"})
}

test_old_service_without_settings_fails_by_default if {
	some f in rule.deny with input as estate("2017-05-01T00:00:00Z", {})
	contains(f.message, "TLS 1.0 (default)")
}

test_new_service_without_settings_passes if {
	count(rule.deny) == 0 with input as estate("2021-06-16T09:40:00Z", {})
	count(rule.checked) == 1 with input as estate("2021-06-16T09:40:00Z", {})
}

test_settings_not_known_before_deployment_fail if {
	some f in rule.deny with input as estate("2021-06-16T09:40:00Z", "<unknown: parameters('customProperties')>")
	contains(f.message, "TLS 1.0 (not known before deployment)")
}
