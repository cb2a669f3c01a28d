# METADATA
# title: APIs should have a display name and a description
# description: >-
#   An API nobody can identify from the inventory is an API nobody owns: during an incident
#   or an audit it is unclear what it does, who calls it and whether it can be retired
#   (improper inventory management). A description is the cheapest piece of documentation.
# related_resources:
#   - https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.APIDescriptors/
#   - https://learn.microsoft.com/azure/api-management/mitigate-owasp-api-threats
# custom:
#   id: APIM-API-006
#   severity: low
#   input: service
#   recommendation: >-
#     Set properties.displayName and properties.description on the API (portal: the API >
#     Settings), saying what it does and which team owns it.
#   frameworks:
#     owasp-api-2023: [API9]
#     mcsb: [AM-1]
#     nist-800-53: ["CM-8"]
#     pci-dss-4: ["12.5.1"]
#     iso-27001: [A.5.9]
#     psrule: [Azure.APIM.APIDescriptors]
package apimguard.rules.api.descriptors

import rego.v1

import data.apimguard.lib.estate

checked contains api.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
}

deny contains {"resource": api.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	not _described(api)
	missing := [field |
		some field in ["displayName", "description"]
		estate.blank(object.get(api.properties, field, object.get(api, field, "")))
	]
	count(missing) > 0
	msg := sprintf("API %s (service %q) has no %s", [estate.api_label(api), svc.name, concat(" and no ", missing)])
}

# Both texts set in the API's properties: nothing is missing (a cheap test that spares most
# APIs the per-field lookups below).
_described(api) if {
	name := api.properties.displayName
	is_string(name)
	trim_space(name) != ""
	description := api.properties.description
	is_string(description)
	trim_space(description) != ""
}
