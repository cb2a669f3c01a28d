package apimguard.rules.api.wildcard_operations_test

import rego.v1

import data.apimguard.rules.api.wildcard_operations as rule

op(name, method, template) := {"name": name, "method": method, "urlTemplate": template, "policy": null}

estate(ops) := {"subscriptions": [{"services": [{"name": "apim", "apis": [{"id": "/apis/echo", "displayName": "Echo API", "operations": ops}]}]}]}

test_wildcard_path_fails if {
	result := rule.deny with input as estate([op("get", "GET", "/resource"), op("all", "GET", "/*")])
	count(result) == 1
	some f in result
	f.resource == "/apis/echo/operations/all"
	endswith(f.message, "GET /*")
}

test_wildcard_method_fails if {
	count(rule.deny) == 1 with input as estate([op("any", "*", "/orders")])
}

test_catch_all_template_fails if {
	count(rule.deny) == 1 with input as estate([op("proxy", "GET", "/files/{*path}")])
}

test_specific_operations_pass if {
	count(rule.deny) == 0 with input as estate([op("get", "GET", "/resource"), op("create", "POST", "/resource/{id}")])
	count(rule.checked) == 2 with input as estate([op("get", "GET", "/resource"), op("create", "POST", "/resource/{id}")])
}

test_no_operations_nothing_checked if {
	count(rule.checked) == 0 with input as estate([])
}
