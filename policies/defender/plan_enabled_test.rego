package apimguard.rules.defender.plan_enabled_test

import rego.v1

import data.apimguard.rules.defender.plan_enabled as rule

estate(plan, services) := {"subscriptions": [{"subscriptionId": "s1", "displayName": "prod", "defenderForApis": plan, "services": services}]}

test_plan_off_fails if {
	result := rule.deny with input as estate({"enabled": false, "pricingTier": "Free"}, [{"name": "apim"}])
	count(result) == 1
	some f in result
	f.resource == "/subscriptions/s1"
	contains(f.message, "plan is off (pricing tier Free)")
}

test_unknown_plan_fails_closed if {
	result := rule.deny with input as estate(null, [{"name": "apim"}])
	count(result) == 1
	some f in result
	contains(f.message, "could not be read")
}

test_plan_on_passes if {
	count(rule.deny) == 0 with input as estate({"enabled": true, "pricingTier": "Standard", "subPlan": "P1"}, [{"name": "apim"}])
	rule.checked == {"/subscriptions/s1"} with input as estate({"enabled": true, "pricingTier": "Standard", "subPlan": "P1"}, [{"name": "apim"}])
}

test_subscription_without_services_is_not_checked if {
	count(rule.deny) == 0 with input as estate(null, [])
	count(rule.checked) == 0 with input as estate(null, [])
}

test_missing_display_name_still_reported if {
	result := rule.deny with input as {"subscriptions": [{"subscriptionId": "s2", "defenderForApis": {"enabled": false, "pricingTier": "Free"}, "services": [{"name": "apim"}]}]}
	count(result) == 1
}
