package apimguard.rules.policy.cors_wildcard_test

import rego.v1

import data.apimguard.rules.policy.cors_wildcard as rule

item(name, text) := {"name": name, "attributes": {}, "children": [], "text": text}

cors(origin, method) := {"name": "cors", "attributes": {"allow-credentials": "false"}, "children": [
	{"name": "allowed-origins", "attributes": {}, "children": [item("origin", origin)]},
	{"name": "allowed-methods", "attributes": {}, "children": [item("method", method)]},
]}

doc(inbound) := {"inbound": inbound, "backend": null, "outbound": null, "onError": null, "fragments": []}

estate(global) := {"subscriptions": [{"services": [{"id": "svc", "name": "apim", "policy": global, "products": [], "apis": []}]}]}

test_wildcard_origin_fails if {
	result := rule.deny with input as estate(doc([cors("*", "GET")]))
	count(result) == 1
	some f in result
	f.resource == "svc"
	endswith(f.message, "allows any value (*) in allowed-origins")
}

test_wildcard_origin_and_method_listed if {
	some f in rule.deny with input as estate(doc([cors("*", "*")]))
	endswith(f.message, "in allowed-methods, allowed-origins")
}

test_nested_cors_is_found if {
	choose := {"name": "choose", "attributes": {}, "children": [{"name": "when", "attributes": {}, "children": [cors("*", "GET")]}]}
	count(rule.deny) == 1 with input as estate(doc([choose]))
}

test_explicit_origins_pass if {
	count(rule.deny) == 0 with input as estate(doc([cors("https://app.contoso.com", "GET")]))
	count(rule.checked) == 1 with input as estate(doc([cors("https://app.contoso.com", "GET")]))
}

test_no_cors_is_not_checked if {
	count(rule.checked) == 0 with input as estate(doc([item("set-header", "")]))
}
