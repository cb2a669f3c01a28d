# METADATA
# title: APIs must call their backend over HTTPS
# description: >-
#   When an API's backend URL (serviceUrl) is plain HTTP, the gateway forwards requests,
#   forwarded credentials and responses in clear text between API Management and the
#   backend, where they can be read or tampered with; the TLS that clients use towards the
#   gateway protects nothing beyond it.
# related_resources:
#   - https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.HTTPBackend/
#   - https://learn.microsoft.com/azure/api-management/mitigate-owasp-api-threats
# custom:
#   id: APIM-API-002
#   severity: high
#   input: service
#   recommendation: >-
#     Serve the backend over HTTPS and change the API's serviceUrl (portal: the API >
#     Settings > Web service URL; ARM/Bicep: properties.serviceUrl) to the https:// address,
#     or point the API at a backend entity with an https URL (set-backend-service backend-id).
#   frameworks:
#     owasp-api-2023: [API8, API10]
#     mcsb: [DP-3]
#     nist-800-53: ["SC-8", "SC-8(1)"]
#     pci-dss-4: ["4.2.1"]
#     iso-27001: [A.8.24]
#     psrule: [Azure.APIM.HTTPBackend]
package apimguard.rules.api.https_service_url

import rego.v1

checked contains api.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	url := api.properties.serviceUrl
	is_string(url)
	url != ""
}

# One pass for both findings. Most URLs start with "https://" as written: that one test
# rules them out before lower() and the message helper.
deny contains {"resource": api.id, "message": msg, "setting": "properties/serviceUrl"} if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	url := api.properties.serviceUrl
	is_string(url)
	not startswith(url, "https://")
	msg := _message(api, svc, url, lower(url))
}

# An unencrypted URL scheme (the URL in lower case).
_message(api, svc, url, lurl) := sprintf("API %q (service %q) calls its backend over an unencrypted URL: %s", [api.displayName, svc.name, url]) if {
	_plain(lurl)
}

# A URL left open until deployment (estate.unknown on a string, inline), whose scheme is
# not known to be plain or encrypted.
_message(api, svc, url, lurl) := sprintf("the backend URL of API %q (service %q) is not known before deployment (%s), so it cannot be shown to use HTTPS", [api.displayName, svc.name, url]) if {
	contains(url, "<unknown: ")
	not _plain(lurl)
	not startswith(lurl, "https://")
	not startswith(lurl, "wss://")
}

_plain(lurl) if startswith(lurl, "http://")

_plain(lurl) if startswith(lurl, "ws://")
