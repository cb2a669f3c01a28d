# METADATA
# title: The gateway must not accept weak TLS cipher suites
# description: >-
#   3DES and the CBC-mode and static-RSA cipher suites lack forward secrecy or are exposed to
#   padding-oracle and Sweet32 attacks; a gateway that still offers them lets an attacker
#   recording traffic decrypt it later. Except 3DES on services created after 1 April 2018,
#   these suites are ON unless switched off explicitly. The Consumption tier cannot change
#   its ciphers and is not checked.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/api-management-howto-manage-protocols-ciphers
#   - https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.Ciphers/
# custom:
#   id: APIM-SVC-003
#   severity: medium
#   needs: [service-settings]
#   input: service
#   recommendation: >-
#     Set each of these properties.customProperties to "False":
#     Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TripleDes168 and
#     ...Ciphers.TLS_RSA_WITH_AES_{128,256}_CBC_SHA, _CBC_SHA256, TLS_RSA_WITH_AES_128_GCM_SHA256,
#     TLS_ECDHE_RSA_WITH_AES_{128,256}_CBC_SHA, TLS_ECDHE_ECDSA_WITH_AES_{128,256}_CBC_SHA
#     (portal: Protocols + ciphers).
#   frameworks:
#     owasp-api-2023: [API8]
#     mcsb: [DP-3]
#     nist-800-53: ["SC-8(1)", "SC-13"]
#     pci-dss-4: ["4.2.1"]
#     iso-27001: [A.8.24]
#     psrule: [Azure.APIM.Ciphers]
package apimguard.rules.service.weak_ciphers

import rego.v1

import data.apimguard.lib.estate

weak_ciphers := [
	"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
	"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
	"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
	"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
	"TLS_RSA_WITH_AES_128_GCM_SHA256",
	"TLS_RSA_WITH_AES_256_CBC_SHA256",
	"TLS_RSA_WITH_AES_128_CBC_SHA256",
	"TLS_RSA_WITH_AES_256_CBC_SHA",
	"TLS_RSA_WITH_AES_128_CBC_SHA",
]

checked contains svc.id if {
	some sub in input.subscriptions
	some svc in sub.services
	not estate.is_consumption(svc)
}

deny contains {"resource": svc.id, "message": msg, "setting": "properties/customProperties"} if {
	some sub in input.subscriptions
	some svc in sub.services
	not estate.is_consumption(svc)

	# The settings read once per service; each cipher costs a lookup and one call.
	props := estate.gateway_settings(svc)
	prefix := concat("", [estate.gateway_setting_prefix, "Ciphers."])
	triple := [concat("", ["TripleDes168", note]) |
		note := estate.legacy_on_note(svc, estate.gateway_setting_in(props, concat("", [prefix, "TripleDes168"])))
	]
	others := [concat("", [c, note]) |
		some c in weak_ciphers
		note := estate.cipher_on_note(estate.gateway_setting_in(props, concat("", [prefix, c])))
	]
	enabled := array.concat(triple, others)
	count(enabled) > 0
	msg := sprintf("service %q offers %d weak cipher suite(s): %s", [svc.name, count(enabled), concat(", ", enabled)])
}
