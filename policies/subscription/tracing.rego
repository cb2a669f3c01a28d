# METADATA
# title: Subscriptions must not allow request tracing
# description: >-
#   allowTracing lets the key holder ask the gateway for a trace of each call
#   (Ocp-Apim-Trace), which includes the effective policies, backend URLs, request and
#   response headers, and values of named values and expressions, secrets included. The
#   legacy tracing flag is superseded by short-lived debug tokens.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/trace-policy
#   - https://learn.microsoft.com/azure/api-management/api-management-howto-api-inspector
# custom:
#   id: APIM-SUB-002
#   severity: low
#   input: service
#   recommendation: >-
#     Set properties.allowTracing to false on the subscription (portal: Subscriptions > ... >
#     Allow tracing off); debug through the portal's test console, which issues short-lived
#     tracing tokens.
#   frameworks:
#     owasp-api-2023: [API8]
#     mcsb: [PV-2]
#     nist-800-53: ["CM-6", "CM-7"]
#     pci-dss-4: ["2.2.1"]
#     iso-27001: [A.8.9, A.8.12]
package apimguard.rules.subscription.tracing

import rego.v1

import data.apimguard.lib.estate

checked contains s.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some s in svc.apimSubscriptions
}

deny contains {"resource": s.id, "message": msg, "setting": "properties/allowTracing"} if {
	some sub in input.subscriptions
	some svc in sub.services
	some s in svc.apimSubscriptions
	object.get(s.properties, "allowTracing", false) == true
	msg := sprintf("subscription %q of service %q allows request tracing (state %v)", [object.get(s.properties, "displayName", s.name), svc.name, object.get(s.properties, "state", "unknown")])
}

deny contains {"resource": s.id, "message": msg, "setting": "properties/allowTracing"} if {
	some sub in input.subscriptions
	some svc in sub.services
	some s in svc.apimSubscriptions
	tracing := object.get(s.properties, "allowTracing", false)
	estate.unknown(tracing)
	msg := sprintf("whether subscription %q of service %q allows request tracing is not known before deployment (%s)", [object.get(s.properties, "displayName", s.name), svc.name, tracing])
}
