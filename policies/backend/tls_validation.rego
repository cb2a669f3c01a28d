# METADATA
# title: Backend calls must validate the certificate chain and name
# description: >-
#   With tls.validateCertificateChain or validateCertificateName set to false, the gateway
#   accepts any certificate from the backend, self-signed or issued for another host, so a
#   man in the middle can impersonate the backend and read or alter the traffic and the
#   credentials API Management sends it.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/backends
#   - https://learn.microsoft.com/azure/defender-for-cloud/recommendations-reference-api
# custom:
#   id: APIM-BKD-002
#   severity: medium
#   input: service
#   recommendation: >-
#     Give the backend a certificate from a trusted CA (or upload its CA certificate to the
#     service) and set properties.tls.validateCertificateChain and validateCertificateName to
#     true (or remove them: true is the default).
#   frameworks:
#     owasp-api-2023: [API8, API10]
#     mcsb: [IM-4, DP-3]
#     nist-800-53: ["IA-9", "SC-8", "SC-17"]
#     pci-dss-4: ["4.2.1"]
#     iso-27001: [A.8.24]
#     azure-policy: [92bb331d-ac71-416a-8c91-02f2cb734ce4]
#     defender: ["API Management calls to API backends shouldn't bypass certificate thumbprint or name validation"]
package apimguard.rules.backend.tls_validation

import rego.v1

import data.apimguard.lib.estate

checked contains b.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some b in svc.backends
}

# Most backends validate both: one test per backend rules them out before the lists for
# the messages (switches set to false; switches left open) are made.
deny contains {"resource": b.id, "message": msg, "setting": "properties/tls"} if {
	switches := _switches
	some sub in input.subscriptions
	some svc in sub.services
	some b in svc.backends
	tls := object.get(b.properties, "tls", null)
	is_object(tls)
	[object.get(tls, "validateCertificateChain", true), object.get(tls, "validateCertificateName", true)] != [true, true]
	off := [k |
		some k in switches
		object.get(tls, k, true) == false
	]
	open := [k |
		some k in switches
		estate.unknown(object.get(tls, k, null))
	]
	some msg in array.concat(
		[sprintf("backend %q of service %q does not validate the backend's TLS certificate (%s false)", [b.name, svc.name, concat(", ", off)]) | count(off) > 0],
		[sprintf("whether backend %q of service %q validates the backend's TLS certificate is not known before deployment (%s)", [b.name, svc.name, concat(", ", open)]) | count(open) > 0],
	)
}

# The whole tls block left open (estate.unknown: a string or an array).
deny contains {"resource": b.id, "message": msg, "setting": "properties/tls"} if {
	some sub in input.subscriptions
	some svc in sub.services
	some b in svc.backends
	tls := object.get(b.properties, "tls", null)
	not is_object(tls)
	tls != null
	open := _open(tls)
	count(open) > 0
	msg := sprintf("whether backend %q of service %q validates the backend's TLS certificate is not known before deployment (%s)", [b.name, svc.name, concat(", ", open)])
}

_switches := ["validateCertificateChain", "validateCertificateName"]

# The validation switches left open until deployment.
_open(tls) := [k |
	some k in _switches
	estate.unknown(object.get(tls, k, null))
] if is_object(tls)

_open(tls) := ["tls"] if estate.unknown(tls)
