package apimguard.rules.api.https_service_url_test

import rego.v1

import data.apimguard.rules.api.https_service_url as rule

estate(props) := {"subscriptions": [{"services": [{"name": "apim", "apis": [{"id": "a", "displayName": "Echo API", "properties": props}]}]}]}

test_http_backend_fails if {
	result := rule.deny with input as estate({"serviceUrl": "http://echoapi.cloudapp.net/api"})
	count(result) == 1
	some f in result
	endswith(f.message, "http://echoapi.cloudapp.net/api")
}

test_upper_case_scheme_fails if {
	count(rule.deny) == 1 with input as estate({"serviceUrl": "HTTP://legacy.contoso.com"})
}

test_https_backend_passes if {
	count(rule.deny) == 0 with input as estate({"serviceUrl": "https://api.plexonline.com/DataSource/Service.asmx"})
}

test_unknown_service_url_fails_unless_its_scheme_is_known if {
	result := rule.deny with input as estate({"serviceUrl": "<unknown: parameters('backendUrl')>"})
	count(result) == 1
	some f in result
	contains(f.message, "is not known before deployment")
	count(rule.deny) == 0 with input as estate({"serviceUrl": "https://<unknown: parameters('host')>/api"})
	count(rule.deny) == 1 with input as estate({"serviceUrl": "http://<unknown: parameters('host')>/api"})
}

test_no_service_url_is_not_checked if {
	count(rule.checked) == 0 with input as estate({})
	count(rule.checked) == 0 with input as estate({"serviceUrl": ""})
}

test_ws_and_open_wss_urls if {
	count(rule.deny) == 1 with input as estate({"serviceUrl": "ws://chat.contoso.com"})
	count(rule.deny) == 0 with input as estate({"serviceUrl": "WSS://<unknown: parameters('host')>/chat"})
}
