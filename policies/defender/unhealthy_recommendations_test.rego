package apimguard.rules.defender.unhealthy_recommendations_test

import rego.v1

import data.apimguard.rules.defender.unhealthy_recommendations as rule

api_id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim/apis/echo-api"

rec(status, display) := {"id": "r", "name": "91af2040-7874-4659-abf0-578e1f8d07dc", "displayName": display, "status": status, "severity": "High", "resourceId": api_id}

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
}
