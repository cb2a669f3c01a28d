# METADATA
# title: Policies must not contain literal secrets
# description: >-
#   A password, key or token written into policy XML is readable by everyone who can read
#   the API's configuration (API Management readers, ARM exports, APIOps repositories, CI
#   logs), is never rotated and survives every backup. Secrets belong in secret named values
#   backed by Key Vault, referenced as {{name}}.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/api-management-howto-properties
#   - https://learn.microsoft.com/azure/api-management/mitigate-owasp-api-threats
# custom:
#   id: APIM-POL-006
#   severity: high
#   input: service
#   recommendation: >-
#     Rotate the exposed credential, store the new one in Key Vault, reference it from a
#     secret named value, and use {{named-value}} in the policy (or replace it with
#     authentication-managed-identity where the backend accepts Entra tokens).
#   frameworks:
#     owasp-api-2023: [API8]
#     anchor: [POL-005]
package apimguard.rules.policy.literal_secrets

import rego.v1

import data.apimguard.lib.policy

sensitive_headers := {"authorization", "proxy-authorization", "ocp-apim-subscription-key", "x-api-key", "api-key", "x-functions-key", "x-ms-client-secret", "client-secret"}

sensitive_query := {"code", "key", "api-key", "apikey", "subscription-key", "sig", "access_token", "client_secret", "password", "token"}

checked contains s.resource if {
	some s in policy.scopes
}

deny contains {"resource": s.resource, "message": msg, "setting": "policy"} if {
	some i, found in _found
	s := policy.scopes[i]
	msg := sprintf("%s: %s (values not shown)", [policy.label(s), concat("; ", sort(found))])
}

# Scope index → the literal secrets of its document. One body per kind of element that can
# hold a literal secret (no helper whose every body is tried per element); the cheap name
# tests come first.
_found[entry[0]] contains sprintf("header %q is set to a literal value", [policy.attr(e, "name")]) if {
	headers := sensitive_headers
	some entry in policy.elements_named["set-header"]
	e := entry[2]
	lower(policy.attr(e, "name")) in headers
	some v in object.get(e, "children", [])
	v.name == "value"
	_literal(object.get(v, "text", ""))
}

_found[entry[0]] contains sprintf("query parameter %q is set to a literal value", [policy.attr(e, "name")]) if {
	params := sensitive_query
	some entry in policy.elements_named["set-query-parameter"]
	e := entry[2]
	lower(policy.attr(e, "name")) in params
	some v in object.get(e, "children", [])
	v.name == "value"
	_literal(object.get(v, "text", ""))
}

_found[entry[0]] contains sprintf("%s has a literal %s", [e.name, a]) if {
	some name in ["authentication-basic", "authentication-certificate"]
	some entry in policy.elements_named[name]
	e := entry[2]
	some a in ["password", "body"]
	_literal(policy.attr(e, a))
}

_found[entry[0]] contains sprintf("%s holds a literal symmetric key", [e.name]) if {
	some name in ["validate-jwt", "validate-azure-ad-token"]
	some entry in policy.elements_named[name]
	e := entry[2]
	some keys in object.get(e, "children", [])
	keys.name in {"issuer-signing-keys", "decryption-keys"}
	some k in object.get(keys, "children", [])
	k.name == "key"
	_literal(object.get(k, "text", ""))
}

_literal(v) if {
	t := trim_space(v)
	t != ""
	not contains(t, "{{")
	not startswith(t, "@")
}
