package apimguard.rules.service.managed_identity_test

import rego.v1

import data.apimguard.rules.service.managed_identity as rule

estate(identity) := {"subscriptions": [{"services": [{"id": "svc", "name": "apim", "sku": {"name": "Premium"}, "properties": {}, "identity": identity}]}]}

test_no_identity_fails if {
	count(rule.deny) == 1 with input as estate(null)
}

test_type_none_fails if {
	count(rule.deny) == 1 with input as estate({"type": "None"})
}

test_system_and_user_assigned_passes if {
	count(rule.deny) == 0 with input as estate({"type": "SystemAssigned, UserAssigned", "principalId": "p"})
	count(rule.checked) == 1 with input as estate({"type": "SystemAssigned, UserAssigned"})
}

test_user_assigned_passes if {
	count(rule.deny) == 0 with input as estate({"type": "UserAssigned"})
}
