# METADATA
# title: Defender for Cloud recommendations on API resources must be healthy
# description: >-
#   Defender for Cloud assesses APIs and API Management services on its own (authentication
#   of endpoints, unused endpoints, encrypted protocols, backend validation, …). An Unhealthy
#   assessment is Microsoft's own view that the resource is misconfigured, and it also lowers
#   the secure score auditors see. This rule reports every such finding the snapshot carries,
#   including ones no other apimguard rule models.
# related_resources:
#   - https://learn.microsoft.com/azure/defender-for-cloud/recommendations-reference-api
#   - https://learn.microsoft.com/azure/defender-for-cloud/review-security-recommendations
# custom:
#   id: APIM-DEF-013
#   severity: medium
#   needs: [recommendations]
#   input: service
#   recommendation: >-
#     Open the recommendation in Defender for Cloud, apply its remediation steps to the
#     resource (or exempt it there with a category and an expiry date), and collect again.
#   frameworks:
#     owasp-api-2023: [API8, API9]
#     mcsb: [PV-2]
#     nist-800-53: ["CM-6", "RA-5"]
#     pci-dss-4: ["2.2.1"]
#     iso-27001: [A.8.8, A.8.9]
package apimguard.rules.defender.unhealthy_recommendations

import rego.v1

import data.apimguard.lib.estate

checked contains rec.resourceId if {
	some sub in input.subscriptions
	some rec in sub.recommendations
	rec.status != "NotApplicable"
}

deny contains {"resource": rec.resourceId, "message": msg} if {
	some sub in input.subscriptions
	some rec in sub.recommendations
	rec.status == "Unhealthy"
	msg := sprintf("Defender for Cloud recommendation %q (%s severity) is unhealthy for %q", [_title(rec), rec.severity, estate.resource_name(rec.resourceId)])
}

_title(rec) := rec.displayName if object.get(rec, "displayName", "") != ""

_title(rec) := rec.name if object.get(rec, "displayName", "") == ""
