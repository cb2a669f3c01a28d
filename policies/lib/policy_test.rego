package apimguard.lib.policy_test

import rego.v1

import data.apimguard.lib.policy

el(name) := {"name": name, "attributes": {}, "children": []}

base := el("base")

doc(inbound) := {"inbound": inbound, "backend": [base], "outbound": [base], "onError": [base], "fragments": []}

names(elems) := [e.name | some e in elems]

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

test_scopes_name_their_resources if {
	a := api("echo", [], true, doc([base]), [op("get", doc([base]))])
	svc := service(doc([el("cors")]), [product("starter", doc([base]))], [a], [])
	ss := policy.scopes with input as estate(svc)
	[s.kind | some s in ss] == ["global", "product", "api", "operation"]
	ss[3].resource == concat("/", [svc_id, "apis/echo/operations/get"])
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
