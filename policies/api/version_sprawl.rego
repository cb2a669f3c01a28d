# METADATA
# title: Version sets should not keep many old versions online
# description: >-
#   Every old API version left online is more surface with older code, older validation and
#   often weaker authentication, and it is the version attackers look for (improper
#   inventory management). Keep the current version and a small number of predecessors
#   that callers are migrating from.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/api-management-versions
#   - https://learn.microsoft.com/azure/api-management/mitigate-owasp-api-threats
# custom:
#   id: APIM-API-007
#   severity: low
#   input: service
#   recommendation: >-
#     Announce a retirement date for the oldest versions, move their callers to a current
#     version, then take the old versions offline or delete them (the API > Versions).
#   frameworks:
#     owasp-api-2023: [API9]
#     mcsb: [AM-3]
#     nist-800-53: ["CM-7", "CM-8"]
#     pci-dss-4: ["12.5.1"]
#     iso-27001: [A.5.9]
#   parameters:
#     max_api_versions: { default: 3, description: "Most versions of one version set that may be online at once." }
package apimguard.rules.api.version_sprawl

import rego.v1

import data.apimguard.lib.estate

default max_versions := 3

max_versions := object.get(data.apimguard.config, "max_api_versions", 3)

# The APIs of each version set. A version set belongs to one service (it is a child
# resource of the service, and an API can only join a set of its own service), so sets are
# told apart by their service and their id in lower case (ARM ids are case-insensitive):
# the rule depends on one service at a time (custom.input: service). Each member is the
# set's id as the API spells it, the API's position in its service's apis, and whether it
# is online.
version_sets[set] contains member if {
	some si, sub in input.subscriptions
	some vi, svc in sub.services
	some ai, api in svc.apis
	set_id := object.get(api.properties, "apiVersionSetId", null)
	is_string(set_id)
	set_id != ""
	set := {"subscription": si, "service": vi, "id": lower(set_id)}
	member := {"setId": set_id, "api": ai, "online": object.get(api.properties, "isOnline", true) != false}
}

checked contains _set_resource(members) if {
	some members in version_sets
	some member in members
	member.online
}

deny contains {"resource": _set_resource(members), "message": msg} if {
	some set, members in version_sets
	apis := input.subscriptions[set.subscription].services[set.service].apis
	versions := {_version_label(apis[member.api]) | some member in members; member.online}
	count(versions) > max_versions
	msg := sprintf("version set %q has %d versions online (%s); at most %d are allowed", [estate.resource_name(set.id), count(versions), concat(", ", sort(versions)), max_versions])
}

_version_label(api) := sprintf("%s %v", [api.name, object.get(api.properties, "apiVersion", "(no version)")])

# The set's id under the smallest of its spellings.
_set_resource(members) := sort({member.setId | some member in members})[0]
