package apimguard.rules.product.sample_products_test

import rego.v1

import data.apimguard.rules.product.sample_products as rule

a_product(name) := {"id": name, "name": name, "properties": {}, "apis": ["echo-api"]}

estate(products) := {"subscriptions": [{"services": [{"name": "apim", "products": products}]}]}

test_starter_and_unlimited_fail if {
	result := rule.deny with input as estate([a_product("starter"), a_product("Unlimited"), a_product("partners")])
	count(result) == 2
	some f in result
	f.resource == "starter"
	contains(f.message, `sample product "starter" (1 API(s))`)
}

test_own_products_pass if {
	count(rule.deny) == 0 with input as estate([a_product("partners")])
	count(rule.checked) == 1 with input as estate([a_product("partners")])
}

test_no_products if {
	count(rule.checked) == 0 with input as estate([])
}
