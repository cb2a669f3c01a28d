# METADATA
# title: Certificates uploaded to the service must not be expired or about to expire
# description: >-
#   Beside its custom domains (APIM-SVC-010), a service holds certificates of its own: client
#   certificates it presents to backends for mutual TLS (service/certificates, uploaded or
#   referenced from Key Vault) and CA certificates it trusts to validate clients
#   (properties.certificates). When one expires, backend calls fail their TLS handshake or
#   client certificates stop validating, and the APIs behind them go down; a Key Vault
#   reference shows an expiring date when Key Vault holds no renewed version. A certificate
#   whose expiry is not in the snapshot, or certificates that could not be read, are
#   reported as not known. Expiry is state Azure computes: IaC snapshots do not have it.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/api-management-howto-mutual-certificates
#   - https://learn.microsoft.com/azure/api-management/api-management-howto-ca-certificates
#   - https://learn.microsoft.com/rest/api/apimanagement/certificate/list-by-service
# custom:
#   id: APIM-CRT-001
#   severity: high
#   needs: [service-settings, runtime-state]
#   input: service
#   recommendation: >-
#     Renew the certificate and upload the new one (portal: the service > Certificates), then
#     point the backends that use it at the new thumbprint; better, reference a Key Vault
#     certificate without a version so that API Management picks up renewals within four
#     hours. Renew or remove expired CA certificates (the service > Certificates > CA
#     certificates).
#   frameworks:
#     owasp-api-2023: [API8]
#     mcsb: [DP-7]
#     nist-800-53: ["SC-17"]
#     pci-dss-4: ["4.2.1"]
#     iso-27001: [A.8.24]
#     psrule: [Azure.APIM.CertificateExpiry]
#   parameters:
#     certificate_expiry_days: { default: 30, description: "A certificate expiring within this many days is reported (the parameter of APIM-SVC-010)." }
package apimguard.rules.certificate.expiry

import rego.v1

import data.apimguard.lib.estate

default min_days := 30

min_days := object.get(data.apimguard.config, "certificate_expiry_days", 30)

checked contains svc.id if {
	some sub in input.subscriptions
	some svc in sub.services
}

# Certificates of service/certificates (backend mutual TLS).
deny contains {"resource": svc.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some cert in _certificates(svc)
	expiry := _text(object.get(cert.properties, "expirationDate", null))
	days := estate.days_until(expiry)
	days < min_days
	msg := _message(svc, sprintf("certificate %q%s", [cert.name, _key_vault(cert)]), expiry, days)
}

deny contains {"resource": svc.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some cert in _certificates(svc)
	not _text(object.get(cert.properties, "expirationDate", null))
	msg := sprintf("service %q: when certificate %q expires is not known (it has no expirationDate)", [svc.name, cert.name])
}

deny contains {"resource": svc.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	not _certificates(svc)
	msg := sprintf("service %q: whether its certificates are valid is not known: the snapshot does not have them (collected by an older apimguard, or not readable)", [svc.name])
}

# CA certificates of the service (properties.certificates).
deny contains {"resource": svc.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some ca in _ca_certificates(svc)
	expiry := _text(object.get(object.get(ca, "certificate", {}), "expiry", null))
	days := estate.days_until(expiry)
	days < min_days
	msg := _message(svc, sprintf("CA certificate %s", [_ca_label(ca)]), expiry, days)
}

deny contains {"resource": svc.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some ca in _ca_certificates(svc)
	not _text(object.get(object.get(ca, "certificate", {}), "expiry", null))
	msg := sprintf("service %q: when CA certificate %s expires is not known (it has no certificate.expiry)", [svc.name, _ca_label(ca)])
}

_certificates(svc) := list if {
	list := object.get(svc, "certificates", null)
	is_array(list)
}

_ca_certificates(svc) := [ca | some ca in object.get(svc.properties, "certificates", [])] if {
	is_array(object.get(svc.properties, "certificates", []))
}

_text(v) := v if {
	is_string(v)
	v != ""
}

_key_vault(cert) := sprintf(" (from Key Vault %s)", [kv.secretIdentifier]) if {
	kv := object.get(cert.properties, "keyVault", null)
	is_object(kv)
	is_string(object.get(kv, "secretIdentifier", null))
} else := ""

_ca_label(ca) := sprintf("%q in store %v", [ca.certificate.subject, object.get(ca, "storeName", "?")]) if {
	is_string(ca.certificate.subject)
} else := sprintf("in store %v", [object.get(ca, "storeName", "?")])

_message(svc, what, expiry, days) := sprintf("service %q: %s expired on %s (%d days ago)", [svc.name, what, substring(expiry, 0, 10), 0 - days]) if days < 0

_message(svc, what, expiry, days) := sprintf("service %q: %s expires on %s, in %d days (threshold %d days)", [svc.name, what, substring(expiry, 0, 10), days, min_days]) if days >= 0
