package apimguard.lib.estate_test

import rego.v1

import data.apimguard.lib.estate

test_days_until_counts_whole_days if {
	estate.days_until("2026-12-08T22:32:32+00:00") == 12 with input as {"collectedAt": "2026-11-26T02:00:00Z"}
}

test_days_until_past_is_negative if {
	estate.days_until("2026-11-20T02:00:00Z") == -6 with input as {"collectedAt": "2026-11-26T02:00:00Z"}
}

test_days_since_accepts_seven_fraction_digits if {
	estate.days_since("2026-11-02T00:00:00.0000000Z") == 24 with input as {"collectedAt": "2026-11-26T02:00:00Z"}
}

test_counter_absent_is_undefined if {
	not estate.counter({"defender": {"onboarded": false}}, "inactiveEndpoints")
	estate.counter({"defender": {"inactiveEndpoints": 0}}, "inactiveEndpoints") == 0
}

test_unknown_values if {
	estate.unknown("<unknown: parameters('x')>")
	estate.unknown("https://<unknown: parameters('host')>/api")
	estate.unknown(["https", "<unknown: parameters('p')>"])
	not estate.unknown("https")
	not estate.unknown(["https"])
	not estate.unknown(42)
	estate.unknown([["<unknown: variables('a')>"]])
	not estate.unknown([["https"]])
}

test_unknown_gateway_settings_may_be_on if {
	service := {"properties": {"customProperties": {"Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10": "<unknown: parameters('tls10')>"}}}
	estate.legacy_setting_on(service, "Protocols.Tls10")
	estate.default_note(service, "Protocols.Tls10") == " (not known before deployment)"
	estate.cipher_on(service, "Protocols.Tls10")
}

test_string_booleans if {
	estate.is_true("True")
	estate.is_true(true)
	estate.is_false("false")
	not estate.is_true("False")
	not estate.is_false("True")
}

test_subscription_resource if {
	estate.subscription_resource({"subscriptionId": "abc"}) == "/subscriptions/abc"
}

test_api_label_falls_back_to_name if {
	estate.api_label({"name": "echo", "displayName": ""}) == `"echo"`
	estate.api_label({"name": "echo", "displayName": "Echo API"}) == `"Echo API"`
}

test_of_total_and_label if {
	a := {"defender": {"collection": {"numberOfApiEndpoints": 6}, "sensitivityLabel": "Confidential"}}
	estate.of_total(a) == " of 6"
	estate.label_note(a) == `, labelled "Confidential"`
	b := {"defender": {"collection": null}}
	estate.of_total(b) == ""
	estate.label_note(b) == ""
}

test_resource_name if {
	estate.resource_name("/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim/apis/echo") == "echo"
}

svc(created, props) := {"sku": {"name": "Standard"}, "properties": {"createdAtUtc": created, "customProperties": props}}

test_explicit_setting_wins if {
	estate.legacy_setting_on(svc("2021-06-16T09:40:00Z", {"Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10": "True"}), "Protocols.Tls10")
	not estate.legacy_setting_on(svc("2017-06-16T09:40:00Z", {"Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10": "false"}), "Protocols.Tls10")
}

test_legacy_default_depends_on_creation_date if {
	estate.legacy_setting_on(svc("2018-04-01T23:00:00Z", {}), "Protocols.Tls11")
	not estate.legacy_setting_on(svc("2018-04-02T00:00:00Z", {}), "Protocols.Tls11")
	not estate.legacy_setting_on({"properties": {}}, "Protocols.Tls11")
}

test_ciphers_default_on if {
	estate.cipher_on(svc("2021-06-16T09:40:00Z", {}), "Ciphers.TLS_RSA_WITH_AES_128_CBC_SHA")
	not estate.cipher_on(svc("2021-06-16T09:40:00Z", {"Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.TLS_RSA_WITH_AES_128_CBC_SHA": "False"}), "Ciphers.TLS_RSA_WITH_AES_128_CBC_SHA")
	estate.default_note(svc("2021-06-16T09:40:00Z", {}), "Ciphers.X") == " (default)"
}

setting_values := [
	null, "True", "true", "TRUE", true, "False", false, "no", 1,
	"<unknown: parameters('x')>", ["<unknown: a>"], [["<unknown: a>"]], ["https"],
]

cipher_key := "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Ciphers.X"

# The note helpers (one lookup, one call) agree with cipher_on / legacy_setting_on and default_note.
test_note_helpers_agree_with_setting_helpers if {
	every created in ["2017-01-01T00:00:00Z", "2021-06-16T09:40:00Z"] {
		every v in setting_values {
			s := svc(created, {cipher_key: v})
			raw := object.get(estate.gateway_settings(s), cipher_key, null)
			{n | n := estate.cipher_on_note(raw)} == {n | estate.cipher_on(s, "Ciphers.X"); n := estate.default_note(s, "Ciphers.X")}
			{n | n := estate.legacy_on_note(s, raw)} == {n | estate.legacy_setting_on(s, "Ciphers.X"); n := estate.default_note(s, "Ciphers.X")}
		}
	}
}

test_gateway_settings_without_an_object_are_empty if {
	estate.gateway_settings({"properties": {}}) == {}
	estate.gateway_settings({}) == {}
	estate.gateway_settings({"properties": {"customProperties": "x"}}) == {}
	estate.gateway_settings({"properties": {"customProperties": {"a": "b"}}}) == {"a": "b"}
}

test_blank_texts if {
	estate.blank(null)
	estate.blank(" ")
	not estate.blank("x")
	not estate.blank(0)
}

test_in_key_vault if {
	estate.in_key_vault({"properties": {"keyVault": {"secretIdentifier": "https://kv/secrets/s"}}})
	not estate.in_key_vault({"properties": {"keyVault": {"secretIdentifier": ""}}})
	not estate.in_key_vault({"properties": {"keyVault": null}})
	not estate.in_key_vault({"properties": {}})
}
