package apimguard.rules.defender.stale_open_alerts_test

import rego.v1

import data.apimguard.rules.defender.stale_open_alerts as rule

api_id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim/apis/petstore"

alert(status, start) := {"id": "x", "alertType": "API_ParameterEnumeration", "displayName": "Parameter enumeration", "severity": "Medium", "status": status, "resourceId": api_id, "startTimeUtc": start}

estate(alerts) := {"collectedAt": "2026-11-26T02:00:00Z", "subscriptions": [{"services": [{"name": "apim", "apis": [{"id": api_id}]}], "alerts": alerts}]}

test_old_open_alert_fails if {
	result := rule.deny with input as estate([alert("Active", "2026-11-02T00:00:00.0000000Z")])
	count(result) == 1
	some f in result
	contains(f.message, "open for 24 days")
	contains(f.message, "allowed 7 days")
}

test_recent_alert_passes if {
	count(rule.deny) == 0 with input as estate([alert("Active", "2026-11-25T00:00:00Z")])
}

test_resolved_old_alert_passes if {
	count(rule.deny) == 0 with input as estate([alert("Resolved", "2026-01-01T00:00:00Z")])
}

test_parameter_raises_the_limit if {
	count(rule.deny) == 0 with input as estate([alert("Active", "2026-11-02T00:00:00Z")])
		with data.apimguard.config as {"alert_max_age_days": 30}
}

test_missing_start_time_fails_closed if {
	result := rule.deny with input as estate([object.remove(alert("InProgress", ""), ["startTimeUtc"])])
	count(result) == 1
	some f in result
	contains(f.message, "no start time")
}

test_missing_display_name_still_reported if {
	a := object.remove(alert("Active", "2026-10-01T00:00:00Z"), ["displayName"])
	count(rule.deny) == 1 with input as estate([a])
}
