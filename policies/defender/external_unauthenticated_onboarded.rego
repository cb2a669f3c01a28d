# METADATA
# title: External unauthenticated APIs must be onboarded to Defender for APIs
# description: >-
#   An API that the internet can reach without authentication is the easiest way into an
#   estate: anyone can call it, enumerate it and abuse it, and nobody is told. Defender for
#   APIs watches its traffic for abuse (suspicious IPs, enumeration, payload spikes) and
#   classifies the data it returns. When the collector cannot tell whether the API
#   authenticates its callers, it is treated as unauthenticated (fail closed).
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/protect-with-defender-for-apis
#   - https://learn.microsoft.com/azure/defender-for-cloud/defender-for-apis-deploy
# custom:
#   id: APIM-DEF-001
#   severity: critical
#   needs: [defender-onboarding]
#   input: service
#   recommendation: >-
#     Onboard the API to Defender for APIs now (portal: Defender for Cloud > Recommendations >
#     "Azure API Management APIs should be onboarded to Defender for APIs" > Fix; REST:
#     PUT {service}/providers/Microsoft.Security/apiCollections/{apiName}?api-version=2023-11-15),
#     then add authentication (validate-jwt, a subscription key or a client certificate).
#   remediation: defender.onboard_api
#   frameworks:
#     owasp-api-2023: [API2, API9]
#     mcsb: [LT-1, IM-4]
#     nist-800-53: ["SI-4", "AC-3"]
#     pci-dss-4: ["11.5.1", "7.2.1"]
#     iso-27001: [A.8.16, A.5.15]
#     psrule: [Azure.APIM.DefenderCloud]
#     defender: ["Azure API Management APIs should be onboarded to Defender for APIs"]
package apimguard.rules.defender.external_unauthenticated_onboarded

import rego.v1

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
	api.exposure.external
	api.auth.effective != "authenticated"
	api.defender.eligible
	not api.defender.onboarded
	msg := sprintf("API %q of service %q is reachable from the internet, its authentication is %s, and %s", [api.displayName, svc.name, api.auth.effective, not_onboarded])
}

# What the snapshot knows of onboarding: from IaC files, only what they declare (this
# rule stands alone, without the shared library, so it is written out here).
default not_onboarded := "it is not onboarded to Defender for APIs"

not_onboarded := "the files declare no Defender API collection (Microsoft.Security/apiCollections) for it" if {
	object.get(object.get(input, "source", {}), "kind", "") == "iac"
}
