# METADATA
# title: Defender for Cloud recommendations on API resources must be healthy
# description: >-
#   Defender for Cloud assesses APIs and API Management services on its own (authentication
#   of endpoints, unused endpoints, encrypted protocols, backend validation, …). An Unhealthy
#   assessment is Microsoft's own view that the resource is misconfigured, and it also lowers
#   the secure score auditors see. This rule reports every such finding the snapshot carries,
#   including ones no other apimguard rule models. An assessment exempted in Azure comes back
#   NotApplicable with cause Exempt, which hides its real status: it is reported as not known
#   (an Azure exemption waives only with --honor-azure-exemptions), as is a NotApplicable
#   status whose cause the snapshot lacks, or a status apimguard does not know.
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
	not _does_not_apply(rec)
}

deny contains {"resource": rec.resourceId, "message": msg} if {
	some sub in input.subscriptions
	some rec in sub.recommendations
	rec.status == "Unhealthy"
	msg := sprintf("Defender for Cloud recommendation %q (%s severity) is unhealthy for %q", [_title(rec), rec.severity, estate.resource_name(rec.resourceId)])
}

# An exemption turns the status into NotApplicable and hides the real one: the
# resource is judged as if there were no exemption, and that status is not known.
deny contains {"resource": rec.resourceId, "message": msg} if {
	some sub in input.subscriptions
	some rec in sub.recommendations
	_exempt(rec)
	msg := sprintf("Defender for Cloud recommendation %q (%s severity) is exempted in Azure for %q (status NotApplicable, cause Exempt), which hides its real status: it is not known to be healthy (an Azure exemption waives only with --honor-azure-exemptions)", [_title(rec), rec.severity, estate.resource_name(rec.resourceId)])
}

deny contains {"resource": rec.resourceId, "message": msg} if {
	some sub in input.subscriptions
	some rec in sub.recommendations
	rec.status == "NotApplicable"
	not _has_cause(rec)
	msg := sprintf("Defender for Cloud recommendation %q (%s severity) is NotApplicable for %q and the snapshot does not say why (collected by an older apimguard): it may be an Azure exemption hiding an unhealthy status, so it is not known to be healthy; collect again", [_title(rec), rec.severity, estate.resource_name(rec.resourceId)])
}

deny contains {"resource": rec.resourceId, "message": msg} if {
	some sub in input.subscriptions
	some rec in sub.recommendations
	not rec.status in _statuses
	msg := sprintf("Defender for Cloud recommendation %q (%s severity) has status %q for %q, which apimguard does not know: it is not known to be healthy", [_title(rec), rec.severity, object.get(rec, "status", ""), estate.resource_name(rec.resourceId)])
}

_statuses := {"Healthy", "Unhealthy", "NotApplicable"}

# Not applicable for a reason of Azure's own (the resource does not fit, the
# assessment is off by policy): nothing to judge. An exemption is not such a reason.
_does_not_apply(rec) if {
	rec.status == "NotApplicable"
	_has_cause(rec)
	not _exempt(rec)
}

_has_cause(rec) if is_string(object.get(rec, "statusCause", null))

_exempt(rec) if {
	rec.status == "NotApplicable"
	lower(object.get(rec, "statusCause", "")) == "exempt"
}

_title(rec) := rec.displayName if object.get(rec, "displayName", "") != ""

_title(rec) := rec.name if object.get(rec, "displayName", "") == ""
