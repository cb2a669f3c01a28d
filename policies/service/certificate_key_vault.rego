# METADATA
# title: Custom-domain certificates should come from Key Vault
# description: >-
#   A certificate uploaded directly to API Management (a PFX and its password) is a secret
#   handled outside any vault: it cannot be rotated automatically, its private key travelled
#   through someone's laptop, and its expiry is easy to miss. A Key Vault reference keeps
#   the key in Key Vault and lets the service follow renewals.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/configure-custom-domain
#   - https://learn.microsoft.com/azure/api-management/api-management-howto-use-managed-service-identity
# custom:
#   id: APIM-SVC-011
#   severity: medium
#   needs: [service-settings]
#   input: service
#   recommendation: >-
#     Import the certificate into Key Vault, give the service's managed identity
#     "Key Vault Secrets User" on it, and set hostnameConfigurations[].keyVaultId to the secret
#     URI (without a version, so renewals are picked up).
#   frameworks:
#     owasp-api-2023: [API8]
#     mcsb: [DP-7]
#     nist-800-53: ["SC-12", "SC-17"]
#     pci-dss-4: ["4.2.1.1"]
#     iso-27001: [A.8.24]
package apimguard.rules.service.certificate_key_vault

import rego.v1

import data.apimguard.lib.estate

checked contains svc.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some host in _hosts(svc)
	_own_certificate(host)
}

checked contains svc.id if {
	some sub in input.subscriptions
	some svc in sub.services
	estate.unknown(object.get(svc.properties, "hostnameConfigurations", []))
}

deny contains {"resource": svc.id, "message": msg, "setting": "properties/hostnameConfigurations"} if {
	some sub in input.subscriptions
	some svc in sub.services
	hosts := object.get(svc.properties, "hostnameConfigurations", [])
	estate.unknown(hosts)
	msg := sprintf("service %q: the hostname configurations are not known before deployment (%s), so their certificates may be uploaded directly", [svc.name, _shown(hosts)])
}

deny contains {"resource": svc.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some host in _hosts(svc)
	_own_certificate(host)
	object.get(host, "keyVaultId", "") in {"", null}
	msg := sprintf("service %q: the certificate of %s hostname %q was uploaded directly, not referenced from Key Vault", [svc.name, object.get(host, "type", "custom"), object.get(host, "hostName", "(unnamed)")])
}

# A hostname with a certificate the customer manages (not the built-in or managed ones).
_own_certificate(host) if {
	is_object(host)
	not object.get(host, "certificateSource", "Custom") in {"BuiltIn", "Managed"}
	is_object(object.get(host, "certificate", null))
}

# The hostname configurations to look into: an array of objects (an unknown value, a string,
# is judged by its own rule above).
_hosts(svc) := hosts if {
	hosts := object.get(svc.properties, "hostnameConfigurations", [])
	is_array(hosts)
} else := []

_shown(v) := v if is_string(v)

_shown(v) := concat(", ", [x | some x in v; is_string(x)]) if is_array(v)
