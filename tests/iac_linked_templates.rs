//! ARM deployments linked by `templateLink.relativePath` (as `bicep build` and template
//! specs write them), read through the binary: the linked template is read from disk
//! relative to the template that links it, never from outside the IaC root; a link
//! that leads back, nests too deep, or escapes is an error (exit 2) at its line; a
//! `uri` link stays a gap naming the URL (never its SAS token).

mod support;

use std::path::Path;

use serde_json::{json, Value};

/// Writes `files` (path, text) below `dir`.
fn write_all(dir: &Path, files: &[(&str, String)]) {
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// `collect --from-arm infra/main.json` run in `dir`: exit code, snapshot (`Null` when
/// none was written), standard error.
fn collect(dir: &Path) -> (i32, Value, String) {
    let (code, out, err) = support::run_in(dir, &["collect", "--from-arm", "infra/main.json"]);
    (code, serde_json::from_str(&out).unwrap_or(Value::Null), err)
}

/// A template whose only resource is a deployment linked to `link` (a JSON value: the
/// relativePath, or a whole templateLink object) with `parameters`.
fn linking(link: Value, parameters: Value) -> String {
    let template_link = match link {
        Value::String(_) => json!({"relativePath": link}),
        other => other,
    };
    json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"prefix": {"type": "string", "defaultValue": "contoso"}},
        "resources": [{
            "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "apis",
            "properties": {"mode": "Incremental", "templateLink": template_link, "parameters": parameters}
        }]
    })
    .to_string()
}

/// A linked template declaring one API `name` of service `apimName`, open or keyed.
fn api_template(open: bool) -> String {
    serde_json::to_string_pretty(&json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"apimName": {"type": "string"}, "name": {"type": "string"}},
        "resources": [{
            "type": "Microsoft.ApiManagement/service/apis", "apiVersion": "2023-05-01-preview",
            "name": "[format('{0}/{1}', parameters('apimName'), parameters('name'))]",
            "properties": {"path": "[parameters('name')]", "protocols": ["https"], "subscriptionRequired": !open}
        }]
    }))
    .unwrap()
}

