# METADATA
# title: Defender for APIs collections must belong to an API Defender can still watch
# description: >-
#   An apiCollection that no longer matches a live, protectable API is inventory rot: it keeps
#   appearing in Defender's posture views (and can count against the plan) while no traffic
#   reaches it. The snapshot shows this for an onboarded API that moved to a self-hosted
#   gateway, a workspace or the Consumption tier, whose collection was discovered through
#   another service (re-created or moved to another region), or that is no longer the current
#   revision.
# related_resources:
#   - https://learn.microsoft.com/azure/defender-for-cloud/defender-for-apis-manage
#   - https://learn.microsoft.com/azure/defender-for-cloud/faq-defender-for-apis
# custom:
#   id: APIM-DEF-012
#   severity: low
#   needs: [defender-onboarding]
#   input: service
#   recommendation: >-
#     Offboard the stale collection (portal: Workload protections > API security > "..." >
#     Remove; REST: DELETE {service}/providers/Microsoft.Security/apiCollections/{apiName}
#     ?api-version=2023-11-15) and, where the API lives on elsewhere, onboard it there.
#   remediation: defender.offboard_api
#   frameworks:
#     owasp-api-2023: [API9]
#     mcsb: [LT-1]
#     nist-800-53: ["SI-4", "CM-8"]
#     pci-dss-4: ["11.5.1"]
#     iso-27001: [A.8.16]
package apimguard.rules.defender.stale_api_collection

import rego.v1

checked contains api.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	api.defender.onboarded
}

deny contains {"resource": api.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	api.defender.onboarded
	not api.defender.eligible
	msg := sprintf("API %q (service %q) has a Defender for APIs collection, but Defender can no longer see its traffic (ineligible: %v)", [api.displayName, svc.name, object.get(api.defender, "ineligibleReason", "reason unknown")])
}

deny contains {"resource": api.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	api.defender.onboarded
	# (A path read is undefined when the collection is absent or not an object; an exact
	# match, the usual case, rules the API out before the case-insensitive test.)
	via := api.defender.collection.discoveredVia
	via != svc.id
	is_string(via)
	lower(via) != lower(svc.id)
	msg := sprintf("the Defender for APIs collection of API %q (service %q) was discovered via another service (%s): it is left over from a moved or re-created service", [api.displayName, svc.name, via])
}

deny contains {"resource": api.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	api.defender.onboarded
	api.isCurrent == false
	msg := sprintf("API %q (service %q) is onboarded to Defender for APIs but is not the current revision", [api.displayName, svc.name])
}
