package apimguard.rules.portal.legacy_portal_test

import rego.v1

import data.apimguard.rules.portal.legacy_portal as rule

estate(kind, sku, properties) := {"source": {"kind": kind}, "subscriptions": [{"services": [{"id": "svc", "name": "apim", "sku": {"name": sku}, "properties": properties}]}]}

test_enabled_fails if {
	result := rule.deny with input as estate("arm", "Premium", {"legacyPortalStatus": "Enabled"})
	result == {{"resource": "svc", "message": "service \"apim\" still serves the retired legacy developer portal (legacyPortalStatus is Enabled)"}}
}

test_disabled_passes if {
	doc := estate("arm", "Developer", {"legacyPortalStatus": "Disabled"})
	count(rule.deny) == 0 with input as doc
	rule.checked == {"svc"} with input as doc
}

test_unset_is_not_known_or_on if {
	some f in rule.deny with input as estate("arm", "Standard", {})
	contains(f.message, "is not known")
	some g in rule.deny with input as estate("iac", "Standard", {})
	contains(g.message, "stays on (Azure's default is Enabled)")
	count(rule.deny) == 1 with input as estate("iac", "Basic", {"legacyPortalStatus": "<unknown: parameters('legacy')>"})
}

test_tiers_without_it_are_not_checked if {
	count(rule.checked) == 0 with input as estate("arm", "Consumption", {})
	count(rule.deny) == 0 with input as estate("arm", "StandardV2", {})
}
