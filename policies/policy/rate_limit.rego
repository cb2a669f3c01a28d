# METADATA
# title: Every call path of an API must run a rate limit or quota
# description: >-
#   Without rate-limit, quota (or their by-key and LLM token variants) somewhere in the
#   effective inbound policy, one caller can exhaust the backend, run up cost and starve
#   everyone else (unrestricted resource consumption), and automated abuse of business flows
#   is unthrottled. The effective chain is composed global > product > API > operation,
#   honouring <base />, for every product the API is in and for calls made without a
#   product subscription.
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/rate-limit-by-key-policy
#   - https://learn.microsoft.com/azure/api-management/mitigate-owasp-api-threats
# custom:
#   id: APIM-POL-003
#   severity: medium
#   recommendation: >-
#     Add rate-limit-by-key (keyed on the subscription, the client IP or a JWT claim) and a
#     quota to the global, product or API inbound policy, and keep <base /> in the scopes
#     below it so the limit reaches every operation.
#   frameworks:
#     owasp-api-2023: [API4, API6]
#     anchor: [API-005]
package apimguard.rules.policy.rate_limit

import rego.v1

import data.apimguard.lib.policy

limits := {"rate-limit", "rate-limit-by-key", "quota", "quota-by-key", "llm-token-limit", "azure-openai-token-limit"}

checked contains api.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
}

deny contains {"resource": api.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	chains := policy.chains(svc, api, "inbound")
	missing := [c | some c in chains; not policy.has_any(c.elements, limits)]
	count(missing) > 0
	labels := [policy.chain_label(c) | some c in missing]
	msg := sprintf("API %q (service %q) runs no rate limit or quota for %s%s", [api.displayName, svc.name, concat("; ", labels), _fragment_note(missing)])
}

_fragment_note(chains) := " (the chain includes policy fragments, whose content the snapshot does not carry)" if _has_fragment(chains)

_fragment_note(chains) := "" if not _has_fragment(chains)

_has_fragment(chains) if {
	some c in chains
	policy.has_any(c.elements, {"include-fragment"})
}
