# Library (no METADATA, so not a rule): APIM policy documents as the collector parses them.
#
# A policy document is null (no policy at that scope) or an object with the sections
# `inbound`, `backend`, `outbound` and `onError` (each null when the document has no such
# section, else the ordered array of its elements `{name, attributes, children, text}`)
# and `fragments`. An element named `base` marks where the parent scope's section runs.
#
# Scopes nest global (service) → workspace → product → API → operation (the workspace
# scope only for the APIs a workspace holds). A call made with a key of a product
# subscription runs that product's policy; a call made without a key, or with a key scoped
# to one API or to all APIs, runs no product policy at all.
#
# Performance: indexes over the estate are complete rules (computed once per evaluation);
# functions only ever iterate one API's own operations and products.
package apimguard.lib.policy

import rego.v1

section_names := ["inbound", "backend", "outbound", "onError"]

# Section names as written in the policy XML, for messages.
xml_names := {"inbound": "inbound", "backend": "backend", "outbound": "outbound", "onError": "on-error"}

_children(level) := [c |
	some e in level
	some c in object.get(e, "children", [])
]

# Every element of `elems` and of their children, down to 8 levels (enough for
# choose/when/send-request/set-header/value), level by level. It stops at the first empty
# level, so flat documents cost one pass.
descendants(elems) := _d1(elems, _children(elems))

_d1(acc, l) := acc if count(l) == 0

_d1(acc, l) := _d2(array.concat(acc, l), _children(l)) if count(l) > 0

_d2(acc, l) := acc if count(l) == 0

_d2(acc, l) := _d3(array.concat(acc, l), _children(l)) if count(l) > 0

_d3(acc, l) := acc if count(l) == 0

_d3(acc, l) := _d4(array.concat(acc, l), _children(l)) if count(l) > 0

_d4(acc, l) := acc if count(l) == 0

_d4(acc, l) := _d5(array.concat(acc, l), _children(l)) if count(l) > 0

_d5(acc, l) := acc if count(l) == 0

_d5(acc, l) := _d6(array.concat(acc, l), _children(l)) if count(l) > 0

_d6(acc, l) := acc if count(l) == 0

_d6(acc, l) := _d7(array.concat(acc, l), _children(l)) if count(l) > 0

_d7(acc, l) := array.concat(acc, l)

# An attribute value of an element as a string ("" when absent).
attr(e, name) := sprintf("%v", [object.get(object.get(e, "attributes", {}), name, "")])

# The policy document of a service, product, API or operation (null when it has none; the
# collector may also leave the key out).
doc_of(x) := object.get(x, "policy", null)

# Whether a value is a policy expression (`@(...)` or `@{...}`), evaluated per request.
is_expression(v) if startswith(trim_space(v), "@")

# --- Where the documents are -------------------------------------------------------------

# Every policy document of the estate with the resource that owns it (`x.policy` reads as
# `doc_of(x)` here: a missing key and null both mean no document):
# {"resource": ARM id, "kind": "global" | "workspace" | "product" | "api" | "operation",
#  "service": service name, "policy": document, "at": position}.
# `at` is the owner's position in the snapshot: [subscription, service] for a global policy,
# then the workspace's, the product's, or the API's and operation's, index ([si, vi, wi],
# [si, vi, pi], [si, vi, ai], [si, vi, ai, oi]). Rules join on positions, never on ids: an id may repeat in a hand-made
# snapshot, a position cannot. A scope's description for messages is `label(s)`, built only
# for the scopes a rule reports (most documents pass every rule).
scopes := array.concat(
	array.concat(_global_scopes, array.concat(_workspace_scopes, _product_scopes)),
	array.concat(_api_scopes, _operation_scopes),
)

_global_scopes := [s |
	some si, sub in input.subscriptions
	some vi, svc in sub.services
	doc := svc.policy
	doc != null
	s := {"resource": svc.id, "kind": "global", "service": svc.name, "policy": doc, "at": [si, vi]}
]

# (`label` reads the names below; a scope is only listed when they can be read. A snapshot
# without workspaces, like one of a tier that has none, lists none.)
_workspace_scopes := [s |
	some si, sub in input.subscriptions
	some vi, svc in sub.services
	some wi, w in object.get(svc, "workspaces", [])
	doc := w.policy
	doc != null
	name := object.get(w.properties, "displayName", w.name)
	s := {"resource": w.id, "kind": "workspace", "service": svc.name, "policy": doc, "at": [si, vi, wi]}
]

