# METADATA
# title: The gateway must not accept TLS 1.0, TLS 1.1 or SSL 3.0 from clients
# description: >-
#   TLS 1.0, TLS 1.1 and SSL 3.0 have known weaknesses (BEAST, POODLE, weak MACs) and are
#   deprecated; a gateway that still negotiates them lets a network attacker downgrade
#   client connections and read or alter API traffic. Services created on or before
#   1 April 2018 have them on unless they are switched off explicitly.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/api-management-howto-manage-protocols-ciphers
#   - https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.Protocols/
# custom:
#   id: APIM-SVC-001
#   severity: high
#   needs: [service-settings]
#   input: service
#   recommendation: >-
#     Set properties.customProperties
#     "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10", ".Tls11" and
#     ".Ssl30" to "False" (portal: the service > Protocols + ciphers; Terraform:
#     security.enable_frontend_tls10/tls11/ssl30 = false). Check first that no client still
#     needs them.
#   frameworks:
#     owasp-api-2023: [API8]
#     mcsb: [DP-3]
#     nist-800-53: ["SC-8", "SC-8(1)", "SC-13"]
#     pci-dss-4: ["4.2.1"]
#     iso-27001: [A.8.24]
#     psrule: [Azure.APIM.Protocols]
#     checkov: [CKV_AZURE_173]
package apimguard.rules.service.tls_client_protocols

import rego.v1

import data.apimguard.lib.estate

protocols := {"Protocols.Tls10": "TLS 1.0", "Protocols.Tls11": "TLS 1.1", "Protocols.Ssl30": "SSL 3.0"}

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
	msg := sprintf("service %q accepts %s from clients", [svc.name, concat(", ", sort(enabled))])
}
