# METADATA
# title: The service must send its gateway logs to a log store
# description: >-
#   API Management keeps no request log of its own that an investigation can rely on: the
#   gateway's resource logs (GatewayLogs: every call, its caller's IP address, the API and
#   operation, the status and errors) reach Log Analytics, a storage account, an event hub
#   or a partner solution only through an Azure Monitor diagnostic setting on the service.
#   Without one, an attack through the gateway leaves no trace to investigate. Diagnostic
#   settings that could not be read, or that IaC files do not declare, are reported as not
#   known: they cannot be shown to exist.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/api-management-howto-use-azure-monitor
#   - https://learn.microsoft.com/azure/azure-monitor/reference/supported-logs/microsoft-apimanagement-service-logs
#   - https://learn.microsoft.com/security/benchmark/azure/baselines/api-management-security-baseline
# custom:
#   id: APIM-LOG-001
#   severity: medium
#   needs: [service-settings]
#   input: service
#   recommendation: >-
#     Add a diagnostic setting to the service that enables the GatewayLogs category (or the
#     allLogs category group) and sends it to a Log Analytics workspace, storage account or
#     event hub that your security team reads: `az monitor diagnostic-settings create
#     --resource {service id} -n gateway-logs --workspace {workspace id} --logs
#     '[{"categoryGroup":"allLogs","enabled":true}]'` (portal: the service > Diagnostic
#     settings), or declare a Microsoft.Insights/diagnosticSettings resource with
#     `scope: apim` in your templates.
#   frameworks:
#     mcsb: [LT-3]
#     nist-800-53: ["AU-2", "AU-12"]
#     pci-dss-4: ["10.2.1"]
#     iso-27001: [A.8.15]
package apimguard.rules.logging.gateway_logs

import rego.v1

import data.apimguard.lib.estate
import data.apimguard.lib.logging

checked contains svc.id if {
	some sub in input.subscriptions
	some svc in sub.services
}

deny contains {"resource": svc.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	settings := logging.diagnostic_settings(svc)
	not _sends_gateway_logs(settings)
	msg := estate.by_source(
		sprintf("service %q sends its gateway logs nowhere: none of its %d diagnostic setting(s) enables GatewayLogs (or allLogs) with a destination", [svc.name, count(settings)]),
		sprintf("the files declare no diagnostic setting that sends the gateway logs of service %q to a destination (%d declared), so it is not known to have one in Azure", [svc.name, count(settings)]),
	)
}

deny contains {"resource": svc.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	not logging.diagnostic_settings(svc)
	msg := sprintf("whether service %q sends its gateway logs anywhere is not known: %s", [svc.name, logging.not_in_snapshot("diagnostic settings")])
}

_sends_gateway_logs(settings) if {
	some setting in settings
	logging.has_destination(setting)
	some entry in object.get(setting.properties, "logs", [])
	logging.gateway_logs_entry(entry)
}
