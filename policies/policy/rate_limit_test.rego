package apimguard.rules.policy.rate_limit_test

import rego.v1

import data.apimguard.rules.policy.rate_limit as rule

el(name) := {"name": name, "attributes": {}, "children": []}

base := el("base")

doc(inbound) := {"inbound": inbound, "backend": [base], "outbound": [base], "onError": [base], "fragments": []}

svc_id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim"

estate(global, products, api) := {"subscriptions": [{"services": [{"id": svc_id, "name": "apim", "policy": global, "products": products, "apis": [api], "apimSubscriptions": []}]}]}

product(name, pol) := {"id": name, "name": name, "properties": {}, "policy": pol, "apis": []}

api(products, sub_required, pol, ops) := {"id": "api", "name": "echo", "displayName": "Echo API", "products": products, "subscriptionRequired": sub_required, "policy": pol, "operations": ops}

test_global_limit_inherited_passes if {
	count(rule.deny) == 0 with input as estate(doc([el("rate-limit-by-key")]), [], api([], true, null, []))
}

test_product_limit_covers_product_path if {
	count(rule.deny) == 0 with input as estate(null, [product("starter", doc([base, el("rate-limit")]))], api(["starter"], true, null, []))
}

test_open_api_skips_product_limit if {
	result := rule.deny with input as estate(null, [product("starter", doc([base, el("rate-limit")]))], api(["starter"], false, null, []))
	count(result) == 1
	some f in result
	endswith(f.message, "for all operations called without a product subscription")
}

test_api_policy_without_base_drops_global_limit if {
	some f in rule.deny with input as estate(doc([el("rate-limit")]), [], api([], true, doc([el("cors")]), []))
	contains(f.message, "all operations called without a product subscription")
}

test_operation_without_base_is_named if {
	ops := [{"name": "get", "method": "GET", "urlTemplate": "/", "policy": null}, {"name": "post", "method": "POST", "urlTemplate": "/", "policy": doc([el("mock-response")])}]
	some f in rule.deny with input as estate(doc([el("quota")]), [], api([], true, null, ops))
	contains(f.message, `operation "post"`)
	not contains(f.message, "all operations")
}

test_llm_token_limit_counts if {
	count(rule.deny) == 0 with input as estate(null, [], api([], true, doc([base, el("llm-token-limit")]), []))
}

test_fragment_note if {
	global := object.union(doc([el("include-fragment")]), {"fragments": ["common-inbound"]})
	some f in rule.deny with input as estate(global, [], api([], true, null, []))
	contains(f.message, "policy fragments")
}

test_unknown_product_inherits_global if {
	count(rule.deny) == 0 with input as estate(doc([el("quota")]), [], api(["ghost"], true, null, []))
}

test_product_without_limit_is_named if {
	some f in rule.deny with input as estate(null, [product("starter", doc([base, el("rate-limit")])), product("unlimited", doc([base]))], api(["starter", "unlimited"], true, null, []))
	endswith(f.message, `for all operations via product "unlimited"`)
}

test_missing_policy_keys_still_judged if {
	svc := {"id": svc_id, "name": "apim", "products": [], "apimSubscriptions": [], "apis": [{"id": "api", "name": "echo", "displayName": "Echo API", "products": [], "subscriptionRequired": true, "operations": [{"name": "get", "method": "GET", "urlTemplate": "/"}]}]}
	count(rule.deny) == 1 with input as {"subscriptions": [{"services": [svc]}]}
}

# No document anywhere runs a limit or drops <base />: the per-service tables are empty, and
# APIs are still judged on both paths (documents of their own, or none).
test_operation_document_keeping_base_still_judged if {
	ops := [{"name": "get", "method": "GET", "urlTemplate": "/", "policy": doc([base])}]
	some f in rule.deny with input as estate(null, [], api([], true, null, ops))
	contains(f.message, `operation "get" called without a product subscription`)
}

test_api_document_keeping_base_still_judged if {
	some f in rule.deny with input as estate(null, [], api([], true, doc([base]), []))
	endswith(f.message, "for all operations called without a product subscription")
}

