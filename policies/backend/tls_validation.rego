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
#     azure-policy: [92bb331d-ac71-416a-8c91-02f2cb734ce4]
#     defender: ["API Management calls to API backends shouldn't bypass certificate thumbprint or name validation"]
#     anchor: [SEC-002]
package apimguard.rules.backend.tls_validation

import rego.v1

import data.apimguard.lib.estate

checked contains b.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some b in svc.backends
}

deny contains {"resource": b.id, "message": msg, "setting": "properties/tls"} if {
	some sub in input.subscriptions
	some svc in sub.services
	some b in svc.backends
	off := _off(object.get(b.properties, "tls", null))
	count(off) > 0
	msg := sprintf("backend %q of service %q does not validate the backend's TLS certificate (%s false)", [b.name, svc.name, concat(", ", off)])
}

deny contains {"resource": b.id, "message": msg, "setting": "properties/tls"} if {
	some sub in input.subscriptions
	some svc in sub.services
	some b in svc.backends
	open := _open(object.get(b.properties, "tls", null))
	count(open) > 0
	msg := sprintf("whether backend %q of service %q validates the backend's TLS certificate is not known before deployment (%s)", [b.name, svc.name, concat(", ", open)])
}

_switches := ["validateCertificateChain", "validateCertificateName"]

# The validation switches set to false (unset, they validate).
_off(tls) := [k |
	some k in _switches
	object.get(tls, k, true) == false
] if is_object(tls)

# The validation switches left open until deployment, or the whole tls block.
_open(tls) := [k |
	some k in _switches
	estate.unknown(object.get(tls, k, null))
] if is_object(tls)

_open(tls) := ["tls"] if estate.unknown(tls)
