# Library (no METADATA, so not a rule): reading a service's logging (schema 1.2, feature
# `logging`). Each getter is undefined when the snapshot does not have the list (an older
# snapshot, or a list that could not be read): rules then report it as not known.
package apimguard.lib.logging

import rego.v1

import data.apimguard.lib.estate

# The service's Azure Monitor diagnostic settings.
diagnostic_settings(svc) := settings if {
	settings := object.get(_logging(svc), "diagnosticSettings", null)
	is_array(settings)
}

# The API Management diagnostics of the service and of its APIs.
diagnostics(svc) := list if {
	list := object.get(_logging(svc), "diagnostics", null)
	is_array(list)
}

# The service's API Management loggers.
loggers(svc) := list if {
	list := object.get(_logging(svc), "loggers", null)
	is_array(list)
}

_logging(svc) := l if {
	l := object.get(svc, "logging", null)
	is_object(l)
} else := {}

# Why a fact about `what` (e.g. "diagnostic settings") is missing, for "not known" messages.
not_in_snapshot(what) := estate.by_source(
	sprintf("the snapshot does not have its %s (collected by an older apimguard, or not readable)", [what]),
	sprintf("the files do not give its %s (APIOps folders are not read for them)", [what]),
)

# The destinations a diagnostic setting can send to.
destinations := ["workspaceId", "storageAccountId", "eventHubAuthorizationRuleId", "marketplacePartnerId"]

# A diagnostic setting that names a destination (a value left open in IaC files does not).
has_destination(setting) if {
	some key in destinations
	v := object.get(setting.properties, key, null)
	is_string(v)
	trim_space(v) != ""
	not estate.unknown(v)
}

# A `logs` entry of a diagnostic setting that turns the gateway's logs on: the GatewayLogs
# category, or the allLogs category group.
gateway_logs_entry(entry) if {
	estate.is_true(object.get(entry, "enabled", null))
	lower(object.get(entry, "category", "")) == "gatewaylogs"
}

gateway_logs_entry(entry) if {
	estate.is_true(object.get(entry, "enabled", null))
	lower(object.get(entry, "categoryGroup", "")) == "alllogs"
}
