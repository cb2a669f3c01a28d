//! The forms real IaC repositories use, read through the binary: ARM templates as `bicep
//! build` writes them (names built by calls whose text holds `/`, outputs of nested
//! deployments read with `reference()`), `.bicepparam` files, module `scope:`, registry
//! modules restored in the Bicep CLI's cache, and custom caller checks in policies.

mod support;

use std::path::Path;
use std::process::Output;

use serde_json::Value;

/// Runs apimguard with a fixed collection time.
fn apimguard(args: &[&str]) -> Output {
    support::apimguard()
        .env("APIMGUARD_COLLECTED_AT", "2026-01-31T00:00:00Z")
        .args(args)
        .output()
        .expect("runs")
}

/// `collect` with `args`: the exit code, the snapshot and standard error.
fn collect(args: &[&str]) -> (i32, Value, String) {
    let out = apimguard(&[&["collect"], args].concat());
    let err = support::text(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    let snapshot = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}); stderr: {err}"));
    (out.status.code().expect("exit code"), snapshot, err)
}

/// Every API of the snapshot as `(service, api, auth.effective)`.
fn apis(snapshot: &Value) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    for service in snapshot["subscriptions"][0]["services"].as_array().unwrap() {
        for api in service["apis"].as_array().unwrap() {
            found.push((
                service["name"].as_str().unwrap().to_string(),
                api["name"].as_str().unwrap().to_string(),
                api["auth"]["effective"].as_str().unwrap().to_string(),
            ));
        }
    }
    found.sort();
    found
}

