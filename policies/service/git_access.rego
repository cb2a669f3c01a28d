# METADATA
# title: The Git configuration endpoint of the service must be disabled
# description: >-
#   A classic-tier service can expose its whole configuration (APIs, policies, products,
#   named values without secrets) as a Git repository at
#   {service}.scm.azure-api.net (tenant/gitAccess). Anyone holding its credentials, which are
#   generated from the service's shared access keys and not from Entra ID, can read the
#   configuration and push changes that bypass Azure Resource Manager, its role-based access
#   control and its activity log. Microsoft no longer develops the feature. A setting that
#   could not be read, or that IaC files do not declare, is reported as not known: it cannot
#   be shown to be off.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/api-management-configuration-repository-git
#   - https://learn.microsoft.com/rest/api/apimanagement/tenant-access/get
# custom:
#   id: APIM-SVC-016
#   severity: medium
#   needs: [service-settings]
#   input: service
#   recommendation: >-
#     Disable it: PATCH {service}/tenant/gitAccess?api-version=2024-05-01 with
#     {"properties": {"enabled": false}} (or declare the tenant resource `gitAccess` with
#     enabled false in your templates), after moving configuration management to ARM
#     templates, Bicep or APIOps. Rotate the service's Git keys if the endpoint was ever on.
#   frameworks:
#     owasp-api-2023: [API8]
#     mcsb: [PV-2]
#     nist-800-53: ["AC-17", "CM-7"]
#     pci-dss-4: ["2.2.4", "7.2.1"]
#     iso-27001: [A.8.2, A.8.9]
package apimguard.rules.service.git_access

import rego.v1

import data.apimguard.lib.estate

# Classic tiers but Consumption have the endpoint (v2 tiers and Consumption do not).
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
	access := object.get(svc, "gitAccess", null)
	is_object(access)
	not estate.is_false(object.get(access, "enabled", null))
	msg := sprintf("service %q has its Git configuration endpoint (tenant/gitAccess) enabled", [svc.name])
}

deny contains {"resource": svc.id, "message": msg} if {
	some svc in services
	not is_object(object.get(svc, "gitAccess", null))
	msg := estate.by_source(
		sprintf("whether the Git configuration endpoint (tenant/gitAccess) of service %q is enabled is not known: the snapshot does not have it (collected by an older apimguard, or not readable)", [svc.name]),
		sprintf("the files do not declare the Git configuration endpoint (tenant/gitAccess) of service %q, so it is not known to be disabled in Azure", [svc.name]),
	)
}
