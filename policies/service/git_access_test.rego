package apimguard.rules.service.git_access_test

import rego.v1

import data.apimguard.rules.service.git_access as rule

svc(sku) := {"id": "svc", "name": "apim", "sku": {"name": sku}, "properties": {}}

estate(kind, service) := {"source": {"kind": kind}, "subscriptions": [{"services": [service]}]}

test_enabled_fails if {
	result := rule.deny with input as estate("arm", object.union(svc("Premium"), {"gitAccess": {"enabled": true}}))
	result == {{"resource": "svc", "message": "service \"apim\" has its Git configuration endpoint (tenant/gitAccess) enabled"}}
}

test_disabled_passes if {
	input_doc := estate("arm", object.union(svc("Developer"), {"gitAccess": {"enabled": false}}))
	count(rule.deny) == 0 with input as input_doc
	rule.checked == {"svc"} with input as input_doc
}

test_a_switch_that_is_not_false_fails if {
	count(rule.deny) == 1 with input as estate("arm", object.union(svc("Standard"), {"gitAccess": {"enabled": "<unknown: parameters('git')>"}}))
	count(rule.deny) == 1 with input as estate("arm", object.union(svc("Standard"), {"gitAccess": {}}))
}

test_string_false_passes if {
	count(rule.deny) == 0 with input as estate("iac", object.union(svc("Basic"), {"gitAccess": {"enabled": "False"}}))
}

test_not_in_the_snapshot_is_not_known if {
	some f in rule.deny with input as estate("arm", svc("Premium"))
	contains(f.message, "is not known")
	some g in rule.deny with input as estate("arm", object.union(svc("Premium"), {"gitAccess": null}))
	contains(g.message, "is not known")
}

test_iac_without_the_declaration_is_not_known if {
	some f in rule.deny with input as estate("iac", svc("Premium"))
	startswith(f.message, "the files do not declare")
}

test_tiers_without_the_endpoint_are_not_checked if {
	count(rule.checked) == 0 with input as estate("arm", svc("Consumption"))
	count(rule.checked) == 0 with input as estate("arm", svc("StandardV2"))
	count(rule.deny) == 0 with input as estate("arm", svc("BasicV2"))
}
