# METADATA
# title: Every call path of an API must run a rate limit or quota
# description: >-
#   Without rate-limit, quota (or their by-key and LLM token variants) somewhere in the
#   effective inbound policy, one caller can exhaust the backend, run up cost and starve
#   everyone else (unrestricted resource consumption), and automated abuse of business flows
#   is unthrottled. The effective chain is composed global > workspace > product > API >
#   operation, honouring <base />, for every product the API is in and for calls made
#   without a product subscription (the workspace step for the APIs a workspace holds).
# related_resources:
#   - https://learn.microsoft.com/azure/api-management/rate-limit-by-key-policy
#   - https://learn.microsoft.com/azure/api-management/mitigate-owasp-api-threats
# custom:
#   id: APIM-POL-003
#   severity: medium
#   input: service
#   recommendation: >-
#     Add rate-limit-by-key (keyed on the subscription, the client IP or a JWT claim) and a
#     quota to the global, product or API inbound policy, and keep <base /> in the scopes
#     below it so the limit reaches every operation.
#   frameworks:
#     owasp-api-2023: [API4, API6]
#     mcsb: [NS-5]
#     nist-800-53: ["SC-5"]
#     iso-27001: [A.8.6]
package apimguard.rules.policy.rate_limit

import rego.v1

import data.apimguard.lib.policy

limits := {"rate-limit", "rate-limit-by-key", "quota", "quota-by-key", "llm-token-limit", "azure-openai-token-limit"}

# The rule is evaluated per API over shared per-evaluation tables: which policy documents
# do not simply inherit their parent's inbound chain (`_deviation`, from the library's
# element index), each service's global and product chains, the APIs a direct subscription
# can call, and the APIs whose paths include policy fragments. Tables are keyed by
# positions (see `policy.scopes`), never by ids. Most APIs have no document of their own
# that changes the chain, and no operation documents: their verdict is their products'
# chains, read from a per-service table (`_chains`) without composing anything.

# Scope indices whose inbound section runs a limit of its own: a limit element that is, or
# is nested in, a top-level element other than <base /> (a limit nested in <base /> would
# be the parent's).
_own contains i if {
	some name in limits
	some entry in policy.elements_named[name]
	entry[1] == "inbound"
	i := entry[0]
	policy.scopes[i].policy.inbound[entry[3]].name != "base"
}

# Scope indices whose inbound section keeps <base /> (runs its parent's elements).
_keeps_base contains i if {
	some i, s in policy.scopes
	elems := s.policy.inbound
	is_array(elems)
	some e in elems
	e.name == "base"
}

# [kind, position] of each document whose inbound effect is not "inherit": "own" (runs a limit itself) or "block" (no limit, no <base />, or no inbound
# section). A resource without a document, or whose document keeps <base /> and runs no
# limit, inherits.
_deviation[key] := "own" if {
	some i in _own
	s := policy.scopes[i]
	key := [s.kind, s.at]
}

_deviation[key] := "block" if {
	own := _own
	keeps := _keeps_base
	some i, s in policy.scopes
	not i in own
	not i in keeps
	key := [s.kind, s.at]
}

# apply(effect, whether the parent chain runs a limit) as a table.
_apply := {"own": {true: true, false: true}, "inherit": {true: true, false: false}, "block": {true: false, false: false}}

# Whether each service's global inbound policy runs a limit, and each product's chain.
global_limited[at] := _apply[object.get(_deviation, [["global", at]], "inherit")][false] if {
	some si, sub in input.subscriptions
	some vi, _ in sub.services
	at := [si, vi]
}

product_limited[at] := {p.name: _apply[object.get(_deviation, [["product", [si, vi, pi]]], "inherit")][global_limited[at]] |
	some pi, p in svc.products
} if {
	some si, sub in input.subscriptions
	some vi, svc in sub.services
	at := [si, vi]
}

# [si, vi] → the positions ai of the APIs whose chains are not just their products' chains:
# the API's document runs a limit or blocks the chain, or an operation has a document.
# (Read through a comprehension: a service with no such API has no entry.)
_composed[at] contains ai if {
	some key, _ in _deviation
	key[0] == "api"
	pos := key[1]
	at := [pos[0], pos[1]]
	ai := pos[2]
}

_composed[at] contains ai if {
	some s in policy.scopes
	s.kind == "operation"
	pos := s.at
	at := [pos[0], pos[1]]
	ai := pos[2]
}

checked contains api.id if {
	some sub in input.subscriptions
	some svc in sub.services
	some api in svc.apis
}

# APIs whose chains are their products' chains. Most APIs are judged here: the tables are
# read once per service, and a passing API costs a few lookups.
deny contains {"resource": api.id, "message": msg} if {
	some si, sub in input.subscriptions
	some vi, svc in sub.services
	chain := _chains[[si, vi]]
	# (Comprehensions: these tables have no entry for a service without such APIs.)
	direct := {name | some name in _direct[[si, vi]]}
	all_direct := "*" in direct
	composed := {x | some x in _composed[[si, vi]]}
	fragments := {x | some x in _with_fragments[[si, vi]]}
	some ai, api in svc.apis
	not ai in composed
	global := _global_of(chain, [si, vi], api)
	# Products whose chain runs no limit (an unknown product gets the global chain).
	open := [pname | some pname in api.products; not object.get(chain, pname, global)]
	# The path without a product, when the global chain runs no limit and the API can be
	# called that way (its products are none, it needs no subscription, or a direct subscription reaches it).
	none := [true |
		not global
		true in {count(api.products) == 0, object.get(api, "subscriptionRequired", false) == false, all_direct, api.name in direct}
	]
	count(open) + count(none) > 0
	missing := array.concat(
		[sprintf("all operations via product %q", [pname]) | some pname in open],
		["all operations called without a product subscription" | some _ in none],
	)
	msg := sprintf("API %q (service %q) runs no rate limit or quota for %s%s", [api.displayName, svc.name, concat("; ", missing), _fragment_note[ai in fragments]])
}

