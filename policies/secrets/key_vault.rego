# METADATA
# title: Secret named values must be stored in Key Vault
# description: >-
#   A secret named value kept inside API Management has no rotation, no access policy of its
#   own and no audit trail beyond the service's; everyone who can manage the service can
#   read it. Key Vault references keep the secret in one governed place and let API
#   Management follow rotations.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/api-management-howto-properties
#   - https://learn.microsoft.com/azure/defender-for-cloud/recommendations-reference-api
# custom:
#   id: APIM-SEC-001
#   severity: medium
#   input: service
#   recommendation: >-
#     Store the secret in Key Vault, grant the service's managed identity "Key Vault Secrets
#     User", and change the named value to a Key Vault reference
#     (properties.keyVault.secretIdentifier, without a version so rotations are followed).
#   frameworks:
#     owasp-api-2023: [API8]
#     mcsb: [DP-6, IM-8]
#     nist-800-53: ["IA-5(7)", "SC-28"]
#     pci-dss-4: ["8.3.2"]
#     iso-27001: [A.5.17, A.8.24]
#     azure-policy: [f1cc7827-022c-473e-836e-5a51cae0b249]
#     psrule: [Azure.APIM.EncryptValues]
#     defender: ["API Management secret named values should be stored in Azure Key Vault"]
#   parameters:
#     key_vault_required_for: { default: secrets, description: "Which named values must be Key Vault references: `secrets` (those marked secret) or `all` (every named value, the stricter stance of PSRule for Azure); any other value is reported on every service." }
package apimguard.rules.secrets.key_vault

import rego.v1

import data.apimguard.lib.estate

# Which named values must come from Key Vault: "secrets" (the default) or "all".
default required_for := "secrets"

required_for := object.get(data.apimguard.config, "key_vault_required_for", "secrets")

valid_values := {"secrets", "all"}

# The named values the rule judges.
judged(_) if required_for == "all"

judged(nv) if {
	required_for == "secrets"
	object.get(nv.properties, "secret", false) == true
}

checked contains nv.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some nv in svc.namedValues
	judged(nv)
}

deny contains {"resource": nv.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some nv in svc.namedValues
	judged(nv)
	not estate.in_key_vault(nv)
	msg := sprintf("%s named value %q of service %q is stored in API Management, not in Key Vault%s", [_kind(nv), object.get(nv.properties, "displayName", nv.name), svc.name, _why(nv)])
}

# A value of the parameter the rule does not know judges nothing: every service is
# reported, so a typo never passes silently.
checked contains svc.id if {
	not required_for in valid_values
	some sub in input.subscriptions
	some svc in sub.services
}

deny contains {"resource": svc.id, "message": msg} if {
	not required_for in valid_values
	some sub in input.subscriptions
	some svc in sub.services
	msg := sprintf("parameter key_vault_required_for is %v, which is neither \"secrets\" nor \"all\": the named values of service %q were not judged", [json.marshal(required_for), svc.name])
}

_kind(nv) := "secret" if object.get(nv.properties, "secret", false) == true

_kind(nv) := "plain" if object.get(nv.properties, "secret", false) != true

_why(nv) := "" if object.get(nv.properties, "secret", false) == true

_why(nv) := " (key_vault_required_for: all)" if object.get(nv.properties, "secret", false) != true
