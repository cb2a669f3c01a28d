# METADATA
# title: The legacy developer portal must be switched off
# description: >-
#   The legacy developer portal of classic-tier services (the publisher portal's
#   successor before the current portal) was retired in 2023 and gets no fixes; while
#   legacyPortalStatus is Enabled it still serves pages and sign-in on
#   {service}.portal.azure-api.net beside the current portal. Azure's default is Enabled:
#   IaC files that do not set it leave it on. A collected snapshot without the field is
#   reported as not known. Consumption and v2 tiers never had it and are not checked.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/developer-portal-deprecated-migration
#   - https://learn.microsoft.com/azure/templates/microsoft.apimanagement/service
# custom:
#   id: APIM-PRT-005
#   severity: medium
#   needs: [service-settings]
#   input: service
#   recommendation: >-
#     Set `legacyPortalStatus: Disabled` on the service (api-version 2023-09-01-preview or
#     later; portal: the service > Developer portal > Legacy portal, or `az apim update
#     --set properties.legacyPortalStatus=Disabled`), after moving anyone who still uses it
#     to the current developer portal.
#   frameworks:
#     owasp-api-2023: [API8, API9]
#     mcsb: [PV-2]
#     nist-800-53: ["CM-7", "SA-22"]
#     pci-dss-4: ["2.2.4", "6.3.3"]
#     iso-27001: [A.8.9]
package apimguard.rules.portal.legacy_portal

import rego.v1

import data.apimguard.lib.estate

services contains svc if {
	some sub in input.subscriptions
	some svc in sub.services
	estate.is_classic(svc)
}

checked contains svc.id if {
	some svc in services
}

deny contains {"resource": svc.id, "message": msg} if {
	some svc in services
	status := object.get(svc.properties, "legacyPortalStatus", null)
	status != null
	lower(sprintf("%v", [status])) != "disabled"
	msg := sprintf("service %q still serves the retired legacy developer portal (legacyPortalStatus is %v)", [svc.name, status])
}

deny contains {"resource": svc.id, "message": msg} if {
	some svc in services
	object.get(svc.properties, "legacyPortalStatus", null) == null
	msg := estate.by_source(
		sprintf("whether service %q still serves the retired legacy developer portal is not known: the snapshot has no legacyPortalStatus (read with an api-version before 2023-09-01-preview)", [svc.name]),
		sprintf("the files do not set legacyPortalStatus of service %q, so the retired legacy developer portal stays on (Azure's default is Enabled)", [svc.name]),
	)
}
