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

# Whether each service's global inbound policy runs a limit, and each product's chain; built once.
global_limited := {svc.id: policy.apply(policy.effect(policy.doc_of(svc), "inbound", limits), false) |
	some sub in input.subscriptions
	some svc in sub.services
}

product_limited := {svc.id: {p.name: policy.apply(policy.effect(policy.doc_of(p), "inbound", limits), global_limited[svc.id]) |
	some p in svc.products
} |
	some sub in input.subscriptions
	some svc in sub.services
}

checked contains api.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
}

deny contains {"resource": api.id, "message": msg} if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
	api_effect := policy.effect(policy.doc_of(api), "inbound", limits)
	op_effects := [[op.name, policy.effect(policy.doc_of(op), "inbound", limits)] | some op in api.operations; policy.doc_of(op) != null]
	missing := [policy.chain_label({"product": pname, "operation": op}) |
		some pname in policy.path_names(svc, api)
		at_api := policy.apply(api_effect, _product_limited(svc, pname))
		some op in _unlimited_operations(api, at_api, op_effects)
	]
	count(missing) > 0
	msg := sprintf("API %q (service %q) runs no rate limit or quota for %s%s", [api.displayName, svc.name, concat("; ", missing), _fragment_note(svc, api)])
}

# A path's product chain: the product's, or the global one without product (or for an
# unknown product, which has no policy of its own).
_product_limited(svc, null) := global_limited[svc.id]

_product_limited(svc, pname) := object.get(product_limited[svc.id], pname, global_limited[svc.id]) if pname != null

# Operations without a limit on one path: null stands for the operations that inherit the
# API's chain (or the API without operations).
_unlimited_operations(api, at_api, op_effects) := array.concat(
	[null | not at_api; _inherits_somewhere(api)],
	[name | some pair in op_effects; name := pair[0]; not policy.apply(pair[1], at_api)],
)

_inherits_somewhere(api) if count(api.operations) == 0

_inherits_somewhere(api) if {
	some op in api.operations
	policy.doc_of(op) == null
}

_fragment_note(svc, api) := " (policy fragments are included along the way; their content is not in the snapshot)" if _has_fragment(svc, api)

_fragment_note(svc, api) := "" if not _has_fragment(svc, api)

_has_fragment(svc, api) if {
	some doc in [policy.doc_of(svc), policy.doc_of(api)]
	doc != null
	count(object.get(doc, "fragments", [])) > 0
}

_has_fragment(svc, api) if {
	some pname in api.products
	p := object.get(object.get(policy.products_by_service, svc.id, {}), pname, {})
	is_object(object.get(p, "policy", null))
	count(object.get(policy.doc_of(p), "fragments", [])) > 0
}

_has_fragment(_, api) if {
	some op in api.operations
	policy.doc_of(op) != null
	count(object.get(policy.doc_of(op), "fragments", [])) > 0
}
