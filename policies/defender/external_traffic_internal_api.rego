# METADATA
# title: APIs configured as internal must not receive internet traffic
# description: >-
#   The snapshot says the API is not reachable from the internet (internal virtual network,
#   private gateway), yet Defender for APIs observed internet traffic on some of its endpoints.
#   Either the network design leaks (an Application Gateway or a public IP forwards to it) or
#   the inventory is wrong; both mean an exposure nobody reviewed.
# related_resources:
#   - https://learn.microsoft.com/azure/defender-for-cloud/defender-for-apis-introduction
#   - https://learn.microsoft.com/azure/api-management/virtual-network-concepts
# custom:
#   id: APIM-DEF-009
#   severity: high
#   needs: [defender-findings]
#   input: service
#   recommendation: >-
#     Trace the path the internet traffic takes to the gateway (Application Gateway or Front
#     Door rules, public IPs, NSGs of the APIM subnet) and close it, or, if the exposure is
#     intended, review the API as an external one (authentication, rate limits, Defender
#     onboarding) and fix the inventory.
#   frameworks:
#     owasp-api-2023: [API8, API9]
#     mcsb: [NS-2]
#     nist-800-53: ["AC-4", "SC-7"]
#     pci-dss-4: ["1.3.1"]
#     iso-27001: [A.8.20, A.8.22]
package apimguard.rules.defender.external_traffic_internal_api

import rego.v1

import data.apimguard.lib.estate

checked contains api.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	not api.exposure.external
	api.defender.onboarded
	is_number(api.defender.externalEndpoints)
}

deny contains {"resource": api.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	not api.exposure.external
	api.defender.onboarded
	n := api.defender.externalEndpoints
	is_number(n)
	n > 0
	msg := sprintf("API %q (service %q) is configured as internal, but Defender for APIs observed internet traffic on %d%s of its endpoint(s)", [api.displayName, svc.name, n, estate.of_total(api)])
}
