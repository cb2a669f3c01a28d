# METADATA
# title: Production Premium services must serve from more than one region, with units in every zone
# description: >-
#   A gateway in one region goes down with that region, taking every API with it; Microsoft
#   recommends deploying production Premium services to several regions, each with
#   availability zones and at least as many units as zones, so that a zone or a region
#   outage leaves gateways serving. This rule checks, for each Premium service counted as
#   production (parameter production_services, by default every Premium service, as PSRule
#   for Azure does): that at least two regions run a gateway (the primary region and the
#   additionalLocations whose gateway is not disabled); that each additional region spreads
#   its units over two or more availability zones (the primary region's zones are
#   APIM-SVC-013's); and that every serving region has at least as many units
#   (sku.capacity) as zones, since a zone without a unit serves nothing. Only the Premium
#   (classic) tier deploys to several regions, so other tiers are not applicable. A value
#   the IaC files leave open until deployment is reported as not known, never passed.
# related_resources:
#   - https://learn.microsoft.com/azure/reliability/reliability-api-management
#   - https://learn.microsoft.com/azure/api-management/api-management-howto-deploy-multi-region
#   - https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.MultiRegion/
#   - https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.AvailabilityZone/
# custom:
#   id: APIM-SVC-020
#   severity: low
#   needs: [service-settings]
#   input: service
#   recommendation: >-
#     Add at least one additional location to the service (portal: the service > Locations)
#     with its gateway enabled, set two or more availability zones in each additional
#     location, and give every region at least as many units as zones (for example zones
#     ["1","2","3"] with capacity 3). Limit the rule to your production services with the
#     parameter production_services.
#   frameworks:
#     owasp-api-2023: [API4]
#     nist-800-53: ["CP-7", "SC-36"]
#     iso-27001: [A.8.14]
#     psrule: [Azure.APIM.MultiRegion, Azure.APIM.AvailabilityZone]
#   unmapped:
#     mcsb: "MCSB v1 has no availability or redundancy control (its backup and recovery family, BR, covers backups only); NIST CP-7 and SC-36 and ISO A.8.14 carry the mapping."
#   parameters:
#     production_services: { default: ["*"], description: "Which Premium services count as production: glob patterns over the service's ARM id or name, matched without regard to case, `*` also matching `/` (for example `*-prod`, `*/resourceGroups/rg-prod-*/*`). The default `[\"*\"]` counts every Premium service; any value other than a list of strings is reported on every Premium service." }
package apimguard.rules.service.multi_region

import rego.v1

import data.apimguard.lib.estate

# Which Premium services count as production (parameter production_services; the
# default also when there is no configuration at all, as in OPA without data).
default patterns := ["*"]

patterns := object.get(data.apimguard.config, "production_services", ["*"])

_valid_patterns if {
	is_array(patterns)
	every p in patterns {
		is_string(p)
	}
}

_premium contains svc if {
	some sub in input.subscriptions
	some svc in sub.services
	svc.sku.name == "Premium"
}

# (A newline as the only delimiter: `*` then also matches `/`, the same in OPA and
# regorus, whose defaults for an empty list differ; no ARM id holds a newline.)
_production(svc) if {
	_valid_patterns
	some p in patterns
	some name in [lower(svc.id), lower(svc.name)]
	glob.match(lower(p), ["\n"], name)
}

checked contains svc.id if {
	some svc in _premium
	_production(svc)
}

checked contains svc.id if {
	some svc in _premium
	not _valid_patterns
}

deny contains {"resource": svc.id, "message": msg, "setting": "properties/additionalLocations"} if {
	some svc in _premium
	_production(svc)
	problems := _problems(svc)
	count(problems) > 0
	msg := sprintf("Premium service %q (%s): %s", [svc.name, svc.location, concat("; ", problems)])
}

deny contains {"resource": svc.id, "message": msg} if {
	some svc in _premium
	not _valid_patterns
	msg := sprintf("parameter production_services is %s, which is not a list of glob patterns: whether service %q must be multi-region was not judged", [json.marshal(patterns), svc.name])
}

