package apimguard.rules.service.tls_backend_protocols_test

import rego.v1

import data.apimguard.rules.service.tls_backend_protocols as rule

p := "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend."

estate(created, props) := {"subscriptions": [{"services": [{"id": "svc", "name": "apim", "sku": {"name": "Premium"}, "properties": {"createdAtUtc": created, "customProperties": props}}]}]}

test_backend_tls10_on_fails if {
	result := rule.deny with input as estate("2019-12-02T01:42:09Z", {concat("", [p, "Protocols.Tls10"]): "True", concat("", [p, "Protocols.Tls11"]): "False"})
	count(result) == 1
	some f in result
	f.message == `service "apim" may use TLS 1.0 towards its backends`
}

test_front_end_settings_do_not_count if {
	count(rule.deny) == 0 with input as estate("2021-06-16T09:40:00Z", {"Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10": "True"})
}

test_all_off_passes if {
	count(rule.deny) == 0 with input as estate("2017-01-01T00:00:00Z", {concat("", [p, "Protocols.Tls10"]): "false", concat("", [p, "Protocols.Tls11"]): "false", concat("", [p, "Protocols.Ssl30"]): "false"})
}

test_missing_properties_on_old_service_fail if {
	result := rule.deny with input as estate("2016-01-01T00:00:00Z", null)
	count(result) == 1
}
