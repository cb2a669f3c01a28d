//! Two controls of issue 16 through the CLI: `<base />` in workspace policies
//! (APIM-POL-001 judges them beside product, API and operation policies) and the
//! resilience of production Premium services (APIM-SVC-020: several regions, zones in the
//! additional ones, units ≥ zones everywhere, parameter `production_services`), from
//! the fake ARM serving Microsoft's examples and from Bicep files.

mod support;

use std::path::Path;

use serde_json::{json, Value};
use support::estate::{self, RG, SERVICE};
use support::fake_arm::{Behaviour, FakeArm};
use support::{apimguard, text};

const TOKEN: &str = "resilience-token";
const BICEP: &str = "fixtures/iac/resilience/main.bicep";
const DEMO: &str = "fixtures/demo/snapshot.json";

/// `check ARGS -f json --fail-on never` (plus `--config CONFIG` when given): the
/// findings of `rule` as (resource, message) pairs, and its status.
fn findings(args: &[&str], config: Option<&Path>, rule: &str) -> (Vec<(String, String)>, String) {
    let mut command = apimguard();
    command
        .arg("check")
        .args(args)
        .args(["-f", "json", "--fail-on", "never"]);
    if let Some(config) = config {
        command.arg("--config").arg(config);
    }
    let out = command.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let result = support::rule_result(&report, rule);
    let status = result["status"].as_str().unwrap_or_default().to_string();
    (support::findings_of(result), status)
}

fn messages_on<'a>(found: &'a [(String, String)], resource: &str) -> Vec<&'a str> {
    found
        .iter()
        .filter(|(r, _)| r.eq_ignore_ascii_case(resource))
        .map(|(_, m)| m.as_str())
        .collect()
}

/// Collected from the fake ARM: the workspace policy example (no `<on-error>` section)
/// fails APIM-POL-001; the Premium examples' single-zone additional regions and the
/// primary region with fewer units than zones fail APIM-SVC-020; Consumption is not
/// judged.
#[test]
fn collected_workspace_policies_and_regions_are_judged() {
    let mut arm = estate::contoso();
    let contoso = estate::service_id(RG, SERVICE);
    let workspace = format!("{contoso}/workspaces/wks1");
    arm.put(
        &format!("{workspace}/policies/policy"),
        estate::rebase(
            &estate::example(
                "Microsoft.ApiManagement__2024-05-01__ApiManagementGetWorkspacePolicy",
            ),
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1",
            &contoso,
        ),
    );
    let fake = FakeArm::start(arm, Behaviour::accepting(TOKEN));
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = support::collect_into(&fake, TOKEN, dir.path(), &[], 0);
    let snapshot = out.to_str().unwrap();

    let args = [snapshot, "--allow-incomplete"];
    let (base, _) = findings(&args, None, "APIM-POL-001");
    assert_eq!(
        messages_on(&base, &workspace),
        [r#"policy of workspace "my workspace" (service "contoso"): no <on-error> section"#]
    );

    let (regions, status) = findings(&args, None, "APIM-SVC-020");
    assert_eq!(status, "fail");
    let contoso_messages = messages_on(&regions, &contoso);
    assert_eq!(contoso_messages.len(), 1, "{regions:?}");
    assert_eq!(
        contoso_messages[0],
        r#"Premium service "contoso" (East US): primary region East US has 1 unit(s) for 2 availability zones; a zone without a unit serves nothing; region East US 2 uses 0 availability zone(s); at least 2 are needed for zone redundancy"#
    );
    let internal = estate::service_id("rg-internal", "internal");
    assert!(
        messages_on(&regions, &internal)
            .iter()
            .any(|m| m.contains("region West US 2 uses 0 availability zone(s)")),
        "{regions:?}"
    );
    let consumption = estate::service_id(RG, "consumption");
    assert!(messages_on(&regions, &consumption).is_empty());
}

/// Read from Bicep: units left open until deployment are "not known", never passed; an
/// additional region with fewer units than zones fails; the workspace policy that
/// replaces the global `<backend>` and has no `<on-error>` fails at its file.
#[test]
fn bicep_regions_and_workspace_policies_are_judged() {
    let (regions, status) = findings(&["--from-bicep", BICEP], None, "APIM-SVC-020");
    assert_eq!(status, "fail");
    assert_eq!(regions.len(), 1, "{regions:?}");
    let message = &regions[0].1;
    assert!(
        message.contains("the units of primary region westeurope are not known"),
        "{message}"
    );
    assert!(
        message.contains("region northeurope has 1 unit(s) for 2 availability zones"),
        "{message}"
    );

    let (base, _) = findings(&["--from-bicep", BICEP], None, "APIM-POL-001");
    let workspace: Vec<&str> = base
        .iter()
        .filter(|(r, _)| r.ends_with("/workspaces/team-a"))
        .map(|(_, m)| m.as_str())
        .collect();
    assert_eq!(
        workspace,
        [
            r#"policy of workspace "Team A" (service "contoso"): <backend> has no <base />; no <on-error> section"#
        ]
    );
}

/// `production_services` limits the rule to the services it names (by name or id glob);
/// a value that is not a list of patterns is reported on every Premium service, never
/// passed.
#[test]
fn production_services_selects_and_a_bad_value_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let config = |name: &str, value: Value| {
        let path = dir.path().join(name);
        let yaml =
            serde_yaml::to_string(&json!({"parameters": {"production_services": value}})).unwrap();
        std::fs::write(&path, yaml).unwrap();
        path
    };
    let (all, _) = findings(&[DEMO], None, "APIM-SVC-020");
    assert!(
        all.iter().any(|(r, _)| r.ends_with("/apim-contoso-int")),
        "the default counts every Premium service: {all:?}"
    );

    let prod_only = config("prod.yaml", json!(["*-PROD"]));
    let (prod, status) = findings(&[DEMO], Some(&prod_only), "APIM-SVC-020");
    assert_eq!((prod.len(), status.as_str()), (0, "pass"), "{prod:?}");

    let by_group = config("group.yaml", json!(["*/resourceGroups/rg-apim-prod/*"]));
    let (group, _) = findings(&[DEMO], Some(&by_group), "APIM-SVC-020");
    assert!(
        group.iter().any(|(r, _)| r.ends_with("/apim-contoso-int")),
        "{group:?}"
    );

    let bad = config("bad.yaml", json!("*-prod"));
    let (reported, status) = findings(&[DEMO], Some(&bad), "APIM-SVC-020");
    assert_eq!(status, "fail");
    assert_eq!(reported.len(), 2, "both Premium services: {reported:?}");
    assert!(reported.iter().all(|(_, m)| m.starts_with(
        r#"parameter production_services is "*-prod", which is not a list of glob patterns"#
    )));
}