_product_scopes := [s |
	some si, sub in input.subscriptions
	some vi, svc in sub.services
	some pi, p in svc.products
	doc := p.policy
	doc != null
	name := object.get(p.properties, "displayName", p.name)
	s := {"resource": p.id, "kind": "product", "service": svc.name, "policy": doc, "at": [si, vi, pi]}
]

_api_scopes := [s |
	some si, sub in input.subscriptions
	some vi, svc in sub.services
	apis := svc.apis
	some ai
	doc := apis[ai].policy
	doc != null
	api_name := apis[ai].displayName
	s := {"resource": apis[ai].id, "kind": "api", "service": svc.name, "policy": doc, "at": [si, vi, ai]}
]

_operation_scopes := [s |
	some si, sub in input.subscriptions
	some vi, svc in sub.services
	some ai, api in svc.apis
	api_name := api.displayName
	# (Indexing the operations is cheaper than binding each one: most have no document.)
	ops := api.operations
	some oi
	doc := ops[oi].policy
	doc != null
	s := {"resource": concat("/", [api.id, "operations", ops[oi].name]), "kind": "operation", "service": svc.name,
		"policy": doc, "at": [si, vi, ai, oi]}
]

# A readable description of a scope (an entry of `scopes`), for messages:
# `policy of API "x" (service "y")`.
label(s) := sprintf("global policy of service %q", [s.service]) if s.kind == "global"

label(s) := sprintf("policy of workspace %q (service %q)", [name, s.service]) if {
	s.kind == "workspace"
	w := input.subscriptions[s.at[0]].services[s.at[1]].workspaces[s.at[2]]
	name := object.get(w.properties, "displayName", w.name)
}

label(s) := sprintf("policy of product %q (service %q)", [name, s.service]) if {
	s.kind == "product"
	p := input.subscriptions[s.at[0]].services[s.at[1]].products[s.at[2]]
	name := object.get(p.properties, "displayName", p.name)
}

label(s) := sprintf("policy of API %q (service %q)", [api.displayName, s.service]) if {
	s.kind == "api"
	api := input.subscriptions[s.at[0]].services[s.at[1]].apis[s.at[2]]
}

label(s) := sprintf("policy of operation %q of API %q (service %q)", [op.name, api.displayName, s.service]) if {
	s.kind == "operation"
	api := input.subscriptions[s.at[0]].services[s.at[1]].apis[s.at[2]]
	op := api.operations[s.at[3]]
}

# --- Elements by name, built once ---------------------------------------------------------
#
# Rules that look for particular elements anywhere in the documents use
# `elements_named[name]`: a set of [scope, section, element, top] for every element so named
# (`<base />` elements are not listed: they only matter where they stand, see `effect`),
# nested ones included to the depth of `descendants` (scope: its index in `scopes`; top: the
# position in the section of the top-level element it is, or is nested in). The whole
# estate's elements are walked once per evaluation, level by level, instead of once per
# document and rule.

elements_named[name] contains entry if {
	some level in [_level0, _level1, _level2, _level3, _level4, _level5, _level6, _level7]
	some entry in level
	name := entry[2].name
	name != "base"
}

# Level 0 leaves out the bare `<base />` elements (most top-level elements): they are not
# listed and have no children to walk. Any other element named base (one with attributes or
# children, in a hand-made snapshot) is walked as before. A section is an array or null
# (the snapshot is validated before rules run): indexing skips null without a type test,
# which would cost as much as the walk itself.
_level0 := [[i, section, e, top] |
	names := section_names
	bare := {"name": "base", "attributes": {}, "children": []}
	some i, s in scopes
	some section in names
	elems := s.policy[section]
	e := elems[top]
	e != bare
]

_below(level) := [[entry[0], entry[1], c, entry[3]] | some entry in level; some c in entry[2].children]

_level1 := _below(_level0)

_level2 := _below(_level1)

_level3 := _below(_level2)

_level4 := _below(_level3)

_level5 := _below(_level4)

_level6 := _below(_level5)

_level7 := _below(_level6)
