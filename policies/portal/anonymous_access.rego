# METADATA
# title: The developer portal must not show the API catalogue to anonymous visitors
# description: >-
#   A developer portal that anyone can browse without signing in publishes the service's
#   API catalogue, operations, schemas and the products that guests see: a map of the
#   attack surface for whoever looks. Unless the portal is meant to be public, anonymous
#   visitors should be sent to the sign-in page (the portal configuration's
#   signin.require, or the older portal setting signin's enabled), or the portal switched
#   off (developerPortalStatus Disabled) where nobody uses it. The parameter
#   portal_anonymous_access_allowed accepts a public portal. Settings that could not be
#   read, or that IaC files do not declare, are reported as not known. The Consumption
#   tier has no developer portal and is not checked.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/secure-developer-portal-access
#   - https://learn.microsoft.com/azure/api-management/developer-portal-faq
#   - https://learn.microsoft.com/azure/templates/microsoft.apimanagement/service/portalconfigs
# custom:
#   id: APIM-PRT-003
#   severity: low
#   needs: [service-settings]
#   input: service
#   recommendation: >-
#     Require sign-in: set `signin.require: true` on the service's portalconfigs/default
#     (portal: the service > Developer portal > Identities > "Redirect anonymous users to
#     sign-in page"), or `enabled: true` on portalsettings/signin in older templates; or
#     switch the portal off (`developerPortalStatus: Disabled`) if nobody uses it. Keep
#     products away from the Guests group (APIM-PRD-005).
#   frameworks:
#     owasp-api-2023: [API9]
#     mcsb: [PA-7]
#     nist-800-53: ["AC-3", "AC-14"]
#     pci-dss-4: ["7.2.1"]
#     iso-27001: [A.5.15, A.8.3]
#   parameters:
#     portal_anonymous_access_allowed: { default: false, description: "When true, a developer portal that anonymous visitors can browse is accepted; any value other than true or false is reported on every service." }
package apimguard.rules.portal.anonymous_access

import rego.v1

import data.apimguard.lib.estate
import data.apimguard.lib.portal

default allowed := false

allowed := object.get(data.apimguard.config, "portal_anonymous_access_allowed", false)

# The services judged: with a portal that is on, unless a public portal is accepted.
services contains svc if {
	allowed == false
	some svc in portal.services
	not portal.portal_disabled(svc)
}

checked contains svc.id if {
	some svc in portal.services
}

deny contains {"resource": svc.id, "message": msg} if {
	some svc in services
	count(portal.configs(svc)) > 0
	some config in portal.configs(svc)
	value := object.get(object.get(config.properties, "signin", {}), "require", null)
	not estate.is_true(value)
	msg := sprintf("anonymous visitors can browse the developer portal of service %q (portalconfigs/%s signin.require is %v): its API catalogue is public", [svc.name, config.name, value])
}

# Without a portal configuration, the older portal setting decides.
deny contains {"resource": svc.id, "message": msg} if {
	some svc in services
	count(portal.configs(svc)) == 0
	signin := portal.setting(svc, "signin")
	value := object.get(signin.properties, "enabled", null)
	not estate.is_true(value)
	msg := sprintf("anonymous visitors can browse the developer portal of service %q (portalsettings/signin enabled is %v): its API catalogue is public", [svc.name, value])
}

deny contains {"resource": svc.id, "message": msg} if {
	some svc in services
	count(portal.configs(svc)) == 0
	portal.settings(svc)
	not portal.setting(svc, "signin")
	msg := estate.by_source(
		sprintf("service %q has neither a developer portal configuration nor a sign-in setting, so anonymous visitors can browse its developer portal (the default)", [svc.name]),
		sprintf("the files declare neither a developer portal configuration (portalconfigs) nor a sign-in setting (portalsettings/signin) of service %q, so anonymous browsing is not known to be off", [svc.name]),
	)
}

deny contains {"resource": svc.id, "message": msg} if {
	some svc in services
	_unread(svc)
	msg := sprintf("whether anonymous visitors can browse the developer portal of service %q is not known: %s", [svc.name, portal.not_in_snapshot("portal configuration and settings")])
}

_unread(svc) if not portal.configs(svc)

_unread(svc) if {
	count(portal.configs(svc)) == 0
	not portal.settings(svc)
}

deny contains {"resource": svc.id, "message": msg} if {
	not is_boolean(allowed)
	some svc in portal.services
	msg := sprintf("the parameter portal_anonymous_access_allowed must be true or false, not %v: service %q is not judged", [allowed, svc.name])
}
