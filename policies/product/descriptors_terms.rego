# METADATA
# title: Products should have a description and terms of use
# description: >-
#   Consumers subscribe to products on the developer portal; without a description they
#   cannot tell what they get, and without terms of use there is no stated limit on how the
#   APIs and their data may be used, which weakens every later abuse or data-handling claim.
#   Opinionated: internal-only products may not need terms.
# related_resources:
#   - https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.ProductDescriptors/
#   - https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.ProductTerms/
# custom:
#   id: APIM-PRD-004
#   severity: low
#   input: service
#   recommendation: >-
#     Set properties.description and properties.terms on the product (portal: the product >
#     Settings > Description / Legal terms).
#   strict: true
#   frameworks:
#     owasp-api-2023: [API9]
#     mcsb: [AM-1]
#     nist-800-53: ["PL-4"]
#     iso-27001: [A.5.10]
#     psrule: [Azure.APIM.ProductDescriptors, Azure.APIM.ProductTerms]
package apimguard.rules.product.descriptors_terms

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
	missing := [field |
		some field in ["description", "terms"]
		estate.blank(object.get(p.properties, field, null))
	]
	count(missing) > 0
	msg := sprintf("product %q (service %q) has no %s", [object.get(p.properties, "displayName", p.name), svc.name, concat(" and no ", missing)])
}
