# METADATA
# title: Defender CSPM's API security posture extension must be on where API Management runs
# description: >-
#   Defender for APIs watches traffic; Defender CSPM's API security posture management
#   (the ApiPosture extension of the Microsoft.Security/pricings/CloudPosture plan) is what
#   inventories the APIs of the subscription's API Management services, finds those exposed
#   without authentication or to the internet and those carrying sensitive data, and puts
#   them on attack paths and in the cloud security explorer. With the plan off, or the
#   extension off, nothing assesses that posture continuously. A plan that could not be read
#   is reported as not known.
# related_resources:
#   - https://learn.microsoft.com/azure/defender-for-cloud/api-security-posture-overview
#   - https://learn.microsoft.com/azure/defender-for-cloud/tutorial-enable-cspm-plan
#   - https://learn.microsoft.com/rest/api/defenderforcloud/pricings/get
# custom:
#   id: APIM-DEF-014
#   severity: medium
#   needs: [defender-plan]
#   input: subscription
#   recommendation: >-
#     Turn on Defender CSPM with its API security posture extension: `az security pricing
#     create --name CloudPosture --tier Standard --extensions name=ApiPosture isEnabled=true`
#     (portal: Defender for Cloud > Environment settings > the subscription > Defender plans >
#     Defender CSPM: On > Settings > API security posture management: On), or declare the
#     CloudPosture pricing with that extension in your templates.
#   frameworks:
#     owasp-api-2023: [API9]
#     mcsb: [AM-1, PV-2]
#     nist-800-53: ["CM-8", "RA-5"]
#     pci-dss-4: ["12.5.1"]
#     iso-27001: [A.5.9, A.8.8]
#     azure-policy: [1f90fc71-a595-4066-8974-d4d0802e8ef0]
#     defender: ["Microsoft Defender CSPM should be enabled"]
package apimguard.rules.defender.cspm_api_posture

import rego.v1

import data.apimguard.lib.estate

subscriptions contains sub if {
	some sub in input.subscriptions
	count(sub.services) > 0
}

checked contains estate.subscription_resource(sub) if {
	some sub in subscriptions
}

deny contains {"resource": estate.subscription_resource(sub), "message": msg} if {
	some sub in subscriptions
	plan := object.get(sub, "defenderCspm", null)
	is_object(plan)
	problem := _problem(plan)
	msg := sprintf("subscription %q (%s) holds %d API Management service(s), but %s", [object.get(sub, "displayName", ""), sub.subscriptionId, count(sub.services), problem])
}

deny contains {"resource": estate.subscription_resource(sub), "message": msg} if {
	some sub in subscriptions
	not is_object(object.get(sub, "defenderCspm", null))
	what := estate.by_source(
		"the state of its Defender CSPM plan is not known (not in the snapshot: collected by an older apimguard, not readable, or not offered in this cloud)",
		"the files do not declare its Defender CSPM plan (the CloudPosture pricing), so its API security posture extension is not known to be on",
	)
	msg := sprintf("subscription %q (%s) holds %d API Management service(s), but %s", [object.get(sub, "displayName", ""), sub.subscriptionId, count(sub.services), what])
}

_problem(plan) := sprintf("%s (pricing tier %v)", [estate.by_source("its Defender CSPM plan is off", "the files set its Defender CSPM plan off"), object.get(plan, "pricingTier", "unknown")]) if {
	not plan.enabled == true
}

_problem(plan) := estate.by_source("the API security posture extension (ApiPosture) of its Defender CSPM plan is off", "the files leave the API security posture extension (ApiPosture) of its Defender CSPM plan off") if {
	plan.enabled == true
	not plan.apiPosture == true
}
