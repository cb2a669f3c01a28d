package apimguard.rules.backend.tls_validation_test

import rego.v1

import data.apimguard.rules.backend.tls_validation as rule

test_unknown_validation_fails if {
	result := rule.deny with input as estate({"url": "https://b/", "tls": {"validateCertificateChain": "<unknown: parameters('v')>"}})
	count(result) == 1
	some f in result
	contains(f.message, "is not known before deployment (validateCertificateChain)")
	count(rule.deny) == 1 with input as estate({"url": "https://b/", "tls": "<unknown: parameters('tls')>"})
}

estate(props) := {"subscriptions": [{"services": [{"name": "apim", "backends": [{"id": "b", "name": "proxybackend", "properties": props}]}]}]}

test_both_off_fails if {
	result := rule.deny with input as estate({"url": "https://backendname2644/", "tls": {"validateCertificateChain": false, "validateCertificateName": false}})
	count(result) == 1
	some f in result
	endswith(f.message, "(validateCertificateChain, validateCertificateName false)")
}

test_name_off_fails if {
	count(rule.deny) == 1 with input as estate({"url": "https://b/", "tls": {"validateCertificateChain": true, "validateCertificateName": false}})
}

test_defaults_pass if {
	count(rule.deny) == 0 with input as estate({"url": "https://b/"})
	count(rule.checked) == 1 with input as estate({"url": "https://b/"})
}

test_explicit_true_passes if {
	count(rule.deny) == 0 with input as estate({"url": "https://b/", "tls": {"validateCertificateChain": true, "validateCertificateName": true}})
}

test_null_or_missing_switches_pass if {
	count(rule.deny) == 0 with input as estate({"url": "https://b/", "tls": {"validateCertificateChain": null}})
	count(rule.deny) == 0 with input as estate({"url": "https://b/", "tls": {}})
	count(rule.deny) == 0 with input as estate({"url": "https://b/", "tls": null})
}

# One switch false and the other left open: both findings.
test_off_and_open_switches_give_both_findings if {
	result := rule.deny with input as estate({"url": "https://b/", "tls": {"validateCertificateChain": false, "validateCertificateName": ["<unknown: parameters('n')>"]}})
	{f.message | some f in result} == {
		`backend "proxybackend" of service "apim" does not validate the backend's TLS certificate (validateCertificateChain false)`,
		`whether backend "proxybackend" of service "apim" validates the backend's TLS certificate is not known before deployment (validateCertificateName)`,
	}
}
