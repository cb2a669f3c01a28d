package apimguard.rules.defender.external_unauthenticated_onboarded_test

import rego.v1

import data.apimguard.rules.defender.external_unauthenticated_onboarded as rule

api(auth, onboarded) := {"id": "a1", "displayName": "A", "exposure": {"external": true}, "auth": {"effective": auth}, "defender": {"eligible": true, "onboarded": onboarded}}

estate(a) := {"subscriptions": [{"services": [{"apis": [a]}]}]}

test_unauthenticated_not_onboarded_fails if {
	count(rule.deny) == 1 with input as estate(api("unauthenticated", false))
}

test_unknown_auth_fails_closed if {
	count(rule.deny) == 1 with input as estate(api("unknown", false))
}

test_onboarded_passes if {
	count(rule.deny) == 0 with input as estate(api("unauthenticated", true))
}
