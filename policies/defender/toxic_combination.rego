# METADATA
# title: No API may be external, unauthenticated and exposing sensitive data at once
# description: >-
#   The worst combination Defender for APIs can report: endpoints that receive internet
#   traffic, are called without authentication, and return data classified as sensitive.
#   This is an open door to a data breach (broken authentication plus excessive data
#   exposure), the "unauthenticated API endpoints containing sensitive data outside the
#   virtual network" attack path of Defender CSPM.
# related_resources:
#   - https://learn.microsoft.com/azure/defender-for-cloud/defender-for-apis-posture
#   - https://learn.microsoft.com/azure/defender-for-cloud/defender-for-apis-introduction
# custom:
#   id: APIM-DEF-006
#   severity: critical
#   needs: [defender-findings]
#   input: service
#   recommendation: >-
#     Treat as an incident: require authentication on the API now (validate-jwt or a client
#     certificate in the inbound policy, subscriptionRequired true), restrict it to known
#     callers (ip-filter, private network), review Defender's alerts for past abuse, and stop
#     returning sensitive fields the callers do not need.
#   frameworks:
#     owasp-api-2023: [API2, API3]
#     mcsb: [DP-2, IM-4]
#     nist-800-53: ["AC-3", "SC-7"]
#     pci-dss-4: ["7.2.1"]
#     iso-27001: [A.5.15, A.8.12]
package apimguard.rules.defender.toxic_combination

import rego.v1

import data.apimguard.lib.estate

checked contains api.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	api.defender.onboarded
	is_number(api.defender.externalEndpoints)
	is_number(api.defender.unauthenticatedEndpoints)
	is_number(api.defender.sensitiveEndpoints)
}

deny contains {"resource": api.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	api.defender.onboarded
	ext := api.defender.externalEndpoints
	is_number(ext)
	ext > 0
	unauth := api.defender.unauthenticatedEndpoints
	is_number(unauth)
	unauth > 0
	sens := api.defender.sensitiveEndpoints
	is_number(sens)
	sens > 0
	msg := sprintf("API %q (service %q) is called from the internet (%d endpoint(s)), without authentication (%d endpoint(s)), and exposes sensitive data (%d endpoint(s)%s)", [api.displayName, svc.name, ext, unauth, sens, estate.label_note(api)])
}
