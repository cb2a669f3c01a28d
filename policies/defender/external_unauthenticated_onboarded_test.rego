package apimguard.rules.defender.external_unauthenticated_onboarded_test

import rego.v1

import data.apimguard.rules.defender.external_unauthenticated_onboarded as rule

api(auth, onboarded) := {"id": "a1", "displayName": "A", "exposure": {"external": true}, "auth": {"effective": auth}, "defender": {"eligible": true, "onboarded": onboarded}}

estate(a) := {"subscriptions": [{"services": [{"name": "apim", "apis": [a]}]}]}

test_unauthenticated_not_onboarded_fails if {
	count(rule.deny) == 1 with input as estate(api("unauthenticated", false))
	some f in rule.deny with input as estate(api("unauthenticated", false))
	f.resource == "a1"
	contains(f.message, "unauthenticated")
}

test_unknown_auth_fails_closed if {
	count(rule.deny) == 1 with input as estate(api("unknown", false))
}

test_onboarded_passes if {
	count(rule.deny) == 0 with input as estate(api("unauthenticated", true))
}

test_authenticated_passes if {
	count(rule.deny) == 0 with input as estate(api("authenticated", false))
}

test_internal_passes if {
	a := object.union(api("unauthenticated", false), {"exposure": {"external": false}})
	count(rule.deny) == 0 with input as estate(a)
}

test_ineligible_is_not_checked if {
	a := object.union(api("unauthenticated", false), {"defender": {"eligible": false, "ineligibleReason": "consumption-sku", "onboarded": false}})
	count(rule.deny) == 0 with input as estate(a)
	count(rule.checked) == 0 with input as estate(a)
}

test_iac_messages_say_what_the_files_declare if {
	iac := object.union(estate(api("unauthenticated", false)), {"source": {"kind": "iac"}})
	some f in rule.deny with input as iac
	contains(f.message, "the files declare no Defender API collection")
	not contains(f.message, "not onboarded")
}
