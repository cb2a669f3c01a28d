package apimguard.rules.policy.client_certificate_validation_test

import rego.v1

import data.apimguard.rules.policy.client_certificate_validation as rule

validate(attrs) := {"name": "validate-client-certificate", "attributes": attrs, "children": []}

doc(inbound) := {"inbound": inbound, "backend": null, "outbound": null, "onError": null, "fragments": []}

estate(api_policy) := {"subscriptions": [{"services": [{"id": "svc", "name": "apim", "policy": null, "products": [], "apis": [{"id": "api", "displayName": "Partner API", "policy": api_policy, "operations": []}]}]}]}

test_revocation_off_fails if {
	result := rule.deny with input as estate(doc([validate({"validate-revocation": "false", "validate-trust": "true"})]))
	count(result) == 1
	some f in result
	endswith(f.message, `turns checks off (validate-revocation="false")`)
}

test_ignore_error_fails if {
	some f in rule.deny with input as estate(doc([validate({"ignore-error": "true"})]))
	contains(f.message, `ignore-error="true"`)
}

test_expression_value_fails_closed if {
	count(rule.deny) == 1 with input as estate(doc([validate({"validate-trust": "@(context.Variables.GetValueOrDefault<bool>(\"strict\"))"})]))
}

test_defaults_pass if {
	count(rule.deny) == 0 with input as estate(doc([validate({})]))
	count(rule.checked) == 1 with input as estate(doc([validate({})]))
}

test_explicit_true_passes if {
	count(rule.deny) == 0 with input as estate(doc([validate({"validate-revocation": "True", "validate-trust": "true", "validate-not-before": "true", "validate-not-after": "true", "ignore-error": "false"})]))
}
