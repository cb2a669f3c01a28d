# METADATA
# title: APIs must accept only encrypted protocols (HTTPS, WSS)
# description: >-
#   An API that also accepts plain HTTP or WS sends subscription keys, tokens and payloads
#   in clear text: anyone on the network path (public Wi-Fi, a compromised proxy) can read
#   or change them.
# related_resources:
#   - https://learn.microsoft.com/azure/defender-for-cloud/recommendations-reference-api
#   - https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.HTTPEndpoint/
# custom:
#   id: APIM-API-001
#   severity: high
#   input: service
#   recommendation: >-
#     Set the API's protocols to ["https"] (or ["wss"] for WebSocket APIs): portal: the API >
#     Settings > URL scheme HTTPS; ARM/Bicep: properties.protocols.
#   frameworks:
#     owasp-api-2023: [API8]
#     mcsb: [DP-3]
#     nist-800-53: ["SC-8", "SC-8(1)"]
#     pci-dss-4: ["4.2.1"]
#     iso-27001: [A.8.24]
#     azure-policy: [ee7495e7-3ba7-40b6-bfee-c29e22cc75d4]
#     psrule: [Azure.APIM.HTTPEndpoint]
#     defender: ["API Management APIs should use only encrypted protocols"]
package apimguard.rules.api.https_only

import rego.v1

insecure := {"http", "ws"}

checked contains api.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
}

# Most APIs pass: a cheap inline test rules them out before the helper runs (`plain` is
# hoisted so the rule reference is not rebuilt per API).
deny contains {"resource": api.id, "message": msg, "setting": "properties/protocols"} if {
	plain := insecure
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	some p in api.protocols
	lower(p) in plain
	bad := _insecure(api)
	msg := sprintf("API %q (service %q) accepts unencrypted %s (protocols: %s)", [api.displayName, svc.name, concat(", ", bad), concat(", ", api.protocols)])
}

deny contains {"resource": api.id, "message": msg, "setting": "properties/protocols"} if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	some p in api.protocols
	# estate.unknown(api.protocols), inline: protocols are strings
	is_string(p)
	contains(p, "<unknown: ")
	count(_insecure(api)) == 0
	msg := sprintf("the protocols of API %q (service %q) are not known before deployment (%s), so it cannot be shown to accept only encrypted ones", [api.displayName, svc.name, concat(", ", api.protocols)])
}

_insecure(api) := [p | some p in api.protocols; lower(p) in insecure]
