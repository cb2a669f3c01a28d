# METADATA
# title: The control plane must refuse old API Management API versions
# description: >-
#   Old versions of the API Management management API return secrets (subscription keys,
#   named values) in plain GET responses and lack newer validation. Unless
#   apiVersionConstraint.minApiVersion rejects them, anyone with read access (Reader role,
#   ARM templates exports, old SDKs and tools) can read those secrets through an old version.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/breaking-changes/api-version-retirement-sep-2023
#   - https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.MinAPIVersion/
# custom:
#   id: APIM-SVC-012
#   severity: low
#   needs: [service-settings]
#   input: service
#   recommendation: >-
#     Set properties.apiVersionConstraint.minApiVersion to "2021-08-01" or later (Bicep/ARM
#     property on the service; Terraform: min_api_version), after upgrading tools that still
#     call older versions.
#   frameworks:
#     owasp-api-2023: [API8]
#     mcsb: [PV-2]
#     nist-800-53: ["CM-6"]
#     pci-dss-4: ["2.2.1"]
#     iso-27001: [A.8.9]
#     azure-policy: [549814b6-3212-4203-bdc8-1548d342fb67]
#     psrule: [Azure.APIM.MinAPIVersion]
#     defender: ["API Management minimum API version should be set to 2019-12-01 or higher"]
#   parameters:
#     min_api_version: { default: "2021-08-01", description: "Oldest management API version the service may accept (YYYY-MM-DD)." }
package apimguard.rules.service.min_api_version

import rego.v1

import data.apimguard.lib.estate

default minimum := "2021-08-01"

minimum := object.get(data.apimguard.config, "min_api_version", "2021-08-01")

checked contains svc.id if {
	some sub in input.subscriptions
	some svc in sub.services
	not estate.is_consumption(svc)
}

deny contains {"resource": svc.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	not estate.is_consumption(svc)
	version := _min_version(svc)
	substring(version, 0, 10) < minimum
	msg := sprintf("service %q accepts management API versions from %s on (required: %s or later)", [svc.name, version, minimum])
}

deny contains {"resource": svc.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	not estate.is_consumption(svc)
	not _min_version(svc)
	msg := sprintf("service %q sets no minimum management API version (apiVersionConstraint.minApiVersion), so every old version is accepted (required: %s or later)", [svc.name, minimum])
}

_min_version(svc) := v if {
	constraint := object.get(svc.properties, "apiVersionConstraint", null)
	is_object(constraint)
	v := object.get(constraint, "minApiVersion", null)
	is_string(v)
	v != ""
}
