package apimguard.rules.service.certificate_expiry_test

import rego.v1

import data.apimguard.rules.service.certificate_expiry as rule

host(name, expiry) := {"type": "Proxy", "hostName": name, "certificateSource": "Custom", "certificate": {"expiry": expiry}}

builtin := {"type": "Proxy", "hostName": "apim.azure-api.net", "certificateSource": "BuiltIn"}

estate(hosts) := {"collectedAt": "2026-11-26T02:00:00Z", "subscriptions": [{"services": [{"id": "svc", "name": "apim", "properties": {"hostnameConfigurations": hosts}}]}]}

test_expired_fails if {
	result := rule.deny with input as estate([builtin, host("api.contoso.com", "2019-08-16T16:51:34+00:00")])
	count(result) == 1
	some f in result
	contains(f.message, "expired on 2019-08-16")
}

test_expiring_soon_fails if {
	some f in rule.deny with input as estate([host("api.contoso.com", "2026-12-08T22:32:32+00:00")])
	contains(f.message, "in 12 days (threshold 30 days)")
}

test_far_expiry_passes if {
	count(rule.deny) == 0 with input as estate([host("api.contoso.com", "2027-06-01T00:00:00Z")])
}

test_builtin_only_passes if {
	count(rule.deny) == 0 with input as estate([builtin])
	count(rule.checked) == 1 with input as estate([builtin])
}

test_parameter_changes_threshold if {
	count(rule.deny) == 0 with input as estate([host("api.contoso.com", "2026-12-08T22:32:32+00:00")])
		with data.apimguard.config as {"certificate_expiry_days": 7}
}

test_one_finding_per_hostname if {
	count(rule.deny) == 2 with input as estate([host("a.contoso.com", "2020-01-01T00:00:00Z"), host("b.contoso.com", "2020-01-01T00:00:00Z")])
}
