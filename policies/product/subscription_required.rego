# METADATA
# title: Products must require a subscription
# description: >-
#   A product with subscriptionRequired false publishes its APIs to anonymous callers: no
#   key, no identity, no per-consumer rate limit or revocation, and product policies that
#   rely on context.Subscription never run for them.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/api-management-howto-add-products
#   - https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.ProductSubscription/
# custom:
#   id: APIM-PRD-001
#   severity: high
#   input: service
#   recommendation: >-
#     Set properties.subscriptionRequired to true on the product (portal: the product >
#     Settings > Requires subscription) and issue subscriptions to its consumers.
#   frameworks:
#     owasp-api-2023: [API2, API5]
#     mcsb: [IM-4]
#     nist-800-53: ["AC-3", "IA-2"]
#     pci-dss-4: ["7.2.1"]
#     iso-27001: [A.5.15]
#     psrule: [Azure.APIM.ProductSubscription]
package apimguard.rules.product.subscription_required

import rego.v1

import data.apimguard.lib.estate

checked contains p.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some p in svc.products
}

deny contains {"resource": p.id, "message": msg, "setting": "properties/subscriptionRequired"} if {
	some sub in input.subscriptions
	some svc in sub.services
	some p in svc.products
	object.get(p.properties, "subscriptionRequired", true) == false
	msg := sprintf("product %q (service %q) does not require a subscription; its %d API(s) can be called anonymously", [object.get(p.properties, "displayName", p.name), svc.name, count(p.apis)])
}

deny contains {"resource": p.id, "message": msg, "setting": "properties/subscriptionRequired"} if {
	some sub in input.subscriptions
	some svc in sub.services
	some p in svc.products
	required := object.get(p.properties, "subscriptionRequired", true)
	estate.unknown(required)
	msg := sprintf("whether product %q (service %q) requires a subscription is not known before deployment (%s)", [object.get(p.properties, "displayName", p.name), svc.name, required])
}
