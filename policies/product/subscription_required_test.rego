package apimguard.rules.product.subscription_required_test

import rego.v1

import data.apimguard.rules.product.subscription_required as rule

test_unknown_requirement_fails if {
	result := rule.deny with input as estate({"displayName": "Dev", "subscriptionRequired": "<unknown: parameters('open')>"})
	count(result) == 1
	some f in result
	contains(f.message, "is not known before deployment")
}

estate(props) := {"subscriptions": [{"services": [{"name": "apim", "products": [{"id": "p", "name": "dev", "properties": props, "apis": ["echo"]}]}]}]}

test_open_product_fails if {
	result := rule.deny with input as estate({"displayName": "Dev", "subscriptionRequired": false})
	count(result) == 1
	some f in result
	contains(f.message, `product "Dev"`)
}

test_protected_product_passes if {
	count(rule.deny) == 0 with input as estate({"displayName": "Starter", "subscriptionRequired": true})
	count(rule.checked) == 1 with input as estate({"displayName": "Starter", "subscriptionRequired": true})
}

test_unset_uses_the_api_default if {
	count(rule.deny) == 0 with input as estate({"displayName": "Gold"})
}
