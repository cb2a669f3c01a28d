package apimguard.rules.logging.credentials_in_logs_test

import rego.v1

import data.apimguard.rules.logging.credentials_in_logs as rule

diagnostic(frontend_request) := {"id": "svc/apis/echo/diagnostics/applicationinsights", "name": "applicationinsights", "properties": {
	"loggerId": "svc/loggers/ai",
	"frontend": {"request": frontend_request, "response": {"headers": [], "body": {"bytes": 0}}},
	"backend": {"request": {"headers": [], "body": {"bytes": 0}}, "response": {"headers": [], "body": {"bytes": 0}}},
}}

estate(diagnostics) := {"subscriptions": [{"services": [{"id": "svc", "name": "apim", "logging": {"diagnosticSettings": [], "diagnostics": diagnostics, "loggers": []}}]}]}

test_no_headers_no_bodies_pass if {
	doc := estate([diagnostic({"headers": ["Content-Type", "X-Correlation-Id", "WWW-Authenticate"], "body": {"bytes": 0}})])
	count(rule.deny) == 0 with input as doc
	rule.checked == {"svc/apis/echo/diagnostics/applicationinsights"} with input as doc
}

test_credential_headers_fail if {
	result := rule.deny with input as estate([diagnostic({"headers": ["Authorization", "ocp-apim-subscription-key", "Content-Type"], "body": {"bytes": 0}})])
	result == {{"resource": "svc/apis/echo/diagnostics/applicationinsights", "message": "diagnostic \"applicationinsights\" of service \"apim\" logs the credential header \"Authorization\" of frontend requests; the credential header \"ocp-apim-subscription-key\" of frontend requests"}}
	count(rule.deny) == 1 with input as estate([diagnostic({"headers": ["Cookie"]})])
	count(rule.deny) == 1 with input as estate([diagnostic({"headers": ["X-API-Key"]})])
}

test_masked_headers_pass if {
	masked := {"headers": ["Authorization"], "dataMasking": {"headers": [{"value": "authorization", "mode": "Hide"}]}}
	count(rule.deny) == 0 with input as estate([diagnostic(masked)])
	shown := {"headers": ["Authorization"], "dataMasking": {"headers": [{"value": "Authorization", "mode": "Show"}]}}
	count(rule.deny) == 1 with input as estate([diagnostic(shown)])
}

test_bodies_fail if {
	some f in rule.deny with input as estate([diagnostic({"headers": [], "body": {"bytes": 8192}})])
	f.message == "diagnostic \"applicationinsights\" of service \"apim\" logs the first 8192 bytes of the body of frontend requests"
	# Older api-versions wrote the number as a string.
	count(rule.deny) == 1 with input as estate([diagnostic({"body": {"bytes": "512"}})])
}

test_values_left_open_fail if {
	count(rule.deny) == 1 with input as estate([diagnostic({"headers": ["<unknown: parameters('headers')>"]})])
	count(rule.deny) == 1 with input as estate([diagnostic({"body": {"bytes": "<unknown: parameters('bytes')>"}})])
}

test_not_in_the_snapshot_is_not_known if {
	doc := {"subscriptions": [{"services": [{"id": "svc", "name": "apim"}]}]}
	some f in rule.deny with input as doc
	contains(f.message, "is not known")
	rule.checked == {"svc"} with input as doc
}

# A part given as null (a Bicep `param frontend T?` not given: the AVM diagnostics
# modules) logs nothing; an open part is not known. Neither stops the rule.
test_null_and_open_parts if {
	props := {"loggerId": "svc/loggers/ai", "frontend": null, "backend": {"request": null, "response": {"headers": null, "body": null, "dataMasking": null}}}
	d := {"id": "svc/diagnostics/applicationinsights", "name": "applicationinsights", "properties": props}
	count(rule.deny) == 0 with input as estate([d])
	open := object.union(props, {"frontend": "<unknown: parameters('frontend')>"})
	some f in rule.deny with input as estate([object.union(d, {"properties": open})])
	contains(f.message, "settings not known before deployment")
}
