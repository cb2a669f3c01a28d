# METADATA
# title: The sample products Starter and Unlimited should be removed
# description: >-
#   Every new service comes with the Starter and Unlimited sample products (and the Echo
#   API). They are published, well known to attackers and rarely reviewed: "Unlimited" has
#   no rate limit at all, and APIs added to them by mistake become callable with keys nobody
#   tracks.
# related_resources:
#   - https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.SampleProducts/
#   - https://learn.microsoft.com/azure/api-management/api-management-howto-add-products
# custom:
#   id: APIM-PRD-003
#   severity: medium
#   input: service
#   recommendation: >-
#     Move any real consumer to a product of your own, then delete the starter and unlimited
#     products (portal: Products > ... > Delete; deleting also removes their subscriptions).
#   frameworks:
#     owasp-api-2023: [API9, API5]
#     mcsb: [PV-2]
#     nist-800-53: ["CM-7"]
#     pci-dss-4: ["2.2.2"]
#     iso-27001: [A.8.9]
#     psrule: [Azure.APIM.SampleProducts]
package apimguard.rules.product.sample_products

import rego.v1

samples := {"starter", "unlimited"}

checked contains p.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some p in svc.products
}

deny contains {"resource": p.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some p in svc.products
	lower(p.name) in samples
	msg := sprintf("service %q still has the sample product %q (%d API(s))", [svc.name, p.name, count(p.apis)])
}
