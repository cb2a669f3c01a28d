package apimguard.rules.subscription.all_apis_scope_test

import rego.v1

import data.apimguard.rules.subscription.all_apis_scope as rule

svc_id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim"

estate(scope, state) := {"subscriptions": [{"services": [{"name": "apim", "apimSubscriptions": [{"id": "sub1", "name": "master", "properties": {"displayName": "Built-in all-access subscription", "scope": scope, "state": state}}]}]}]}

test_active_all_apis_fails if {
	result := rule.deny with input as estate(concat("", [svc_id, "/apis"]), "active")
	count(result) == 1
	some f in result
	f.resource == "sub1"
}

test_suspended_passes if {
	count(rule.deny) == 0 with input as estate(concat("", [svc_id, "/apis"]), "suspended")
}

test_product_scope_passes if {
	count(rule.deny) == 0 with input as estate(concat("", [svc_id, "/products/starter"]), "active")
	count(rule.checked) == 1 with input as estate(concat("", [svc_id, "/products/starter"]), "active")
}

test_single_api_scope_passes if {
	count(rule.deny) == 0 with input as estate(concat("", [svc_id, "/apis/echo-api"]), "active")
}
