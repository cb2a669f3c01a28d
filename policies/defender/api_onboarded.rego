# METADATA
# title: APIs that Defender for APIs can protect must be onboarded
# description: >-
#   Enabling the plan alone protects nothing: each API must be onboarded (an apiCollection
#   per API) before Defender sees its traffic, raises alerts on it or classifies the data it
#   exposes. Every API that is not onboarded is a blind spot in the inventory and in threat
#   detection.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/protect-with-defender-for-apis
#   - https://learn.microsoft.com/azure/defender-for-cloud/defender-for-apis-deploy
# custom:
#   id: APIM-DEF-003
#   severity: high
#   needs: [defender-onboarding]
#   input: service
#   recommendation: >-
#     Onboard the API (REST: PUT {service}/providers/Microsoft.Security/apiCollections/{apiName}
#     ?api-version=2023-11-15; Bicep: a Microsoft.Security/apiCollections extension resource
#     scoped to the service). Onboard gradually and watch the service's Capacity metric:
#     Microsoft warns that onboarding raises gateway load.
#   remediation: defender.onboard_api
#   frameworks:
#     owasp-api-2023: [API9]
#     mcsb: [LT-1, DP-2]
#     nist-800-53: ["SI-4", "RA-5"]
#     pci-dss-4: ["11.5.1"]
#     iso-27001: [A.8.16]
#     psrule: [Azure.APIM.DefenderCloud]
#     defender: ["Azure API Management APIs should be onboarded to Defender for APIs"]
package apimguard.rules.defender.api_onboarded

import rego.v1

import data.apimguard.lib.estate

checked contains api.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	api.defender.eligible
}

deny contains {"resource": api.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	api.defender.eligible
	not api.defender.onboarded
	not_onboarded := estate.by_source("is not onboarded", "the files declare no Defender API collection (Microsoft.Security/apiCollections) for it")
	msg := sprintf("API %q of service %q can be protected by Defender for APIs but %s%s", [api.displayName, svc.name, not_onboarded, _plan_note(sub)])
}

# Only a plan known to be off is named: IaC files that do not declare the plan say
# nothing about it.
_plan_note(sub) := " (the subscription's Defender for APIs plan is not enabled either: enable it first)" if {
	estate.defender_plan_off(sub)
} else := ""
