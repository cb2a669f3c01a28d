package apimguard.lib.policy_test

import rego.v1

import data.apimguard.lib.policy

el(name) := {"name": name, "attributes": {}, "children": []}

base := el("base")

doc(inbound) := {"inbound": inbound, "backend": [base], "outbound": [base], "onError": [base], "fragments": []}

names(elems) := [e.name | some e in elems]

test_compose_null_policy_inherits if {
	policy.compose([el("a")], null, "inbound") == [el("a")]
}

test_compose_replaces_base_in_place if {
	names(policy.compose([el("a"), el("b")], doc([el("x"), base, el("y")]), "inbound")) == ["x", "a", "b", "y"]
}

test_compose_without_base_drops_parent if {
	names(policy.compose([el("rate-limit")], doc([el("x")]), "inbound")) == ["x"]
}

test_compose_missing_section_runs_nothing_from_above if {
	policy.compose([el("rate-limit")], {"inbound": null, "backend": null, "outbound": null, "onError": null}, "inbound") == []
}

test_descendants_reach_nested_children if {
	choose := {"name": "choose", "attributes": {}, "children": [{"name": "when", "attributes": {}, "children": [el("rate-limit")]}]}
	names(policy.descendants([choose])) == ["choose", "when", "rate-limit"]
}

test_descendants_ignore_attributes_named_name if {
	header := {"name": "set-header", "attributes": {"name": "Authorization"}, "children": [{"name": "value", "attributes": {}, "children": [], "text": "x"}]}
	names(policy.descendants([header])) == ["set-header", "value"]
}

test_attr_and_expression if {
	e := {"name": "set-backend-service", "attributes": {"base-url": "@(context.Request.Url.Query.GetValueOrDefault(\"u\"))"}}
	policy.is_expression(policy.attr(e, "base-url"))
	policy.attr(e, "backend-id") == ""
	not policy.is_expression("https://contoso.example")
}

svc_id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim"

estate(svc) := {"subscriptions": [{"services": [svc]}]}

service(global, products, apis, subs) := {"id": svc_id, "name": "apim", "policy": global, "products": products, "apis": apis, "apimSubscriptions": subs}

product(name, pol) := {"id": concat("/", [svc_id, "products", name]), "name": name, "properties": {}, "policy": pol, "apis": []}

api(name, products, sub_required, pol, ops) := {"id": concat("/", [svc_id, "apis", name]), "name": name, "displayName": name, "products": products, "subscriptionRequired": sub_required, "policy": pol, "operations": ops}

op(name, pol) := {"name": name, "method": "GET", "urlTemplate": "/", "policy": pol}

test_chains_follow_each_product if {
	a := api("echo", ["starter", "gold"], true, null, [op("get", null)])
	svc := service(doc([el("cors")]), [product("starter", doc([base, el("rate-limit")])), product("gold", null)], [a], [])
	cs := policy.chains(svc, a, "inbound") with input as estate(svc)
	[[c.product, c.operation, names(c.elements)] | some c in cs] == [["starter", null, ["cors", "rate-limit"]], ["gold", null, ["cors"]]]
}

test_chains_add_no_product_path_when_key_not_required if {
	a := api("open", ["starter"], false, null, [])
	svc := service(null, [product("starter", doc([base, el("rate-limit")]))], [a], [])
	cs := policy.chains(svc, a, "inbound") with input as estate(svc)
	[c.product | some c in cs] == ["starter", null]
}

test_chains_add_no_product_path_for_all_apis_subscription if {
	a := api("echo", ["starter"], true, null, [])
	sub := {"id": "s1", "name": "master", "properties": {"scope": concat("", [svc_id, "/apis"]), "state": "active"}}
	svc := service(null, [product("starter", null)], [a], [sub])
	cs := policy.chains(svc, a, "inbound") with input as estate(svc)
	[c.product | some c in cs] == ["starter", null]
}

test_chains_ignore_suspended_api_subscription if {
	a := api("echo", ["starter"], true, null, [])
	sub := {"id": "s1", "name": "one", "properties": {"scope": concat("", [svc_id, "/apis/echo"]), "state": "suspended"}}
	svc := service(null, [product("starter", null)], [a], [sub])
	cs := policy.chains(svc, a, "inbound") with input as estate(svc)
	[c.product | some c in cs] == ["starter"]
}

