package apimguard.rules.defender.cspm_api_posture_test

import rego.v1

import data.apimguard.rules.defender.cspm_api_posture as rule

estate(kind, cspm) := {"source": {"kind": kind}, "subscriptions": [object.union(
	{"subscriptionId": "s1", "displayName": "prod", "services": [{"id": "svc"}]},
	cspm,
)]}

test_extension_on_passes if {
	doc := estate("arm", {"defenderCspm": {"enabled": true, "pricingTier": "Standard", "apiPosture": true}})
	count(rule.deny) == 0 with input as doc
	rule.checked == {"/subscriptions/s1"} with input as doc
}

test_extension_off_fails if {
	result := rule.deny with input as estate("arm", {"defenderCspm": {"enabled": true, "pricingTier": "Standard", "apiPosture": false}})
	result == {{"resource": "/subscriptions/s1", "message": "subscription \"prod\" (s1) holds 1 API Management service(s), but the API security posture extension (ApiPosture) of its Defender CSPM plan is off"}}
}

test_plan_off_fails if {
	some f in rule.deny with input as estate("arm", {"defenderCspm": {"enabled": false, "pricingTier": "Free", "apiPosture": false}})
	contains(f.message, "its Defender CSPM plan is off (pricing tier Free)")
	count(rule.deny) == 1 with input as estate("arm", {"defenderCspm": {"enabled": false, "pricingTier": "Free", "apiPosture": true}})
}

test_not_known_fails if {
	some f in rule.deny with input as estate("arm", {})
	contains(f.message, "is not known")
	some g in rule.deny with input as estate("iac", {"defenderCspm": null})
	contains(g.message, "the files do not declare")
}

test_subscriptions_without_services_are_not_checked if {
	doc := {"subscriptions": [{"subscriptionId": "s2", "services": []}]}
	count(rule.checked) == 0 with input as doc
	count(rule.deny) == 0 with input as doc
}
