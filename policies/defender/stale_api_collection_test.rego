package apimguard.rules.defender.stale_api_collection_test

import rego.v1

import data.apimguard.rules.defender.stale_api_collection as rule

svc_id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim"

api(defender) := {"id": concat("", [svc_id, "/apis/a"]), "displayName": "A", "isCurrent": true, "defender": defender}

estate(a) := {"subscriptions": [{"services": [{"id": svc_id, "name": "apim", "apis": [a]}]}]}

test_onboarded_ineligible_fails if {
	result := rule.deny with input as estate(api({"eligible": false, "ineligibleReason": "self-hosted-gateway", "onboarded": true, "collection": null}))
	count(result) == 1
	some f in result
	contains(f.message, "ineligible: self-hosted-gateway")
}

test_collection_from_other_service_fails if {
	other := "/subscriptions/s/resourceGroups/rg-old/providers/Microsoft.ApiManagement/service/apim-weu"
	result := rule.deny with input as estate(api({"eligible": true, "onboarded": true, "collection": {"discoveredVia": other}}))
	count(result) == 1
	some f in result
	contains(f.message, "apim-weu")
}

test_discovered_via_is_case_insensitive if {
	count(rule.deny) == 0 with input as estate(api({"eligible": true, "onboarded": true, "collection": {"discoveredVia": upper(svc_id)}}))
}

test_healthy_collection_passes if {
	count(rule.deny) == 0 with input as estate(api({"eligible": true, "onboarded": true, "collection": {"discoveredVia": svc_id}}))
	count(rule.checked) == 1 with input as estate(api({"eligible": true, "onboarded": true, "collection": {"discoveredVia": svc_id}}))
}

test_not_onboarded_is_not_checked if {
	count(rule.checked) == 0 with input as estate(api({"eligible": false, "onboarded": false, "collection": null}))
}
