//! Pull-request pre-flight: snapshots read from ARM templates, Bicep files and APIOps
//! folders, driven through the real binary.
//!
//! The samples under `fixtures/iac/samples` are verbatim copies of public Microsoft
//! files (see their INDEX.md); `fixtures/iac/estate` describes one estate twice, as an
//! APIOps folder and as an ARM template.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use serde_json::Value;

const ALL_RESOURCES: &str =
    "fixtures/iac/samples/quickstarts/api-management-create-all-resources/main.bicep";
const ALL_RESOURCES_PARAMETERS: &str =
    "fixtures/iac/samples/quickstarts/api-management-create-all-resources/azuredeploy.parameters.json";
const INTERNAL_VNET: &str =
    "fixtures/iac/samples/quickstarts/api-management-create-with-internal-vnet-publicip/main.bicep";
const MSI: &str =
    "fixtures/iac/samples/quickstarts/api-management-create-with-msi/azuredeploy.json";
const APIOPS_SAMPLE: &str = "fixtures/iac/samples/apiops/SampleArtifacts";
const ESTATE_APIOPS: &str = "fixtures/iac/estate/apiops";
const ESTATE_TEMPLATE: &str = "fixtures/iac/estate/azuredeploy.json";
const ESTATE_PARAMETERS: &str = "fixtures/iac/estate/azuredeploy.parameters.json";
const DEFENDER: &str = "fixtures/iac/arm/defender.json";
const SERVICE: &str = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ApiManagement/service";

fn apimguard(args: &[&str]) -> Output {
    support::apimguard()
        .env("APIMGUARD_COLLECTED_AT", "2026-01-31T00:00:00Z")
        .args(args)
        .output()
        .expect("runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout_json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}); stderr: {}", stderr(out)))
}

/// `collect` with `args`, expecting a complete snapshot (exit 0).
fn collect(args: &[&str]) -> Value {
    let out = apimguard(&[&["collect"], args].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout_json(&out)
}

/// `check -f json` with `args`: the report and the exit code.
fn check(args: &[&str]) -> (Value, i32) {
    let out = apimguard(&[&["check"], args, &["-f", "json"]].concat());
    (stdout_json(&out), out.status.code().expect("exit code"))
}

fn service(snapshot: &Value) -> &Value {
    &snapshot["subscriptions"][0]["services"][0]
}

fn named<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array()
        .expect("a list")
        .iter()
        .find(|item| item["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {list}"))
}

fn rule<'a>(report: &'a Value, id: &str) -> &'a Value {
    named_by(&report["results"], "ruleId", id)
}

fn named_by<'a>(list: &'a Value, key: &str, value: &str) -> &'a Value {
    list.as_array()
        .expect("a list")
        .iter()
        .find(|item| item[key] == value)
        .unwrap_or_else(|| panic!("no {key} {value}"))
}

/// Per rule: status, resources checked, and the failing resources.
fn verdicts(report: &Value) -> BTreeMap<String, (String, u64, Vec<String>)> {
    report["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            let mut failing: Vec<String> = r["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .map(|f| f["resource"].as_str().expect("resource").to_string())
                .collect();
            failing.sort();
            (
                r["ruleId"].as_str().expect("id").to_string(),
                (
                    r["status"].as_str().expect("status").to_string(),
                    r["checked"].as_u64().expect("checked"),
                    failing,
                ),
            )
        })
        .collect()
}

/// The `file:line` of each finding of `rule_id` about a resource ending with `suffix`.
fn location(report: &Value, rule_id: &str, suffix: &str) -> (String, u64) {
    let finding = rule(report, rule_id)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["resource"].as_str().is_some_and(|r| r.ends_with(suffix)))
        .unwrap_or_else(|| panic!("{rule_id} has no finding about {suffix}"));
    (
        finding["location"]["file"]
            .as_str()
            .expect("file")
            .to_string(),
        finding["location"]["line"].as_u64().expect("line"),
    )
}

#[test]
fn bicep_built_arm_sample_is_read_with_its_open_values() {
    let snapshot = collect(&["--from-arm", MSI]);
    assert_eq!(snapshot["source"]["kind"], "iac");
    assert_eq!(snapshot["source"]["reader"], "arm-template");
    assert_eq!(snapshot["collectedAt"], "2026-01-31T00:00:00Z");
    assert_eq!(snapshot["complete"], true);
    let svc = service(&snapshot);
    assert_eq!(svc["name"], "apiservice{uniqueString(resourceGroup().id)}");
    assert_eq!(svc["location"], "{resourceGroup().location}");
    assert_eq!(
        svc["sku"],
        serde_json::json!({"name": "Developer", "capacity": 1})
    );
    assert_eq!(svc["identity"]["type"], "SystemAssigned");
    assert_eq!(svc["origin"]["line"], 56);
    assert!(svc["capacityPercent"].is_null());
    let unknowns = snapshot["unknowns"].as_array().expect("unknowns");
    let email = named_by(&snapshot["unknowns"], "path", "properties/publisherEmail");
    assert_eq!(unknowns.len(), 2);
    assert_eq!(email["expression"], "parameters('publisherEmail')");
    assert_eq!(email["origin"]["line"], 66);
    assert_eq!(
        svc["properties"]["publisherEmail"],
        "<unknown: parameters('publisherEmail')>"
    );
}

