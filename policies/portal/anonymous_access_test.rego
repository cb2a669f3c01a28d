package apimguard.rules.portal.anonymous_access_test

import rego.v1

import data.apimguard.rules.portal.anonymous_access as rule

svc(properties, portal) := {"id": "svc", "name": "apim", "sku": {"name": "Premium"}, "properties": properties, "developerPortal": portal}

estate(kind, service) := {"source": {"kind": kind}, "subscriptions": [{"services": [service]}]}

require(v) := {"configs": [{"name": "default", "properties": {"signin": {"require": v}}}], "settings": []}

test_anonymous_browsing_fails if {
	result := rule.deny with input as estate("arm", svc({}, require(false)))
	result == {{"resource": "svc", "message": "anonymous visitors can browse the developer portal of service \"apim\" (portalconfigs/default signin.require is false): its API catalogue is public"}}
}

test_sign_in_required_passes if {
	count(rule.deny) == 0 with input as estate("arm", svc({}, require(true)))
	rule.checked == {"svc"} with input as estate("arm", svc({}, require(true)))
}

test_older_setting_decides_without_a_configuration if {
	on := {"configs": [], "settings": [{"name": "signin", "properties": {"enabled": true}}]}
	count(rule.deny) == 0 with input as estate("arm", svc({}, on))
	off := {"configs": [], "settings": [{"name": "signin", "properties": {"enabled": false}}]}
	count(rule.deny) == 1 with input as estate("arm", svc({}, off))
	neither := {"configs": [], "settings": []}
	some f in rule.deny with input as estate("iac", svc({}, neither))
	startswith(f.message, "the files declare neither")
}

test_disabled_portal_passes if {
	count(rule.deny) == 0 with input as estate("arm", svc({"developerPortalStatus": "Disabled"}, require(false)))
}

test_parameter_accepts_a_public_portal if {
	count(rule.deny) == 0 with input as estate("arm", svc({}, require(false)))
		with data.apimguard.config as {"portal_anonymous_access_allowed": true}
	some f in rule.deny with input as estate("arm", svc({}, require(true)))
		with data.apimguard.config as {"portal_anonymous_access_allowed": "yes"}
	contains(f.message, "must be true or false")
}

test_not_read_is_not_known if {
	some f in rule.deny with input as estate("arm", svc({}, {"configs": null}))
	contains(f.message, "is not known")
	some g in rule.deny with input as estate("arm", svc({}, {"configs": [], "settings": null}))
	contains(g.message, "is not known")
}
