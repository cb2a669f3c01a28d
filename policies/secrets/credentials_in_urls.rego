# METADATA
# title: URLs in resource settings must not carry credentials
# description: >-
#   A key, signature or password written into a URL of a resource's settings (an Azure
#   Functions ?code= key or a SAS sig= in an API's serviceUrl, an api key= in a backend's
#   url, a user:password@ part) is readable by everyone who can read the service's
#   configuration (API Management readers, ARM exports, templates, APIOps repositories,
#   deployment logs), shows in traces and logs of every call, and is not rotated with the
#   secret it copies. apimguard records where such a credential is (in the service's
#   credentialsInUrls) and redacts its value.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/backends
#   - https://learn.microsoft.com/azure/api-management/api-management-howto-properties
#   - https://learn.microsoft.com/azure/api-management/import-function-app-as-api
# custom:
#   id: APIM-SEC-004
#   severity: high
#   input: service
#   recommendation: >-
#     Rotate the exposed credential, then take it out of the URL: keep it in a secret named
#     value backed by Key Vault and send it from a backend entity's credentials (query or
#     header) or with set-query-parameter / set-header and {{named-value}} in a policy
#     (importing a Function App as a backend does this for its key). Use a managed
#     identity where the backend accepts Entra tokens.
#   frameworks:
#     owasp-api-2023: [API8]
#     mcsb: [IM-8]
#     nist-800-53: ["IA-5(7)"]
#     pci-dss-4: ["8.6.2"]
#     iso-27001: [A.5.17]
package apimguard.rules.secrets.credentials_in_urls

import rego.v1

# The resources whose URLs were read: APIs with a serviceUrl, backends with a url, and
# any resource a credential was found in.
checked contains api.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	is_string(object.get(api.properties, "serviceUrl", null))
}

checked contains b.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some b in svc.backends
	is_string(object.get(b.properties, "url", null))
}

checked contains c.resource if {
	some sub in input.subscriptions
	some svc in sub.services
	some c in object.get(svc, "credentialsInUrls", [])
}

# One finding per URL, naming every credential it carries.
deny contains {"resource": c.resource, "message": msg, "setting": c.path} if {
	some sub in input.subscriptions
	some svc in sub.services
	found := object.get(svc, "credentialsInUrls", [])
	some c in found
	carriers := {_carrier(d.parameter) | some d in found; d.resource == c.resource; d.path == c.path}
	msg := sprintf("the URL in %s of %q (service %q) carries a credential: %s (value not shown)", [c.path, _name(c.resource), svc.name, concat(", ", sort(carriers))])
}

_carrier(parameter) := "the password of its user:password@ part" if parameter == "userinfo"

_carrier(parameter) := sprintf("query parameter %q", [parameter]) if parameter != "userinfo"

# A resource's name: the last segment of its id.
_name(id) := name if {
	segments := split(trim_right(id, "/"), "/")
	name := segments[count(segments) - 1]
}
