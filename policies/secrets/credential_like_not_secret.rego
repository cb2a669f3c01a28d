# METADATA
# title: Named values that look like credentials must be marked secret
# description: >-
#   A named value called like a password, key, token or connection string but stored with
#   secret false is shown in clear text to everyone who can read the service (portal, ARM
#   GET, exports, APIOps extractions) and appears in traces. It is almost always a real
#   secret that someone forgot to protect.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/api-management-howto-properties
#   - https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.EncryptValues/
# custom:
#   id: APIM-SEC-002
#   severity: medium
#   input: service
#   recommendation: >-
#     Rotate the credential, then recreate the named value as a Key Vault reference (or at
#     least set properties.secret to true); rename it if it really holds no secret.
#   frameworks:
#     owasp-api-2023: [API8]
#     mcsb: [IM-8]
#     nist-800-53: ["IA-5(7)", "SC-28"]
#     pci-dss-4: ["8.3.2"]
#     iso-27001: [A.5.17]
#     psrule: [Azure.APIM.EncryptValues]
package apimguard.rules.secrets.credential_like_not_secret

import rego.v1

import data.apimguard.lib.estate

checked contains nv.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some nv in svc.namedValues
}

# credentialNamedValues lists the named values whose name or display name names a
# credential, judged by apimguard word by word (`db-password-prod` does, `bypass` and
# `passport` do not); apimguard works it out again whenever it reads a snapshot.
deny contains {"resource": nv.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some credential in object.get(svc, "credentialNamedValues", [])
	some nv in svc.namedValues
	nv.id == credential.id
	object.get(nv.properties, "secret", false) != true
	not estate.in_key_vault(nv)
	label := sprintf("%v", [object.get(nv.properties, "displayName", nv.name)])
	msg := sprintf("named value %q of service %q looks like a credential (%q in its name) but is not marked secret", [label, svc.name, credential.word])
}