# APIs with a document of their own that changes the chain, or operation documents.
deny contains {"resource": api.id, "message": msg} if {
	deviation := _deviation
	apply := _apply
	some si, sub in input.subscriptions
	some vi, svc in sub.services
	chain := _chains[[si, vi]]
	direct := {name | some name in _direct[[si, vi]]}
	all_direct := "*" in direct
	fragments := {x | some x in _with_fragments[[si, vi]]}
	some ai in _composed[[si, vi]]
	api := svc.apis[ai]
	global := _global_of(chain, [si, vi], api)
	# (object.get reads an array key as a path, hence the one-step path [key].)
	eff := apply[object.get(deviation, [["api", [si, vi, ai]]], "inherit")]
	# [label, effect] of each operation with a document of its own, in order (the others
	# inherit the API's chain; a missing key, like null, means no document).
	ops := [[sprintf("operation %q", [op.name]), object.get(deviation, [["operation", [si, vi, ai, oi]]], "inherit")] |
		some oi, op in api.operations
		op.policy != null
	]
	# The labels of the chains that run no limit, by whether the API's chain does: all
	# operations without a document (or the API without operations), then each operation
	# with one.
	failing := {
		false: array.concat(["all operations" | count(ops) < max([count(api.operations), 1])], [x[0] | some x in ops; x[1] != "own"]),
		true: [x[0] | some x in ops; x[1] == "block"],
	}
	count(failing[false]) > 0
	# The call paths: the API's products, then the path without a product when the API can
	# be called that way. Each uncovered path is labelled `<operations> via product "p"` or
	# `<operations> called without a product subscription`.
	by_product := [sprintf("%s via product %q", [label, pname]) |
		some pname in api.products
		some label in failing[eff[object.get(chain, pname, global)]]
	]
	without := [concat(" ", [label, "called without a product subscription"]) |
		true in {count(api.products) == 0, object.get(api, "subscriptionRequired", false) == false, all_direct, api.name in direct}
		some label in failing[eff[global]]
	]
	missing := array.concat(by_product, without)
	count(missing) > 0
	msg := sprintf("API %q (service %q) runs no rate limit or quota for %s%s", [api.displayName, svc.name, concat("; ", missing), _fragment_note[ai in fragments]])
}

# [si, vi] → workspace name → whether the chain global > workspace runs a limit, for the
# workspaces whose policy does not simply inherit (the others leave the global chain as
# it is).
_workspace_limited[at] := {w.name: _apply[effect][global_limited[at]] |
	some wi, w in svc.workspaces
	effect := _deviation[["workspace", [si, vi, wi]]]
} if {
	some si, sub in input.subscriptions
	some vi, svc in sub.services
	at := [si, vi]
}

# Whether the chain an API's calls start from (global, then its workspace's policy when
# it is in one) runs a limit: the service's global chain unless the API's workspace
# policy runs a limit or blocks it.
_global_of(chain, at, api) := object.get(_workspace_limited[at], object.get(object.get(api, "exposure", {}), "workspace", null), chain[null])

# [si, vi] → whether each call path's chain runs a limit: by product name, and null for
# calls without a product (the global chain, which an unknown product also gets).
_chains[at] := object.union(product_limited[at], {null: global_limited[at]}) if {
	some at, _ in global_limited
}

# [si, vi] → the API names an active subscription scoped to one API can call, and "*" when
# an active subscription is scoped to all APIs. Calls made with such a subscription's key
# run no product policy.
_direct[at] contains name if {
	some si, sub in input.subscriptions
	some vi, svc in sub.services
	at := [si, vi]
	some s in svc.apimSubscriptions
	object.get(s.properties, "state", "") == "active"
	scope := sprintf("%v", [object.get(s.properties, "scope", "")])
	# (Both kinds of direct scope contain "/apis": the function is only called for those.)
	contains(scope, "/apis")
	name := _direct_name(scope)
}

_direct_name(scope) := "*" if endswith(scope, "/apis")

_direct_name(scope) := name if {
	not endswith(scope, "/apis")
	parts := split(scope, "/apis/")
	count(parts) == 2
	name := parts[1]
	name != ""
	not contains(name, "/")
}

_fragment_note := {true: " (policy fragments are included along the way; their content is not in the snapshot)", false: ""}

# [si, vi] → the positions ai of the APIs whose global, product, API or operation policy
# includes fragments. (Read through a comprehension: a service without any has no entry.)
_with_fragments[at] contains ai if {
	some si, sub in input.subscriptions
	some vi, svc in sub.services
	_has_fragments(policy.doc_of(svc))
	at := [si, vi]
	some ai, _ in svc.apis
}

_with_fragments[at] contains ai if {
	some si, sub in input.subscriptions
	some vi, svc in sub.services
	some p in svc.products
	is_object(policy.doc_of(p))
	_has_fragments(policy.doc_of(p))
	at := [si, vi]
	some ai, api in svc.apis
	p.name in api.products
}

_with_fragments[at] contains ai if {
	some s in policy.scopes
	count(object.get(s.policy, "fragments", [])) > 0
	s.kind in {"api", "operation"}
	pos := s.at
	at := [pos[0], pos[1]]
	ai := pos[2]
}

_has_fragments(doc) if {
	doc != null
	count(object.get(doc, "fragments", [])) > 0
}
