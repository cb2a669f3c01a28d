# METADATA
# title: Custom-domain certificates must not be expired or about to expire
# description: >-
#   When the certificate of a custom gateway, portal or management hostname expires, clients
#   fail TLS validation and the APIs behind it go down, or, worse, clients get told to
#   ignore certificate errors. Certificates must be renewed well before expiry.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/configure-custom-domain
#   - https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.CertificateExpiry/
# custom:
#   id: APIM-SVC-010
#   severity: high
#   needs: [service-settings, runtime-state]
#   input: service
#   recommendation: >-
#     Renew the certificate and bind the new one (portal: the service > Custom domains).
#     Better, reference a Key Vault secret (hostnameConfigurations[].keyVaultId without a
#     version) and let Key Vault auto-renew it: API Management picks up new versions within
#     four hours.
#   frameworks:
#     owasp-api-2023: [API8]
#     mcsb: [DP-7]
#     nist-800-53: ["SC-17"]
#     pci-dss-4: ["4.2.1"]
#     iso-27001: [A.8.24]
#     psrule: [Azure.APIM.CertificateExpiry]
#   parameters:
#     certificate_expiry_days: { default: 30, description: "A certificate expiring within this many days is reported." }
package apimguard.rules.service.certificate_expiry

import rego.v1

import data.apimguard.lib.estate

default min_days := 30

min_days := object.get(data.apimguard.config, "certificate_expiry_days", 30)

checked contains svc.id if {
	some sub in input.subscriptions
	some svc in sub.services
}

deny contains {"resource": svc.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some host in object.get(svc.properties, "hostnameConfigurations", [])
	expiry := _expiry(host)
	days := estate.days_until(expiry)
	days < min_days
	msg := _message(svc, host, expiry, days)
}

_expiry(host) := e if {
	cert := object.get(host, "certificate", null)
	is_object(cert)
	e := object.get(cert, "expiry", null)
	is_string(e)
}

_message(svc, host, expiry, days) := sprintf("service %q: the certificate of %s hostname %q expired on %s (%d days ago)", [svc.name, object.get(host, "type", "custom"), object.get(host, "hostName", "(unnamed)"), substring(expiry, 0, 10), 0 - days]) if days < 0

_message(svc, host, expiry, days) := sprintf("service %q: the certificate of %s hostname %q expires on %s, in %d days (threshold %d days)", [svc.name, object.get(host, "type", "custom"), object.get(host, "hostName", "(unnamed)"), substring(expiry, 0, 10), days, min_days]) if days >= 0
