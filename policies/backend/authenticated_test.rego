package apimguard.rules.backend.authenticated_test

import rego.v1

import data.apimguard.rules.backend.authenticated as rule

estate(props) := {"subscriptions": [{"services": [{"name": "apim", "backends": [{"id": "b", "name": "payments", "properties": props}]}]}]}

test_no_credentials_fails if {
	result := rule.deny with input as estate({"url": "https://payments.contoso.com", "protocol": "http"})
	count(result) == 1
	some f in result
	contains(f.message, `backend "payments"`)
}

test_empty_credentials_fail if {
	count(rule.deny) == 1 with input as estate({"url": "https://p", "protocol": "http", "credentials": {"query": {"sv": ["xx"]}}})
}

test_authorization_passes if {
	count(rule.deny) == 0 with input as estate({"url": "https://p", "protocol": "http", "credentials": {"authorization": {"scheme": "Basic", "parameter": "{{proxybackend-auth}}"}}})
}

test_certificate_ids_pass if {
	count(rule.deny) == 0 with input as estate({"url": "https://p", "protocol": "http", "credentials": {"certificateIds": ["/certificates/orders-client"]}})
}

test_function_key_header_passes if {
	count(rule.deny) == 0 with input as estate({"url": "https://p", "protocol": "http", "credentials": {"header": {"x-functions-key": ["{{func-key}}"]}}})
}

test_service_fabric_is_not_checked if {
	count(rule.checked) == 0 with input as estate({"url": "fabric:/mytestapp/mytestservice", "protocol": "http"})
}

# A protocol given as null (ARM returns it for a setting never made) is HTTP, APIM's
# default: the rule reads it instead of stopping.
test_null_protocol_is_http if {
	count(rule.deny) == 1 with input as estate({"url": "https://payments.contoso.com", "protocol": null})
}
