//! Estates for the fake ARM, derived from Microsoft's published example payloads
//! (`fixtures/arm/examples/`, verbatim copies of `x-ms-examples` from
//! Azure/azure-rest-api-specs). Ids are moved to our subscription and services; a few
//! fields are set to make each API show one case (see the constants).
//!
//! The demo estate is data instead: [`Estate::from_dir`] loads a folder of ARM answers
//! (`fixtures/arm/demo/`, see [`demo`]).

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

/// The subscription of the estates.
pub const SUBSCRIPTION: &str = "11111111-1111-4111-8111-111111111111";
/// Its tenant.
pub const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
/// The resource group of the main services.
pub const RG: &str = "rg-apim";
/// The Premium service with every kind of API.
pub const SERVICE: &str = "contoso";
/// Requires a subscription key; onboarded to Defender.
pub const ECHO_API: &str = "echo-api";
/// JWT validated through a policy fragment; also served by self-hosted gateway gw1.
pub const FRAGMENT_API: &str = "a1";
/// `validate-jwt` inside a `<choose>` (raw C# expression): auth unknown; onboarded.
pub const CHOOSE_API: &str = "5a73933b8f27f7cc82a2d533";
/// External, no authentication, not onboarded: APIM-DEF-001 fails for it.
pub const OPEN_API: &str = "5a7390baa5816a110435aee0";
/// A SOAP API (not REST): not eligible for Defender.
pub const SOAP_API: &str = "57d1f7558aa04f15146d9d8a";
/// A literal credential in an operation policy that must never reach the snapshot.
pub const POLICY_SECRET: &str = "c2VjcmV0LWJhY2tlbmQ=";

/// The id prefix of APIM examples.
const EXAMPLE_SERVICE: &str =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1";
/// The id prefix of API collection examples.
const EXAMPLE_COLLECTION_SERVICE: &str =
    "/subscriptions/3fa85f64-5717-4562-b3fc-2c963f66afa6/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1";
/// The subscription of the Security examples.
const EXAMPLE_SECURITY_SUBSCRIPTION: &str = "20ff7fc3-e762-44dd-bd96-b71116dcdc23";

/// ARM paths (lower-cased, no query) and the JSON served there.
#[derive(Debug, Default, Clone)]
pub struct Estate {
    /// The routes.
    pub routes: BTreeMap<String, Value>,
}

impl Estate {
    /// Serves `body` at `path`.
    pub fn put(&mut self, path: &str, body: Value) {
        self.routes.insert(
            path.to_ascii_lowercase().trim_end_matches('/').to_string(),
            body,
        );
    }

    /// Serves a list (the fake pages it when asked to).
    pub fn list(&mut self, path: &str, items: Vec<Value>) {
        let count = items.len();
        self.put(
            path,
            json!({"value": items, "count": count, "nextLink": ""}),
        );
    }

    /// Loads a folder that mirrors ARM paths: `A/B.json` is the JSON served at `/A/B`,
    /// and `…/policies/policy.xml` is a policy document served at `…/policies/policy`
    /// as ARM answers `?format=rawxml` (the XML, verbatim, in the policy contract).
    pub fn from_dir(root: &Path) -> Estate {
        fn walk(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
            let entries =
                std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            for entry in entries {
                let path = entry.expect("directory entry").path();
                if path.is_dir() {
                    walk(&path, files);
                } else {
                    files.push(path);
                }
            }
        }
        let mut files = Vec::new();
        walk(root, &mut files);
        let mut estate = Estate::default();
        for file in files {
            let relative = file.strip_prefix(root).expect("under the root");
            let route = format!(
                "/{}",
                relative
                    .with_extension("")
                    .components()
                    .map(|c| c.as_os_str().to_str().expect("UTF-8 file name"))
                    .collect::<Vec<_>>()
                    .join("/")
            );
            let text = std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let body = match file.extension().and_then(|e| e.to_str()) {
                Some("json") => serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("{}: {e}", file.display())),
                Some("xml") => policy_contract(&route, text.strip_suffix('\n').unwrap_or(&text)),
                _ => panic!(
                    "{}: only .json and .xml files belong in an estate",
                    file.display()
                ),
            };
            assert!(
                !estate.routes.contains_key(&route.to_ascii_lowercase()),
                "{route} is served twice"
            );
            estate.put(&route, body);
        }
        estate
    }
}

