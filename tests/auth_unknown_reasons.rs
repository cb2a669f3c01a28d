//! An `unknown` authentication verdict says why: which condition or check could not be
//! decided, on which call path and operation, in the snapshot's `auth.unknownReasons`
//! and in APIM-API-003's finding. A credential written in the condition never shows.

mod support;

use serde_json::Value;

/// A Bicep file: an API without a key whose inbound policy is `inbound`, and an
/// operation `get` whose own policy is `operation` (when given).
fn estate(inbound: &str, operation: Option<&str>) -> String {
    let wrap = |body: &str| {
        format!("<policies><inbound><base />{body}</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>")
    };
    let mut text = format!(
        "resource api 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {{
  name: 'contoso/mcp'
  properties: {{ path: 'mcp', protocols: ['https'], subscriptionRequired: false }}
}}
resource policy 'Microsoft.ApiManagement/service/apis/policies@2023-05-01-preview' = {{
  parent: api
  name: 'policy'
  properties: {{ format: 'rawxml', value: '''{}''' }}
}}
",
        wrap(inbound)
    );
    if let Some(operation) = operation {
        text.push_str(&format!(
            "resource get 'Microsoft.ApiManagement/service/apis/operations@2023-05-01-preview' = {{
  parent: api
  name: 'get'
  properties: {{ method: 'GET', urlTemplate: '/' }}
}}
resource getPolicy 'Microsoft.ApiManagement/service/apis/operations/policies@2023-05-01-preview' = {{
  parent: get
  name: 'policy'
  properties: {{ format: 'rawxml', value: '''{}''' }}
}}
",
            wrap(operation)
        ));
    }
    text
}

const REJECT: &str =
    r#"<return-response><set-status code="401" reason="Unauthorized" /></return-response>"#;

#[test]
fn an_unknown_verdict_carries_its_reasons_into_the_snapshot_and_the_finding() {
    // Before: the snapshot said `unknown` and the finding "could not be determined",
    // without saying which condition, so the user had to guess what to fix.
    let presence = format!(
        r#"<choose><when condition='@(!context.Request.Headers.ContainsKey("X-Api-Key"))'>{REJECT}</when></choose>"#
    );
    let forged = format!(
        r#"<choose><when condition='@(context.Request.Headers.GetValueOrDefault("Authorization", "").AsJwt()?.Id != "sup3r-s3cret-literal")'>{REJECT}</when></choose>"#
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.bicep"),
        estate(&presence, Some(&forged)),
    )
    .unwrap();
    let (code, out, err) = support::run_in(
        dir.path(),
        &["collect", "--from-bicep", "main.bicep", "-o", "snap.json"],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    let snapshot: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("snap.json")).unwrap()).unwrap();
    assert!(snapshot["schemaFeatures"]
        .as_array()
        .unwrap()
        .contains(&Value::from("authUnknownReasons")));
    let auth = &snapshot["subscriptions"][0]["services"][0]["apis"][0]["auth"];
    assert_eq!(auth["effective"], "unknown");
    let reasons: Vec<&str> = auth["unknownReasons"]
        .as_array()
        .unwrap_or_else(|| panic!("{auth}"))
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        vec![
            r#"without a product, operation "get": a <choose> answers 401/403 on the condition `@(!context.Request.Headers.ContainsKey("…"))`, which does not compare a caller credential (a key, token or signature header or query parameter, or the client certificate's thumbprint) with a value: a presence test or another request property lets any caller through"#,
            r#"without a product, operation "get": a <choose> answers 401/403 on the condition `@(context.Request.Headers.GetValueOrDefault("…", "…").AsJwt()?.Id != "…")`, which reads a token with AsJwt() without validating it (anyone can mint one)"#,
        ]
    );
    assert!(
        !auth.to_string().contains("sup3r"),
        "a literal of the condition stays out of the reasons"
    );

    let (code, report, err) = support::run_in(dir.path(), &["check", "snap.json", "-f", "json"]);
    assert_eq!(code, 1, "{err}");
    let report: Value = serde_json::from_str(&report).unwrap();
    let findings = support::findings_of(support::rule_result(&report, "APIM-API-003"));
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert!(
        findings[0].1.ends_with(&format!(
            "treated as unauthenticated: {}",
            reasons.join("; ")
        )),
        "{}",
        findings[0].1
    );
    assert!(!report.to_string().contains("sup3r"));
}

#[test]
fn reasons_name_checks_that_run_in_some_branches_only() {
    let jwt = r#"<validate-jwt header-name="Authorization"><openid-config url="https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration" /></validate-jwt>"#;
    let branch = format!(
        r#"<choose><when condition='@(context.Request.Method == "POST")'>{jwt}</when></choose>"#
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.bicep"), estate(&branch, None)).unwrap();
    let (code, out, err) = support::run_in(dir.path(), &["collect", "--from-bicep", "main.bicep"]);
    assert_eq!(code, 0, "{err}");
    let snapshot: Value = serde_json::from_str(&out).unwrap();
    let auth = &snapshot["subscriptions"][0]["services"][0]["apis"][0]["auth"];
    assert_eq!(
        auth["unknownReasons"],
        serde_json::json!([
            "without a product: validate-jwt (or validate-azure-ad-token) runs only in some branches of a <choose>"
        ])
    );
}
