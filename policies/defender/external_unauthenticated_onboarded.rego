# METADATA
# title: External unauthenticated APIs must be onboarded to Defender for APIs
# description: >-
#   An API that the internet can reach without authentication is the easiest way in.
#   Defender for APIs watches its traffic for abuse. Fix: onboard it.
# custom:
#   id: APIM-DEF-001
#   severity: critical
#   remediation: defender.onboard_api
#   frameworks: { owasp-api-2023: [API2, API9] }
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
	msg := sprintf("API %q is reachable from the internet, %s, and not onboarded to Defender for APIs", [api.displayName, api.auth.effective])
}
