package apimguard.rules.portal.identity_providers_test

import rego.v1

import data.apimguard.rules.portal.identity_providers as rule

provider(name, kind) := {"name": name, "properties": {"type": kind, "clientId": "app"}}

estate(list) := {"source": {"kind": "arm"}, "subscriptions": [{"services": [{"id": "svc", "name": "apim", "sku": {"name": "Premium"}, "properties": {}, "developerPortal": {"identityProviders": list}}]}]}

test_consumer_provider_fails if {
	result := rule.deny with input as estate([provider("Aad", "aad"), provider("Google", "google")])
	result == {{"resource": "svc", "message": "service \"apim\" lets people sign in to its developer portal with the \"google\" identity provider (Google), which is not one of those allowed (aad, aadB2C)"}}
}

test_entra_only_passes if {
	count(rule.deny) == 0 with input as estate([provider("Aad", "aad"), provider("AadB2C", "AADB2C")])
	count(rule.deny) == 0 with input as estate([])
	rule.checked == {"svc"} with input as estate([])
}

test_parameter_allows_more if {
	count(rule.deny) == 0 with input as estate([provider("Google", "google")])
		with data.apimguard.config as {"portal_identity_providers": ["aad", "Google"]}
	count(rule.deny) == 1 with input as estate([provider("Aad", "aad")])
		with data.apimguard.config as {"portal_identity_providers": ["aadB2C"]}
}

test_a_bad_parameter_judges_nothing if {
	some f in rule.deny with input as estate([])
		with data.apimguard.config as {"portal_identity_providers": "aad"}
	contains(f.message, "must be a list")
}

test_not_read_is_not_known if {
	some f in rule.deny with input as estate(null)
	contains(f.message, "is not known")
}
