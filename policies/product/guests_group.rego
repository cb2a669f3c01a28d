# METADATA
# title: Products must not be visible to the Guests group
# description: >-
#   The built-in Guests group holds everyone who visits the developer portal without
#   signing in. A product visible to it shows anonymous visitors its APIs, their operations
#   and their definitions, and invites them to subscribe: an inventory of the attack surface
#   for anyone on the internet. Products should be visible only to signed-in developers or to
#   the groups of the partners that use them. Groups that could not be read are reported as
#   not known, never as safe.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/api-management-howto-create-groups
#   - https://learn.microsoft.com/rest/api/apimanagement/product-group/list-by-product
# custom:
#   id: APIM-PRD-005
#   severity: medium
#   input: service
#   recommendation: >-
#     Remove the Guests group from the product: DELETE
#     {service}/products/{product}/groups/guests?api-version=2024-05-01 (portal: Products >
#     the product > Access control > Guests > Delete), or drop the products/groups link
#     `guests` from your templates; give access to Developers or to a group of your own.
#   frameworks:
#     owasp-api-2023: [API8, API9]
#     mcsb: [PA-7]
#     nist-800-53: ["AC-3", "AC-6"]
#     pci-dss-4: ["7.2.2"]
#     iso-27001: [A.5.15]
package apimguard.rules.product.guests_group

import rego.v1

import data.apimguard.lib.estate

checked contains p.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some p in svc.products
}

deny contains {"resource": p.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some p in svc.products
	some group in _groups(p)
	_is_guests(group)
	msg := sprintf("product %q of service %q is visible to the Guests group: anonymous visitors of the developer portal see its %d API(s)", [p.name, svc.name, count(p.apis)])
}

deny contains {"resource": p.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some p in svc.products
	not is_array(object.get(p, "groups", null))
	why := estate.by_source(
		"the snapshot does not have its groups (collected by an older apimguard, or not readable)",
		"the files do not give its groups (APIOps folders are not read for them)",
	)
	msg := sprintf("which groups see product %q of service %q is not known: %s", [p.name, svc.name, why])
}

_groups(p) := groups if {
	groups := object.get(p, "groups", null)
	is_array(groups)
}

# The built-in group by its name (`guests`), or by what it says it is: older services name
# their built-in groups by id, with displayName "Guests".
_is_guests(group) if lower(object.get(group, "name", "")) == "guests"

_is_guests(group) if {
	props := object.get(group, "properties", {})
	lower(object.get(props, "displayName", "")) == "guests"
	lower(object.get(props, "type", "")) == "system"
}
