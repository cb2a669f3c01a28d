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

default max_versions := 3

max_versions := object.get(data.apimguard.config, "max_api_versions", 3)

# A version set belongs to one service (it is a child resource of the service, and an API
# can only join a set of its own service), so versions are grouped per service: by the
# service's position and the set's id in lower case (ARM ids are case-insensitive). The
# rule then depends on one service at a time (custom.input: service).

# [subscription position, service position, version set key] → [the id as the API spells
# it, the API's position in the service's apis, its isOnline] for each API in the set; built
# once, in one pass over the APIs.
_in_set[group] contains entry if {
	some si, sub in input.subscriptions
	some vi, svc in sub.services
	some ai, api in svc.apis
	raw := object.get(api.properties, "apiVersionSetId", null)
	is_string(raw)
	raw != ""
	group := [si, vi, lower(raw)]
	entry := [raw, ai, object.get(api.properties, "isOnline", true)]
}

# The same group → positions of its online APIs (sets with at least one). Their
# "name version" labels are only made for sets over the limit (deny): there can only be
# fewer labels than APIs.
online_apis[group] := positions if {
	some group, entries in _in_set
	positions := {e[1] | some e in entries; e[2] != false}
	count(positions) > 0
}

# The set's id under the smallest of its spellings.
_resource(group) := sort({e[0] | some e in _in_set[group]})[0]

checked contains _resource(group) if {
	some group, _ in online_apis
}

deny contains {"resource": _resource(group), "message": msg} if {
	limit := max_versions
	some group, positions in online_apis
	count(positions) > limit
	apis := input.subscriptions[group[0]].services[group[1]].apis
	members := {label |
		some ai in positions
		api := apis[ai]
		label := sprintf("%s %v", [api.name, object.get(api.properties, "apiVersion", "(no version)")])
	}
	count(members) > limit
	parts := split(group[2], "/")
	msg := sprintf("version set %q has %d versions online (%s); at most %d are allowed", [parts[count(parts) - 1], count(members), concat(", ", sort(members)), limit])
}
