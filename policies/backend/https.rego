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
checked contains b.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some b in svc.backends
	_web(_url(b))
}

checked contains b.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some b in svc.backends
	estate.unknown(_url(b))
}

deny contains {"resource": b.id, "message": msg, "setting": "properties/url"} if {
	some sub in input.subscriptions
	some svc in sub.services
	some b in svc.backends
	url := _url(b)
	is_string(url)
	startswith(lower(url), "http://")
	msg := sprintf("backend %q of service %q is reached over unencrypted HTTP: %s", [b.name, svc.name, url])
}

deny contains {"resource": b.id, "message": msg, "setting": "properties/url"} if {
	some sub in input.subscriptions
	some svc in sub.services
	some b in svc.backends
	url := _url(b)
	estate.unknown(url)
	not _web(url)
	msg := sprintf("the URL of backend %q of service %q is not known before deployment (%s), so it cannot be shown to use HTTPS", [b.name, svc.name, url])
}

_url(b) := object.get(b.properties, "url", "")

# An http(s) URL, whatever the case of its scheme.
_web(url) if {
	is_string(url)
	some scheme in ["http://", "https://"]
	startswith(lower(url), scheme)
}
