package apimguard.rules.certificate.expiry_test

import rego.v1

import data.apimguard.rules.certificate.expiry as rule

cert(name, expiry) := {"name": name, "properties": {"subject": "CN=backend", "expirationDate": expiry}}

estate(certificates, cas) := {"collectedAt": "2026-11-26T02:00:00Z", "subscriptions": [{"services": [{"id": "svc", "name": "apim", "properties": {"certificates": cas}, "certificates": certificates}]}]}

test_expired_uploaded_certificate_fails if {
	result := rule.deny with input as estate([cert("mtls", "2017-04-23T17:03:41Z")], [])
	result == {{"resource": "svc", "message": "service \"apim\": certificate \"mtls\" expired on 2017-04-23 (3504 days ago)"}}
}

test_expiring_key_vault_certificate_fails if {
	kv := {"name": "kv", "properties": {"expirationDate": "2026-12-08T00:00:00Z", "keyVault": {"secretIdentifier": "https://vault.vault.azure.net/secrets/mtls"}}}
	some f in rule.deny with input as estate([kv], [])
	f.message == "service \"apim\": certificate \"kv\" (from Key Vault https://vault.vault.azure.net/secrets/mtls) expires on 2026-12-08, in 11 days (threshold 30 days)"
}

test_valid_certificates_pass if {
	doc := estate([cert("mtls", "2037-01-01T07:00:00Z")], [{"storeName": "Root", "certificate": {"expiry": "2030-01-01T00:00:00Z", "subject": "CN=ca"}}])
	count(rule.deny) == 0 with input as doc
	rule.checked == {"svc"} with input as doc
	count(rule.deny) == 0 with input as estate([], [])
}

test_expired_ca_certificate_fails if {
	some f in rule.deny with input as estate([], [{"storeName": "CertificateAuthority", "certificate": {"expiry": "2021-11-25T22:51:47+00:00", "subject": "CN=*.apim.net"}}])
	startswith(f.message, "service \"apim\": CA certificate \"CN=*.apim.net\" in store CertificateAuthority expired on 2021-11-25")
}

test_parameter_changes_threshold if {
	count(rule.deny) == 0 with input as estate([cert("mtls", "2026-12-08T00:00:00Z")], [])
		with data.apimguard.config as {"certificate_expiry_days": 7}
}

test_unknown_expiry_is_not_known if {
	some f in rule.deny with input as estate([{"name": "mtls", "properties": {"subject": "CN=x"}}], [])
	contains(f.message, "is not known")
	some g in rule.deny with input as estate([], [{"storeName": "Root", "encodedCertificate": "[redacted]"}])
	contains(g.message, "is not known")
	some h in rule.deny with input as estate(null, [])
	contains(h.message, "is not known")
}
