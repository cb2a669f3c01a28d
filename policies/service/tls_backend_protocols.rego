# METADATA
# title: The gateway must not use TLS 1.0, TLS 1.1 or SSL 3.0 towards backends
# description: >-
#   When the gateway may negotiate deprecated protocols with backends, a network attacker
#   between API Management and the backend can downgrade the connection and read or change
#   requests and responses, credentials included. Services created on or before
#   1 April 2018 have them on unless they are switched off explicitly.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/api-management-howto-manage-protocols-ciphers
#   - https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.Protocols/
# custom:
#   id: APIM-SVC-002
#   severity: high
#   needs: [service-settings]
#   input: service
#   recommendation: >-
#     Set properties.customProperties
#     "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Tls10",
#     ".Tls11" and ".Ssl30" to "False" (portal: Protocols + ciphers; Terraform:
#     security.enable_backend_tls10/tls11/ssl30 = false) after confirming every backend
#     speaks TLS 1.2.
#   frameworks:
#     owasp-api-2023: [API8, API10]
#     mcsb: [DP-3]
#     nist-800-53: ["SC-8", "SC-8(1)", "SC-13"]
#     pci-dss-4: ["4.2.1"]
#     iso-27001: [A.8.24]
#     psrule: [Azure.APIM.Protocols]
#     checkov: [CKV_AZURE_173]
package apimguard.rules.service.tls_backend_protocols

import rego.v1

import data.apimguard.lib.estate

protocols := {"Backend.Protocols.Tls10": "TLS 1.0", "Backend.Protocols.Tls11": "TLS 1.1", "Backend.Protocols.Ssl30": "SSL 3.0"}

checked contains svc.id if {
	some sub in input.subscriptions
	some svc in sub.services
}

deny contains {"resource": svc.id, "message": msg, "setting": "properties/customProperties"} if {
	some sub in input.subscriptions
	some svc in sub.services
	enabled := [concat("", [name, estate.default_note(svc, key)]) |
		some key, name in protocols
		estate.legacy_setting_on(svc, key)
	]
	count(enabled) > 0
	msg := sprintf("service %q may use %s towards its backends", [svc.name, concat(", ", sort(enabled))])
}