test_chains_split_operations_with_own_policy if {
	a := api("echo", [], true, doc([base, el("quota")]), [op("get", null), op("post", doc([el("mock-response")]))])
	svc := service(doc([el("cors")]), [], [a], [])
	cs := policy.chains(svc, a, "inbound") with input as estate(svc)
	[[c.operation, names(c.elements)] | some c in cs] == [[null, ["cors", "quota"]], ["post", ["mock-response"]]]
}

test_scopes_name_their_resources if {
	a := api("echo", [], true, doc([base]), [op("get", doc([base]))])
	svc := service(doc([el("cors")]), [product("starter", doc([base]))], [a], [])
	ss := policy.scopes with input as estate(svc)
	[s.kind | some s in ss] == ["global", "product", "api", "operation"]
	ss[3].resource == concat("/", [svc_id, "apis/echo/operations/get"])
}

test_chain_label if {
	policy.chain_label({"product": null, "operation": "get"}) == `operation "get" called without a product subscription`
	policy.chain_label({"product": "starter", "operation": null}) == `all operations via product "starter"`
}

test_effect_and_apply if {
	limits := {"rate-limit"}
	inherit := policy.effect(null, "inbound", limits)
	policy.apply(inherit, true) == true
	policy.apply(inherit, false) == false
	own := policy.effect(doc([el("x"), el("rate-limit")]), "inbound", limits)
	policy.apply(own, false) == true
	keeps := policy.effect(doc([base, el("x")]), "inbound", limits)
	policy.apply(keeps, true) == true
	policy.apply(keeps, false) == false
	drops := policy.effect(doc([el("x")]), "inbound", limits)
	policy.apply(drops, true) == false
	missing := policy.effect({"inbound": null}, "inbound", limits)
	policy.apply(missing, true) == false
}

test_effect_sees_nested_elements if {
	choose := {"name": "choose", "attributes": {}, "children": [{"name": "when", "attributes": {}, "children": [el("rate-limit")]}]}
	policy.effect(doc([base, choose]), "inbound", {"rate-limit"}).own == true
}

test_path_names if {
	a := api("echo", ["starter"], false, null, [])
	svc := service(null, [product("starter", null)], [a], [])
	names := policy.path_names(svc, a) with input as estate(svc)
	names == ["starter", null]
}

test_scopes_tolerate_missing_policy_keys if {
	svc := {"id": svc_id, "name": "apim", "products": [{"id": "p", "name": "p", "properties": {}, "apis": []}], "apis": [{"id": "a", "name": "a", "displayName": "A", "operations": [{"name": "get"}]}]}
	ss := policy.scopes with input as estate(svc)
	count(ss) == 0
}

test_label_names_each_kind_of_scope if {
	a := api("echo", [], true, doc([base]), [op("get", doc([base]))])
	p := object.union(product("starter", doc([base])), {"properties": {"displayName": "Starter"}})
	svc := service(doc([el("cors")]), [p, product("gold", doc([base]))], [a], [])
	labels := [policy.label(s) | some s in policy.scopes] with input as estate(svc)
	labels == [
		`global policy of service "apim"`,
		`policy of product "Starter" (service "apim")`,
		`policy of product "gold" (service "apim")`,
		`policy of API "echo" (service "apim")`,
		`policy of operation "get" of API "echo" (service "apim")`,
	]
}

test_elements_named_skips_bare_base_and_null_sections if {
	d := {"inbound": [base, el("cors")], "backend": null, "outbound": [base], "onError": null, "fragments": []}
	a := api("echo", [], true, d, [])
	svc := service(null, [], [a], [])
	named := policy.elements_named with input as estate(svc)
	object.keys(named) == {"cors"}
	named.cors == {[0, "inbound", el("cors"), 1]}
}

test_elements_named_walks_children_of_an_unusual_base if {
	odd := {"name": "base", "attributes": {}, "children": [el("rate-limit")]}
	a := api("echo", [], true, doc([odd, el("cors")]), [])
	svc := service(null, [], [a], [])
	named := policy.elements_named with input as estate(svc)
	object.keys(named) == {"cors", "rate-limit"}
	named["rate-limit"] == {[0, "inbound", el("rate-limit"), 0]}
}
