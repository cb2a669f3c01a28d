# METADATA
# title: Policies must not contain literal secrets
# description: >-
#   A password, key or token written into policy XML is readable by everyone who can read
#   the API's configuration (API Management readers, ARM exports, APIOps repositories, CI
#   logs), is never rotated and survives every backup. Secrets belong in secret named values
#   backed by Key Vault, referenced as {{name}}. This holds for literals in policy
#   expressions too (a client_secret in a C# string), in request bodies (form fields, JSON
#   keys), in URLs (a code, sig or key parameter, a user:password part) and in variables.
#   apimguard lists each literal credential of a document in its literalCredentials (the
#   values are redacted), which this rule reports.
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
#     mcsb: [IM-8]
#     nist-800-53: ["IA-5(7)"]
#     pci-dss-4: ["8.6.2"]
#     iso-27001: [A.5.17]
package apimguard.rules.policy.literal_secrets

import rego.v1

import data.apimguard.lib.policy

checked contains s.resource if {
	some s in policy.scopes
}

deny contains {"resource": s.resource, "message": msg, "setting": "policy"} if {
	some s in policy.scopes
	credentials := object.get(s.policy, "literalCredentials", [])
	count(credentials) > 0
	found := {_describe(c) | some c in credentials}
	msg := sprintf("%s: %s (values not shown)", [policy.label(s), concat("; ", sort(found))])
}

# One literal credential, as the collector lists it: the statement, what names it, and
# whether it is written inside a policy expression.
_describe(c) := sprintf("%s has a literal %q in a policy expression", [c.element, c.name]) if {
	object.get(c, "expression", false) == true
}

_describe(c) := sprintf("%s has a literal %q", [c.element, c.name]) if {
	object.get(c, "expression", false) != true
}
