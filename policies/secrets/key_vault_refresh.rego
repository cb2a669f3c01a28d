# METADATA
# title: Key Vault-backed named values must refresh successfully
# description: >-
#   API Management re-reads Key Vault references every four hours. When the last read
#   failed (identity lost its access, secret deleted or disabled, firewall), the service
#   keeps serving the last value it had: rotated or revoked credentials go on working at the
#   gateway, and policies break once the cached value expires.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/api-management-howto-properties
#   - https://learn.microsoft.com/azure/api-management/api-management-howto-use-managed-service-identity
# custom:
#   id: APIM-SEC-003
#   severity: low
#   needs: [runtime-state]
#   input: service
#   recommendation: >-
#     Read keyVault.lastStatus of the named value, restore the identity's "Key Vault Secrets
#     User" access or the secret, then refresh the named value (portal: Named values > ... >
#     Refresh secret).
#   frameworks:
#     owasp-api-2023: [API8]
#     mcsb: [DP-6]
#     nist-800-53: ["SC-12"]
#     iso-27001: [A.8.24]
package apimguard.rules.secrets.key_vault_refresh

import rego.v1

checked contains nv.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some nv in svc.namedValues
	_status(nv)
}

deny contains {"resource": nv.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some nv in svc.namedValues
	status := _status(nv)
	lower(sprintf("%v", [object.get(status, "code", "")])) != "success"
	msg := sprintf("named value %q of service %q could not be refreshed from Key Vault (last status %v at %v)", [object.get(nv.properties, "displayName", nv.name), svc.name, object.get(status, "code", "unknown"), object.get(status, "timeStampUtc", "an unknown time")])
}

_status(nv) := s if {
	kv := object.get(nv.properties, "keyVault", null)
	is_object(kv)
	s := object.get(kv, "lastStatus", null)
	is_object(s)
}