/// Every API of the snapshot as `(service, api, auth.effective, origin file)`.
fn apis(snapshot: &Value) -> Vec<(String, String, String, String)> {
    let text = |v: &Value| v.as_str().unwrap().to_string();
    let mut found: Vec<_> = support::apis_of(snapshot)
        .into_iter()
        .map(|(service, api)| {
            (
                text(&service["name"]),
                text(&api["name"]),
                text(&api["auth"]["effective"]),
                text(&api["origin"]["file"]),
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
fn relative_links_are_read_from_disk_with_their_parameters() {
    // Before: the linked deployment was a gap (exit 2) and its APIs were never judged.
    let dir = tempfile::tempdir().unwrap();
    // main.json → nested/apis.json (two APIs: one itself, one through a link of its own,
    // relative to nested/, in a copy loop).
    let nested = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"apimName": {"type": "string"}},
        "resources": [
            {"type": "Microsoft.ApiManagement/service/apis", "apiVersion": "2023-05-01-preview",
             "name": "[format('{0}/keyed', parameters('apimName'))]",
             "properties": {"path": "keyed", "protocols": ["https"]}},
            {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01",
             "name": "[format('open-{0}', copyIndex())]", "copy": {"name": "opens", "count": 2},
             "properties": {"mode": "Incremental", "templateLink": {"relativePath": "../shared/api.json"},
               "parameters": {"apimName": {"value": "[parameters('apimName')]"},
                              "name": {"value": "[format('open{0}', copyIndex())]"}}}}
        ]
    });
    write_all(
        dir.path(),
        &[
            (
                "infra/main.json",
                linking(
                    json!("nested/apis.json"),
                    json!({"apimName": {"value": "[parameters('prefix')]"}}),
                ),
            ),
            ("infra/nested/apis.json", nested.to_string()),
            ("infra/shared/api.json", api_template(true)),
        ],
    );
    let (code, snapshot, err) = collect(dir.path());
    assert_eq!(code, 0, "{err}\n{}", snapshot["gaps"]);
    let nested_file = Path::new("infra/nested/apis.json").display().to_string();
    let shared_file = Path::new("infra/shared/api.json").display().to_string();
    assert_eq!(
        apis(&snapshot),
        vec![
            (
                "contoso".into(),
                "keyed".into(),
                "authenticated".into(),
                nested_file.clone()
            ),
            (
                "contoso".into(),
                "open0".into(),
                "unauthenticated".into(),
                shared_file.clone()
            ),
            (
                "contoso".into(),
                "open1".into(),
                "unauthenticated".into(),
                shared_file.clone()
            ),
        ]
    );
    assert_eq!(
        snapshot["source"]["files"],
        json!(["infra/main.json", nested_file, shared_file])
    );
}

#[test]
fn links_that_cannot_be_read_are_gaps_naming_them() {
    let cases = [
        // A URL: named, without its SAS token.
        (
            json!({"uri": "https://contoso.blob.core.windows.net/t/api.json?sv=2022&sig=S3CRET"}),
            "the linked template at `https://contoso.blob.core.windows.net/t/api.json` is not read",
        ),
        // A path not known before deployment.
        (
            json!("[parameters('path')]"),
            "relativePath is not known before deployment",
        ),
        // A file that is not there.
        (json!("nested/gone.json"), "`nested/gone.json` is not there"),
    ];
    for (link, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        write_all(dir.path(), &[("infra/main.json", linking(link, json!({})))]);
        let (code, snapshot, err) = collect(dir.path());
        assert_eq!(code, 2, "{err}");
        let gaps = snapshot["gaps"].to_string();
        assert!(gaps.contains(expected), "{gaps}");
        assert!(
            !gaps.contains("S3CRET") && !err.contains("S3CRET"),
            "{gaps}\n{err}"
        );
        assert!(gaps.contains("infra/main.json:"), "{gaps}");
    }
}

#[test]
fn hostile_links_are_refused_at_their_line() {
    let api = api_template(true);
    let params = json!({"apimName": {"value": "contoso"}, "name": {"value": "x"}});
    let cases: Vec<(Vec<(&str, String)>, &str)> = vec![
        // A template that links to itself, or through another.
        (
            vec![("infra/main.json", linking(json!("./main.json"), json!({})))],
            "apimguard::iac::link_cycle",
        ),
        (
            vec![
                ("infra/main.json", linking(json!("b/b.json"), json!({}))),
                ("infra/b/b.json", linking(json!("../main.json"), json!({}))),
            ],
            "apimguard::iac::link_cycle",
        ),
        // Out of the root by `..`, written as an expression (not seen before evaluation).
        (
            vec![
                (
                    "infra/main.json",
                    linking(json!("[concat('..', '/outside.json')]"), params.clone()),
                ),
                ("outside.json", api.clone()),
            ],
            "apimguard::iac::outside_root",
        ),
        // An absolute path.
        (
            vec![(
                "infra/main.json",
                linking(json!("[concat('/', 'etc/passwd')]"), json!({})),
            )],
            "apimguard::iac::path_not_relative",
        ),
    ];
    for (files, code_name) in cases {
        let dir = tempfile::tempdir().unwrap();
        write_all(dir.path(), &files);
        let (code, _, err) = collect(dir.path());
        assert_eq!(code, 2, "{files:?}\n{err}");
        assert!(err.contains(code_name), "{files:?}\n{err}");
        assert!(err.contains(".json:1"), "{err}");
    }
    // Twelve templates each linking the next: past 10 levels.
    let dir = tempfile::tempdir().unwrap();
    let mut files = vec![(
        "infra/main.json".to_string(),
        linking(json!("t1.json"), json!({})),
    )];
    for i in 1..12 {
        files.push((
            format!("infra/t{i}.json"),
            linking(json!(format!("t{}.json", i + 1)), json!({})),
        ));
    }
    files.push(("infra/t12.json".into(), api.clone()));
    let files: Vec<(&str, String)> = files.iter().map(|(p, t)| (p.as_str(), t.clone())).collect();
    write_all(dir.path(), &files);
    let (code, _, err) = collect(dir.path());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("apimguard::iac::link_depth"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_link_through_a_symlink_out_of_the_root_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("api.json"), api_template(true)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    write_all(
        dir.path(),
        &[(
            "infra/main.json",
            linking(
                json!("nested/api.json"),
                json!({"apimName": {"value": "contoso"}, "name": {"value": "x"}}),
            ),
        )],
    );
    std::os::unix::fs::symlink(outside.path(), dir.path().join("infra/nested")).unwrap();
    let (code, _, err) = collect(dir.path());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("apimguard::iac::outside_root"), "{err}");
}
