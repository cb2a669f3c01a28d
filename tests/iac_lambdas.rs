//! Lambdas in Bicep (`a => …`, `(acc, a) => …`) and in ARM JSON as `bicep build` writes
//! them (`lambda('a', …)`, `lambdaVariables('a')`), read through the binary: `filter`,
//! `map`, `reduce`, `sort`, `toObject`, `groupBy`, `mapValues` over known inputs decide,
//! open inputs stay unknown, and hostile templates are bounded (exit 2, located).

mod support;

use serde_json::Value;

/// `collect` of `file` written as `name` with `flag`: exit code, snapshot (or `Null`
/// when nothing was written) and standard error.
fn collect(flag: &str, name: &str, text: &str) -> (i32, Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, text).unwrap();
    let out = support::apimguard()
        .env("APIMGUARD_COLLECTED_AT", "2026-01-31T00:00:00Z")
        .current_dir(dir.path())
        .args(["collect", flag, name])
        .output()
        .expect("runs");
    let err = support::text(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    let snapshot = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().expect("exit code"), snapshot, err)
}

/// Every API of the snapshot as `(name, auth.effective, description)`.
fn apis(snapshot: &Value) -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    for service in snapshot["subscriptions"][0]["services"].as_array().unwrap() {
        for api in service["apis"].as_array().unwrap() {
            found.push((
                api["name"].as_str().unwrap().to_string(),
                api["auth"]["effective"].as_str().unwrap().to_string(),
                api["properties"]["description"].clone(),
            ));
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

const SERVICE: &str = "resource svc 'Microsoft.ApiManagement/service@2023-05-01-preview' = {
  name: 'contoso'
  location: 'westeurope'
  sku: { name: 'Developer', capacity: 1 }
  properties: { publisherEmail: 'a@contoso.com', publisherName: 'Contoso' }
}
";

/// A Bicep file whose APIs come from `names` (a Bicep expression over `apis`), with
/// `description` (an expression) on each.
fn bicep_apis(names: &str, description: &str) -> String {
    format!(
        "param apis array = [
  {{ name: 'open', anonymous: true, team: 'a' }}
  {{ name: 'keyed', anonymous: false, team: 'b' }}
  {{ name: 'retired', anonymous: true, team: 'a', disabled: true }}
]
var enabled = filter(apis, a => !(a.?disabled ?? false))
var byName = toObject(enabled, a => a.name)
{SERVICE}
resource api 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = [for n in {names}: {{
  parent: svc
  name: n
  properties: {{
    path: n
    protocols: ['https']
    subscriptionRequired: !byName[n].anonymous
    description: {description}
  }}
}}]
"
    )
}

#[test]
fn bicep_lambdas_over_known_inputs_decide() {
    // Before: a lambda was an unknown value, so the loop over its result was a gap
    // (exit 2) and neither API was judged.
    let text = bicep_apis(
        "sort(map(enabled, a => a.name), (x, y) => x < y)",
        "'${reduce(enabled, 0, (count, a) => count + 1)} apis, teams ${join(objectKeys(groupBy(enabled, a => a.team)), '+')}, ${string(mapValues(byName, a => a.team))}'",
    );
    let (code, snapshot, err) = collect("--from-bicep", "main.bicep", &text);
    assert_eq!(code, 0, "{err}\n{}", snapshot["gaps"]);
    let described = "2 apis, teams a+b, {\"open\":\"a\",\"keyed\":\"b\"}";
    assert_eq!(
        apis(&snapshot),
        vec![
            ("keyed".into(), "authenticated".into(), described.into()),
            ("open".into(), "unauthenticated".into(), described.into()),
        ]
    );
    assert!(
        snapshot.get("unknowns").is_none(),
        "{}",
        snapshot["unknowns"]
    );
}

#[test]
fn lambdas_that_cannot_decide_stay_unknown_where_they_stand() {
    // A filter that is not true or false, and a key that is open: unknown, at the line.
    let text = bicep_apis("['open']", "string(filter(apis, a => a.?owner))");
    let (code, snapshot, err) = collect("--from-bicep", "main.bicep", &text);
    assert_eq!(code, 0, "{err}");
    let unknowns = snapshot["unknowns"].as_array().unwrap();
    assert_eq!(unknowns.len(), 1, "{unknowns:?}");
    assert_eq!(unknowns[0]["path"], "properties/description");
    assert_eq!(unknowns[0]["expression"], "filter(apis, a => a.?owner)");
    assert_eq!(unknowns[0]["origin"]["line"], 22);
}

