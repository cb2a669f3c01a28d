# METADATA
# title: Backends must be reached over HTTPS
# description: >-
#   A backend entity with an http:// URL makes the gateway send requests, the credentials it
#   adds (basic auth, keys, certificates' tokens) and the responses in clear text between
#   API Management and the backend, where anyone on the path can read or change them.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/backends
#   - https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.HTTPBackend/
# custom:
#   id: APIM-BKD-001
#   severity: high
#   input: service
#   recommendation: >-
#     Serve the backend over TLS and change the backend's properties.url to https://
#     (portal: Backends > the backend > Runtime URL).
#   frameworks:
#     owasp-api-2023: [API8, API10]
#     mcsb: [DP-3]
#     nist-800-53: ["SC-8", "SC-8(1)"]
#     pci-dss-4: ["4.2.1"]
#     iso-27001: [A.8.24]
#     psrule: [Azure.APIM.HTTPBackend]
#     checkov: [CKV_AZURE_215]
package apimguard.rules.backend.https

import rego.v1

import data.apimguard.lib.estate

# Service Fabric backends (fabric:/…) and others without an http(s) URL are not checked.
# (A URL that is not a string never starts with a scheme, so no sprintf is needed.)
checked contains b.id if {
	web := _web_schemes
	some sub in input.subscriptions
	some svc in sub.services
	some b in svc.backends
	url := object.get(b.properties, "url", "")
	is_string(url)
	lurl := lower(url)
	some scheme in web
	startswith(lurl, scheme)
}

# A URL left open until deployment: estate.unknown, inline for strings.
checked contains b.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some b in svc.backends
	url := object.get(b.properties, "url", "")
	is_string(url)
	contains(url, "<unknown: ")
}

checked contains b.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some b in svc.backends
	url := object.get(b.properties, "url", "")
	not is_string(url)
	estate.unknown(url)
}

# One pass for both findings; URLs starting with "https://" as written are ruled out first.
deny contains {"resource": b.id, "message": msg, "setting": "properties/url"} if {
	some sub in input.subscriptions
	some svc in sub.services
	some b in svc.backends
	url := object.get(b.properties, "url", "")
	is_string(url)
	not startswith(url, "https://")
	msg := _message(b, svc, url, lower(url))
}

# A URL that is not a string: as estate.unknown judges it.
deny contains {"resource": b.id, "message": msg, "setting": "properties/url"} if {
	some sub in input.subscriptions
	some svc in sub.services
	some b in svc.backends
	url := object.get(b.properties, "url", "")
	not is_string(url)
	estate.unknown(url)
	not _web(lower(url))
	msg := sprintf("the URL of backend %q of service %q is not known before deployment (%s), so it cannot be shown to use HTTPS", [b.name, svc.name, url])
}

_message(b, svc, url, lurl) := sprintf("backend %q of service %q is reached over unencrypted HTTP: %s", [b.name, svc.name, url]) if {
	startswith(lurl, "http://")
}

_message(b, svc, url, lurl) := sprintf("the URL of backend %q of service %q is not known before deployment (%s), so it cannot be shown to use HTTPS", [b.name, svc.name, url]) if {
	contains(url, "<unknown: ")
	not _web(lurl)
}

_web_schemes := ["http://", "https://"]

_web(url) if startswith(url, "http://")

_web(url) if startswith(url, "https://")
