# METADATA
# title: Defender for APIs plan must be enabled on subscriptions that hold API Management
# description: >-
#   Defender for APIs protects nothing until its plan (Microsoft.Security/pricings/Api) is on
#   the subscription: no runtime alerts, no API inventory, no sensitive-data classification.
#   A plan whose state could not be read is reported too (fail closed), because an unknown
#   plan cannot be relied on.
# related_resources:
#   - https://learn.microsoft.com/azure/defender-for-cloud/defender-for-apis-deploy
#   - https://learn.microsoft.com/azure/defender-for-cloud/recommendations-reference-api
# custom:
#   id: APIM-DEF-002
#   severity: high
#   needs: [defender-plan]
#   input: subscription
#   recommendation: >-
#     Enable the plan: `az security pricing create -n Api --tier standard --subplan P1`
#     (portal: Defender for Cloud > Environment settings > the subscription > Defender plans >
#     APIs: On). Size the sub-plan from the services' monthly Requests metric (P1 covers 1M
#     calls; overage is billed). Then onboard the APIs (APIM-DEF-003).
#   remediation: defender.enable_plan
#   frameworks:
#     owasp-api-2023: [API9]
#     mcsb: [DP-1, DP-2, IR-3, IR-5, LT-1]
#     nist-800-53: ["SI-4", "RA-5", "IR-4", "AU-6"]
#     pci-dss-4: ["11.5.1", "6.3.3"]
#     iso-27001: [A.8.16]
#     azure-policy: [7926a6d1-b268-4586-8197-e8ae90c877d7]
#     psrule: [Azure.Defender.Api]
#     defender: ["Microsoft Defender for APIs should be enabled"]
package apimguard.rules.defender.plan_enabled

import rego.v1

import data.apimguard.lib.estate

checked contains estate.subscription_resource(sub) if {
	some sub in input.subscriptions
	count(sub.services) > 0
}

deny contains {"resource": estate.subscription_resource(sub), "message": msg} if {
	some sub in input.subscriptions
	count(sub.services) > 0
	object.get(sub, "defenderForApis", null) == null
	msg := sprintf("subscription %q (%s) holds %d API Management service(s), but the state of its Defender for APIs plan could not be read", [object.get(sub, "displayName", ""), sub.subscriptionId, count(sub.services)])
}

deny contains {"resource": estate.subscription_resource(sub), "message": msg} if {
	some sub in input.subscriptions
	count(sub.services) > 0
	plan := object.get(sub, "defenderForApis", null)
	plan != null
	not plan.enabled
	off := estate.by_source("its Defender for APIs plan is off", "the files set its Defender for APIs plan off")
	msg := sprintf("subscription %q (%s) holds %d API Management service(s), but %s (pricing tier %v)", [object.get(sub, "displayName", ""), sub.subscriptionId, count(sub.services), off, object.get(plan, "pricingTier", "unknown")])
}
