package apimguard.rules.policy.literal_secrets_test

import rego.v1

import data.apimguard.rules.policy.literal_secrets as rule

# Documents as the collector writes them: secret literals redacted, and listed in
# literalCredentials.
set_header(name, value) := {"name": "set-header", "attributes": {"name": name, "exists-action": "override"}, "children": [{"name": "value", "attributes": {}, "children": [], "text": value}]}

doc(inbound, credentials) := {"inbound": inbound, "backend": null, "outbound": null, "onError": null, "fragments": [], "literalCredentials": credentials}

credential(element, name, expression) := {"element": element, "name": name, "expression": expression}

estate(api_policy) := {"subscriptions": [{"services": [{"id": "svc", "name": "apim", "policy": null, "products": [], "apis": [{"id": "api", "displayName": "Warehouse", "policy": api_policy, "operations": []}]}]}]}

test_literal_authorization_header_fails if {
	result := rule.deny with input as estate(doc([set_header("Authorization", "[redacted]")], [credential("set-header", "Authorization", false)]))
	count(result) == 1
	some f in result
	f.message == `policy of API "Warehouse" (service "apim"): set-header has a literal "Authorization" (values not shown)`
}

test_named_value_reference_passes if {
	count(rule.deny) == 0 with input as estate(doc([set_header("Authorization", "Bearer {{backend-token}}")], []))
	count(rule.checked) == 1 with input as estate(doc([set_header("Authorization", "Bearer {{backend-token}}")], []))
}

test_document_without_the_list_passes if {
	count(rule.deny) == 0 with input as estate({"inbound": [set_header("X-Forwarded-Host", "api.contoso.com")], "backend": null, "outbound": null, "onError": null, "fragments": []})
}

test_client_secret_in_an_expression_fails if {
	body := {"name": "set-body", "attributes": {}, "children": [], "text": "@{ return new JObject(new JProperty(\"client_secret\", \"[redacted]\")).ToString(); }"}
	some f in rule.deny with input as estate(doc([body], [credential("set-body", "client_secret", true)]))
	contains(f.message, `set-body has a literal "client_secret" in a policy expression`)
}

test_every_credential_of_a_document_in_one_finding if {
	basic := {"name": "authentication-basic", "attributes": {"username": "svc", "password": "[redacted]"}, "children": []}
	uri := {"name": "rewrite-uri", "attributes": {"template": "/run?api-version=1&sig=[redacted]"}, "children": []}
	credentials := [
		credential("authentication-basic", "password", false),
		credential("rewrite-uri", "sig", false),
		credential("validate-jwt", "issuer-signing-keys", false),
		credential("rewrite-uri", "sig", false),
	]
	result := rule.deny with input as estate(doc([basic, uri], credentials))
	[f.message | some f in result] == [`policy of API "Warehouse" (service "apim"): authentication-basic has a literal "password"; rewrite-uri has a literal "sig"; validate-jwt has a literal "issuer-signing-keys" (values not shown)`]
}

test_global_and_operation_documents_are_reported_on_their_own if {
	global := doc([], [credential("set-variable", "pwd", false)])
	op := doc([], [credential("set-query-parameter", "code", false)])
	input_doc := {"subscriptions": [{"services": [{"id": "svc", "name": "apim", "policy": global, "products": [], "apis": [{"id": "api", "displayName": "Warehouse", "policy": null, "operations": [{"name": "get", "policy": op}]}]}]}]}
	result := rule.deny with input as input_doc
	{f.resource | some f in result} == {"svc", "api/operations/get"}
}
