# METADATA
# title: API Management diagnostics must log requests to a logger that exists
# description: >-
#   Beside the gateway's resource logs, API Management records requests through its own
#   diagnostics: `applicationinsights` (to an Application Insights logger) and `azuremonitor`
#   (what the GatewayLogs hold), each bound to a logger. A service without a service-level
#   diagnostic, or whose diagnostics point at a logger that no longer exists or sample no
#   request at all, keeps no request-level trail for investigations and for detecting abuse.
#   Diagnostics or loggers that could not be read are reported as not known.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/api-management-howto-app-insights
#   - https://learn.microsoft.com/rest/api/apimanagement/diagnostic/list-by-service
#   - https://learn.microsoft.com/rest/api/apimanagement/logger/list-by-service
# custom:
#   id: APIM-LOG-002
#   severity: low
#   strict: true
#   needs: [service-settings]
#   input: service
#   recommendation: >-
#     Create a logger (Application Insights or Azure Monitor) and a service-level diagnostic
#     that uses it with a sampling percentage above 0: PUT
#     {service}/diagnostics/applicationinsights?api-version=2024-05-01 with {"properties":
#     {"loggerId": "{service}/loggers/{logger}", "sampling": {"samplingType": "fixed",
#     "percentage": 100}}} (portal: the service > Application Insights, or Azure Monitor >
#     Diagnostic settings), or declare the loggers and diagnostics resources in your templates.
#   frameworks:
#     mcsb: [LT-3]
#     nist-800-53: ["AU-2", "AU-12"]
#     pci-dss-4: ["10.2.1"]
#     iso-27001: [A.8.15]
package apimguard.rules.logging.diagnostics_logger

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
	diagnostics := logging.diagnostics(svc)
	loggers := logging.loggers(svc)
	names := {lower(estate.resource_name(l.id)) | some l in loggers}
	own := [d | some d in diagnostics; _service_level(svc, d)]
	not _logs_somewhere(own, names)
	msg := estate.by_source(
		sprintf("service %q logs requests through none of its %d service-level diagnostic(s) to an existing logger (%d logger(s)) with sampling above 0", [svc.name, count(own), count(names)]),
		sprintf("the files declare no service-level diagnostic of service %q that logs requests to a declared logger with sampling above 0 (%d diagnostic(s), %d logger(s) declared), so it is not known to have one in Azure", [svc.name, count(own), count(names)]),
	)
}

deny contains {"resource": svc.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	not _both_known(svc)
	msg := sprintf("whether service %q logs requests through a diagnostic is not known: %s", [svc.name, logging.not_in_snapshot("diagnostics and loggers")])
}

_both_known(svc) if {
	logging.diagnostics(svc)
	logging.loggers(svc)
}

# A diagnostic of the service itself ({service}/diagnostics/{name}), not of one of its APIs.
_service_level(svc, d) if lower(d.id) == lower(sprintf("%s/diagnostics/%s", [svc.id, estate.resource_name(d.id)]))

_logs_somewhere(diagnostics, loggers) if {
	some d in diagnostics
	logger := object.get(d.properties, "loggerId", "")
	is_string(logger)
	not estate.unknown(logger)
	lower(estate.resource_name(logger)) in loggers
	not _samples_nothing(d)
}

_samples_nothing(d) if {
	p := object.get(object.get(d.properties, "sampling", {}), "percentage", null)
	is_number(p)
	p <= 0
}

_samples_nothing(d) if estate.unknown(object.get(object.get(d.properties, "sampling", {}), "percentage", null))
