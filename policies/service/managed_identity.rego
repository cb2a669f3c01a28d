# METADATA
# title: Services should have a managed identity
# description: >-
#   Without a managed identity, API Management must hold secrets itself: backend keys and
#   certificates as named values, Key Vault access through stored credentials. A managed
#   identity lets it read Key Vault secrets and call Entra-protected backends
#   (authentication-managed-identity) with no secret to leak or rotate.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/api-management-howto-use-managed-service-identity
#   - https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.ManagedIdentity/
# custom:
#   id: APIM-SVC-009
#   severity: medium
#   needs: [service-settings]
#   input: service
#   recommendation: >-
#     Turn on a system-assigned identity (identity.type "SystemAssigned"; portal: the service >
#     Managed identities) or attach a user-assigned one, grant it access to Key Vault and
#     backends, and move secrets behind it.
#   frameworks:
#     owasp-api-2023: [API8]
#     mcsb: [IM-3]
#     nist-800-53: ["IA-2", "IA-4"]
#     iso-27001: [A.5.16]
#     psrule: [Azure.APIM.ManagedIdentity]
package apimguard.rules.service.managed_identity

import rego.v1

checked contains svc.id if {
	some sub in input.subscriptions
	some svc in sub.services
}

deny contains {"resource": svc.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	not _has_identity(svc)
	msg := sprintf("service %q (%s) has no managed identity", [svc.name, svc.sku.name])
}

_has_identity(svc) if {
	identity := object.get(svc, "identity", null)
	is_object(identity)
	type := lower(sprintf("%v", [object.get(identity, "type", "None")]))
	contains(type, "assigned")
}
