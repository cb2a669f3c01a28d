package apimguard.rules.logging.gateway_logs_test

import rego.v1

import data.apimguard.rules.logging.gateway_logs as rule

workspace := "/subscriptions/s/resourceGroups/logs/providers/Microsoft.OperationalInsights/workspaces/w"

setting(properties) := {"id": "svc/providers/Microsoft.Insights/diagnosticSettings/d", "name": "d", "properties": properties}

estate(kind, logging) := {"source": {"kind": kind}, "subscriptions": [{"services": [{"id": "svc", "name": "apim", "sku": {"name": "Premium"}, "properties": {}, "logging": logging}]}]}

live(settings) := estate("arm", {"diagnosticSettings": settings, "diagnostics": [], "loggers": []})

test_gateway_logs_to_a_workspace_pass if {
	count(rule.deny) == 0 with input as live([setting({"workspaceId": workspace, "logs": [{"category": "GatewayLogs", "enabled": true}]})])
	count(rule.deny) == 0 with input as live([setting({"storageAccountId": "/s/st", "logs": [{"categoryGroup": "allLogs", "enabled": "True"}]})])
	rule.checked == {"svc"} with input as live([])
}

test_no_setting_fails if {
	result := rule.deny with input as live([])
	result == {{"resource": "svc", "message": "service \"apim\" sends its gateway logs nowhere: none of its 0 diagnostic setting(s) enables GatewayLogs (or allLogs) with a destination"}}
}

test_settings_that_do_not_send_gateway_logs_fail if {
	# Microsoft's listDiagnosticSettings example has no workspace; these have no gateway logs,
	# or have them off, or send them nowhere.
	count(rule.deny) == 1 with input as live([setting({"workspaceId": workspace, "logs": [{"category": "WebSocketConnectionLogs", "enabled": true}]})])
	count(rule.deny) == 1 with input as live([setting({"workspaceId": workspace, "logs": [{"categoryGroup": "audit", "enabled": true}]})])
	count(rule.deny) == 1 with input as live([setting({"workspaceId": workspace, "logs": [{"category": "GatewayLogs", "enabled": false}]})])
	count(rule.deny) == 1 with input as live([setting({"workspaceId": "", "logs": [{"category": "GatewayLogs", "enabled": true}]})])
	count(rule.deny) == 1 with input as live([setting({"logs": [{"category": "GatewayLogs", "enabled": true}]})])
}

test_a_destination_left_open_fails if {
	count(rule.deny) == 1 with input as estate("iac", {"diagnosticSettings": [setting({"workspaceId": "<unknown: parameters('ws')>", "logs": [{"category": "GatewayLogs", "enabled": true}]})]})
}

test_iac_without_a_setting_is_not_known if {
	some f in rule.deny with input as estate("iac", {"diagnosticSettings": []})
	startswith(f.message, "the files declare no diagnostic setting")
}

test_not_in_the_snapshot_is_not_known if {
	some f in rule.deny with input as estate("arm", null)
	contains(f.message, "is not known")
	some g in rule.deny with input as estate("arm", {"diagnosticSettings": null, "diagnostics": [], "loggers": []})
	contains(g.message, "is not known")
}
