package apimguard.rules.api.version_sprawl_test

import rego.v1

import data.apimguard.rules.api.version_sprawl as rule

set_id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim/apiVersionSets/orders"

api(name, version, online) := {"id": name, "name": name, "properties": {"apiVersionSetId": set_id, "apiVersion": version, "isOnline": online}}

estate(apis) := {"subscriptions": [{"services": [{"name": "apim", "apis": apis}]}]}

four := [api("orders-v1", "v1", true), api("orders-v2", "v2", true), api("orders-v3", "v3", true), api("orders-v4", "v4", true)]

test_four_online_versions_fail if {
	apis := four
	result := rule.deny with input as estate(apis)
	count(result) == 1
	some f in result
	f.resource == set_id
	contains(f.message, `version set "orders" has 4 versions online (orders-v1 v1, orders-v2 v2, orders-v3 v3, orders-v4 v4)`)
}

test_offline_versions_do_not_count if {
	count(rule.deny) == 0 with input as estate([api("orders-v1", "v1", false), api("orders-v2", "v2", true), api("orders-v3", "v3", true), api("orders-v4", "v4", true)])
}

test_parameter_raises_limit if {
	apis := four
	count(rule.deny) == 0 with input as estate(apis) with data.apimguard.config as {"max_api_versions": 4}
}

test_unversioned_apis_are_not_checked if {
	count(rule.checked) == 0 with input as estate([{"id": "x", "name": "x", "properties": {}}])
}

test_set_id_case_is_ignored if {
	a := api("orders-v5", "v5", true)
	b := object.union(a, {"properties": {"apiVersionSetId": upper(set_id)}})
	apis := array.concat(four, [b])
	some f in rule.deny with input as estate(apis)
	contains(f.message, "has 5 versions online")
}

two_versions := [api("orders-v1", "v1", true), api("orders-v2", "v2", true)]

test_versions_are_counted_per_service if {
	# Two services whose APIs spell the same version set id (a hand-made or IaC snapshot):
	# each service has two versions online, under the limit.
	svc := {"name": "apim", "apis": two_versions}
	count(rule.deny) == 0 with input as {"subscriptions": [{"services": [svc, svc]}]}
	count(rule.checked) == 1 with input as {"subscriptions": [{"services": [svc, svc]}]}
}

test_same_label_twice_counts_once if {
	# Two online APIs with the same "name version" label are one version.
	apis := array.concat(four, [api("orders-v4", "v4", true)])
	some f in rule.deny with input as estate(apis)
	contains(f.message, "has 4 versions online")
	count(rule.deny) == 0 with input as estate(apis) with data.apimguard.config as {"max_api_versions": 4}
}

test_offline_spelling_names_the_set if {
	a := object.union(api("orders-v0", "v0", false), {"properties": {"apiVersionSetId": upper(set_id)}})
	apis := array.concat(four, [a])
	some f in rule.deny with input as estate(apis)
	f.resource == upper(set_id)
}
