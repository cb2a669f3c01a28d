package apimguard.rules.policy.request_controlled_backend_test

import rego.v1

import data.apimguard.rules.policy.request_controlled_backend as rule

backend(attrs) := {"name": "set-backend-service", "attributes": attrs, "children": []}

doc(inbound) := {"inbound": inbound, "backend": null, "outbound": null, "onError": null, "fragments": []}

estate(api_policy) := {"subscriptions": [{"services": [{"id": "svc", "name": "apim", "policy": null, "products": [], "apis": [{"id": "api", "displayName": "Payments", "policy": api_policy, "operations": []}]}]}]}

test_header_controlled_base_url_fails if {
	result := rule.deny with input as estate(doc([backend({"base-url": "@(context.Request.Headers.GetValueOrDefault(\"X-Target\", \"\"))"})]))
	count(result) == 1
	some f in result
	endswith(f.message, "set-backend-service takes its base-url from the request")
}

test_send_request_url_from_query_fails if {
	send := {"name": "send-request", "attributes": {"mode": "new", "response-variable-name": "r"}, "children": [{"name": "set-url", "attributes": {}, "children": [], "text": "@(context.Request.Url.Query.GetValueOrDefault(\"callback\"))"}]}
	some f in rule.deny with input as estate(doc([send]))
	contains(f.message, "send-request takes its URL from the request")
}

test_backend_id_passes if {
	count(rule.deny) == 0 with input as estate(doc([backend({"backend-id": "payments-backend"})]))
	count(rule.checked) == 1 with input as estate(doc([backend({"backend-id": "payments-backend"})]))
}

test_fixed_url_passes if {
	count(rule.deny) == 0 with input as estate(doc([backend({"base-url": "https://payments.contoso.com"})]))
}

test_expression_not_from_request_passes if {
	count(rule.deny) == 0 with input as estate(doc([backend({"base-url": "@(context.Variables.GetValueOrDefault<string>(\"region-url\"))"})]))
}

test_literal_mentioning_the_request_passes if {
	count(rule.deny) == 0 with input as estate(doc([backend({"base-url": "https://contoso.example/context.Request"})]))
	send := {"name": "send-one-way-request", "attributes": {}, "children": [{"name": "set-url", "attributes": {}, "children": [], "text": "https://contoso.example/context.Request"}]}
	count(rule.deny) == 0 with input as estate(doc([send]))
}

test_both_kinds_listed_in_one_message if {
	send := {"name": "send-one-way-request", "attributes": {}, "children": [{"name": "set-url", "attributes": {}, "children": [], "text": " @(context.Request.Headers.GetValueOrDefault(\"X-Hook\"))"}]}
	result := rule.deny with input as estate(doc([backend({"base-url": "@(context.Request.Url.Query.GetValueOrDefault(\"u\"))"}), send]))
	[f.message | some f in result] == [`policy of API "Payments" (service "apim"): send-one-way-request takes its URL from the request; set-backend-service takes its base-url from the request`]
}
