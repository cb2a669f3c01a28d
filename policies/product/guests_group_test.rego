package apimguard.rules.product.guests_group_test

import rego.v1

import data.apimguard.rules.product.guests_group as rule

prd(groups) := {"id": "prd", "name": "partners", "properties": {}, "apis": ["a", "b"], "groups": groups}

estate(p) := {"subscriptions": [{"services": [{"id": "svc", "name": "apim", "products": [p]}]}]}

group(name, display, type) := {"id": concat("/", ["prd/groups", name]), "name": name, "properties": {"displayName": display, "builtIn": true, "type": type}}

test_guests_by_name_fails if {
	result := rule.deny with input as estate(prd([group("developers", "Developers", "system"), group("guests", "Guests", "system")]))
	result == {{"resource": "prd", "message": "product \"partners\" of service \"apim\" is visible to the Guests group: anonymous visitors of the developer portal see its 2 API(s)"}}
}

test_guests_by_id_and_display_name_fails if {
	# Microsoft's ListProductGroups example: built-in groups named by id.
	count(rule.deny) == 1 with input as estate(prd([group("5600b57e7e8880006a020003", "Guests", "system")]))
	count(rule.deny) == 1 with input as estate(prd([group("GUESTS", "", "")]))
}

test_developers_only_passes if {
	doc := estate(prd([group("developers", "Developers", "system"), group("partners-contoso", "Guests", "custom")]))
	count(rule.deny) == 0 with input as doc
	rule.checked == {"prd"} with input as doc
	count(rule.deny) == 0 with input as estate(prd([]))
}

test_groups_not_known_fail if {
	some f in rule.deny with input as estate(object.remove(prd([]), ["groups"]))
	contains(f.message, "is not known")
	count(rule.deny) == 1 with input as estate(prd(null))
}