#[test]
fn bicep_sample_with_all_resources_is_read() {
    let snapshot = collect(&[
        "--from-bicep",
        ALL_RESOURCES,
        "--parameters",
        ALL_RESOURCES_PARAMETERS,
    ]);
    assert_eq!(snapshot["source"]["reader"], "bicep");
    assert_eq!(snapshot["complete"], true);
    assert!(snapshot.get("unknowns").is_none());
    let svc = service(&snapshot);
    assert!(
        svc["policy"]["backend"].is_array(),
        "the tenant policy is read"
    );
    let apis = &svc["apis"];
    assert_eq!(apis.as_array().map(Vec::len), Some(3));
    let petstore = named(apis, "PetStoreSwaggerImportExample");
    assert_eq!(petstore["protocols"], serde_json::json!(["HTTPS", "HTTP"]));
    assert_eq!(
        petstore["properties"]["serviceUrl"],
        "http://petstore.swagger.io/v2/swagger.json"
    );
    let example = named(apis, "exampleApi");
    let operations = &example["operations"];
    assert_eq!(named(operations, "exampleOperationsGET")["method"], "GET");
    assert!(named(operations, "exampleOperationsGET")["policy"]["inbound"].is_array());
    assert!(named(operations, "exampleOperationsDELETE")["policy"].is_null());
    assert_eq!(example["products"], serde_json::json!(["exampleProduct"]));
    assert!(named(apis, "exampleApiWithPolicy")["policy"].is_object());
    let product = named(&svc["products"], "exampleProduct");
    assert_eq!(product["apis"], serde_json::json!(["exampleApi"]));
    assert!(product["policy"].is_object());
    let value = named(&svc["namedValues"], "exampleNamedValue");
    assert_eq!(value["properties"]["displayName"], "propertyExampleName");
    assert!(
        value["properties"].get("value").is_none(),
        "values are never copied"
    );
    assert_eq!(svc["apimSubscriptions"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        named(&svc["apimSubscriptions"], "examplesubscription2")["origin"]["line"],
        238
    );
}

#[test]
fn bicep_sample_with_an_internal_network_is_read() {
    let snapshot = collect(&["--from-bicep", INTERNAL_VNET]);
    let svc = service(&snapshot);
    assert_eq!(
        svc["sku"],
        serde_json::json!({"name": "Premium", "capacity": 2})
    );
    assert_eq!(svc["zones"], serde_json::json!(["1", "2"]));
    let props = &svc["properties"];
    assert_eq!(props["virtualNetworkType"], "Internal");
    assert_eq!(
        props["customProperties"]
            ["Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10"],
        "false"
    );
    assert_eq!(
        props["publicIpAddressId"],
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/publicIPAddresses/myPublicIP"
    );
    let (report, _) = check(&["--from-bicep", INTERNAL_VNET]);
    for id in [
        "APIM-SVC-001",
        "APIM-SVC-002",
        "APIM-SVC-005",
        "APIM-SVC-013",
    ] {
        assert_eq!(rule(&report, id)["status"], "pass", "{id}");
    }
}

#[test]
fn apiops_sample_is_read_with_its_configuration() {
    let snapshot = collect(&["--from-apiops", APIOPS_SAMPLE, "--env", "prod"]);
    assert_eq!(snapshot["source"]["reader"], "apiops");
    assert_eq!(snapshot["complete"], true);
    let unavailable = snapshot["source"]["unavailable"].as_array().expect("list");
    assert!(unavailable.contains(&Value::from("service-settings")));
    let svc = service(&snapshot);
    assert_eq!(svc["id"], format!("{SERVICE}/{{serviceName}}"));
    assert_eq!(
        svc["policy"]["fragments"],
        serde_json::json!(["policyFragment1"])
    );
    assert_eq!(svc["origin"]["file"], format!("{APIOPS_SAMPLE}/policy.xml"));
    let apis = &svc["apis"];
    let basic = named(apis, "basic-api");
    assert_eq!(
        basic["origin"]["file"],
        format!("{APIOPS_SAMPLE}/apis/basic-api/apiInformation.json")
    );
    assert_eq!(
        basic["origin"]["settings"]["properties/protocols"]["line"],
        8
    );
    assert_eq!(
        basic["origin"]["settings"]["policy"]["file"],
        format!("{APIOPS_SAMPLE}/apis/basic-api/policy.xml")
    );
    assert!(basic["policy"]["inbound"].is_array());
    let get_items = named(&basic["operations"], "get-items");
    assert_eq!(
        (&get_items["method"], &get_items["urlTemplate"]),
        (&Value::from("GET"), &Value::from("/items"))
    );
    assert!(get_items["policy"]["inbound"].is_array());
    assert_eq!(named(&basic["operations"], "create-item")["method"], "POST");
    assert_eq!(basic["auth"]["effective"], "authenticated");
    let revision = named(apis, "revisioned-api");
    assert_eq!(
        revision["id"],
        format!("{SERVICE}/{{serviceName}}/apis/revisioned-api")
    );
    assert_eq!(revision["properties"]["apiRevision"], "2");
    assert_eq!(
        named(&svc["products"], "product1")["properties"]["subscriptionsLimit"],
        10
    );
    assert_eq!(
        named(&svc["backends"], "backend1")["properties"]["url"],
        "https://httpbin.org"
    );
    let value = named(&svc["namedValues"], "allowed-ip-address");
    assert!(value["properties"].get("value").is_none());
    assert_eq!(
        named(&svc["apimSubscriptions"], "subscription1")["properties"]["scope"],
        "/products/product1"
    );
}

#[test]
fn https_rules_catch_the_all_resources_sample_at_its_lines() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("apim.sarif");
    let human = dir.path().join("report.txt");
    let out = apimguard(&[
        "check",
        "--from-bicep",
        ALL_RESOURCES,
        "--parameters",
        ALL_RESOURCES_PARAMETERS,
        "-f",
        "json",
        "-f",
        &format!("sarif:{}", sarif.display()),
        "-f",
        &format!("human:{}", human.display()),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = stdout_json(&out);
    for (id, line) in [("APIM-API-001", 69), ("APIM-API-002", 67)] {
        let findings = rule(&report, id)["findings"].as_array().expect("findings");
        assert_eq!(findings.len(), 1, "{id}");
        assert!(findings[0]["resource"]
            .as_str()
            .unwrap()
            .ends_with("/apis/PetStoreSwaggerImportExample"));
        assert_eq!(
            location(&report, id, "PetStoreSwaggerImportExample"),
            (ALL_RESOURCES.to_string(), line)
        );
    }
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let result = named_by(&sarif["runs"][0]["results"], "ruleId", "APIM-API-001");
    let physical = &result["locations"][0]["physicalLocation"];
    assert_eq!(physical["artifactLocation"]["uri"], ALL_RESOURCES);
    assert_eq!(physical["region"]["startLine"], 69);
    let human = std::fs::read_to_string(&human).unwrap();
    assert!(human.contains(&format!("at {ALL_RESOURCES}:69")), "{human}");
    assert!(
        human.contains("not applicable: needs defender-findings"),
        "{human}"
    );
}

#[test]
fn arm_template_and_apiops_folder_of_one_estate_give_the_same_verdicts() {
    let (arm, arm_code) = check(&[
        "--from-arm",
        ESTATE_TEMPLATE,
        "--parameters",
        ESTATE_PARAMETERS,
    ]);
    let (apiops, apiops_code) = check(&["--from-apiops", ESTATE_APIOPS, "--env", "test"]);
    assert_eq!((arm_code, apiops_code), (1, 1));
    assert_eq!(verdicts(&arm), verdicts(&apiops));
    // The estate is not trivially clean: each reader found the same problems.
    let failing: Vec<String> = verdicts(&arm)
        .into_iter()
        .filter(|(_, (status, _, _))| status == "fail")
        .map(|(id, _)| id)
        .collect();
    for id in [
        "APIM-API-001",
        "APIM-API-003",
        "APIM-BKD-001",
        "APIM-DEF-004",
        "APIM-PRD-001",
        "APIM-SEC-001",
        "APIM-SUB-002",
    ] {
        assert!(failing.contains(&id.to_string()), "{id} in {failing:?}");
    }
    assert_eq!(rule(&arm, "APIM-SVC-001")["status"], "not-applicable");
    // Each points at its own files.
    assert_eq!(
        location(&apiops, "APIM-API-001", "/apis/legacy"),
        (
            format!("{ESTATE_APIOPS}/apis/legacy/apiInformation.json"),
            5
        )
    );
    assert_eq!(
        location(&arm, "APIM-API-001", "/apis/legacy").0,
        ESTATE_TEMPLATE
    );
    assert_eq!(
        location(&apiops, "APIM-BKD-001", "/backends/payments"),
        ("fixtures/iac/estate/configuration.test.yaml".to_string(), 6),
        "an overridden setting points at the configuration"
    );
    assert_eq!(
        location(&apiops, "APIM-POL-001", "/products/public"),
        (format!("{ESTATE_APIOPS}/products/public/policy.xml"), 1)
    );
}

#[test]
fn a_collected_iac_snapshot_checks_the_same_and_keeps_its_origins() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("snap.json");
    let out = apimguard(&[
        "collect",
        "--from-apiops",
        ESTATE_APIOPS,
        "--env",
        "test",
        "-o",
        snapshot.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (from_file, code) = check(&[snapshot.to_str().unwrap()]);
    let (direct, _) = check(&["--from-apiops", ESTATE_APIOPS, "--env", "test"]);
    assert_eq!(code, 1);
    assert_eq!(verdicts(&from_file), verdicts(&direct));
    assert_eq!(
        location(&from_file, "APIM-API-002", "/apis/legacy"),
        (
            format!("{ESTATE_APIOPS}/apis/legacy/apiInformation.json"),
            9
        )
    );
    let text = std::fs::read_to_string(&snapshot).unwrap();
    for secret in ["P@ssw0rd-in-clear", "s3cret-api-key-value", "{#apiKey#}"] {
        assert!(!text.contains(secret), "{secret} leaked into the snapshot");
    }
}

#[test]
fn rules_without_the_data_they_need_are_not_applicable() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("junit.xml");
    let out = apimguard(&[
        "check",
        "--from-apiops",
        ESTATE_APIOPS,
        "-f",
        "json",
        "-f",
        &format!("junit:{}", junit.display()),
    ]);
    let report = stdout_json(&out);
    let counters = rule(&report, "APIM-DEF-005");
    assert_eq!(counters["status"], "not-applicable");
    assert_eq!(counters["checked"], 0);
    assert!(counters["notApplicable"]
        .as_str()
        .unwrap()
        .starts_with("needs defender-findings"));
    let applicable = report["summary"]["rules"].as_u64().unwrap()
        - report["summary"]["notApplicable"].as_u64().unwrap();
    assert_eq!(
        applicable,
        report["summary"]["passed"].as_u64().unwrap()
            + report["summary"]["failed"].as_u64().unwrap()
    );
    let junit = std::fs::read_to_string(&junit).unwrap();
    assert!(junit.contains("APIM-DEF-005 (not applicable)"), "{junit}");
}

#[test]
fn open_values_are_reported_never_passed() {
    let snapshot = collect(&["--from-arm", DEFENDER]);
    let unknowns: Vec<(String, u64)> = snapshot["unknowns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["path"].as_str().unwrap().to_string(),
                u["origin"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        unknowns,
        vec![
            ("properties/protocols".to_string(), 45),
            ("properties/serviceUrl".to_string(), 46)
        ]
    );
    let (report, code) = check(&["--from-arm", DEFENDER]);
    assert_eq!(code, 1);
    for (id, line) in [("APIM-API-001", 45), ("APIM-API-002", 46)] {
        let finding = &rule(&report, id)["findings"][0];
        assert!(
            finding["message"]
                .as_str()
                .unwrap()
                .contains("not known before deployment"),
            "{finding}"
        );
        assert_eq!(
            location(&report, id, "/apis/orders"),
            (DEFENDER.to_string(), line)
        );
    }
}

#[test]
fn defender_resources_onboard_apis_and_set_the_plan() {
    let snapshot = collect(&["--from-arm", DEFENDER]);
    let plan = &snapshot["subscriptions"][0]["defenderForApis"];
    assert_eq!(
        (&plan["enabled"], &plan["subPlan"]),
        (&Value::Bool(true), &Value::from("P1"))
    );
    let unavailable = snapshot["source"]["unavailable"].as_array().unwrap();
    assert!(!unavailable.contains(&Value::from("defender-plan")));
    assert!(!unavailable.contains(&Value::from("defender-onboarding")));
    let apis = &service(&snapshot)["apis"];
    assert_eq!(named(apis, "echo")["defender"]["onboarded"], true);
    assert_eq!(named(apis, "orders")["defender"]["onboarded"], false);
    assert!(named(apis, "echo")["defender"]
        .get("unauthenticatedEndpoints")
        .is_none());
    let (report, _) = check(&["--from-arm", DEFENDER]);
    assert_eq!(
        verdicts(&report)["APIM-DEF-003"].2,
        vec![format!("{SERVICE}/contoso/apis/orders")]
    );
    assert_eq!(rule(&report, "APIM-DEF-002")["status"], "pass");

    // A plan that is off is reported at the pricing's line.
    let dir = tempfile::tempdir().unwrap();
    let free = dir.path().join("free.json");
    let text = std::fs::read_to_string(DEFENDER).unwrap();
    std::fs::write(&free, text.replace("\"Standard\"", "\"Free\"")).unwrap();
    let (report, _) = check(&["--from-arm", free.to_str().unwrap()]);
    assert_eq!(rule(&report, "APIM-DEF-002")["status"], "fail");
    assert_eq!(
        location(&report, "APIM-DEF-002", "{subscriptionId}"),
        (free.display().to_string(), 58)
    );
}

/// A copy of the estate's APIOps folder and configuration, with `file` replaced by `text`.
fn broken_estate(dir: &Path, file: &str, text: &str) -> String {
    let root = dir.join("estate");
    copy_dir(Path::new("fixtures/iac/estate"), &root);
    std::fs::write(root.join(file), text).unwrap();
    root.join("apiops").display().to_string()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn malformed_files_are_located_errors_with_exit_2() {
    let cases = [
        (
            "apiops/apis/orders/apiInformation.json",
            "{\n  \"properties\": {\n    \"path\": \"orders\",\n  }\n}\n",
            "apis/orders/apiInformation.json is not valid JSON (line 4, column 3)",
        ),
        (
            "apiops/apis/orders/policy.xml",
            "<policies>\n\t<inbound>\n\t\t<base />\n\t</outbound>\n</policies>\n",
            "apis/orders/policy.xml",
        ),
        (
            "configuration.test.yaml",
            "apimServiceName: contoso\nbackends:\n  - name: payments\n    properties: [url: x\n",
            "configuration.test.yaml is not valid YAML (line",
        ),
    ];
    for (file, text, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        let folder = broken_estate(dir.path(), file, text);
        for command in ["check", "collect"] {
            let out = apimguard(&[command, "--from-apiops", &folder, "--env", "test"]);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{file}: {err}");
            assert!(err.contains(expected), "{file}: {err}");
        }
    }
    // A policy error names the line in the file.
    let dir = tempfile::tempdir().unwrap();
    let folder = broken_estate(
        dir.path(),
        "apiops/apis/orders/policy.xml",
        "<policies>\n\t<inbound>\n\t\t<base />\n\t</outbound>\n</policies>\n",
    );
    let err = stderr(&apimguard(&["check", "--from-apiops", &folder]));
    assert!(err.contains("(line 4, column"), "{err}");

    let bad_template = dir.path().join("bad.json");
    std::fs::write(
        &bad_template,
        "{\"resources\": [\n  {\"type\": \"x\",}\n]}\n",
    )
    .unwrap();
    let out = apimguard(&["check", "--from-arm", bad_template.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is not valid JSON (line 2"),
        "{}",
        stderr(&out)
    );

    let bad_bicep = dir.path().join("bad.bicep");
    std::fs::write(
        &bad_bicep,
        "param a string\nresource x 'T@1' = {\n  name: 'a'\n  oops\n}\n",
    )
    .unwrap();
    let out = apimguard(&["check", "--from-bicep", bad_bicep.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("bad.bicep:4:7: `:` expected"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bicep_declarations_not_read_are_located_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("main.bicep");
    let text = std::fs::read_to_string(ALL_RESOURCES).unwrap();
    std::fs::write(
        &file,
        format!("{text}\nmodule extra 'br/public:avm/res/extra:1.0.0' = {{\n  name: 'extra'\n}}\n"),
    )
    .unwrap();
    let line = text.lines().count() + 2;
    let out = apimguard(&[
        "collect",
        "--from-bicep",
        file.to_str().unwrap(),
        "--parameters",
        ALL_RESOURCES_PARAMETERS,
    ]);
    assert_eq!(out.status.code(), Some(2), "an incomplete snapshot exits 2");
    let snapshot = stdout_json(&out);
    assert_eq!(snapshot["complete"], false);
    let gap = &snapshot["gaps"][0];
    assert_eq!(gap["scope"], format!("{}:{line}", file.display()));
    assert_eq!(gap["what"], "module");
    assert!(
        stderr(&out)
            .contains("`br/public:avm/res/extra:1.0.0`) is not in the Bicep CLI's restore cache"),
        "{}",
        stderr(&out)
    );

    let args = [
        "check",
        "--from-bicep",
        file.to_str().unwrap(),
        "--parameters",
        ALL_RESOURCES_PARAMETERS,
    ];
    let out = apimguard(&args);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is incomplete"), "{}", stderr(&out));
    let out = apimguard(&[&args[..], &["--allow-incomplete"]].concat());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn flags_that_cannot_work_together_are_refused() {
    for (args, expected) in [
        (
            vec!["collect", "--parameters", ESTATE_PARAMETERS],
            "--parameters applies to --from-arm and --from-bicep only",
        ),
        (
            vec!["collect", "--from-arm", MSI, "--env", "prod"],
            "--configuration and --env apply to --from-apiops only",
        ),
        (
            vec![
                "collect",
                "--from-apiops",
                ESTATE_APIOPS,
                "--env",
                "staging",
            ],
            "no configuration.staging.yaml",
        ),
        (
            vec!["check", "--from-arm", MSI, "--subscription", "s"],
            "they do not apply to --from-arm",
        ),
        (
            vec!["check", "--from-arm", MSI, "--from-apiops", ESTATE_APIOPS],
            "cannot be used with",
        ),
        (
            vec!["collect", "--from-arm", ESTATE_PARAMETERS],
            "is not an ARM template: this is a parameters file",
        ),
    ] {
        let out = apimguard(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains(expected),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let out = support::apimguard()
        .env("APIMGUARD_COLLECTED_AT", "yesterday")
        .args(["collect", "--from-arm", MSI])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not an RFC 3339 timestamp"));
}

#[test]
fn iac_snapshots_follow_the_snapshot_schema() {
    let schema = stdout_json(&apimguard(&["schema"]));
    let validator = jsonschema::validator_for(&schema).unwrap();
    for args in [
        vec!["--from-arm", MSI],
        vec!["--from-arm", DEFENDER],
        vec![
            "--from-bicep",
            ALL_RESOURCES,
            "--parameters",
            ALL_RESOURCES_PARAMETERS,
        ],
        vec!["--from-bicep", INTERNAL_VNET],
        vec!["--from-apiops", APIOPS_SAMPLE, "--env", "prod"],
        vec!["--from-apiops", ESTATE_APIOPS, "--env", "test"],
    ] {
        let snapshot = collect(&args);
        let errors: Vec<String> = validator
            .iter_errors(&snapshot)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{args:?}: {errors:?}");
    }
}

#[test]
fn remediate_refuses_a_snapshot_read_from_files() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("iac.json");
    let snapshot = snapshot.to_str().unwrap();
    let out = apimguard(&["collect", "--from-apiops", ESTATE_APIOPS, "-o", snapshot]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = apimguard(&["remediate", snapshot]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("read from infrastructure-as-code files"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_condition_open_until_deployment_is_a_gap_not_a_deployed_resource() {
    // The API's only authentication is a policy deployed `if (secure)`, a parameter
    // without a value: it must not count as deployed.
    let policy = r#"<policies><inbound><base /><validate-jwt header-name=\"Authorization\"><openid-config url=\"https://login.example.com/.well-known/openid-configuration\" /></validate-jwt></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>"#;
    let template = format!(
        r#"{{"parameters": {{"secure": {{"type": "bool"}}}},
 "resources": [
  {{"type": "Microsoft.ApiManagement/service/apis", "name": "contoso/echo",
    "properties": {{"path": "echo", "protocols": ["https"], "subscriptionRequired": false}}}},
  {{"type": "Microsoft.ApiManagement/service/apis/policies", "name": "contoso/echo/policy",
    "condition": "[parameters('secure')]",
    "properties": {{"format": "rawxml", "value": "{policy}"}}}}
 ]}}"#
    );
    let bicep = format!(
        "param secure bool\n\nresource api 'Microsoft.ApiManagement/service/apis@2022-08-01' = {{\n  name: 'contoso/echo'\n  properties: {{ path: 'echo', protocols: ['https'], subscriptionRequired: false }}\n}}\n\nresource pol 'Microsoft.ApiManagement/service/apis/policies@2022-08-01' = if (secure) {{\n  parent: api\n  name: 'policy'\n  properties: {{ format: 'rawxml', value: '{}' }}\n}}\n",
        policy.replace("\\\"", "\"")
    );
    let dir = tempfile::tempdir().unwrap();
    let arm = dir.path().join("cond.json");
    let bic = dir.path().join("cond.bicep");
    std::fs::write(&arm, template).unwrap();
    std::fs::write(&bic, bicep).unwrap();
    for (flag, path, line) in [("--from-arm", &arm, ":6"), ("--from-bicep", &bic, ":8")] {
        let path = path.to_str().unwrap();
        let out = apimguard(&["check", flag, path]);
        assert_eq!(out.status.code(), Some(2), "{flag}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("is incomplete"), "{flag}: {err}");
        assert!(
            err.contains(&format!("{path}{line} (condition)")),
            "{flag}: {err}"
        );
        assert!(err.contains("not known before deployment"), "{flag}: {err}");
        // Given a value, the condition decides.
        let params = dir.path().join("p.json");
        std::fs::write(&params, r#"{"parameters": {"secure": {"value": false}}}"#).unwrap();
        let (report, code) = check(&[flag, path, "--parameters", params.to_str().unwrap()]);
        assert_eq!(code, 1, "{flag}");
        assert_eq!(rule(&report, "APIM-API-003")["status"], "fail", "{flag}");
    }
}

#[test]
fn a_folder_without_apiops_artifacts_is_refused() {
    // The repository root of an APIOps project (artifacts one level down) checks nothing.
    let dir = tempfile::tempdir().unwrap();
    let artifacts = dir.path().join("apimartifacts/apis/echo");
    std::fs::create_dir_all(&artifacts).unwrap();
    std::fs::write(
        artifacts.join("apiInformation.json"),
        r#"{"properties": {"path": "echo", "protocols": ["https"]}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("configuration.prod.yaml"),
        "apimServiceName: x\n",
    )
    .unwrap();
    let root = dir.path().to_str().unwrap();
    for command in ["check", "collect"] {
        let out = apimguard(&[command, "--from-apiops", root, "--env", "prod"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{command}: {err}");
        assert!(err.contains("holds no APIOps artifacts"), "{err}");
        assert!(err.contains("did you mean"), "{err}");
        assert!(err.contains("apimartifacts"), "{err}");
    }
}

#[test]
fn an_information_file_without_properties_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let api = dir.path().join("apis/echo");
    std::fs::create_dir_all(&api).unwrap();
    for (text, expected) in [
        (
            r#"{"path": "echo", "protocols": ["http"], "subscriptionRequired": false}"#,
            "apiInformation.json:1: an information file holds its settings in a `properties` object, but it has none",
        ),
        (
            "{\n  \"properties\": null\n}",
            "apiInformation.json:2: an information file holds its settings in a `properties` object, but `properties` is null",
        ),
    ] {
        std::fs::write(api.join("apiInformation.json"), text).unwrap();
        let out = apimguard(&["check", "--from-apiops", dir.path().to_str().unwrap()]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(expected), "{err}");
    }
}

/// The snapshot's gaps as (scope, what).
fn gaps(snapshot: &Value) -> Vec<(String, String)> {
    snapshot["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["scope"].as_str().unwrap().to_string(),
                g["what"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn bicep_syntax_of_public_modules_is_read() {
    // Linter pragmas, a loop closed on its own line, a conditional module, a ternary over
    // several lines, `x!` and `...spread`: what Azure Verified Modules and Microsoft samples
    // write. Before, each was a syntax error (or one located at the end of the file).
    let file = "fixtures/iac/bicep/real-world-syntax.bicep";
    let out = apimguard(&["collect", "--from-bicep", file]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let snapshot = stdout_json(&out);
    assert_eq!(
        gaps(&snapshot),
        vec![(format!("{file}:66"), "properties".to_string()),]
    );
    let api = named(&service(&snapshot)["apis"], "echo");
    assert_eq!(api["protocols"], serde_json::json!(["https"]));

    let dir = tempfile::tempdir().unwrap();
    let params = dir.path().join("p.json");
    std::fs::write(
        &params,
        r#"{"parameters": {"httpsOnly": {"value": false}}}"#,
    )
    .unwrap();
    let out = apimguard(&[
        "collect",
        "--from-bicep",
        file,
        "--parameters",
        params.to_str().unwrap(),
    ]);
    let snapshot = stdout_json(&out);
    let api = named(&service(&snapshot)["apis"], "echo");
    assert_eq!(api["protocols"], serde_json::json!(["http", "https"]));
}

#[test]
fn settings_left_open_as_a_whole_are_never_compliant() {
    // A resource whose whole `properties` is open (AVM's backend module builds it with
    // shallowMerge) must not read as `{}`, whose settings would all be APIM's defaults;
    // an open customProperties may enable TLS 1.0; open hostnames are no rule error.
    let file = "fixtures/iac/arm/open-properties.json";
    let out = apimguard(&["collect", "--from-arm", file]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let snapshot = stdout_json(&out);
    assert_eq!(
        gaps(&snapshot),
        vec![
            (format!("{file}:23"), "properties".to_string()),
            (format!("{file}:30"), "properties".to_string()),
        ]
    );
    let api = named(&service(&snapshot)["apis"], "orders");
    assert_ne!(api["subscriptionRequired"], true, "{api}");
    assert_ne!(api["auth"]["effective"], "authenticated", "{api}");

    let (report, code) = check(&["--from-arm", file, "--allow-incomplete"]);
    assert_eq!(code, 1, "no rule error");
    for id in [
        "APIM-SVC-001",
        "APIM-SVC-002",
        "APIM-SVC-011",
        "APIM-API-003",
    ] {
        let verdict = rule(&report, id);
        assert_eq!(verdict["status"], "fail", "{id}: {verdict}");
    }
    let message = rule(&report, "APIM-SVC-001")["findings"][0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("not known before deployment"), "{message}");
}

/// Writes `text` to `name` in a fresh folder and runs `check FLAG FILE [extra]`:
/// the exit code and standard error.
fn check_file(flag: &str, name: &str, text: &str, extra: &[&str]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let out = apimguard(&[&["check", flag, path.to_str().unwrap()], extra].concat());
    let err = stderr(&out);
    assert!(
        !err.contains("panicked") && !err.contains("overflow"),
        "{err}"
    );
    (out.status.code().expect("exit code"), err)
}

/// Runs [`check_file`] and expects exit 2 with `message` on standard error, returned.
fn refused(flag: &str, name: &str, text: &str, extra: &[&str], message: &str) -> String {
    let (code, err) = check_file(flag, name, text, extra);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(message), "{err}");
    err
}

/// A template with one service whose publisher e-mail is `email`, and `variables`.
fn template_with(variables: &str, email: &str) -> String {
    format!(
        r#"{{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "variables": {{{variables}}},
  "resources": [
    {{"type": "Microsoft.ApiManagement/service", "apiVersion": "2023-05-01-preview", "name": "contoso",
      "properties": {{"publisherEmail": "{email}", "x": {{"y": 1}}}}}}
  ]
}}"#
    )
}

#[test]
fn deep_bicep_is_a_located_error_at_its_line_not_a_crash() {
    // 2,000 nested brackets in a 4 KB file overflowed the stack (exit 134).
    for n in [33, 2_000, 100_000] {
        let text = format!(
            "param p string\nvar x = {}{}\n",
            "[".repeat(n),
            "]".repeat(n)
        );
        let err = refused(
            "--from-bicep",
            "main.bicep",
            &text,
            &[],
            "main.bicep:2:41: nested more than 32 levels deep",
        );
        assert!(!err.contains("not valid JSON"), "{err}");
    }
    let chain: String = (0..100_000)
        .map(|i| format!("var v{i} = v{}\n", i + 1))
        .collect();
    let text = format!("{chain}var v100000 = 'a@b.c'\nresource s 'Microsoft.ApiManagement/service@2023-05-01-preview' = {{\n  name: 'contoso'\n  properties: {{\n    publisherEmail: v0\n  }}\n}}\n");
    refused(
        "--from-bicep",
        "main.bicep",
        &text,
        &[],
        "main.bicep:100002: evaluating this resource goes more than 64 levels deep",
    );
    // A value from json() is not nested in the file, but nests in the snapshot.
    let deep = format!("{}{}", "[".repeat(120), "]".repeat(120));
    let text = format!("resource s 'Microsoft.ApiManagement/service@2023-05-01-preview' = {{\n  name: 'contoso'\n  properties: {{\n    x: json('{deep}')\n  }}\n}}\n");
    refused(
        "--from-bicep",
        "main.bicep",
        &text,
        &[],
        "main.bicep:1: the values of this resource nest more than 100 levels deep",
    );
}

#[test]
fn deep_templates_are_located_errors_not_a_crash() {
    // 10,000 nested concat( overflowed the stack (exit 134).
    let concat = |n: usize| format!("[{}'a'{}]", "concat(".repeat(n), ")".repeat(n));
    for n in [33, 10_000] {
        refused(
            "--from-arm",
            "t.json",
            &template_with("", &concat(n)),
            &[],
            "t.json:7: the expression nests calls and indexes more than 32 levels deep",
        );
    }
    let chain: Vec<String> = (0..10_000)
        .map(|i| format!(r#""v{i}": "[variables('v{}')]""#, i + 1))
        .collect();
    refused(
        "--from-arm",
        "t.json",
        &template_with(&chain.join(","), "[variables('v0')]"),
        &[],
        "t.json:6: evaluating this resource goes more than 64 levels deep",
    );
    let deep = format!("{}1{}", "[".repeat(100), "]".repeat(100));
    refused(
        "--from-arm",
        "t.json",
        &template_with("", "a@b.c").replace(r#"{"y": 1}"#, &deep),
        &[],
        "t.json:7: objects and arrays nest more than 100 levels deep",
    );
}

#[test]
fn deep_policies_in_templates_are_located_errors() {
    let policy = |n: usize| {
        format!(
            "<policies><inbound>{}{}</inbound></policies>",
            "<a>".repeat(n),
            "</a>".repeat(n)
        )
    };
    let with_policy = |n: usize| {
        template_with("", "a@b.c").replace(
            "\n  ]\n}",
            &format!(",\n    {{\"type\": \"Microsoft.ApiManagement/service/policies\", \"apiVersion\": \"2023-05-01-preview\", \"name\": \"contoso/policy\",\n      \"properties\": {{\"format\": \"rawxml\", \"value\": \"{}\"}}}}\n  ]\n}}", policy(n)),
        )
    };
    let (code, err) = check_file(
        "--from-arm",
        "t.json",
        &with_policy(48),
        &["--fail-on", "never"],
    );
    assert_eq!(code, 0, "{err}");
    for n in [49, 100_000] {
        refused(
            "--from-arm",
            "t.json",
            &with_policy(n),
            &[],
            "elements are nested too deeply",
        );
    }
}

#[test]
fn iac_files_over_the_cap_name_the_file_the_cap_and_the_flag() {
    let err = refused(
        "--from-arm",
        "t.json",
        &template_with("", "a@b.c"),
        &["--max-file-size", "100B"],
        "t.json is larger than 100 B, the limit for configuration, policy and IaC files",
    );
    assert!(err.contains("--max-file-size"), "{err}");
}

#[test]
fn bicep_modules_are_followed_and_findings_point_into_them() {
    // An unauthenticated API declared two modules down, in a module loop: before, the
    // run stopped at a `module` gap (exit 2) and the API was never judged.
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "main.bicep",
        "param apis array = [\n  { name: 'open', key: false }\n  { name: 'keyed', key: true }\n]\n\
         resource svc 'Microsoft.ApiManagement/service@2023-05-01-preview' = {\n  name: 'contoso'\n  properties: {}\n}\n\
         module api 'modules/api.bicep' = [for a in apis: {\n  name: a.name\n  params: { service: svc.name, api: a }\n}]\n",
    );
    write(
        "modules/api.bicep",
        "param service string\nparam api object\nmodule inner 'inner/declare.bicep' = {\n  name: 'inner'\n  params: { service: service, name: api.name, key: api.key }\n}\n",
    );
    write(
        "modules/inner/declare.bicep",
        "param service string\nparam name string\nparam key bool\n\
         resource api 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {\n  name: '${service}/${name}'\n  properties: {\n    path: name\n    protocols: ['https']\n    subscriptionRequired: key\n  }\n}\n",
    );
    let main = dir.path().join("main.bicep");
    let out = apimguard(&["collect", "--from-bicep", main.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let snapshot = stdout_json(&out);
    let apis = &service(&snapshot)["apis"];
    assert_eq!(named(apis, "open")["auth"]["effective"], "unauthenticated");
    assert_eq!(named(apis, "keyed")["auth"]["effective"], "authenticated");
    assert!(named(apis, "open")["origin"]["file"]
        .as_str()
        .unwrap()
        .ends_with("modules/inner/declare.bicep"));
    assert_eq!(named(apis, "open")["origin"]["line"], 4);

    write(
        "modules/api.bicep",
        "module inner 'inner/missing.bicep' = {\n  name: 'inner'\n}\n",
    );
    let out = apimguard(&["collect", "--from-bicep", main.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("api.bicep:1: module names `inner/missing.bicep`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_api_type_left_open_is_not_read_as_non_rest() {
    // Before, `type: apiType` with no value read as "non-REST, ineligible", so Defender
    // rules skipped the API.
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("main.bicep");
    std::fs::write(
        &main,
        "param apiType string\nresource api 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {\n  name: 'contoso/echo'\n  properties: {\n    path: 'echo'\n    type: apiType\n  }\n}\n",
    )
    .unwrap();
    let out = apimguard(&["collect", "--from-bicep", main.to_str().unwrap()]);
    let snapshot = stdout_json(&out);
    let api = named(&service(&snapshot)["apis"], "echo");
    assert_eq!(api["defender"]["eligible"], true, "{api}");
    assert_eq!(api["defender"]["ineligibleReason"], Value::Null);
}

#[test]
fn policies_written_with_the_2018_api_names_are_read() {
    // `policyContent` + `contentFormat` (API version 2018-01-01): before, dropped without
    // a gap, so a JWT-protected API read as unauthenticated.
    let dir = tempfile::tempdir().unwrap();
    let template = |format: &str| {
        format!(
            r#"{{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {{"type": "Microsoft.ApiManagement/service/apis", "apiVersion": "2018-01-01", "name": "contoso/echo",
      "properties": {{"path": "echo", "protocols": ["https"], "subscriptionRequired": false}}}},
    {{"type": "Microsoft.ApiManagement/service/apis/policies", "apiVersion": "2018-01-01", "name": "contoso/echo/policy",
      "properties": {{"contentFormat": "{format}",
        "policyContent": "<policies><inbound><validate-jwt header-name=\"Authorization\"><openid-config url=\"https://login.microsoftonline.com/x/v2.0/.well-known/openid-configuration\" /></validate-jwt></inbound><backend><forward-request /></backend><outbound /><on-error /></policies>"}}}}
  ]}}"#
        )
    };
    let file = dir.path().join("t.json");
    std::fs::write(&file, template("rawxml")).unwrap();
    let out = apimguard(&["collect", "--from-arm", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let snapshot = stdout_json(&out);
    let api = named(&service(&snapshot)["apis"], "echo");
    assert_eq!(api["auth"]["effective"], "authenticated", "{api}");

    std::fs::write(&file, template("rawxml-link")).unwrap();
    let out = apimguard(&["collect", "--from-arm", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "a linked policy is a gap");
    assert!(
        stderr(&out).contains("format rawxml-link"),
        "{}",
        stderr(&out)
    );
}

/// Each misuse of the IaC flags has its own diagnostic code (docs/diagnostics.md).
#[test]
fn each_flag_misuse_has_its_own_code() {
    for (args, code) in [
        (
            vec!["collect", "--parameters", ESTATE_PARAMETERS],
            "apimguard::iac::parameters_usage",
        ),
        (
            vec!["collect", "--from-arm", MSI, "--env", "prod"],
            "apimguard::iac::configuration_usage",
        ),
        (
            vec!["check", "--from-arm", MSI, "--subscription", "s"],
            "apimguard::iac::azure_flags",
        ),
    ] {
        let out = apimguard(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(code), "{args:?}: {}", stderr(&out));
    }
}
