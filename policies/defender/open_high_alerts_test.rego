package apimguard.rules.defender.open_high_alerts_test

import rego.v1

import data.apimguard.rules.defender.open_high_alerts as rule

api_id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim/apis/echo-api"

alert(type, severity, status) := {"id": "x", "alertType": type, "displayName": "Suspicious IP", "severity": severity, "status": status, "resourceId": api_id, "startTimeUtc": "2026-11-25T08:00:00Z"}

estate(alerts) := {"subscriptions": [{"services": [{"name": "apim", "apis": [{"id": api_id, "displayName": "Echo API"}]}], "alerts": alerts}]}

test_open_high_alert_fails if {
	result := rule.deny with input as estate([alert("API_AccessFromSuspiciousIP", "High", "Active")])
	count(result) == 1
	some f in result
	f.resource == api_id
	contains(f.message, `API_AccessFromSuspiciousIP "Suspicious IP" on "echo-api"`)
}

test_in_progress_counts_as_open if {
	count(rule.deny) == 1 with input as estate([alert("API_AccessFromSuspiciousIP", "High", "InProgress")])
}

test_resolved_passes if {
	count(rule.deny) == 0 with input as estate([alert("API_AccessFromSuspiciousIP", "High", "Resolved")])
}

test_medium_passes if {
	count(rule.deny) == 0 with input as estate([alert("API_SpikeInAPITraffic", "Medium", "Active")])
}

test_non_api_alert_ignored if {
	count(rule.deny) == 0 with input as estate([alert("VM_EICAR", "High", "Active")])
}

test_no_alerts_checks_every_api if {
	checked := rule.checked with input as estate([])
	checked == {api_id}
}

test_missing_display_name_still_reported if {
	a := object.remove(alert("API_AccessFromSuspiciousIP", "High", "Active"), ["displayName"])
	count(rule.deny) == 1 with input as estate([a])
}