/// The policy contract ARM returns for `GET {scope}/policies/policy?format=rawxml`.
fn policy_contract(id: &str, xml: &str) -> Value {
    let scope = id
        .strip_suffix("/policies/policy")
        .unwrap_or_else(|| panic!("{id}: a policy document is served at …/policies/policy"));
    // Microsoft.ApiManagement/service, then each child collection down to the scope.
    let under_provider = scope
        .split_once("/providers/")
        .map(|(_, rest)| rest)
        .expect("an ARM resource id");
    let segments: Vec<&str> = under_provider.split('/').collect();
    let mut kind = format!("{}/{}", segments[0], segments[1]);
    for collection in segments[3..].iter().step_by(2) {
        kind.push('/');
        kind.push_str(collection);
    }
    json!({"id": id, "type": format!("{kind}/policies"), "name": "policy",
           "properties": {"format": "rawxml", "value": xml}})
}

/// The demo estate (`fixtures/arm/demo/`): Contoso's two subscriptions and six services,
/// whose collection is `fixtures/demo/snapshot.json`.
pub fn demo() -> Estate {
    Estate::from_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/arm/demo"))
}

/// The `200` body of an example file.
pub fn example(file: &str) -> Value {
    example_response(file, "200")["body"].clone()
}

/// One response (`body`, `headers`) of an example file.
pub fn example_response(file: &str, status: &str) -> Value {
    let path = format!(
        "{}/fixtures/arm/examples/{file}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let envelope: Value = serde_json::from_str(&text).expect("example JSON");
    envelope["responses"][status].clone()
}

/// The onboarding example.
const ONBOARD: &str =
    "Microsoft.Security__2023-11-15__APICollections_OnboardAzureApiManagementApi_example";

/// The Defender for APIs collection of API `api` of `service` as the onboarding
/// example answers it: its first answer (201, `InProgress`) or its final one (200,
/// `Succeeded`).
pub fn onboarded_collection(service: &str, api: &str, finished: bool) -> Value {
    let status = if finished { "200" } else { "201" };
    let mut body = rebase(
        &example_response(ONBOARD, status)["body"],
        EXAMPLE_COLLECTION_SERVICE,
        service,
    );
    body = rebase(
        &body,
        "/apiCollections/echo-api",
        &format!("/apiCollections/{api}"),
    );
    body["name"] = json!(api);
    if finished {
        body["properties"]["displayName"] = json!(format!("API {api}"));
    }
    body
}

/// The `Api` pricing of `subscription` after a PUT, shaped like the PUT example's answer.
pub fn put_pricing(subscription: &str) -> Value {
    let mut body = rebase(
        &example("Microsoft.Security__2024-01-01__PutPricingByName_example"),
        &format!("subscriptions/{EXAMPLE_SECURITY_SUBSCRIPTION}/providers/Microsoft.Security/pricings/CloudPosture"),
        &format!("subscriptions/{subscription}/providers/Microsoft.Security/pricings/Api"),
    );
    body["name"] = json!("Api");
    body["properties"]
        .as_object_mut()
        .expect("properties")
        .remove("extensions");
    body
}

/// Turns the Defender for APIs plan of the estate's subscription off (Free tier).
pub fn plan_off(estate: &mut Estate) {
    let path = format!("/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Security/pricings/Api");
    let key = path.to_ascii_lowercase();
    let mut plan = estate.routes[&key].clone();
    plan["properties"]["pricingTier"] = json!("Free");
    plan["properties"]
        .as_object_mut()
        .expect("properties")
        .remove("subPlan");
    estate.put(&path, plan);
}

fn apim(name: &str) -> Value {
    example(&format!("Microsoft.ApiManagement__2024-05-01__{name}"))
}

/// Replaces `from` with `to` in every string of `value`.
pub fn rebase(value: &Value, from: &str, to: &str) -> Value {
    match value {
        Value::String(s) => Value::String(s.replace(from, to)),
        Value::Array(items) => Value::Array(items.iter().map(|v| rebase(v, from, to)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), rebase(v, from, to)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// An example resource moved to `id` (every occurrence of its old id, and its name).
fn moved(resource: &Value, id: &str) -> Value {
    let old = resource["id"].as_str().expect("id").to_string();
    let mut moved = rebase(resource, &old, id);
    moved["name"] = json!(id.rsplit('/').next().unwrap());
    moved
}

fn items(list: Value) -> Vec<Value> {
    list["value"].as_array().cloned().unwrap_or_default()
}

/// The ARM id of a service.
pub fn service_id(rg: &str, name: &str) -> String {
    format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/{rg}/providers/Microsoft.ApiManagement/service/{name}")
}

fn policy(id: &str, xml: &str) -> Value {
    json!({"id": format!("{id}/policies/policy"), "type": "Microsoft.ApiManagement/service/policies", "name": "policy",
           "properties": {"format": "rawxml", "value": xml}})
}

/// The path of a service's Azure Monitor metrics.
pub fn metrics(service: &str) -> String {
    format!("{service}/providers/Microsoft.Insights/metrics")
}

/// A metrics answer in the shape of the GetMetric example: the Capacity metric split by
/// region (the `Location` dimension, as `$filter=Location eq '*'` returns it), one
/// timeseries per `(region, newest average)`; `None` is a region without any data point
/// in the hour. The fake averages the regions when asked without the filter.
pub fn capacity(service: &str, regions: &[(&str, Option<f64>)]) -> Value {
    let series = regions
        .iter()
        .map(|(region, percent)| {
            let data = match percent {
                Some(percent) => json!([
                    {"timeStamp": "2026-11-26T01:50:00Z", "average": 12.0},
                    {"timeStamp": "2026-11-26T01:55:00Z", "average": percent}
                ]),
                None => json!([
                    {"timeStamp": "2026-11-26T01:50:00Z"},
                    {"timeStamp": "2026-11-26T01:55:00Z"}
                ]),
            };
            json!({"metadatavalues": [{"name": {"value": "location", "localizedValue": "location"}, "value": region}], "data": data})
        })
        .collect();
    metric_answer(service, Value::Array(series))
}

/// A metrics answer whose Capacity has no `Location` dimension: one timeseries for the
/// whole service (the fake refuses the region filter with 400 for it).
pub fn capacity_whole(service: &str, percent: f64) -> Value {
    metric_answer(
        service,
        json!([{"metadatavalues": [], "data": [
            {"timeStamp": "2026-11-26T01:50:00Z", "average": 12.0},
            {"timeStamp": "2026-11-26T01:55:00Z", "average": percent}
        ]}]),
    )
}

fn metric_answer(service: &str, timeseries: Value) -> Value {
    let mut body = example("Microsoft.Insights__2024-02-01__GetMetric");
    let mut metric = body["value"][0].clone();
    metric["id"] = json!(format!(
        "{service}/providers/Microsoft.Insights/metrics/Capacity"
    ));
    metric["name"] = json!({"value": "Capacity", "localizedValue": "Capacity"});
    metric["unit"] = json!("Percent");
    metric["timeseries"] = timeseries;
    body["value"] = json!([metric]);
    body["namespace"] = json!("Microsoft.ApiManagement/service");
    body
}

/// The subscription record, its list, and the Defender plan.
fn subscription(estate: &mut Estate) -> String {
    let sub = format!("/subscriptions/{SUBSCRIPTION}");
    let record = json!({"id": sub, "subscriptionId": SUBSCRIPTION, "tenantId": TENANT, "displayName": "prod", "state": "Enabled"});
    estate.put(&sub, record.clone());
    estate.list("/subscriptions", vec![record]);
    estate.list(&format!("{sub}/{}", super::exemptions::LIST), Vec::new());
    let pricings = example("Microsoft.Security__2026-07-01__ListPricings_example");
    let api_plan = items(pricings)
        .into_iter()
        .find(|p| p["name"] == "Api")
        .expect("Api plan in the example");
    estate.put(
        &format!("{sub}/providers/Microsoft.Security/pricings/Api"),
        rebase(&api_plan, EXAMPLE_SECURITY_SUBSCRIPTION, SUBSCRIPTION),
    );
    // Defender CSPM on, without its API security posture extension (APIM-DEF-014 fails).
    estate.put(
        &format!("{sub}/providers/Microsoft.Security/pricings/CloudPosture"),
        rebase(
            &example("Microsoft.Security__2024-01-01__GetPricingByNameCloudPosture_example"),
            EXAMPLE_SECURITY_SUBSCRIPTION,
            SUBSCRIPTION,
        ),
    );
    sub
}

/// Empty lists for every collection the collector reads under a service, and the Git
/// configuration endpoint off.
fn empty_collections(estate: &mut Estate, service: &str) {
    for collection in [
        "apis",
        "policyFragments",
        "products",
        "subscriptions",
        "backends",
        "namedValues",
        "gateways",
        "workspaces",
        "diagnostics",
        "loggers",
        "providers/Microsoft.Insights/diagnosticSettings",
    ] {
        estate.list(&format!("{service}/{collection}"), Vec::new());
    }
    git_access(estate, service, false);
}

/// Serves the Git configuration endpoint of `service` (the GetTenantGitAccess example).
pub fn git_access(estate: &mut Estate, service: &str, enabled: bool) {
    let mut body = rebase(
        &apim("ApiManagementGetTenantGitAccess"),
        EXAMPLE_SERVICE,
        service,
    );
    body["properties"]["enabled"] = json!(enabled);
    estate.put(&format!("{service}/tenant/gitAccess"), body);
}

/// The groups of product `product` (an ARM id): the ListProductGroups example's built-in
/// Administrators, Developers and Guests groups, Guests only when `guests`.
pub fn product_groups(product: &str, guests: bool) -> Vec<Value> {
    let example_product = format!("{EXAMPLE_SERVICE}/products/5600b57e7e8880006a060002");
    items(rebase(
        &apim("ApiManagementListProductGroups"),
        &example_product,
        product,
    ))
    .into_iter()
    .filter(|g| guests || g["properties"]["displayName"] != "Guests")
    .collect()
}

/// Serves the logging of `service`: Microsoft's listDiagnosticSettings example moved onto
/// it (all logs to a storage account and an event hub) when `gateway_logs`, else none; and
/// the ListDiagnostics and ListLoggers examples.
pub fn logging(estate: &mut Estate, service: &str, gateway_logs: bool) {
    let settings = if gateway_logs {
        let listed = example("Microsoft.Insights__2021-05-01-preview__listDiagnosticSettings");
        let example_resource = "/subscriptions/1a66ce04-b633-4a0b-b2bc-a912ec8986a6/resourcegroups/viruela1/providers/microsoft.logic/workflows/viruela6";
        items(rebase(&listed, example_resource, service))
    } else {
        Vec::new()
    };
    estate.list(
        &format!("{service}/providers/Microsoft.Insights/diagnosticSettings"),
        settings,
    );
    let here = |v: &Value| rebase(v, EXAMPLE_SERVICE, service);
    estate.list(
        &format!("{service}/diagnostics"),
        items(here(&apim("ApiManagementListDiagnostics"))),
    );
    estate.list(
        &format!("{service}/loggers"),
        items(here(&apim("ApiManagementListLoggers"))),
    );
}

/// Serves the diagnostics of API `api` (an ARM id): the ListApiDiagnostics example (it
/// logs 100 bytes of every body) when `example`, else none.
pub fn api_diagnostics(estate: &mut Estate, api: &str, example: bool) {
    let listed = if example {
        let example_api = format!("{EXAMPLE_SERVICE}/apis/echo-api");
        items(rebase(
            &apim("ApiManagementListApiDiagnostics"),
            &example_api,
            api,
        ))
    } else {
        Vec::new()
    };
    estate.list(&format!("{api}/diagnostics"), listed);
}

/// An API item like the example's echo-api, under `service` with `name`.
fn api_item(service: &str, name: &str, subscription_required: bool) -> Value {
    let template = items(apim("ApiManagementListApis"))
        .into_iter()
        .find(|a| a["name"] == "echo-api")
        .expect("echo-api in the example");
    let mut api = moved(
        &rebase(&template, EXAMPLE_SERVICE, service),
        &format!("{service}/apis/{name}"),
    );
    api["properties"]["displayName"] = json!(format!("API {name}"));
    api["properties"]["path"] = json!(name);
    api["properties"]["subscriptionRequired"] = json!(subscription_required);
    api
}

/// The operations example, moved under `api`.
fn operations(api: &str) -> Vec<Value> {
    let list = apim("ApiManagementListApiOperations");
    let example_api = format!("{EXAMPLE_SERVICE}/apis/57d2ef278aa04f0888cba3f3");
    items(rebase(&list, &example_api, api))
}

/// The main estate: three services covering every case the collector handles.
pub fn contoso() -> Estate {
    let mut e = Estate::default();
    let sub = subscription(&mut e);
    let contoso = service_id(RG, SERVICE);
    let internal = service_id("rg-internal", "internal");
    let consumption = service_id(RG, "consumption");

    // Services: the Premium example, the internal-VNet example, the Consumption entry.
    let mut premium = moved(&apim("ApiManagementServiceGetService"), &contoso);
    premium["zones"] = json!(["1", "2"]);
    let internal_service = moved(
        &apim("ApiManagementServiceGetMultiRegionInternalVnet"),
        &internal,
    );
    let consumption_service = moved(
        &items(apim("ApiManagementListServiceBySubscription"))[1],
        &consumption,
    );
    assert_eq!(consumption_service["sku"]["name"], "Consumption");
    e.list(
        &format!("{sub}/providers/Microsoft.ApiManagement/service"),
        vec![
            premium.clone(),
            internal_service.clone(),
            consumption_service.clone(),
        ],
    );
    e.list(
        &format!("{sub}/resourceGroups/{RG}/providers/Microsoft.ApiManagement/service"),
        vec![premium.clone(), consumption_service.clone()],
    );
    e.put(&contoso, premium);

    contoso_children(&mut e, &contoso);

    // The internal service: one API without authentication (not external, so DEF-001 passes).
    empty_collections(&mut e, &internal);
    e.list(
        &format!("{internal}/apis"),
        vec![api_item(&internal, "internal-api", false)],
    );
    e.list(
        &format!("{internal}/apis/internal-api/operations"),
        Vec::new(),
    );
    api_diagnostics(&mut e, &format!("{internal}/apis/internal-api"), false);
    e.put(
        &metrics(&internal),
        capacity(
            &internal,
            &[("West US", Some(81.0)), ("West US 2", Some(45.0))],
        ),
    );

    // The Consumption service: REST API, not eligible for Defender.
    empty_collections(&mut e, &consumption);
    e.list(
        &format!("{consumption}/apis"),
        vec![api_item(&consumption, "cons-api", false)],
    );
    e.list(
        &format!("{consumption}/apis/cons-api/operations"),
        Vec::new(),
    );
    api_diagnostics(&mut e, &format!("{consumption}/apis/cons-api"), false);

    defender(&mut e, &sub, &contoso);
    e
}

fn contoso_children(e: &mut Estate, contoso: &str) {
    let here = |v: &Value| rebase(v, EXAMPLE_SERVICE, contoso);

    // Global policy: the rawxml example (a C# block, no authentication).
    e.put(
        &format!("{contoso}/policies/policy"),
        here(&apim("ApiManagementGetPolicyFormat")),
    );
    e.list(
        &format!("{contoso}/policyFragments"),
        vec![json!({"id": format!("{contoso}/policyFragments/jwt-check"), "name": "jwt-check",
            "properties": {"format": "rawxml", "description": "Require an Entra ID token",
            "value": "<fragment>\n\t<validate-jwt header-name=\"Authorization\" failed-validation-httpcode=\"401\" require-scheme=\"Bearer\">\n\t\t<openid-config url=\"https://login.microsoftonline.com/{{tenant-id}}/v2.0/.well-known/openid-configuration\" />\n\t</validate-jwt>\n</fragment>"}})],
    );
    e.put(
        &format!("{contoso}/tenant/access"),
        here(&apim("ApiManagementGetTenantAccess")),
    );
    // The Git endpoint is on (APIM-SVC-016 fails); gateway logs go to storage and an event hub.
    git_access(e, contoso, true);
    logging(e, contoso, true);
    e.put(
        &metrics(contoso),
        capacity(
            contoso,
            &[("East US", Some(37.5)), ("East US 2", Some(25.0))],
        ),
    );

    // APIs: the list example, plus the SOAP API of the Get example and an old revision.
    let mut apis = items(here(&apim("ApiManagementListApis")));
    for api in apis.iter_mut() {
        api["properties"]["subscriptionRequired"] = json!(api["name"] == ECHO_API);
    }
    let mut revision = apis.iter().find(|a| a["name"] == ECHO_API).unwrap().clone();
    revision = moved(&revision, &format!("{contoso}/apis/{ECHO_API};rev=2"));
    revision["properties"]["isCurrent"] = json!(false);
    let soap = here(&apim("ApiManagementGetApiContract"));
    apis.push(soap);
    apis.push(revision);
    for api in &apis {
        let id = api["id"].as_str().unwrap();
        e.list(&format!("{id}/operations"), operations(id));
        // The open API logs bodies (APIM-LOG-003 fails for its diagnostic).
        api_diagnostics(e, id, api["name"] == OPEN_API);
    }
    e.list(&format!("{contoso}/apis"), apis.clone());
    let api = |name: &str| apis.iter().find(|a| a["name"] == name).unwrap().clone();

    e.put(
        &format!("{contoso}/apis/{FRAGMENT_API}/policies/policy"),
        policy(
            &format!("{contoso}/apis/{FRAGMENT_API}"),
            "<policies>\r\n  <inbound>\r\n    <base />\r\n    <include-fragment fragment-id=\"jwt-check\" />\r\n  </inbound>\r\n  <backend>\r\n    <base />\r\n  </backend>\r\n  <outbound>\r\n    <base />\r\n  </outbound>\r\n</policies>",
        ),
    );
    e.put(
        &format!("{contoso}/apis/{CHOOSE_API}/policies/policy"),
        policy(
            &format!("{contoso}/apis/{CHOOSE_API}"),
            r#"<policies>
  <inbound>
    <base />
    <choose>
      <when condition="@(context.Request.Headers.GetValueOrDefault("Authorization","") != "")">
        <validate-jwt header-name="Authorization" failed-validation-httpcode="401" />
      </when>
    </choose>
  </inbound>
</policies>"#,
        ),
    );
    // The open API: Microsoft's API policy example (quota and logging, no authentication).
    e.put(
        &format!("{contoso}/apis/{OPEN_API}/policies/policy"),
        here(&apim("ApiManagementGetApiPolicy")),
    );
    let first_operation = operations(&format!("{contoso}/apis/{OPEN_API}"))[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    e.put(
        &format!("{first_operation}/policies/policy"),
        policy(
            &first_operation,
            &format!("<policies><inbound><base /><set-header name=\"Authorization\" exists-action=\"override\"><value>Basic {POLICY_SECRET}</value></set-header></inbound></policies>"),
        ),
    );

    // Products: the list example; starter holds echo-api, unlimited echo-api and the open API.
    let products = items(here(&apim("ApiManagementListProducts")));
    e.list(&format!("{contoso}/products"), products.clone());
    for product in &products {
        let id = product["id"].as_str().unwrap();
        let members = match product["name"].as_str().unwrap() {
            "starter" => vec![api(ECHO_API)],
            "unlimited" => vec![api(ECHO_API), api(OPEN_API)],
            _ => Vec::new(),
        };
        e.list(&format!("{id}/apis"), members);
        // Starter is visible to guests (APIM-PRD-005 fails for it).
        e.list(
            &format!("{id}/groups"),
            product_groups(id, product["name"] == "starter"),
        );
    }
    e.put(
        &format!("{contoso}/products/starter/policies/policy"),
        rebase(
            &here(&apim("ApiManagementGetProductPolicy")),
            "kjoshiarmTemplateProduct4",
            "starter",
        ),
    );

    // Subscriptions (one carries keys, as old api-versions returned), backends, named values.
    let mut subscriptions = items(here(&apim("ApiManagementListSubscriptions")));
    subscriptions[0]["properties"]["primaryKey"] = json!("primary-key-must-not-leak");
    e.list(&format!("{contoso}/subscriptions"), subscriptions);
    e.list(
        &format!("{contoso}/backends"),
        items(here(&apim("ApiManagementListBackends"))),
    );
    e.list(
        &format!("{contoso}/namedValues"),
        items(here(&apim("ApiManagementListNamedValues"))),
    );

    // Self-hosted gateways: gw1 serves the fragment API.
    let gateways = items(here(&apim("ApiManagementListGateways")));
    e.list(&format!("{contoso}/gateways"), gateways.clone());
    for gateway in &gateways {
        let id = gateway["id"].as_str().unwrap();
        let members = if id.ends_with("/gw1") {
            vec![api(FRAGMENT_API)]
        } else {
            Vec::new()
        };
        e.list(&format!("{id}/apis"), members);
    }

    // Workspaces: wks1 holds the workspace APIs example.
    let workspaces = items(here(&apim("ApiManagementListWorkspaces")));
    e.list(&format!("{contoso}/workspaces"), workspaces.clone());
    for workspace in &workspaces {
        let id = workspace["id"].as_str().unwrap();
        let members = if id.ends_with("/wks1") {
            items(here(&apim("ApiManagementListWorkspaceApis")))
        } else {
            Vec::new()
        };
        for member in &members {
            let id = member["id"].as_str().unwrap();
            e.list(&format!("{id}/operations"), Vec::new());
            api_diagnostics(e, id, false);
        }
        e.list(&format!("{id}/apis"), members);
    }
}

fn defender(e: &mut Estate, sub: &str, contoso: &str) {
    // API collections: the example's echo-api, and the same for the <choose> API.
    let listed = example(
        "Microsoft.Security__2023-11-15__APICollections_ListByAzureApiManagementService_example",
    );
    let echo = rebase(&items(listed)[0], EXAMPLE_COLLECTION_SERVICE, contoso);
    let mut choose = rebase(&echo, "/echo-api", &format!("/{CHOOSE_API}"));
    choose["name"] = json!(CHOOSE_API);
    choose["properties"]["displayName"] = json!("api1");
    choose["properties"]["numberOfUnauthenticatedApiEndpoints"] = json!(0);
    e.list(
        &format!("{sub}/providers/Microsoft.Security/apiCollections"),
        vec![echo.clone(), choose.clone()],
    );
    for collection in [&echo, &choose] {
        e.put(collection["id"].as_str().unwrap(), collection.clone());
    }
    e.list(
        &format!("{sub}/resourceGroups/{RG}/providers/Microsoft.Security/apiCollections"),
        vec![echo, choose],
    );

    // Assessments: the example's (about VM scale sets, filtered out) plus one about an
    // operation of the open API.
    let mut assessments = items(rebase(
        &example("Microsoft.Security__2025-05-04__ListAssessments_example"),
        EXAMPLE_SECURITY_SUBSCRIPTION,
        SUBSCRIPTION,
    ));
    let key = "91af2040-7874-4659-abf0-578e1f8d07dc";
    let operation = operations(&format!("{contoso}/apis/{OPEN_API}"))[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut about_api = assessments[0].clone();
    about_api["id"] = json!(format!(
        "{operation}/providers/Microsoft.Security/assessments/{key}"
    ));
    about_api["name"] = json!(key);
    about_api["properties"]["resourceDetails"]["id"] = json!(operation);
    about_api["properties"]["displayName"] =
        json!("API endpoints in Azure API Management should be authenticated");
    about_api["properties"]["status"] = json!({"code": "Unhealthy"});
    assessments.push(about_api);
    e.list(
        &format!("{sub}/providers/Microsoft.Security/assessments"),
        assessments,
    );
    let metadata = example("Microsoft.Security__2025-05-04__GetAssessmentsMetadata_example");
    let mut api_metadata = rebase(&metadata, "21300918-b2e3-0346-785f-c77ff57d243b", key);
    api_metadata["properties"]["severity"] = json!("High");
    e.list(
        "/providers/Microsoft.Security/assessmentMetadata",
        vec![metadata, api_metadata],
    );

    // Alerts: the example's VM alerts plus a Defender for APIs alert about the service.
    let mut alerts = items(rebase(
        &example("Microsoft.Security__2022-01-01__GetAlertsSubscription_example"),
        EXAMPLE_SECURITY_SUBSCRIPTION,
        SUBSCRIPTION,
    ));
    let mut api_alert = alerts[0].clone();
    api_alert["properties"]["alertType"] = json!("API_AccessFromSuspiciousIP");
    api_alert["properties"]["alertDisplayName"] =
        json!("Access from a suspicious IP address to a sensitive API endpoint");
    api_alert["properties"]["resourceIdentifiers"] =
        json!([{"type": "AzureResource", "azureResourceId": contoso}]);
    alerts.push(api_alert);
    e.list(
        &format!("{sub}/providers/Microsoft.Security/alerts"),
        alerts,
    );
}

/// A generated estate of `services` Premium services with `apis` APIs each (one
/// operation per API, a policy on every other API), for the benchmark.
pub fn generated(services: usize, apis: usize) -> Estate {
    let mut e = Estate::default();
    let sub = subscription(&mut e);
    let template = apim("ApiManagementServiceGetService");
    let mut listed = Vec::new();
    let mut collections = Vec::new();
    for s in 0..services {
        let id = service_id("rg-bench", &format!("svc-{s:03}"));
        let service = moved(&template, &id);
        listed.push(service.clone());
        empty_collections(&mut e, &id);
        let here = |v: &Value| rebase(v, EXAMPLE_SERVICE, &id);
        e.put(
            &format!("{id}/policies/policy"),
            here(&apim("ApiManagementGetPolicyFormat")),
        );
        e.put(
            &format!("{id}/tenant/access"),
            here(&apim("ApiManagementGetTenantAccess")),
        );
        e.put(
            &metrics(&id),
            capacity(&id, &[("East US", Some(20.0)), ("East US 2", Some(15.0))]),
        );
        e.list(
            &format!("{id}/namedValues"),
            items(here(&apim("ApiManagementListNamedValues"))),
        );
        e.list(
            &format!("{id}/backends"),
            items(here(&apim("ApiManagementListBackends"))),
        );
        let mut api_items = Vec::new();
        for a in 0..apis {
            let name = format!("api-{a:03}");
            let item = api_item(&id, &name, a % 2 == 0);
            let api_id = format!("{id}/apis/{name}");
            e.list(
                &format!("{api_id}/operations"),
                operations(&api_id).into_iter().take(1).collect(),
            );
            api_diagnostics(&mut e, &api_id, false);
            if a % 2 == 1 {
                e.put(
                    &format!("{api_id}/policies/policy"),
                    here(&apim("ApiManagementGetApiPolicy")),
                );
            }
            if a % 3 == 0 {
                let mut collection = rebase(
                    &items(example("Microsoft.Security__2023-11-15__APICollections_ListByAzureApiManagementService_example"))[0],
                    EXAMPLE_COLLECTION_SERVICE,
                    &id,
                );
                collection = rebase(&collection, "/echo-api", &format!("/{name}"));
                collection["name"] = json!(name);
                e.put(collection["id"].as_str().unwrap(), collection.clone());
                collections.push(collection);
            }
            api_items.push(item);
        }
        // Every product requires a subscription here: the remediation scenes count on
        // which APIs are unauthenticated by their own settings, and an open product
        // would open every keyed API in it (tests/call_paths.rs covers that).
        let mut products = items(here(&apim("ApiManagementListProducts")));
        for product in &mut products {
            product["properties"]["subscriptionRequired"] = json!(true);
        }
        for product in &products {
            let members = api_items.iter().take(10).cloned().collect();
            let id = product["id"].as_str().unwrap();
            e.list(&format!("{id}/apis"), members);
            e.list(&format!("{id}/groups"), product_groups(id, false));
        }
        e.list(&format!("{id}/products"), products);
        e.list(&format!("{id}/apis"), api_items);
    }
    e.list(
        &format!("{sub}/providers/Microsoft.ApiManagement/service"),
        listed,
    );
    e.list(
        &format!("{sub}/providers/Microsoft.Security/apiCollections"),
        collections,
    );
    e.list(
        &format!("{sub}/providers/Microsoft.Security/assessments"),
        Vec::new(),
    );
    e.list(
        &format!("{sub}/providers/Microsoft.Security/alerts"),
        Vec::new(),
    );
    e
}
