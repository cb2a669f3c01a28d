package apimguard.rules.defender.unhealthy_recommendations_test

import rego.v1

import data.apimguard.rules.defender.unhealthy_recommendations as rule

api_id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim/apis/echo-api"

rec(status, display) := rec_caused(status, "", display)

rec_caused(status, cause, display) := {"id": "r", "name": "91af2040-7874-4659-abf0-578e1f8d07dc", "displayName": display, "status": status, "statusCause": cause, "severity": "High", "resourceId": api_id}

# As a snapshot older than the assessmentStatusCause feature has it.
rec_without_cause(status) := object.remove(rec(status, "x"), ["statusCause"])

estate(recs) := {"subscriptions": [{"services": [], "recommendations": recs}]}

test_unhealthy_fails if {
	result := rule.deny with input as estate([rec("Unhealthy", "API endpoints in Azure API Management should be authenticated")])
	count(result) == 1
	some f in result
	f.resource == api_id
	contains(f.message, "(High severity) is unhealthy for \"echo-api\"")
}

test_missing_display_name_uses_key if {
	some f in rule.deny with input as estate([rec("Unhealthy", "")])
	contains(f.message, "91af2040")
}

test_healthy_passes if {
	count(rule.deny) == 0 with input as estate([rec("Healthy", "x")])
	checked := rule.checked with input as estate([rec("Healthy", "x")])
	checked == {api_id}
}

test_not_applicable_is_not_checked if {
	count(rule.checked) == 0 with input as estate([rec("NotApplicable", "x")])
	count(rule.checked) == 0 with input as estate([rec_caused("NotApplicable", "OffByPolicy", "x")])
	count(rule.deny) == 0 with input as estate([rec_caused("NotApplicable", "OffByPolicy", "x")])
}

test_exempt_is_not_known_never_a_pass if {
	input_exempt := estate([rec_caused("NotApplicable", "Exempt", "x")])
	rule.checked == {api_id} with input as input_exempt
	some f in rule.deny with input as input_exempt
	f.resource == api_id
	contains(f.message, "exempted in Azure")
	contains(f.message, "not known to be healthy")
}

test_exempt_cause_in_any_case if {
	count(rule.deny) == 1 with input as estate([rec_caused("NotApplicable", "exempt", "x")])
}

test_not_applicable_without_cause_is_not_known if {
	some f in rule.deny with input as estate([rec_without_cause("NotApplicable")])
	contains(f.message, "does not say why")
}

test_healthy_without_cause_passes if {
	count(rule.deny) == 0 with input as estate([rec_without_cause("Healthy")])
}

test_unknown_status_is_not_known if {
	some f in rule.deny with input as estate([rec("", "x")])
	contains(f.message, "does not know")
	some g in rule.deny with input as estate([rec("Pending", "x")])
	contains(g.message, "\"Pending\"")
}