/// The snapshot's gaps as `(what, error)`.
fn gaps(snapshot: &Value) -> Vec<(String, String)> {
    snapshot["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["what"].as_str().unwrap().to_string(),
                g["error"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Writes `files` (path, text) below `dir`.
fn write_all(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// An API without any authentication, as `bicep build` writes it from a module whose
/// service name is an output of another module.
const BUILT_FROM_MODULES: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {"prefix": {"type": "string", "defaultValue": "contoso"}},
  "resources": [
    {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "[format('{0}-apim', parameters('prefix'))]",
     "properties": {"expressionEvaluationOptions": {"scope": "inner"}, "mode": "Incremental",
       "parameters": {"name": {"value": "[parameters('prefix')]"}},
       "template": {"parameters": {"name": {"type": "string"}},
         "resources": [{"type": "Microsoft.ApiManagement/service", "apiVersion": "2023-05-01-preview", "name": "[parameters('name')]",
                        "location": "westeurope", "sku": {"name": "Developer", "capacity": 1},
                        "properties": {"publisherEmail": "a@contoso.com", "publisherName": "Contoso"}}],
         "outputs": {"apimName": {"type": "string", "value": "[parameters('name')]"}}}}},
    {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "api",
     "properties": {"expressionEvaluationOptions": {"scope": "inner"}, "mode": "Incremental",
       "parameters": {"apimName": {"value": "[reference(resourceId('Microsoft.Resources/deployments', format('{0}-apim', parameters('prefix'))), '2022-09-01').outputs.apimName.value]"}},
       "template": {"parameters": {"apimName": {"type": "string"}},
         "resources": [
           {"type": "Microsoft.ApiManagement/service/apis", "apiVersion": "2023-05-01-preview",
            "name": "[format('{0}/{1}', parameters('apimName'), 'open')]",
            "properties": {"path": "open", "protocols": ["https"], "subscriptionRequired": false}},
           {"type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01",
            "name": "[guid(resourceId('Microsoft.ApiManagement/service', parameters('apimName')), 'reader')]",
            "properties": {"principalId": "00000000-0000-0000-0000-000000000000", "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'acdd72a7-3385-48ef-bd42-f606fba81ae7')]"}}]}},
     "dependsOn": ["[resourceId('Microsoft.Resources/deployments', format('{0}-apim', parameters('prefix')))]"]},
    {"type": "Microsoft.ApiManagement/service/apis", "apiVersion": "2023-05-01-preview",
     "name": "[format('{0}/{1}', reference(resourceId('Microsoft.Resources/deployments', format('{0}-apim', parameters('prefix'))), '2022-09-01').outputs.apimName.value, 'direct')]",
     "properties": {"path": "direct", "protocols": ["https"], "subscriptionRequired": false}}
  ]
}"#;

#[test]
fn names_built_by_calls_holding_slashes_and_module_outputs_are_read() {
    // Before: every resource here was "`…` has N name segment(s)", a gap, and the two
    // open APIs were never judged (exit 2 instead of 1).
    let dir = tempfile::tempdir().unwrap();
    write_all(dir.path(), &[("main.json", BUILT_FROM_MODULES)]);
    let main = dir.path().join("main.json");
    let (code, snapshot, err) = collect(&["--from-arm", main.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}\n{:?}", gaps(&snapshot));
    assert_eq!(
        apis(&snapshot),
        vec![
            ("contoso".into(), "direct".into(), "unauthenticated".into()),
            ("contoso".into(), "open".into(), "unauthenticated".into()),
        ]
    );
    let out = apimguard(&["check", "--from-arm", main.to_str().unwrap(), "-f", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", support::text(&out.stderr));
}

#[test]
fn symbolic_references_and_outputs_not_known_stay_open_not_gaps() {
    // languageVersion 2.0 names a module's deployment by its symbolic name; an output of
    // a deployment the template does not declare is an unknown value, read where it stands.
    let template = r#"{"languageVersion": "2.0", "contentVersion": "1.0.0.0",
  "resources": {
    "apim": {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "apim-module",
      "properties": {"expressionEvaluationOptions": {"scope": "inner"}, "mode": "Incremental",
        "template": {"languageVersion": "2.0", "resources": {}, "outputs": {"name": {"type": "string", "value": "contoso"}}}}},
    "keyed": {"type": "Microsoft.ApiManagement/service/apis", "apiVersion": "2023-05-01-preview",
      "name": "[format('{0}/keyed', reference('apim').outputs.name.value)]",
      "properties": {"path": "keyed", "protocols": ["https"]}},
    "elsewhere": {"type": "Microsoft.ApiManagement/service/apis", "apiVersion": "2023-05-01-preview",
      "name": "[format('{0}/far', reference(resourceId('other-rg', 'Microsoft.Resources/deployments', 'not-here'), '2022-09-01').outputs.name.value)]",
      "properties": {"path": "far", "protocols": ["https"]}}
  }}"#;
    let dir = tempfile::tempdir().unwrap();
    write_all(dir.path(), &[("main.json", template)]);
    let main = dir.path().join("main.json");
    let (code, snapshot, err) = collect(&["--from-arm", main.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}\n{:?}", gaps(&snapshot));
    let found = apis(&snapshot);
    assert!(
        found.contains(&("contoso".into(), "keyed".into(), "authenticated".into())),
        "{found:?}"
    );
    let far = found.iter().find(|(_, api, _)| api == "far").unwrap();
    assert!(far.0.starts_with("<unknown: reference("), "{far:?}");
}

const PARAMS_MAIN: &str = "param apimName string
param openApi bool = false
param backendUrl string
@secure()
param key string

resource api 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {
  name: '${apimName}/orders'
  properties: {
    path: 'orders'
    protocols: ['https']
    serviceUrl: backendUrl
    subscriptionRequired: !openApi
  }
}

resource nv 'Microsoft.ApiManagement/service/namedValues@2023-05-01-preview' = {
  name: '${apimName}/key'
  properties: { displayName: 'key', value: key, secret: true }
}
";

#[test]
fn bicepparam_files_give_their_values_to_the_file_they_use() {
    // Before: `--from-bicep main.bicepparam` was a Bicep syntax error (exit 2).
    let dir = tempfile::tempdir().unwrap();
    write_all(
        dir.path(),
        &[
            ("infra/main.bicep", PARAMS_MAIN),
            (
                "infra/base.bicepparam",
                "using none\nparam apimName = 'contoso'\nparam openApi = false\n",
            ),
            (
                "infra/prod.bicepparam",
                "using './main.bicep'\nextends './base.bicepparam'\n\nvar open = true\nparam openApi = open\nparam backendUrl = readEnvironmentVariable('BACKEND_URL')\nparam key = 's3cret-value'\n",
            ),
        ],
    );
    let entry = dir.path().join("infra/prod.bicepparam");
    let (code, snapshot, err) = collect(&["--from-bicep", entry.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}\n{:?}", gaps(&snapshot));
    assert_eq!(
        apis(&snapshot),
        vec![("contoso".into(), "orders".into(), "unauthenticated".into())]
    );
    let files = snapshot["source"]["files"].to_string();
    assert!(
        files.contains("prod.bicepparam")
            && files.contains("base.bicepparam")
            && files.contains("main.bicep"),
        "{files}"
    );
    assert!(
        snapshot["unknowns"]
            .to_string()
            .contains("readEnvironmentVariable('BACKEND_URL')"),
        "{}",
        snapshot["unknowns"]
    );
    assert!(!snapshot.to_string().contains("s3cret-value"));
}

#[test]
fn bicepparam_files_that_cannot_be_read_are_located_errors() {
    let cases: [(&str, &str, &str); 4] = [
        (
            "using './main.bicep'\nparam apimName = 'x'\nparam nope = 1\n",
            "apimguard::iac::parameters",
            "prod.bicepparam:3: the Bicep file has no parameter `nope`",
        ),
        (
            "param apimName = 'x'\n",
            "apimguard::iac::bicepparam",
            "has no `using './FILE.bicep'`",
        ),
        (
            "using 'br/public:avm/res/api-management/service:0.9.0'\n",
            "apimguard::iac::bicepparam",
            "names a registry, which is not a file",
        ),
        (
            "using '../../../../outside/main.bicep'\n",
            "apimguard::iac::outside_root",
            "",
        ),
    ];
    for (text, code, message) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        write_all(
            dir.path(),
            &[
                ("infra/main.bicep", PARAMS_MAIN),
                ("infra/prod.bicepparam", text),
            ],
        );
        let entry = dir.path().join("infra/prod.bicepparam");
        let out = apimguard(&["check", "--from-bicep", entry.to_str().unwrap()]);
        let err = support::text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{text}: {err}");
        assert!(err.contains(code) && err.contains(message), "{text}: {err}");
    }
}

/// An API open without a key, with `policy` as its inbound section.
fn api_with_inbound(policy: &str) -> String {
    let xml = format!(
        "<policies><inbound><base />{policy}</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>"
    );
    format!(
        "resource api 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {{
  name: 'contoso/mcp'
  properties: {{ path: 'mcp', protocols: ['https'], subscriptionRequired: false }}
}}
resource policy 'Microsoft.ApiManagement/service/apis/policies@2023-05-01-preview' = {{
  parent: api
  name: 'policy'
  properties: {{ format: 'rawxml', value: '''{xml}''' }}
}}
"
    )
}

#[test]
fn custom_caller_checks_decide_authentication() {
    // Before: every <choose> answering 401 made the verdict `unknown`, so an MCP server
    // guarded by its own key check failed the authentication rules as "not known".
    let reject =
        r#"<return-response><set-status code="401" reason="Unauthorized" /></return-response>"#;
    let cases = [
        (
            format!(
                r#"<choose><when condition="@(context.Request.Headers.GetValueOrDefault(&quot;X-Api-Key&quot;, &quot;&quot;) != &quot;{{{{mcp-key}}}}&quot;)">{reject}</when></choose>"#
            ),
            "authenticated",
        ),
        (
            format!(
                r#"<choose><when condition="@(!context.Request.Headers.ContainsKey(&quot;X-Api-Key&quot;))">{reject}</when></choose>"#
            ),
            "unknown",
        ),
        (
            format!(
                r#"<choose><when condition="@(context.Request.Headers.GetValueOrDefault(&quot;Authorization&quot;, &quot;&quot;).AsJwt()?.Issuer != &quot;https://issuer&quot;)">{reject}</when></choose>"#
            ),
            "unknown",
        ),
    ];
    for (policy, verdict) in cases {
        let dir = tempfile::tempdir().unwrap();
        write_all(dir.path(), &[("main.bicep", &api_with_inbound(&policy))]);
        let main = dir.path().join("main.bicep");
        let (code, snapshot, err) = collect(&["--from-bicep", main.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}\n{:?}", gaps(&snapshot));
        assert_eq!(
            apis(&snapshot),
            vec![("contoso".into(), "mcp".into(), verdict.into())],
            "{policy}"
        );
    }
}

/// A restored registry module: one API whose key requirement is a parameter.
const RESTORED_API: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {"apimName": {"type": "string"}, "name": {"type": "string"},
                 "subscriptionRequired": {"type": "bool", "defaultValue": true}},
  "resources": [
    {"type": "Microsoft.ApiManagement/service/apis", "apiVersion": "2023-05-01-preview",
     "name": "[format('{0}/{1}', parameters('apimName'), parameters('name'))]",
     "properties": {"path": "[parameters('name')]", "protocols": ["https"],
                    "subscriptionRequired": "[parameters('subscriptionRequired')]"}}
  ],
  "outputs": {"apiName": {"type": "string", "value": "[parameters('name')]"}}
}"#;

#[test]
fn registry_modules_are_read_from_the_restore_cache() {
    // Before: every registry module was a gap, restored or not.
    let main = "module open 'br/public:avm/res/api-management/service/api:0.1.0' = {
  name: 'open'
  params: { apimName: 'contoso', name: 'open', subscriptionRequired: false }
}
module keyed 'br/contoso:apim/api:v2' = {
  name: 'keyed'
  params: { apimName: 'contoso', name: open.outputs.apiName == 'open' ? 'keyed' : 'x' }
}
module missing 'br:contoso.azurecr.io/apim/other:v1' = {
  name: 'missing'
  params: { apimName: 'contoso' }
}
";
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    write_all(
        dir.path(),
        &[
            ("infra/main.bicep", main),
            (
                "bicepconfig.json",
                r#"{"moduleAliases": {"br": {"contoso": {"registry": "contoso.azurecr.io", "modulePath": "bicep"}}}}"#,
            ),
        ],
    );
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write_all(
        home.path(),
        &[
            (
                ".bicep/br/mcr.microsoft.com/bicep$avm$res$api-management$service$api/0.1.0$/main.json",
                RESTORED_API,
            ),
            (".bicep/br/contoso.azurecr.io/bicep$apim$api/v2$/main.json", RESTORED_API),
        ],
    );
    let entry = dir.path().join("infra/main.bicep");
    let out = support::apimguard()
        .env("HOME", home.path())
        .args(["collect", "--from-bicep", entry.to_str().unwrap()])
        .output()
        .unwrap();
    let err = support::text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "the missing module is a gap: {err}"
    );
    let snapshot: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        apis(&snapshot),
        vec![
            ("contoso".into(), "keyed".into(), "authenticated".into()),
            ("contoso".into(), "open".into(), "unauthenticated".into()),
        ]
    );
    let found = gaps(&snapshot);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].1.contains("`br:contoso.azurecr.io/apim/other:v1`")
            && found[0].1.contains("bicep restore"),
        "{found:?}"
    );
    // Findings point at the module line: the cache is not the repository's.
    let service = &snapshot["subscriptions"][0]["services"][0];
    let open = service["apis"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "open")
        .unwrap();
    assert_eq!(open["origin"]["line"], 1, "{open}");
    assert!(
        open["origin"]["file"]
            .as_str()
            .unwrap()
            .ends_with("infra/main.bicep"),
        "{open}"
    );
    let files = snapshot["source"]["files"].to_string();
    assert!(
        files.contains("~/.bicep/br/mcr.microsoft.com/")
            && !files.contains(home.path().to_str().unwrap()),
        "{files}"
    );
}

