# METADATA
# title: The legacy self-hosted gateway configuration API (v1) should be disabled
# description: >-
#   Classic-tier services expose a legacy configuration endpoint (v1) that older
#   self-hosted gateways use to download the service's configuration, APIs and policies
#   included. It is on by default and stays reachable on the service's public configuration
#   hostname even when no gateway needs it; current gateways use the v2 endpoint.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/breaking-changes/self-hosted-gateway-v0-v1-retirement-oct-2023
#   - https://learn.microsoft.com/azure/api-management/self-hosted-gateway-overview
# custom:
#   id: APIM-SVC-015
#   severity: medium
#   needs: [service-settings]
#   input: service
#   recommendation: >-
#     Upgrade every self-hosted gateway to v2 or later, then set
#     properties.configurationApi.legacyApi to "Disabled" on the service.
#   frameworks:
#     owasp-api-2023: [API8]
#     mcsb: [PV-2]
#     nist-800-53: ["CM-7"]
#     pci-dss-4: ["2.2.4"]
#     iso-27001: [A.8.9]
package apimguard.rules.service.legacy_configuration_api

import rego.v1

import data.apimguard.lib.estate

checked contains svc.id if {
	some sub in input.subscriptions
	some svc in sub.services
	estate.is_classic(svc)
}

deny contains {"resource": svc.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	estate.is_classic(svc)
	state := _legacy_api(svc)
	state != "Disabled"
	msg := sprintf("service %q exposes the legacy configuration API v1 (legacyApi: %s); it has %d self-hosted gateway(s)", [svc.name, state, count(object.get(svc, "gateways", []))])
}

_legacy_api(svc) := v if {
	config := object.get(svc.properties, "configurationApi", null)
	is_object(config)
	v := object.get(config, "legacyApi", null)
	is_string(v)
}

_legacy_api(svc) := "Enabled (default)" if {
	not is_string(object.get(object.get(svc.properties, "configurationApi", {}), "legacyApi", null))
}