# Operations with documents of their own, in order on every path: one runs a limit, one
# drops the chain (and includes fragments); the API's chain runs the global limit.
test_operation_documents_on_every_path if {
	ops := [
		{"name": "get", "method": "GET", "urlTemplate": "/", "policy": null},
		{"name": "post", "method": "POST", "urlTemplate": "/", "policy": doc([el("rate-limit")])},
		{"name": "put", "method": "PUT", "urlTemplate": "/", "policy": object.union(doc([el("include-fragment")]), {"fragments": ["f"]})},
		{"name": "patch", "method": "PATCH", "urlTemplate": "/", "policy": doc([el("cors")])},
	]
	result := rule.deny with input as estate(doc([el("quota")]), [product("starter", doc([base]))], api(["starter"], false, null, ops))
	[f.message | some f in result] == [concat("", [
		`API "Echo API" (service "apim") runs no rate limit or quota for `,
		`operation "put" via product "starter"; operation "patch" via product "starter"; `,
		`operation "put" called without a product subscription; operation "patch" called without a product subscription`,
		" (policy fragments are included along the way; their content is not in the snapshot)",
	])]
}

# Direct subscriptions: one scoped to the API or to all APIs opens the path without a
# product; one scoped to a product (no "/apis" in its scope) does not.
with_subs(e, subs) := {"subscriptions": [{"services": [object.union(e.subscriptions[0].services[0], {"apimSubscriptions": subs})]}]}

direct_sub(scope) := {"name": "s1", "properties": {"state": "active", "scope": scope}}

test_direct_subscription_scopes if {
	e := estate(null, [product("starter", doc([base, el("rate-limit")]))], api(["starter"], true, null, []))
	count(rule.deny) == 0 with input as with_subs(e, [direct_sub(concat("", [svc_id, "/products/starter"]))])
	count(rule.deny) == 1 with input as with_subs(e, [direct_sub(concat("", [svc_id, "/apis"]))])
	count(rule.deny) == 1 with input as with_subs(e, [direct_sub(concat("", [svc_id, "/apis/echo"]))])
	count(rule.deny) == 0 with input as with_subs(e, [direct_sub(concat("", [svc_id, "/apis/other"]))])
	suspended := object.union(direct_sub(concat("", [svc_id, "/apis"])), {"properties": {"state": "suspended"}})
	count(rule.deny) == 0 with input as with_subs(e, [suspended])
}

# Workspace APIs: the workspace policy sits between the global policy and the API's.
workspace_estate(global, workspace_policy) := workspace_estate_of(global, workspace_policy, "team", [])

workspace_estate_of(global, workspace_policy, in_workspace, ops) := {"subscriptions": [{"services": [{
	"id": svc_id, "name": "apim", "policy": global, "products": [], "apimSubscriptions": [],
	"workspaces": [{"id": "wks", "name": "team", "properties": {}, "policy": workspace_policy, "apis": ["echo"]}],
	"apis": [object.union(api([], true, null, ops), {"exposure": {"external": true, "gateways": [], "workspace": in_workspace}})],
}]}]}

test_workspace_policy_without_base_drops_global_limit if {
	some f in rule.deny with input as workspace_estate(doc([el("rate-limit")]), doc([el("cors")]))
	contains(f.message, "all operations called without a product subscription")
}

test_workspace_policy_keeping_base_keeps_global_limit if {
	count(rule.deny) == 0 with input as workspace_estate(doc([el("rate-limit")]), doc([base, el("cors")]))
}

test_workspace_limit_covers_its_apis if {
	count(rule.deny) == 0 with input as workspace_estate(null, doc([el("quota")]))
}

test_workspace_limit_does_not_cover_other_apis if {
	count(rule.deny) == 1 with input as workspace_estate_of(null, doc([el("quota")]), null, [])
}

test_workspace_api_with_operation_documents_composes_over_the_workspace if {
	ops := [{"name": "get", "method": "GET", "urlTemplate": "/", "policy": doc([base, el("cors")])}, {"name": "post", "method": "POST", "urlTemplate": "/", "policy": doc([el("mock-response")])}]
	result := rule.deny with input as workspace_estate_of(null, doc([el("quota")]), "team", ops)
	count(result) == 1
	some f in result
	contains(f.message, `operation "post"`)
	not contains(f.message, `operation "get"`)
}
