package apimguard.rules.logging.diagnostics_logger_test

import rego.v1

import data.apimguard.rules.logging.diagnostics_logger as rule

svc_id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim"

diagnostic(name, properties) := {"id": sprintf("%s/diagnostics/%s", [svc_id, name]), "name": name, "properties": properties}

logger(name) := {"id": sprintf("%s/loggers/%s", [svc_id, name]), "name": name, "properties": {"loggerType": "applicationInsights"}}

estate(kind, logging) := {"source": {"kind": kind}, "subscriptions": [{"services": [{"id": svc_id, "name": "apim", "logging": logging}]}]}

live(diagnostics, loggers) := estate("arm", {"diagnosticSettings": [], "diagnostics": diagnostics, "loggers": loggers})

test_diagnostic_with_its_logger_passes if {
	doc := live([diagnostic("applicationinsights", {"loggerId": sprintf("%s/loggers/ai", [svc_id]), "sampling": {"samplingType": "fixed", "percentage": 100}})], [logger("ai")])
	count(rule.deny) == 0 with input as doc
	rule.checked == {svc_id} with input as doc
	# Microsoft's ListDiagnostics example: azuremonitor without sampling details.
	count(rule.deny) == 0 with input as live([diagnostic("azuremonitor", {"loggerId": "/loggers/azuremonitor"})], [logger("azuremonitor")])
}

test_no_diagnostic_fails if {
	result := rule.deny with input as live([], [logger("ai")])
	result == {{"resource": svc_id, "message": "service \"apim\" logs requests through none of its 0 service-level diagnostic(s) to an existing logger (1 logger(s)) with sampling above 0"}}
}

test_missing_logger_zero_sampling_or_api_level_only_fail if {
	count(rule.deny) == 1 with input as live([diagnostic("applicationinsights", {"loggerId": sprintf("%s/loggers/gone", [svc_id])})], [logger("ai")])
	count(rule.deny) == 1 with input as live([diagnostic("applicationinsights", {"loggerId": sprintf("%s/loggers/ai", [svc_id]), "sampling": {"percentage": 0}})], [logger("ai")])
	api_level := {"id": sprintf("%s/apis/echo/diagnostics/applicationinsights", [svc_id]), "name": "applicationinsights", "properties": {"loggerId": sprintf("%s/loggers/ai", [svc_id])}}
	count(rule.deny) == 1 with input as live([api_level], [logger("ai")])
}

test_iac_and_unknown if {
	some f in rule.deny with input as estate("iac", {"diagnosticSettings": [], "diagnostics": [], "loggers": []})
	startswith(f.message, "the files declare no service-level diagnostic")
	some g in rule.deny with input as estate("arm", {"diagnosticSettings": [], "diagnostics": null, "loggers": []})
	contains(g.message, "is not known")
	count(rule.deny) == 1 with input as estate("arm", null)
}
