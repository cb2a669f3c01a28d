package apimguard.rules.product.approval_required_test

import rego.v1

import data.apimguard.rules.product.approval_required as rule

estate(props) := {"subscriptions": [{"services": [{"name": "apim", "products": [{"id": "p", "name": "starter", "properties": props, "apis": []}]}]}]}

test_no_approval_fails if {
	count(rule.deny) == 1 with input as estate({"displayName": "Starter", "subscriptionRequired": true, "approvalRequired": false})
}

test_unset_approval_fails_closed if {
	count(rule.deny) == 1 with input as estate({"displayName": "Starter", "subscriptionRequired": true})
}

test_approval_passes if {
	count(rule.deny) == 0 with input as estate({"displayName": "Unlimited", "subscriptionRequired": true, "approvalRequired": true})
	count(rule.checked) == 1 with input as estate({"displayName": "Unlimited", "subscriptionRequired": true, "approvalRequired": true})
}

test_open_product_is_left_to_prd_001 if {
	count(rule.checked) == 0 with input as estate({"displayName": "Dev", "subscriptionRequired": false})
}
