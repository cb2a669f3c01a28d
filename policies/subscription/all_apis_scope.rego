# METADATA
# title: API Management subscriptions must not be scoped to all APIs
# description: >-
#   A key scoped to all APIs opens every API of the service, including ones added later,
#   and bypasses every product policy (rate limits, quotas, product-level checks). One leak
#   exposes the whole estate; it is excessive data exposure by design.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/api-management-subscriptions
#   - https://learn.microsoft.com/azure/defender-for-cloud/recommendations-reference-api
# custom:
#   id: APIM-SUB-001
#   severity: medium
#   input: service
#   recommendation: >-
#     Replace the subscription with product-scoped (or single-API) subscriptions for what the
#     consumer needs, then cancel it; for the built-in all-access subscription, regenerate
#     its keys and keep it suspended unless an administrator needs it.
#   frameworks:
#     owasp-api-2023: [API3, API5]
#     mcsb: [PA-7]
#     nist-800-53: ["AC-6"]
#     pci-dss-4: ["7.2.2"]
#     iso-27001: [A.5.15]
#     azure-policy: [3aa03346-d8c5-4994-a5bc-7652c2a2aef1]
#     defender: ["API Management subscriptions shouldn't be scoped to all APIs"]
package apimguard.rules.subscription.all_apis_scope

import rego.v1

checked contains s.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some s in svc.apimSubscriptions
}

deny contains {"resource": s.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some s in svc.apimSubscriptions
	endswith(sprintf("%v", [object.get(s.properties, "scope", "")]), "/apis")
	object.get(s.properties, "state", "") == "active"
	msg := sprintf("subscription %q of service %q is active and scoped to all APIs", [object.get(s.properties, "displayName", s.name), svc.name])
}
