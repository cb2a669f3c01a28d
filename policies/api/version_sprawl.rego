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

# Version set id (lower case) → "name (version)" of each online API in it; built once.
online_versions[set_id] contains label if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	raw := object.get(api.properties, "apiVersionSetId", null)
	is_string(raw)
	raw != ""
	object.get(api.properties, "isOnline", true) != false
	set_id := lower(raw)
	label := sprintf("%s %v", [api.name, object.get(api.properties, "apiVersion", "(no version)")])
}

checked contains set_id if {
	some set_id, _ in online_versions
}

deny contains {"resource": set_id, "message": msg} if {
	some set_id, members in online_versions
	count(members) > max_versions
	parts := split(set_id, "/")
	msg := sprintf("version set %q has %d versions online (%s); at most %d are allowed", [parts[count(parts) - 1], count(members), concat(", ", sort(members)), max_versions])
}
