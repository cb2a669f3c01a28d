# Library (no METADATA, so not a rule): estate-wide helpers shared by the rules.
#
# "Now" is always the snapshot's collectedAt: rules never read the clock.
package apimguard.lib.estate

import rego.v1

day_ns := 86400000000000

# The snapshot's collection time in nanoseconds since the epoch.
now_ns := time.parse_rfc3339_ns(input.collectedAt)

# The ARM id of an Azure subscription of the snapshot.
subscription_resource(sub) := concat("", ["/subscriptions/", sub.subscriptionId])

# Whole days from now until the RFC 3339 timestamp `ts` (negative when it is in the past).
days_until(ts) := floor((time.parse_rfc3339_ns(ts) - now_ns) / day_ns)

# Whole days from the RFC 3339 timestamp `ts` until now.
days_since(ts) := floor((now_ns - time.parse_rfc3339_ns(ts)) / day_ns)

# A Defender counter of an API (number), when the snapshot has it; undefined when absent/unknown.
counter(api, name) := n if {
	n := object.get(api.defender, name, null)
	is_number(n)
}

# True when the service runs on the Consumption tier.
is_consumption(svc) if svc.sku.name == "Consumption"

# Classic (non-Consumption, non-v2) tiers, where the classic gateway settings apply.
classic_skus := {"Developer", "Basic", "Standard", "Premium", "Isolated"}

is_classic(svc) if svc.sku.name in classic_skus

# ARM string booleans ("True", "true", "False", …) and JSON booleans, read as booleans.
is_true(v) if lower(sprintf("%v", [v])) == "true"

is_false(v) if lower(sprintf("%v", [v])) == "false"

# Snapshots read from IaC files write a value the files leave open until deployment (a
# parameter without a value, reference(), …) as "<unknown: EXPRESSION>", alone or inside a
# string (docs/iac.md). Such a value is never compliant: rules that judge it must say so.
# An array is unknown when one of its strings is, nested arrays to two levels included.
# (Written out rather than recursive: OPA refuses recursive rules, and the pack stays valid
# OPA Rego.)
unknown(v) if {
	is_string(v)
	contains(v, "<unknown: ")
}

unknown(v) if {
	is_array(v)
	some x in v
	is_string(x)
	contains(x, "<unknown: ")
}

unknown(v) if {
	is_array(v)
	some a in v
	is_array(a)
	some x in a
	is_string(x)
	contains(x, "<unknown: ")
}

# A readable name for an API (display name, else its name).
api_label(api) := sprintf("%q", [api.displayName]) if api.displayName != ""

api_label(api) := sprintf("%q", [api.name]) if api.displayName == ""

# The subscription's Defender for APIs plan is known to be off (not merely unstated, as
# in IaC files that do not declare it).
defender_plan_off(sub) if {
	plan := object.get(sub, "defenderForApis", null)
	is_object(plan)
	plan.enabled == false
}

# `live` for a snapshot collected from Azure, `iac` for one read from files: messages
# about state say what the files declare, never what Azure holds.
by_source(live, _) := live if not from_files

by_source(_, iac) := iac if from_files

# The snapshot was read from IaC files.
from_files if input.source.kind == "iac"

# Number of endpoints in an API's Defender collection, when known; undefined otherwise.
endpoint_total(api) := n if {
	n := api.defender.collection.numberOfApiEndpoints
	is_number(n)
}

# " of N" when the endpoint total is known, for messages like "3 of 6 endpoints".
of_total(api) := sprintf(" of %d", [n]) if {
	n := endpoint_total(api)
} else := ""

# ", labelled \"X\"" when Defender reported a sensitivity label.
label_note(api) := sprintf(", labelled %q", [label]) if {
	label := api.defender.sensitivityLabel
	is_string(label)
} else := ""

# True when a text is absent (null) or blank.
blank(v) if v == null

blank(v) if {
	is_string(v)
	trim_space(v) == ""
}

# True when a named value's secret is stored in Key Vault (a secret identifier is set).
in_key_vault(nv) if {
	kv := object.get(nv.properties, "keyVault", null)
	is_object(kv)
	object.get(kv, "secretIdentifier", "") != ""
}

