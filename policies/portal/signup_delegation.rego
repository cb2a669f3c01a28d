# METADATA
# title: Developer portal sign-up and delegation must be deliberate
# description: >-
#   Self sign-up lets anyone on the internet create a developer account and, with a product
#   that needs no approval, get a subscription key: it should be off unless the portal is a
#   public API programme (parameter portal_signup_allowed), and then only with terms of
#   service each new developer must accept. Delegation hands sign-in, sign-up and
#   subscriptions to your own web site, which API Management calls with a signed token: that
#   site must be reached over HTTPS, or the token and the developer's account travel in
#   clear. Settings that could not be read, or that IaC files do not declare, are reported
#   as not known. The Consumption tier has no developer portal and is not checked.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/api-management-howto-setup-delegation
#   - https://learn.microsoft.com/azure/api-management/developer-portal-faq
#   - https://learn.microsoft.com/azure/templates/microsoft.apimanagement/service/portalsettings-signup
# custom:
#   id: APIM-PRT-004
#   severity: medium
#   needs: [service-settings]
#   input: service
#   recommendation: >-
#     Turn sign-up off (portalsettings/signup `enabled: false`; portal: the service >
#     Developer portal > Identities, or the portal's settings) and invite developers, or
#     delegate registration to your own site; where sign-up is meant to be open, set
#     portal_signup_allowed and require consent to terms of service
#     (termsOfService.enabled and consentRequired). Point delegation at an https:// URL.
#   frameworks:
#     owasp-api-2023: [API2]
#     mcsb: [IM-1, DP-3]
#     nist-800-53: ["AC-2", "SC-8"]
#     pci-dss-4: ["7.2.1", "4.2.1"]
#     iso-27001: [A.5.16, A.5.18]
#   parameters:
#     portal_signup_allowed: { default: false, description: "When true, self sign-up on the developer portal is accepted if new developers must consent to terms of service; any value other than true or false is reported on every service." }
package apimguard.rules.portal.signup_delegation

import rego.v1

import data.apimguard.lib.estate
import data.apimguard.lib.portal

default signup_allowed := false

signup_allowed := object.get(data.apimguard.config, "portal_signup_allowed", false)

checked contains svc.id if {
	some svc in portal.services
}

_signup_on(svc) if {
	signup := portal.setting(svc, "signup")
	not estate.is_false(object.get(signup.properties, "enabled", null))
}

deny contains {"resource": svc.id, "message": msg} if {
	signup_allowed == false
	some svc in portal.services
	_signup_on(svc)
	msg := sprintf("anyone can sign up to the developer portal of service %q (portalsettings/signup is enabled)", [svc.name])
}

deny contains {"resource": svc.id, "message": msg} if {
	signup_allowed == true
	some svc in portal.services
	_signup_on(svc)
	terms := object.get(portal.setting(svc, "signup").properties, "termsOfService", {})
	not _consent_required(terms)
	msg := sprintf("anyone can sign up to the developer portal of service %q without consenting to terms of service (portalsettings/signup termsOfService.enabled and consentRequired are not both true)", [svc.name])
}

_consent_required(terms) if {
	estate.is_true(object.get(terms, "enabled", null))
	estate.is_true(object.get(terms, "consentRequired", null))
}

deny contains {"resource": svc.id, "message": msg} if {
	some svc in portal.services
	portal.settings(svc)
	not portal.setting(svc, "signup")
	msg := estate.by_source(
		sprintf("whether anyone can sign up to the developer portal of service %q is not known: the snapshot has no sign-up setting", [svc.name]),
		sprintf("the files do not declare the sign-up setting (portalsettings/signup) of service %q, so self sign-up is not known to be off", [svc.name]),
	)
}

deny contains {"resource": svc.id, "message": msg} if {
	some svc in portal.services
	not portal.settings(svc)
	msg := sprintf("whether anyone can sign up to the developer portal of service %q is not known: %s", [svc.name, portal.not_in_snapshot("portal settings")])
}

# Delegation that is on, to an address that is not HTTPS: the portal setting
# (userRegistration, subscriptions) and each portal configuration (delegateRegistration,
# delegateSubscription).
deny contains {"resource": svc.id, "message": msg} if {
	some svc in portal.services
	p := portal.setting(svc, "delegation").properties
	_on(object.get(p, "userRegistration", {}), "enabled", object.get(p, "subscriptions", {}), "enabled")
	url := object.get(p, "url", null)
	not _https(url)
	msg := sprintf("the developer portal of service %q delegates sign-in, sign-up or subscriptions to %v, which is not an https:// address (portalsettings/delegation url)", [svc.name, url])
}

deny contains {"resource": svc.id, "message": msg} if {
	some svc in portal.services
	some config in portal.configs(svc)
	p := object.get(config.properties, "delegation", {})
	_on(p, "delegateRegistration", p, "delegateSubscription")
	url := object.get(p, "delegationUrl", null)
	not _https(url)
	msg := sprintf("the developer portal of service %q delegates sign-in, sign-up or subscriptions to %v, which is not an https:// address (portalconfigs/%s delegation.delegationUrl)", [svc.name, url, config.name])
}

_on(a, a_key, _, _) if estate.is_true(object.get(a, a_key, null))

_on(_, _, b, b_key) if estate.is_true(object.get(b, b_key, null))

_https(url) if {
	is_string(url)
	startswith(lower(url), "https://")
}

deny contains {"resource": svc.id, "message": msg} if {
	not is_boolean(signup_allowed)
	some svc in portal.services
	msg := sprintf("the parameter portal_signup_allowed must be true or false, not %v: service %q is not judged", [signup_allowed, svc.name])
}
