# METADATA
# title: The developer portal should sign people in with Microsoft Entra ID only
# description: >-
#   Every identity provider of the developer portal is a way in to an account that can hold
#   subscription keys. Consumer providers (Google, Microsoft accounts, Facebook, Twitter)
#   let anyone with such an account sign in, outside your tenant's conditional access and
#   lifecycle; Microsoft Entra ID (aad, limited to allowed tenants) and Entra External ID
#   (aadB2C) keep sign-in under your control. The parameter portal_identity_providers
#   lists the provider types allowed. Identity providers that could not be read, or that
#   IaC files do not declare, are reported as not known. The Consumption tier has no
#   developer portal and is not checked.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/secure-developer-portal-access
#   - https://learn.microsoft.com/azure/api-management/api-management-howto-aad
#   - https://learn.microsoft.com/rest/api/apimanagement/identity-provider/list-by-service
# custom:
#   id: APIM-PRT-002
#   severity: medium
#   needs: [service-settings]
#   input: service
#   recommendation: >-
#     Remove the other providers (portal: the service > Developer portal > Identities) and
#     sign developers in with Microsoft Entra ID limited to your tenants (allowedTenants),
#     or Entra External ID for partners; or list the provider types you accept in the
#     portal_identity_providers parameter.
#   frameworks:
#     owasp-api-2023: [API2]
#     mcsb: [IM-1]
#     nist-800-53: ["IA-2", "IA-8"]
#     pci-dss-4: ["8.3.1"]
#     iso-27001: [A.5.16, A.8.5]
#   parameters:
#     portal_identity_providers: { default: ["aad", "aadB2C"], description: "The identity provider types the developer portal may offer (aad, aadB2C, google, microsoft, facebook, twitter), compared without case; anything but a list of strings is reported on every service." }
package apimguard.rules.portal.identity_providers

import rego.v1

import data.apimguard.lib.portal

default allowed := ["aad", "aadB2C"]

allowed := object.get(data.apimguard.config, "portal_identity_providers", ["aad", "aadB2C"])

_allowed_types := {lower(t) | some t in allowed; is_string(t)} if is_array(allowed)

_valid if {
	is_array(allowed)
	every t in allowed {
		is_string(t)
	}
}

checked contains svc.id if {
	some svc in portal.services
}

deny contains {"resource": svc.id, "message": msg} if {
	_valid
	some svc in portal.services
	some provider in portal.identity_providers(svc)
	kind := sprintf("%v", [object.get(provider.properties, "type", provider.name)])
	not lower(kind) in _allowed_types
	msg := sprintf("service %q lets people sign in to its developer portal with the %q identity provider (%s), which is not one of those allowed (%s)", [svc.name, kind, provider.name, concat(", ", [sprintf("%v", [t]) | some t in allowed])])
}

deny contains {"resource": svc.id, "message": msg} if {
	_valid
	some svc in portal.services
	not portal.identity_providers(svc)
	msg := sprintf("which identity providers the developer portal of service %q offers is not known: %s", [svc.name, portal.not_in_snapshot("identity providers")])
}

deny contains {"resource": svc.id, "message": msg} if {
	not _valid
	some svc in portal.services
	msg := sprintf("the parameter portal_identity_providers must be a list of identity provider types (such as [\"aad\", \"aadB2C\"]), not %v: service %q is not judged", [allowed, svc.name])
}