# The last segment of an ARM id (its resource name).
resource_name(id) := parts[count(parts) - 1] if {
	parts := split(id, "/")
}

# Defender for APIs alerts (alert types API_*) that are still open.
open_alert_statuses := {"Active", "InProgress"}

is_api_alert(alert) if startswith(alert.alertType, "API_")

is_open_alert(alert) if {
	is_api_alert(alert)
	alert.status in open_alert_statuses
}

# --- Gateway security settings (service properties.customProperties) ----------------------

gateway_setting_prefix := "Microsoft.WindowsAzure.ApiManagement.Gateway.Security."

# The raw value of a gateway security setting (suffix after the common prefix), when set.
# When customProperties as a whole is not known before deployment, neither is any setting.
gateway_setting(svc, suffix) := v if {
	props := object.get(svc.properties, "customProperties", null)
	is_object(props)
	v := object.get(props, concat("", [gateway_setting_prefix, suffix]), null)
	v != null
} else := props if {
	props := object.get(svc.properties, "customProperties", null)
	unknown(props)
}

# All gateway security settings of a service (properties.customProperties), {} when it has
# none, the unknown marker when it is not known before deployment as a whole. Read it once
# per service and each setting with gateway_setting_in, rather than gateway_setting per key.
gateway_settings(svc) := props if {
	props := object.get(svc.properties, "customProperties", null)
	is_object(props)
} else := props if {
	props := object.get(svc.properties, "customProperties", null)
	unknown(props)
} else := {}

# The raw value (null when not set) of the setting with the full key `key` in `settings`
# (from gateway_settings): unknown when the settings are unknown as a whole.
gateway_setting_in(settings, key) := object.get(settings, key, null) if {
	is_object(settings)
} else := settings

# " (default)", "" or " (not known before deployment)" for a gateway setting's raw value `v`
# (null when not set) of a setting on by default (cipher_on with default_note); undefined
# when the setting is off. Like gateway_setting, a JSON false reads as not set (`not
# gateway_setting(…)` holds for it).
cipher_on_note(v) := " (default)" if {
	v == null
} else := " (default)" if {
	v == false
} else := "" if {
	is_true(v)
} else := " (not known before deployment)" if {
	unknown(v)
}

# The same for a protocol or 3DES setting (legacy_setting_on with default_note): unset, it is
# on only for services with the legacy defaults.
legacy_on_note(svc, v) := " (default)" if {
	v == null
	legacy_tls_defaults(svc)
} else := " (default)" if {
	v == false
	legacy_tls_defaults(svc)
} else := "" if {
	is_true(v)
} else := " (not known before deployment)" if {
	unknown(v)
}

# Services created on or before 2018-04-01 have TLS 1.0/1.1, SSL 3.0 and 3DES on by
# default; later ones have them off. An unknown creation date (IaC) means a new service.
legacy_tls_defaults(svc) if {
	created := object.get(svc.properties, "createdAtUtc", null)
	is_string(created)
	substring(created, 0, 10) <= "2018-04-01"
}

# Whether a protocol or 3DES setting is on: its explicit value, else the creation-date default.
# A value not known before deployment may be on.
legacy_setting_on(svc, suffix) if is_true(gateway_setting(svc, suffix))

legacy_setting_on(svc, suffix) if unknown(gateway_setting(svc, suffix))

legacy_setting_on(svc, suffix) if {
	not gateway_setting(svc, suffix)
	legacy_tls_defaults(svc)
}

# Whether a cipher setting (other than 3DES) is on: its explicit value, else on (the platform
# default). A value not known before deployment may be on.
cipher_on(svc, suffix) if is_true(gateway_setting(svc, suffix))

cipher_on(svc, suffix) if unknown(gateway_setting(svc, suffix))

cipher_on(svc, suffix) if not gateway_setting(svc, suffix)

# " (default)" when a setting is not set explicitly, " (not known before deployment)" when it
# is left open, for messages.
default_note(svc, suffix) := "" if {
	gateway_setting(svc, suffix)
	not unknown(gateway_setting(svc, suffix))
}

default_note(svc, suffix) := " (not known before deployment)" if unknown(gateway_setting(svc, suffix))

default_note(svc, suffix) := " (default)" if not gateway_setting(svc, suffix)
