package apimguard.rules.product.descriptors_terms_test

import rego.v1

import data.apimguard.rules.product.descriptors_terms as rule

estate(props) := {"subscriptions": [{"services": [{"name": "apim", "products": [{"id": "p", "name": "starter", "properties": props, "apis": []}]}]}]}

test_empty_terms_fail if {
	result := rule.deny with input as estate({"displayName": "Starter", "description": "Subscribers will be able to run 5 calls/minute.", "terms": ""})
	count(result) == 1
	some f in result
	endswith(f.message, "has no terms")
}

test_both_missing_fail if {
	some f in rule.deny with input as estate({"displayName": "Dev"})
	endswith(f.message, "has no description and no terms")
}

test_complete_product_passes if {
	count(rule.deny) == 0 with input as estate({"displayName": "Partners", "description": "Partner APIs.", "terms": "Use only under the partner agreement."})
	count(rule.checked) == 1 with input as estate({"displayName": "Partners", "description": "x", "terms": "y"})
}
