package apimguard.rules.portal.basic_auth_test

import rego.v1

import data.apimguard.rules.portal.basic_auth as rule

svc(sku, portal) := {"id": "svc", "name": "apim", "sku": {"name": sku}, "properties": {}, "developerPortal": portal}

config(basic) := {"name": "default", "properties": {"enableBasicAuth": basic}}

estate(kind, service) := {"source": {"kind": kind}, "subscriptions": [{"services": [service]}]}

test_basic_auth_on_fails if {
	result := rule.deny with input as estate("arm", svc("Premium", {"configs": [config(true)]}))
	result == {{"resource": "svc", "message": "service \"apim\" lets people sign in to its developer portal with a username and password (portalconfigs/default enableBasicAuth is true)"}}
}

test_basic_auth_off_passes if {
	doc := estate("arm", svc("StandardV2", {"configs": [config(false)]}))
	count(rule.deny) == 0 with input as doc
	rule.checked == {"svc"} with input as doc
}

test_unset_or_open_fails if {
	some f in rule.deny with input as estate("arm", svc("Developer", {"configs": [{"name": "default", "properties": {}}]}))
	contains(f.message, "not set (on by default)")
	count(rule.deny) == 1 with input as estate("iac", svc("Basic", {"configs": [config("<unknown: parameters('basic')>")]}))
}

test_no_configuration_is_the_default_on if {
	some f in rule.deny with input as estate("arm", svc("Premium", {"configs": []}))
	contains(f.message, "has no developer portal configuration")
	some g in rule.deny with input as estate("iac", svc("Premium", {"configs": []}))
	startswith(g.message, "the files declare no developer portal configuration")
}

test_not_read_is_not_known if {
	some f in rule.deny with input as estate("arm", svc("Premium", {"configs": null}))
	contains(f.message, "is not known")
	some g in rule.deny with input as estate("arm", {"id": "svc", "name": "apim", "sku": {"name": "Premium"}, "properties": {}})
	contains(g.message, "is not known")
}

test_consumption_has_no_portal if {
	doc := estate("arm", {"id": "svc", "name": "apim", "sku": {"name": "Consumption"}, "properties": {}})
	count(rule.checked) == 0 with input as doc
	count(rule.deny) == 0 with input as doc
}