#[test]
fn spreads_of_known_objects_and_arrays_are_read() {
    // Before: an object or array holding a spread was open as a whole, so the API's
    // `properties` were a gap (exit 2) even where every spread value is in the files, as
    // in the AVM modules' `...(type == 'Single' ? {…} : {})`.
    let dir = tempfile::tempdir().unwrap();
    let bicep = r"param openParam object
var common = {
  protocols: [
    'https'
  ]
  subscriptionRequired: true
}
resource svc 'Microsoft.ApiManagement/service@2023-05-01-preview' = {
  name: 'contoso'
  location: 'westeurope'
  sku: { name: 'Developer', capacity: 1 }
  properties: { publisherEmail: 'a@contoso.com', publisherName: 'Contoso' }
}
resource keyed 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {
  parent: svc
  name: 'keyed'
  properties: {
    path: 'keyed'
    ...common
  }
}
resource open 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {
  parent: svc
  name: 'open'
  properties: {
    ...common
    path: 'open'
    ...(common.subscriptionRequired ? { subscriptionRequired: false } : {})
    protocols: [
      ...common.protocols
      'http'
    ]
  }
}
resource unread 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {
  parent: svc
  name: 'unread'
  properties: {
    path: 'unread'
    ...openParam
  }
}
";
    write_all(dir.path(), &[("main.bicep", bicep)]);
    let main = dir.path().join("main.bicep");
    let (code, snapshot, err) = collect(&["--from-bicep", main.to_str().unwrap()]);
    let found = apis(&snapshot);
    assert!(found.contains(&("contoso".into(), "keyed".into(), "authenticated".into())));
    assert!(found.contains(&("contoso".into(), "open".into(), "unauthenticated".into())));
    let open = &snapshot["subscriptions"][0]["services"][0]["apis"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "open")
        .unwrap()["properties"];
    assert_eq!(open["protocols"], serde_json::json!(["https", "http"]));
    // A spread of a value the files do not hold stays open: a gap, never a guess.
    assert_eq!(code, 2, "{err}");
    let gaps = gaps(&snapshot);
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(gaps[0].0, "properties");
    assert!(gaps[0].1.contains("unread"), "{gaps:?}");
}

