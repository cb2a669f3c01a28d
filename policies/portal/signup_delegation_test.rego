package apimguard.rules.portal.signup_delegation_test

import rego.v1

import data.apimguard.rules.portal.signup_delegation as rule

estate(kind, portal) := {"source": {"kind": kind}, "subscriptions": [{"services": [{"id": "svc", "name": "apim", "sku": {"name": "Developer"}, "properties": {}, "developerPortal": portal}]}]}

signup(enabled, terms) := {"name": "signup", "properties": {"enabled": enabled, "termsOfService": terms}}

no_terms := {"text": "Terms of service", "enabled": false, "consentRequired": false}

with_terms := {"text": "Terms of service", "enabled": true, "consentRequired": true}

test_open_sign_up_fails if {
	result := rule.deny with input as estate("arm", {"settings": [signup(true, no_terms)]})
	result == {{"resource": "svc", "message": "anyone can sign up to the developer portal of service \"apim\" (portalsettings/signup is enabled)"}}
}

test_sign_up_off_passes if {
	doc := estate("arm", {"settings": [signup(false, no_terms)]})
	count(rule.deny) == 0 with input as doc
	rule.checked == {"svc"} with input as doc
}

test_allowed_sign_up_needs_consent if {
	some f in rule.deny with input as estate("arm", {"settings": [signup(true, no_terms)]})
		with data.apimguard.config as {"portal_signup_allowed": true}
	contains(f.message, "without consenting to terms of service")
	count(rule.deny) == 0 with input as estate("arm", {"settings": [signup(true, with_terms)]})
		with data.apimguard.config as {"portal_signup_allowed": true}
}

test_plain_http_delegation_fails if {
	delegation := {"name": "delegation", "properties": {"url": "http://contoso.com/delegation", "subscriptions": {"enabled": true}, "userRegistration": {"enabled": true}}}
	some f in rule.deny with input as estate("arm", {"settings": [signup(false, no_terms), delegation]})
	contains(f.message, "delegates sign-in, sign-up or subscriptions to http://contoso.com/delegation")
}

test_https_or_off_delegation_passes if {
	https := {"name": "delegation", "properties": {"url": "https://contoso.com/delegation", "userRegistration": {"enabled": true}}}
	count(rule.deny) == 0 with input as estate("arm", {"settings": [signup(false, no_terms), https]})
	off := {"name": "delegation", "properties": {"url": "http://contoso.com/delegation", "subscriptions": {"enabled": false}, "userRegistration": {"enabled": false}}}
	count(rule.deny) == 0 with input as estate("arm", {"settings": [signup(false, no_terms), off]})
}

test_configuration_delegation_is_judged_too if {
	config := {"name": "default", "properties": {"delegation": {"delegateRegistration": true, "delegationUrl": "http://contoso.com/d"}}}
	some f in rule.deny with input as estate("arm", {"settings": [signup(false, no_terms)], "configs": [config]})
	contains(f.message, "portalconfigs/default delegation.delegationUrl")
}

test_not_read_or_declared_is_not_known if {
	some f in rule.deny with input as estate("arm", {"settings": null})
	contains(f.message, "is not known")
	some g in rule.deny with input as estate("iac", {"settings": []})
	startswith(g.message, "the files do not declare the sign-up setting")
}

test_a_bad_parameter_is_reported if {
	some f in rule.deny with input as estate("arm", {"settings": [signup(false, no_terms)]})
		with data.apimguard.config as {"portal_signup_allowed": "no"}
	contains(f.message, "must be true or false")
}
