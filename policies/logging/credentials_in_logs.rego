# METADATA
# title: API Management diagnostics must not log credential headers or bodies
# description: >-
#   An API Management diagnostic (of the service or of an API) can copy chosen request and
#   response headers, and the first bytes of bodies, into Application Insights, Azure Monitor
#   or Event Hubs. Logging the Authorization, Ocp-Apim-Subscription-Key or Cookie headers puts
#   bearer tokens and subscription keys in front of everyone who can read the logs, for as
#   long as the logs are kept; bodies carry passwords, tokens and personal data. Headers must
#   not be logged unless masked (dataMasking mode Mask or Hide), and bodies not at all. A
#   setting left open in IaC files is reported as not known.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/api-management-howto-app-insights
#   - https://learn.microsoft.com/rest/api/apimanagement/diagnostic/create-or-update
#   - https://learn.microsoft.com/azure/api-management/observability
# custom:
#   id: APIM-LOG-003
#   severity: high
#   input: service
#   recommendation: >-
#     Remove credential headers from the diagnostic's frontend and backend request and
#     response `headers` lists, or mask them (`dataMasking.headers`: [{"value":
#     "Authorization", "mode": "Hide"}]), and set every `body.bytes` to 0: PUT the
#     diagnostic (portal: the service or the API > Settings > Diagnostics Logs > Advanced
#     options), or change the diagnostics resources in your templates. Then purge what was
#     logged and rotate the keys and tokens it exposed.
#   frameworks:
#     owasp-api-2023: [API8]
#     mcsb: [IM-8, LT-3]
#     nist-800-53: ["IA-5", "SC-28"]
#     pci-dss-4: ["8.3.2"]
#     iso-27001: [A.5.17, A.8.12]
package apimguard.rules.logging.credentials_in_logs

import rego.v1

import data.apimguard.lib.estate
import data.apimguard.lib.logging

# Where a diagnostic logs what: frontend (caller ↔ gateway) and backend (gateway ↔ backend).
sides := ["frontend", "backend"]

messages := ["request", "response"]

# Parts of header names that carry credentials (Authorization, Proxy-Authorization,
# Ocp-Apim-Subscription-Key, X-API-Key, Cookie, Set-Cookie, X-Auth-Token, …).
credential_parts := ["auth", "key", "token", "secret", "password", "cookie", "signature", "credential", "session"]

checked contains d.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some d in logging.diagnostics(svc)
}

checked contains svc.id if {
	some sub in input.subscriptions
	some svc in sub.services
	not logging.diagnostics(svc)
}

deny contains {"resource": d.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some d in logging.diagnostics(svc)
	problems := sort([sprintf("%s of %s %ss", [problem, side, message]) |
		some side in sides
		some message in messages
		some problem in _side_problems(d.properties, side, message)
	])
	count(problems) > 0
	msg := sprintf("diagnostic %q of service %q logs %s", [estate.resource_name(d.id), svc.name, concat("; ", problems)])
}

deny contains {"resource": svc.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	not logging.diagnostics(svc)
	msg := sprintf("whether the diagnostics of service %q log credentials is not known: %s", [svc.name, logging.not_in_snapshot("diagnostics")])
}

# What one side's request or response settings log. A part given as `null` (a Bicep
# `param frontend T?` not given, or what ARM returns for a part never set) logs nothing;
# a part left open in IaC files is not known, never read as nothing.
_side_problems(props, side, message) := {sprintf("settings not known before deployment (%v)", [part]) |
	part := _field(props, side)
	estate.unknown(part)
} | {sprintf("settings not known before deployment (%v)", [settings]) |
	settings := _field(_field(props, side), message)
	estate.unknown(settings)
} | _problems(_object(_field(_field(props, side), message)))

# `x[key]`, or null when x is not an object or has no such key.
_field(x, key) := object.get(x, key, null) if is_object(x)
else := null

# `x` when it is an object, else the empty object (null and absent parts log nothing).
_object(x) := x if is_object(x)
else := {}

_problems(settings) := _header_problems(settings) | _body_problems(settings)

_header_problems(settings) := {sprintf("the credential header %q", [h]) |
	headers := object.get(settings, "headers", [])
	is_array(headers)
	some h in headers
	is_string(h)
	not estate.unknown(h)
	_credential(h)
	not _masked(settings, h)
} | {sprintf("headers not known before deployment (%v)", [headers]) |
	headers := object.get(settings, "headers", [])
	estate.unknown(headers)
}

_body_problems(settings) := {sprintf("the first %v bytes of the body", [bytes]) |
	bytes := _bytes(settings)
	is_number(bytes)
	bytes > 0
} | {sprintf("a number of body bytes not known before deployment (%v)", [bytes]) |
	bytes := _bytes(settings)
	estate.unknown(bytes)
}

# The body bytes a diagnostic logs: a number (older api-versions wrote it as a string).
_bytes(settings) := n if {
	v := object.get(_object(object.get(settings, "body", {})), "bytes", 0)
	is_string(v)
	regex.match(`^[0-9]+$`, v)
	n := to_number(v)
} else := object.get(_object(object.get(settings, "body", {})), "bytes", 0)

_credential(header) if {
	some part in credential_parts
	contains(lower(header), part)
	# WWW-Authenticate and Proxy-Authenticate carry challenges, not credentials.
	not endswith(lower(header), "authenticate")
}

# Masked or hidden by the diagnostic's data masking.
_masked(settings, header) if {
	some rule in object.get(_object(object.get(settings, "dataMasking", {})), "headers", [])
	lower(object.get(_object(rule), "value", "")) == lower(header)
	lower(object.get(rule, "mode", "")) in {"mask", "hide"}
}
