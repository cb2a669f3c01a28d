package apimguard.rules.backend.https_test

import rego.v1

import data.apimguard.rules.backend.https as rule

backend(name, url) := {"id": name, "name": name, "properties": {"url": url, "protocol": "http"}}

estate(backends) := {"subscriptions": [{"services": [{"name": "apim", "backends": backends}]}]}

test_http_backend_fails if {
	result := rule.deny with input as estate([backend("payments", "http://payments.internal.contoso.com"), backend("orders", "https://orders.contoso.com")])
	count(result) == 1
	some f in result
	f.resource == "payments"
	endswith(f.message, "http://payments.internal.contoso.com")
}

test_https_backend_passes if {
	count(rule.deny) == 0 with input as estate([backend("proxybackend", "https://backendname2644/")])
	count(rule.checked) == 1 with input as estate([backend("proxybackend", "https://backendname2644/")])
}

test_unknown_url_fails if {
	result := rule.deny with input as estate([backend("orders", "<unknown: parameters('ordersUrl')>")])
	count(result) == 1
	some f in result
	contains(f.message, "is not known before deployment")
	count(rule.deny) == 0 with input as estate([backend("orders", "https://<unknown: parameters('host')>/")])
}

test_service_fabric_is_not_checked if {
	count(rule.checked) == 0 with input as estate([backend("sfbackend", "fabric:/mytestapp/mytestservice")])
}

test_open_plain_url_reports_http_only if {
	result := rule.deny with input as estate([backend("orders", "http://<unknown: parameters('host')>/")])
	count(result) == 1
	some f in result
	contains(f.message, "is reached over unencrypted HTTP")
	count(rule.checked) == 1 with input as estate([backend("orders", "<unknown: parameters('ordersUrl')>")])
}
