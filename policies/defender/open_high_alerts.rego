# METADATA
# title: High-severity Defender for APIs alerts must not stay open
# description: >-
#   A High-severity Defender for APIs alert (for example API_AccessFromSuspiciousIP, calls
#   from addresses Microsoft Threat Intelligence knows as malicious) means an attack on the
#   API may be under way. While it is Active or In progress, nobody has concluded whether
#   the API was breached.
# related_resources:
#   - https://learn.microsoft.com/azure/defender-for-cloud/alerts-defender-for-apis
#   - https://learn.microsoft.com/azure/defender-for-cloud/managing-and-responding-alerts
# custom:
#   id: APIM-DEF-010
#   severity: high
#   needs: [alerts]
#   input: service
#   recommendation: >-
#     Triage the alert in Defender for Cloud (Security alerts, filter "API_"): check the
#     source IPs and affected endpoints in the gateway logs, block abusive callers (ip-filter,
#     WAF), rotate keys or tokens that may have leaked, then resolve or dismiss the alert with
#     a reason.
#   frameworks:
#     owasp-api-2023: [API2, API4]
#     mcsb: [IR-4, IR-5]
#     nist-800-53: ["IR-4", "IR-5"]
#     pci-dss-4: ["12.10.5"]
#     iso-27001: [A.5.25, A.5.26]
package apimguard.rules.defender.open_high_alerts

import rego.v1

import data.apimguard.lib.estate

# Every API was looked at for open alerts, and so was every resource an API alert names.
checked contains api.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
}

checked contains alert.resourceId if {
	some sub in input.subscriptions
	some alert in sub.alerts
	estate.is_api_alert(alert)
}

deny contains {"resource": alert.resourceId, "message": msg} if {
	some sub in input.subscriptions
	some alert in sub.alerts
	estate.is_open_alert(alert)
	lower(alert.severity) == "high"
	msg := sprintf("open High-severity Defender for APIs alert %s %q on %q (status %s, started %v)", [alert.alertType, object.get(alert, "displayName", ""), estate.resource_name(alert.resourceId), alert.status, _start(alert)])
}

_start(alert) := t if {
	t := object.get(alert, "startTimeUtc", null)
	t != null
}

_start(alert) := "at an unknown time" if object.get(alert, "startTimeUtc", null) == null
