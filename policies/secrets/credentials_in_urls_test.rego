package apimguard.rules.secrets.credentials_in_urls_test

import rego.v1

import data.apimguard.rules.secrets.credentials_in_urls as rule

# Services as the collector writes them: credentials redacted in the URLs, and listed
# in credentialsInUrls.
estate(apis, backends, found) := {"subscriptions": [{"services": [{"id": "svc", "name": "apim", "apis": apis, "backends": backends, "credentialsInUrls": found}]}]}

api(id, url) := {"id": id, "displayName": id, "properties": {"serviceUrl": url}}

backend(id, url) := {"id": id, "name": id, "properties": {"url": url}}

test_function_key_in_service_url_fails if {
	apis := [api("/s/svc/apis/orders", "https://orders-fn.azurewebsites.net/api?code=[redacted]")]
	found := [{"resource": "/s/svc/apis/orders", "path": "properties/serviceUrl", "parameter": "code"}]
	result := rule.deny with input as estate(apis, [], found)
	[f | some f in result] == [{"resource": "/s/svc/apis/orders", "setting": "properties/serviceUrl", "message": `the URL in properties/serviceUrl of "orders" (service "apim") carries a credential: query parameter "code" (value not shown)`}]
}

test_plain_urls_pass if {
	apis := [api("/s/svc/apis/echo", "https://echo.example/api?api-version=2024-05-01")]
	backends := [backend("/s/svc/backends/b", "https://b.example/")]
	count(rule.deny) == 0 with input as estate(apis, backends, [])
	rule.checked == {"/s/svc/apis/echo", "/s/svc/backends/b"} with input as estate(apis, backends, [])
}

test_every_credential_of_one_url_in_one_finding if {
	backends := [backend("/s/svc/backends/b", "https://u:[redacted]@b.example/?sig=[redacted]&key=[redacted]")]
	found := [
		{"resource": "/s/svc/backends/b", "path": "properties/url", "parameter": "userinfo"},
		{"resource": "/s/svc/backends/b", "path": "properties/url", "parameter": "sig"},
		{"resource": "/s/svc/backends/b", "path": "properties/url", "parameter": "key"},
	]
	result := rule.deny with input as estate([], backends, found)
	[f.message | some f in result] == [`the URL in properties/url of "b" (service "apim") carries a credential: query parameter "key", query parameter "sig", the password of its user:password@ part (value not shown)`]
}

test_any_resource_the_collector_lists_is_checked if {
	found := [{"resource": "/s/svc/loggers/ai", "path": "properties/credentials/sasUrl", "parameter": "sig"}]
	result := rule.deny with input as estate([], [], found)
	{f.resource | some f in result} == {"/s/svc/loggers/ai"}
	rule.checked == {"/s/svc/loggers/ai"} with input as estate([], [], found)
}

test_services_without_the_list_pass if {
	count(rule.deny) == 0 with input as {"subscriptions": [{"services": [{"id": "svc", "name": "apim", "apis": [], "backends": []}]}]}
}
