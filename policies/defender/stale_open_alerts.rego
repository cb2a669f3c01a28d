# METADATA
# title: Defender for APIs alerts must be triaged within the allowed time
# description: >-
#   An alert that stays Active or In progress for longer than the team's response time is
#   either being ignored or forgotten; either way a possible attack on the API (enumeration,
#   traffic spikes, suspicious callers) is not being handled. An open alert without a start
#   time is reported too (fail closed).
# related_resources:
#   - https://learn.microsoft.com/azure/defender-for-cloud/alerts-defender-for-apis
#   - https://learn.microsoft.com/azure/defender-for-cloud/managing-and-responding-alerts
# custom:
#   id: APIM-DEF-011
#   severity: medium
#   needs: [alerts]
#   input: service
#   recommendation: >-
#     Triage the alert in Defender for Cloud and resolve or dismiss it with a reason; route
#     Defender for APIs alerts to the owning team (workflow automation or SIEM export) so they
#     are handled within the response time.
#   frameworks:
#     owasp-api-2023: [API2, API4]
#     mcsb: [IR-4, IR-5]
#     nist-800-53: ["IR-4", "IR-5"]
#     pci-dss-4: ["12.10.5"]
#     iso-27001: [A.5.25, A.5.26]
#   parameters:
#     alert_max_age_days: { default: 7, description: "Days an API_* alert may stay Active or InProgress before it is reported." }
package apimguard.rules.defender.stale_open_alerts

import rego.v1

import data.apimguard.lib.estate

default max_age := 7

max_age := object.get(data.apimguard.config, "alert_max_age_days", 7)

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
	start := object.get(alert, "startTimeUtc", null)
	start != null
	age := estate.days_since(start)
	age > max_age
	msg := sprintf("Defender for APIs alert %s %q (%s) on %q has been open for %d days (status %s since %s; allowed %d days)", [alert.alertType, object.get(alert, "displayName", ""), alert.severity, estate.resource_name(alert.resourceId), age, alert.status, start, max_age])
}

deny contains {"resource": alert.resourceId, "message": msg} if {
	some sub in input.subscriptions
	some alert in sub.alerts
	estate.is_open_alert(alert)
	object.get(alert, "startTimeUtc", null) == null
	msg := sprintf("Defender for APIs alert %s %q (%s) on %q is open (status %s) and has no start time, so its age cannot be checked", [alert.alertType, object.get(alert, "displayName", ""), alert.severity, estate.resource_name(alert.resourceId), alert.status])
}
