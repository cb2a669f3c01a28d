package apimguard.rules.service.multi_region_test

import rego.v1

import data.apimguard.rules.service.multi_region as rule

region(location, capacity, zones) := {"location": location, "sku": {"name": "Premium", "capacity": capacity}, "zones": zones, "disableGateway": false}

estate(sku, capacity, zones, additional) := {"subscriptions": [{"services": [{
	"id": "/subscriptions/s/resourceGroups/rg-prod/providers/Microsoft.ApiManagement/service/apim-prod",
	"name": "apim-prod", "location": "West Europe", "sku": {"name": sku, "capacity": capacity}, "zones": zones,
	"properties": {"additionalLocations": additional},
}]}]}

resilient := estate("Premium", 3, ["1", "2", "3"], [region("North Europe", 2, ["1", "2"])])

test_two_zone_redundant_regions_pass if {
	count(rule.checked) == 1 with input as resilient
	count(rule.deny) == 0 with input as resilient
}

test_single_region_fails if {
	result := rule.deny with input as estate("Premium", 3, ["1", "2", "3"], null)
	count(result) == 1
	some f in result
	f.message == `Premium service "apim-prod" (West Europe): its gateway serves from 1 region(s) (primary region West Europe); at least 2 are needed to survive a region outage`
}

test_disabled_additional_gateway_does_not_count if {
	disabled := object.union(region("North Europe", 2, ["1", "2"]), {"disableGateway": true})
	some f in rule.deny with input as estate("Premium", 3, ["1", "2", "3"], [disabled])
	contains(f.message, "serves from 1 region(s)")
}

test_disabled_primary_gateway_does_not_count if {
	svc := object.union(resilient.subscriptions[0].services[0], {"properties": {"disableGateway": "True"}})
	some f in rule.deny with input as {"subscriptions": [{"services": [svc]}]}
	contains(f.message, "serves from 1 region(s) (region North Europe)")
}

test_additional_region_without_zones_fails if {
	some f in rule.deny with input as estate("Premium", 3, ["1", "2", "3"], [region("North Europe", 2, [])])
	contains(f.message, "region North Europe uses 0 availability zone(s); at least 2 are needed")
}

test_additional_region_with_null_zones_fails if {
	some f in rule.deny with input as estate("Premium", 3, ["1", "2", "3"], [region("North Europe", 2, null)])
	contains(f.message, "region North Europe uses 0 availability zone(s)")
}

test_fewer_units_than_zones_fails_in_every_region if {
	some f in rule.deny with input as estate("Premium", 2, ["1", "2", "3"], [region("North Europe", 1, ["1", "2"])])
	contains(f.message, "primary region West Europe has 2 unit(s) for 3 availability zones")
	contains(f.message, "region North Europe has 1 unit(s) for 2 availability zones")
}

test_primary_zones_are_left_to_svc_013 if {
	count(rule.deny) == 0 with input as estate("Premium", 1, [], [region("North Europe", 2, ["1", "2"])])
}

test_units_that_are_not_numbers_fail if {
	some f in rule.deny with input as estate("Premium", 3, ["1", "2", "3"], [region("North Europe", "2", ["1", "2"])])
	contains(f.message, `the units of region North Europe are not a number ("2")`)
}

test_values_left_open_are_not_known if {
	open := estate("Premium", 3, ["1", "2", "3"], [region("North Europe", "<unknown: parameters('units')>", ["1", "2"])])
	some f in rule.deny with input as open
	contains(f.message, "the units of region North Europe are not known before deployment")
	locations := estate("Premium", 3, ["1", "2", "3"], "<unknown: parameters('locations')>")
	some g in rule.deny with input as locations
	contains(g.message, "its additional locations are not known before deployment")
	gateway := estate("Premium", 3, ["1", "2", "3"], [object.union(region("North Europe", 2, ["1", "2"]), {"disableGateway": "<unknown: parameters('off')>"})])
	some h in rule.deny with input as gateway
	contains(h.message, "whether the gateway of region North Europe serves is not known before deployment")
}

test_additional_locations_of_another_type_fail if {
	some f in rule.deny with input as estate("Premium", 3, ["1", "2", "3"], {"location": "North Europe"})
	contains(f.message, "its additional locations are not a list")
}

test_other_tiers_are_not_applicable if {
	count(rule.checked) == 0 with input as estate("Standard", 1, [], null)
	count(rule.checked) == 0 with input as estate("PremiumV2", 1, [], null)
}

test_production_services_selects_by_name_or_id if {
	by_name := {"production_services": ["*-PROD"]}
	count(rule.checked) == 1 with input as resilient with data.apimguard.config as by_name
	by_group := {"production_services": ["*/resourcegroups/rg-prod/*"]}
	count(rule.checked) == 1 with input as resilient with data.apimguard.config as by_group
	others := {"production_services": ["*-live"]}
	count(rule.checked) == 0 with input as estate("Premium", 1, [], null) with data.apimguard.config as others
	count(rule.deny) == 0 with input as estate("Premium", 1, [], null) with data.apimguard.config as others
}

test_bad_parameter_is_reported_not_passed if {
	bad := {"production_services": "*-prod"}
	result := rule.deny with input as estate("Premium", 3, ["1", "2", "3"], null) with data.apimguard.config as bad
	count(result) == 1
	some f in result
	f.message == `parameter production_services is "*-prod", which is not a list of glob patterns: whether service "apim-prod" must be multi-region was not judged`
	count(rule.checked) == 1 with input as resilient with data.apimguard.config as {"production_services": [1]}
}

test_units_not_stated_are_not_known if {
	some f in rule.deny with input as estate("Premium", null, ["1", "2", "3"], [region("North Europe", 2, ["1", "2"])])
	contains(f.message, "the units of primary region West Europe are not known (no sku.capacity)")
}
