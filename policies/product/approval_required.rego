# METADATA
# title: Product subscriptions should need an administrator's approval
# description: >-
#   When approvalRequired is false, anyone who signs up on the developer portal gets a
#   working key at once: subscription keys stop being a control over who may call the APIs.
#   Approval keeps a person between a sign-up and access.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/api-management-howto-add-products
#   - https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.ProductApproval/
# custom:
#   id: APIM-PRD-002
#   severity: low
#   input: service
#   recommendation: >-
#     Set properties.approvalRequired to true on the product (portal: the product > Settings
#     > Requires approval), and review pending subscriptions.
#   frameworks:
#     owasp-api-2023: [API5]
#     mcsb: [PA-7]
#     nist-800-53: ["AC-2", "AC-6"]
#     pci-dss-4: ["7.2.2"]
#     iso-27001: [A.5.18]
#     psrule: [Azure.APIM.ProductApproval]
package apimguard.rules.product.approval_required

import rego.v1

# Approval only exists for products that require a subscription.
checked contains p.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some p in svc.products
	object.get(p.properties, "subscriptionRequired", true) == true
}

deny contains {"resource": p.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some p in svc.products
	object.get(p.properties, "subscriptionRequired", true) == true
	object.get(p.properties, "approvalRequired", false) != true
	msg := sprintf("product %q (service %q) grants subscriptions without approval", [object.get(p.properties, "displayName", p.name), svc.name])
}
