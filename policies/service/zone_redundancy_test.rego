package apimguard.rules.service.zone_redundancy_test

import rego.v1

import data.apimguard.rules.service.zone_redundancy as rule

estate(sku, extra) := {"subscriptions": [{"services": [object.union({"id": "svc", "name": "apim", "location": "East US", "sku": {"name": sku, "capacity": 3}, "properties": {}}, extra)]}]}

test_no_zones_fails if {
	result := rule.deny with input as estate("Premium", {})
	count(result) == 1
	some f in result
	contains(f.message, "uses 0 availability zone(s)")
}

test_one_zone_fails if {
	count(rule.deny) == 1 with input as estate("Premium", {"zones": ["1"]})
}

test_three_zones_pass if {
	count(rule.deny) == 0 with input as estate("Premium", {"zones": ["1", "2", "3"]})
}

test_zones_in_properties_pass if {
	count(rule.deny) == 0 with input as estate("Premium", {"properties": {"zones": ["1", "2"]}})
}

test_standard_is_not_checked if {
	count(rule.checked) == 0 with input as estate("Standard", {})
}