# Every problem of a service, in a stable order: the regions first, then each region's
# zones and units.
_problems(svc) := array.concat(_region_problems(svc), [p |
	some loc in _locations(svc)
	some p in _location_problems(loc)
])

# --- Regions ---------------------------------------------------------------------------

# The additional locations as written (null or absent: none).
_additional(svc) := object.get(svc.properties, "additionalLocations", null)

_additional_list(svc) := a if {
	a := _additional(svc)
	is_array(a)
} else := []

# Every location of the service as {label, primary, zones, units, gateway}: gateway is
# true, false or "unknown" (a value left open in the IaC files).
_locations(svc) := array.concat(
	[{"label": sprintf("primary region %s", [svc.location]), "primary": true, "zones": _primary_zones(svc), "units": object.get(svc.sku, "capacity", null), "gateway": _gateway(object.get(svc.properties, "disableGateway", false))}],
	[{"label": sprintf("region %s", [object.get(loc, "location", "?")]), "primary": false, "zones": object.get(loc, "zones", null), "units": object.get(object.get(loc, "sku", {}), "capacity", null), "gateway": _gateway(object.get(loc, "disableGateway", false))} |
		some loc in _additional_list(svc)
		is_object(loc)
	],
)

# Zones are a top-level field of the ARM resource; some exports put them in properties.
_primary_zones(svc) := z if {
	z := object.get(svc, "zones", null)
	is_array(z)
	count(z) > 0
} else := object.get(svc.properties, "zones", null)

_gateway(disabled) := "unknown" if estate.unknown(disabled)

_gateway(disabled) := false if {
	not estate.unknown(disabled)
	estate.is_true(disabled)
}

_gateway(disabled) := true if {
	not estate.unknown(disabled)
	not estate.is_true(disabled)
}

_region_problems(svc) := [sprintf("its additional locations are not known before deployment (%v)", [_additional(svc)])] if {
	estate.unknown(_additional(svc))
} else := [sprintf("its additional locations are not a list (%s)", [json.marshal(_additional(svc))])] if {
	a := _additional(svc)
	a != null
	not is_array(a)
} else := _unknown_gateways(svc) if {
	count(_unknown_gateways(svc)) > 0
} else := [sprintf("its gateway serves from %d region(s) (%s); at least 2 are needed to survive a region outage", [count(serving), concat(", ", serving)])] if {
	serving := [loc.label | some loc in _locations(svc); loc.gateway == true]
	count(serving) < 2
} else := []

_unknown_gateways(svc) := [sprintf("whether the gateway of %s serves is not known before deployment (disableGateway)", [loc.label]) |
	some loc in _locations(svc)
	loc.gateway == "unknown"
]

# --- Zones and units per region -----------------------------------------------------------

# A region whose gateway is disabled serves nothing: its zones and units are not judged.
_location_problems(loc) := [] if {
	loc.gateway != true
} else := [sprintf("the availability zones of %s are not known before deployment", [loc.label])] if {
	estate.unknown(loc.zones)
} else := [sprintf("the units of %s are not known before deployment", [loc.label])] if {
	estate.unknown(loc.units)
} else := [sprintf("the units of %s are not known (no sku.capacity)", [loc.label])] if {
	loc.units == null
} else := [sprintf("the units of %s are not a number (%s)", [loc.label, json.marshal(loc.units)])] if {
	not is_number(loc.units)
} else := [p |
	some p in [_zone_problem(loc), _unit_problem(loc)]
	p != ""
]

_zone_count(loc) := count(loc.zones) if is_array(loc.zones)

_zone_count(loc) := 0 if not is_array(loc.zones)

# Additional regions need two or more zones (the primary region is APIM-SVC-013's).
_zone_problem(loc) := sprintf("%s uses %d availability zone(s); at least 2 are needed for zone redundancy", [loc.label, _zone_count(loc)]) if {
	not loc.primary
	_zone_count(loc) < 2
} else := ""

_unit_problem(loc) := sprintf("%s has %v unit(s) for %d availability zones; a zone without a unit serves nothing", [loc.label, loc.units, _zone_count(loc)]) if {
	loc.units < _zone_count(loc)
} else := ""
