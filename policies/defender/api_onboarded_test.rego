package apimguard.rules.defender.api_onboarded_test

import rego.v1

import data.apimguard.rules.defender.api_onboarded as rule

api(id, eligible, onboarded) := {"id": id, "displayName": id, "defender": {"eligible": eligible, "onboarded": onboarded}}

estate(plan, apis) := {"subscriptions": [{"defenderForApis": plan, "services": [{"name": "apim", "apis": apis}]}]}

on := {"enabled": true, "pricingTier": "Standard"}

test_not_onboarded_fails if {
	result := rule.deny with input as estate(on, [api("a", true, false), api("b", true, true)])
	count(result) == 1
	some f in result
	f.resource == "a"
	not contains(f.message, "plan")
}

test_onboarded_passes if {
	count(rule.deny) == 0 with input as estate(on, [api("b", true, true)])
}

test_message_says_plan_is_off if {
	some f in rule.deny with input as estate({"enabled": false}, [api("a", true, false)])
	contains(f.message, "plan is not enabled")
}

test_a_plan_not_stated_is_not_claimed_off if {
	some f in rule.deny with input as estate(null, [api("a", true, false)])
	not contains(f.message, "plan")
}

test_iac_messages_say_what_the_files_declare if {
	iac := object.union(estate(null, [api("a", true, false)]), {"source": {"kind": "iac"}})
	some f in rule.deny with input as iac
	contains(f.message, "the files declare no Defender API collection")
	not contains(f.message, "is not onboarded")
}

test_ineligible_not_checked if {
	count(rule.deny) == 0 with input as estate(on, [api("c", false, false)])
	count(rule.checked) == 0 with input as estate(on, [api("c", false, false)])
}

test_plan_note_per_subscription if {
	off := {"enabled": false}
	input_two := {"subscriptions": [
		{"defenderForApis": on, "services": [{"name": "apim", "apis": [api("a", true, false)]}]},
		{"defenderForApis": off, "services": [{"name": "apim2", "apis": [api("b", true, false)]}]},
	]}
	result := rule.deny with input as input_two
	{f.resource: endswith(f.message, "enable it first)") | some f in result} == {"a": false, "b": true}
}