#[test]
fn local_arm_templates_used_as_bicep_modules_are_read() {
    // Before: `module c './api-connection.json'` (ai-hub-gateway-solution-accelerator)
    // was parsed as Bicep, a syntax error at the JSON's first key: exit 2 on the whole
    // project. The template is now read with the module's params; its own lines locate
    // what it declares, and its outputs reach the caller.
    let dir = tempfile::tempdir().unwrap();
    let template = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {"service": {"type": "string"}, "open": {"type": "bool", "defaultValue": true}},
  "resources": [
    {"type": "Microsoft.ApiManagement/service/apis", "apiVersion": "2023-05-01-preview",
     "name": "[format('{0}/{1}', parameters('service'), 'open')]",
     "properties": {"path": "open", "subscriptionRequired": "[not(parameters('open'))]"}}
  ],
  "outputs": {"apiName": {"type": "string", "value": "open"}}
}"#;
    let bicep = r"resource svc 'Microsoft.ApiManagement/service@2023-05-01-preview' = {
  name: 'contoso'
  location: 'westeurope'
  sku: { name: 'Developer', capacity: 1 }
  properties: { publisherEmail: 'a@contoso.com', publisherName: 'Contoso' }
}
module nested 'nested/api.json' = {
  name: 'nested'
  params: {
    service: svc.name
  }
}
resource policy 'Microsoft.ApiManagement/service/apis/policies@2023-05-01-preview' = {
  name: 'contoso/${nested.outputs.apiName}/policy'
  properties: {
    format: 'rawxml'
    value: '<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound></policies>'
  }
}
";
    write_all(
        dir.path(),
        &[("main.bicep", bicep), ("nested/api.json", template)],
    );
    let main = dir.path().join("main.bicep");
    let (code, snapshot, err) = collect(&["--from-bicep", main.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}\n{:?}", gaps(&snapshot));
    assert_eq!(
        apis(&snapshot),
        vec![("contoso".into(), "open".into(), "unauthenticated".into())]
    );
    let api = &snapshot["subscriptions"][0]["services"][0]["apis"][0];
    assert!(
        api["origin"]["file"]
            .as_str()
            .unwrap()
            .ends_with("api.json"),
        "{api}"
    );
    assert!(api["policy"].is_object(), "{api}");
    // A template that is not there is refused at the `module` line, as a Bicep one is.
    std::fs::remove_file(dir.path().join("nested/api.json")).unwrap();
    let out = apimguard(&["collect", "--from-bicep", main.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = support::text(&out.stderr);
    assert!(err.contains("main.bicep:7"), "{err}");
}