/// The same estate as `bicep build` writes it.
const ARM_LAMBDAS: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {"apis": {"type": "array", "defaultValue": [
    {"name": "open", "anonymous": true}, {"name": "keyed", "anonymous": false},
    {"name": "retired", "anonymous": true, "disabled": true}]}},
  "variables": {
    "enabled": "[filter(parameters('apis'), lambda('a', not(coalesce(tryGet(lambdaVariables('a'), 'disabled'), false()))))]",
    "byName": "[toObject(variables('enabled'), lambda('a', lambdaVariables('a').name))]",
    "names": "[sort(map(variables('enabled'), lambda('a', 'i', format('{0}-{1}', lambdaVariables('a').name, lambdaVariables('i')))), lambda('x', 'y', less(lambdaVariables('x'), lambdaVariables('y'))))]"
  },
  "resources": [
    {"type": "Microsoft.ApiManagement/service", "apiVersion": "2023-05-01-preview", "name": "contoso",
     "location": "westeurope", "sku": {"name": "Developer", "capacity": 1},
     "properties": {"publisherEmail": "a@contoso.com", "publisherName": "Contoso"}},
    {"copy": {"name": "api", "count": "[length(variables('names'))]"},
     "type": "Microsoft.ApiManagement/service/apis", "apiVersion": "2023-05-01-preview",
     "name": "[format('contoso/{0}', variables('names')[copyIndex()])]",
     "properties": {"path": "[variables('names')[copyIndex()]]", "protocols": ["https"],
       "subscriptionRequired": "[not(variables('byName')[first(split(variables('names')[copyIndex()], '-'))].anonymous)]",
       "description": "[string(reduce(variables('enabled'), 0, lambda('n', 'a', add(lambdaVariables('n'), 1))))]"},
     "dependsOn": ["[resourceId('Microsoft.ApiManagement/service', 'contoso')]"]}
  ]
}"#;

#[test]
fn arm_lambdas_as_bicep_build_writes_them_decide() {
    let (code, snapshot, err) = collect("--from-arm", "main.json", ARM_LAMBDAS);
    assert_eq!(code, 0, "{err}\n{}", snapshot["gaps"]);
    assert_eq!(
        apis(&snapshot),
        vec![
            ("keyed-1".into(), "authenticated".into(), "2".into()),
            ("open-0".into(), "unauthenticated".into(), "2".into()),
        ]
    );
}

/// A Bicep file whose one API's description is `value`.
fn described(vars: &str, value: &str) -> String {
    format!(
        "{vars}
{SERVICE}
resource api 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {{
  parent: svc
  name: 'echo'
  properties: {{ path: 'echo', protocols: ['https'], description: {value} }}
}}
"
    )
}

#[test]
fn hostile_lambdas_are_bounded_and_located() {
    let cases = [
        // A map over range() in a map: 10,000 × 10,000 items.
        (
            described(
                "var big = map(range(0, 10000), i => map(range(0, 10000), j => i * j))",
                "string(length(big))",
            ),
            "apimguard::iac::evaluation_steps",
        ),
        // A reduce that doubles a string 64 times.
        (
            described(
                "var big = reduce(range(0, 64), 'ab', (acc, i) => '${acc}${acc}')",
                "string(length(big))",
            ),
            "apimguard::iac::evaluation_steps",
        ),
        // A reduce that nests an array 5,000 levels deep.
        (
            described(
                "var deep = reduce(range(0, 5000), [], (acc, i) => [acc])",
                "string(length(deep))",
            ),
            "apimguard::iac::evaluation_depth",
        ),
        // A sort whose comparison says yes to everything still ends.
        (
            described(
                "var big = sort(range(0, 10000), (a, b) => true)",
                "string(length(big))",
            ),
            "apimguard::iac::evaluation_steps",
        ),
    ];
    for (text, code_name) in cases {
        let (code, _, err) = collect("--from-bicep", "main.bicep", &text);
        assert_eq!(code, 2, "{text}\n{err}");
        assert!(err.contains(code_name), "{text}\n{err}");
        assert!(err.contains("main.bicep:"), "{err}");
    }
    // Lambdas nested past the parser's depth are refused at their line.
    let nested = format!(
        "var v = {}[1]{}",
        "map([1], a => ".repeat(40),
        ")".repeat(40)
    );
    let (code, _, err) = collect("--from-bicep", "main.bicep", &described(&nested, "'x'"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("levels deep"), "{err}");
    // In ARM JSON too.
    let arm = ARM_LAMBDAS.replace(
        "\"[string(reduce(variables('enabled'), 0, lambda('n', 'a', add(lambdaVariables('n'), 1))))]\"",
        "\"[string(length(map(range(0, 10000), lambda('i', range(0, 10000)))))]\"",
    );
    assert_ne!(arm, ARM_LAMBDAS);
    let (code, _, err) = collect("--from-arm", "main.json", &arm);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("apimguard::iac::evaluation_steps"), "{err}");
    assert!(err.contains("main.json:"), "{err}");
}
