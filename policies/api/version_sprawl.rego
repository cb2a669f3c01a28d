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
#   recommendation: >-
#     Announce a retirement date for the oldest versions, move their callers to a current
#     version, then take the old versions offline or delete them (the API > Versions).
#   frameworks:
#     owasp-api-2023: [API9]
#     anchor: [API-008]
#   parameters:
#     max_api_versions: { default: 3, description: "Most versions of one version set that may be online at once." }
package apimguard.rules.api.version_sprawl

import rego.v1

default max_versions := 3

max_versions := object.get(data.apimguard.config, "max_api_versions", 3)

# Version set key (its id in lower case: ARM ids are case-insensitive) → "name version" of
# each online API in the set; built once.
online_versions[set_key] contains label if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	raw := _set_id(api)
	object.get(api.properties, "isOnline", true) != false
	set_key := lower(raw)
	label := sprintf("%s %v", [api.name, object.get(api.properties, "apiVersion", "(no version)")])
}

# Version set key → the ids as the APIs spell them (to report the set under its own casing).
spellings[set_key] contains raw if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	raw := _set_id(api)
	set_key := lower(raw)
}

_set_id(api) := raw if {
	raw := object.get(api.properties, "apiVersionSetId", null)
	is_string(raw)
	raw != ""
}

_resource(set_key) := sort([s | some s in spellings[set_key]])[0]

checked contains _resource(set_key) if {
	some set_key, _ in online_versions
}

deny contains {"resource": _resource(set_key), "message": msg} if {
	some set_key, members in online_versions
	count(members) > max_versions
	parts := split(set_key, "/")
	msg := sprintf("version set %q has %d versions online (%s); at most %d are allowed", [parts[count(parts) - 1], count(members), concat(", ", sort(members)), max_versions])
}
