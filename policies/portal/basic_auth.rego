# METADATA
# title: The developer portal must not let people sign in with a username and password
# description: >-
#   By default the developer portal of API Management signs people in with a username and
#   password that API Management itself keeps: accounts outside your identity provider, so
#   without its multi-factor authentication, conditional access, password policy or
#   leaver process, and open to password spraying on a public page. Developers who hold
#   subscription keys should sign in with Microsoft Entra ID (or Entra External ID)
#   instead. The switch is the portal configuration's enableBasicAuth (Azure Policy's
#   "API Management should have username and password authentication disabled"); a service
#   with no portal configuration has it on, by default. A configuration that could not be
#   read, or that IaC files do not declare, is reported as not known. The Consumption tier
#   has no developer portal and is not checked.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/developer-portal-basic-authentication
#   - https://learn.microsoft.com/azure/api-management/secure-developer-portal-access
#   - https://learn.microsoft.com/azure/templates/microsoft.apimanagement/service/portalconfigs
# custom:
#   id: APIM-PRT-001
#   severity: medium
#   needs: [service-settings]
#   input: service
#   recommendation: >-
#     Add a Microsoft Entra ID identity provider first (portal: the service > Developer
#     portal > Identities > Add), then remove the "Username and password" provider there, or
#     set `enableBasicAuth: false` on the service's portalconfigs/default resource in your
#     templates (Azure Policy's Modify policy "Modify API Management to disable username
#     and password authentication" does the same). Existing basic-auth users can no longer
#     sign in: tell them to use their Entra ID account.
#   frameworks:
#     owasp-api-2023: [API2]
#     mcsb: [IM-1]
#     nist-800-53: ["IA-2", "IA-5"]
#     pci-dss-4: ["8.3.1"]
#     iso-27001: [A.5.16, A.8.5]
#     azure-policy: [ffe25541-3853-4f4e-b71d-064422294b11]
package apimguard.rules.portal.basic_auth

import rego.v1

import data.apimguard.lib.estate
import data.apimguard.lib.portal

checked contains svc.id if {
	some svc in portal.services
}

deny contains {"resource": svc.id, "message": msg} if {
	some svc in portal.services
	some config in portal.configs(svc)
	value := object.get(config.properties, "enableBasicAuth", null)
	not estate.is_false(value)
	msg := sprintf("service %q lets people sign in to its developer portal with a username and password (portalconfigs/%s enableBasicAuth is %s)", [svc.name, config.name, _shown(value)])
}

deny contains {"resource": svc.id, "message": msg} if {
	some svc in portal.services
	count(portal.configs(svc)) == 0
	msg := estate.by_source(
		sprintf("service %q has no developer portal configuration, so people can sign in with a username and password (the default)", [svc.name]),
		sprintf("the files declare no developer portal configuration (portalconfigs) of service %q, so username and password sign-in is not known to be off (it is on by default)", [svc.name]),
	)
}

deny contains {"resource": svc.id, "message": msg} if {
	some svc in portal.services
	not portal.configs(svc)
	msg := sprintf("whether the developer portal of service %q lets people sign in with a username and password is not known: %s", [svc.name, portal.not_in_snapshot("portal configuration")])
}

_shown(null) := "not set (on by default)"

_shown(v) := sprintf("%v", [v]) if v != null
