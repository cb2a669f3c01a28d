# METADATA
# title: validate-client-certificate must check revocation, trust and validity dates
# description: >-
#   validate-client-certificate with validate-revocation, validate-trust, validate-not-before
#   or validate-not-after set to false (or ignore-error true) accepts revoked, self-signed or
#   expired certificates, so a stolen or home-made certificate authenticates as a trusted
#   client (broken authentication).
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/validate-client-certificate-policy
#   - https://learn.microsoft.com/azure/api-management/api-management-howto-mutual-certificates-for-clients
# custom:
#   id: APIM-POL-005
#   severity: medium
#   input: service
#   recommendation: >-
#     Remove the attributes that turn checks off (their defaults are true) or set
#     validate-revocation, validate-trust, validate-not-before and validate-not-after to
#     "true" and ignore-error to "false"; pin the accepted certificates with <identities>.
#   frameworks:
#     owasp-api-2023: [API2]
#     mcsb: [IM-4]
#     nist-800-53: ["IA-5(2)", "SC-17"]
#     pci-dss-4: ["8.3.1"]
#     iso-27001: [A.8.5]
package apimguard.rules.policy.client_certificate_validation

import rego.v1

import data.apimguard.lib.policy

checks := ["validate-revocation", "validate-trust", "validate-not-before", "validate-not-after"]

checked contains scopes[entry[0]].resource if {
	scopes := policy.scopes
	some entry in policy.elements_named["validate-client-certificate"]
}

deny contains {"resource": s.resource, "message": msg, "setting": "policy"} if {
	some entry in policy.elements_named["validate-client-certificate"]
	e := entry[2]
	# (Each attribute is read once.)
	weak := array.concat(
		[sprintf("%s=%q", [a, v]) | some a in checks; v := policy.attr(e, a); v != ""; lower(v) != "true"],
		[sprintf("ignore-error=%q", [v]) | v := policy.attr(e, "ignore-error"); v != ""; lower(v) != "false"],
	)
	count(weak) > 0
	s := policy.scopes[entry[0]]
	msg := sprintf("%s: validate-client-certificate turns checks off (%s)", [policy.label(s), concat(", ", weak)])
}
