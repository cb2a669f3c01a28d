package apimguard.rules.policy.literal_secrets_test

import rego.v1

import data.apimguard.rules.policy.literal_secrets as rule

set_header(name, value) := {"name": "set-header", "attributes": {"name": name, "exists-action": "override"}, "children": [{"name": "value", "attributes": {}, "children": [], "text": value}]}

doc(inbound) := {"inbound": inbound, "backend": null, "outbound": null, "onError": null, "fragments": []}

estate(api_policy) := {"subscriptions": [{"services": [{"id": "svc", "name": "apim", "policy": null, "products": [], "apis": [{"id": "api", "displayName": "Warehouse", "policy": api_policy, "operations": []}]}]}]}

test_literal_authorization_header_fails if {
	result := rule.deny with input as estate(doc([set_header("Authorization", "Basic PLACEHOLDER")]))
	count(result) == 1
	some f in result
	contains(f.message, `header "Authorization" is set to a literal value`)
	not contains(f.message, "PLACEHOLDER")
}

test_named_value_reference_passes if {
	count(rule.deny) == 0 with input as estate(doc([set_header("Authorization", "Bearer {{backend-token}}")]))
	count(rule.checked) == 1 with input as estate(doc([set_header("Authorization", "Bearer {{backend-token}}")]))
}

test_expression_passes if {
	count(rule.deny) == 0 with input as estate(doc([set_header("Authorization", "@(context.Variables.GetValueOrDefault<string>(\"token\"))")]))
}

test_harmless_header_passes if {
	count(rule.deny) == 0 with input as estate(doc([set_header("X-Forwarded-Host", "api.contoso.com")]))
}

test_basic_auth_literal_password_fails if {
	basic := {"name": "authentication-basic", "attributes": {"username": "svc", "password": "PLACEHOLDER"}, "children": []}
	some f in rule.deny with input as estate(doc([basic]))
	contains(f.message, "authentication-basic has a literal password")
}

test_literal_query_key_fails if {
	q := {"name": "set-query-parameter", "attributes": {"name": "code", "exists-action": "override"}, "children": [{"name": "value", "attributes": {}, "children": [], "text": "PLACEHOLDER"}]}
	count(rule.deny) == 1 with input as estate(doc([q]))
}

test_symmetric_jwt_key_fails if {
	jwt := {"name": "validate-jwt", "attributes": {"header-name": "Authorization"}, "children": [{"name": "issuer-signing-keys", "attributes": {}, "children": [{"name": "key", "attributes": {}, "children": [], "text": "UExBQ0VIT0xERVI="}]}]}
	some f in rule.deny with input as estate(doc([jwt]))
	contains(f.message, "literal symmetric key")
}

test_rsa_public_key_passes if {
	jwt := {"name": "validate-jwt", "attributes": {}, "children": [{"name": "issuer-signing-keys", "attributes": {}, "children": [{"name": "key", "attributes": {"n": "modulus", "e": "AQAB"}, "children": []}]}]}
	count(rule.deny) == 0 with input as estate(doc([jwt]))
}

test_certificate_body_and_ad_token_decryption_key_fail if {
	cert := {"name": "authentication-certificate", "attributes": {"body": "UExBQ0VIT0xERVI=", "password": "{{cert-password}}"}, "children": []}
	token := {"name": "validate-azure-ad-token", "attributes": {"tenant-id": "t"}, "children": [{"name": "decryption-keys", "attributes": {}, "children": [{"name": "key", "attributes": {}, "children": [], "text": "UExBQ0VIT0xERVI="}]}]}
	result := rule.deny with input as estate(doc([cert, token, set_header("x-api-key", "PLACEHOLDER")]))
	[f.message | some f in result] == [`policy of API "Warehouse" (service "apim"): authentication-certificate has a literal body; header "x-api-key" is set to a literal value; validate-azure-ad-token holds a literal symmetric key (values not shown)`]
}
