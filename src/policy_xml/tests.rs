//! Unit tests of the policy reader: syntax corners, inheritance, fragments and verdicts.

use super::*;
use crate::snapshot::AuthVerdict;

fn names(elements: &[PolicyElement]) -> Vec<&str> {
    elements.iter().map(|e| e.name.as_str()).collect()
}

fn attr<'a>(element: &'a PolicyElement, name: &str) -> &'a str {
    element
        .attributes
        .get(name)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn policy(text: &str) -> Policy {
    parse_policy(text).unwrap_or_else(|e| panic!("{e}"))
}

/// The verdict for keyless calls along `chain` (one operation path).
fn verdict(chain: &[ScopePolicy<'_>], fragments: &Fragments) -> (AuthVerdict, InboundAuth) {
    let section = effective_section(chain, Section::Inbound, fragments);
    let found = InboundAuth::inspect(&section);
    (found.verdict(), found)
}

const JWT_GLOBAL: &str = r#"<policies><inbound><validate-jwt header-name="Authorization" /></inbound><backend><forward-request /></backend><outbound /><on-error /></policies>"#;

// ---- syntax --------------------------------------------------------------------------

#[test]
fn microsoft_example_with_comment_and_escaped_expression() {
    // ApiManagementGetApiPolicy.json (format=xml): a leading comment that mentions
    // <inbound>, an escaped lambda `=&gt;` and a multi-line @{ } block.
    let text = "<!--\r\n    - Position the <base> element within a section element\r\n-->\r\n<policies>\r\n  <inbound>\r\n    <quota-by-key calls=\"5\" bandwidth=\"2\" renewal-period=\"&#x9;P3Y6M4DT12H30M5S\" counter-key=\"ba\" />\r\n    <base />\r\n  </inbound>\r\n  <backend>\r\n    <base />\r\n  </backend>\r\n  <outbound>\r\n    <log-to-eventhub logger-id=\"apimService1\" partition-key=\"@(context.Subscription.Id)\">\r\n@{\r\n\tconst string Chars = \"ABC \";\r\n  return string.Join(\",\", Enumerable.Repeat(Chars, 2).Select(s =&gt; s[0]));\r\n}\r\n    </log-to-eventhub>\r\n    <base />\r\n  </outbound>\r\n</policies>";
    let p = policy(text);
    assert_eq!(names(p.inbound.as_ref().unwrap()), ["quota-by-key", "base"]);
    assert_eq!(
        attr(&p.inbound.as_ref().unwrap()[0], "renewal-period"),
        "\tP3Y6M4DT12H30M5S"
    );
    let log = &p.outbound.as_ref().unwrap()[0];
    assert_eq!(attr(log, "partition-key"), "@(context.Subscription.Id)");
    let body = log.text.as_deref().unwrap();
    assert!(
        body.starts_with("@{") && body.contains("s => s[0]"),
        "{body}"
    );
    assert!(p.on_error.is_none(), "a missing section stays null");
}

#[test]
fn raw_expressions_with_quotes_generics_and_named_values() {
    let text = r#"<policies>
  <inbound>
    <base />
    <set-variable name="caller" value="@(context.Request.Headers.GetValueOrDefault("X-Caller","anon"))" />
    <choose>
      <when condition="@(context.Variables.GetValueOrDefault<string>("caller") != "anon" && true)">
        <set-header name="x-env" exists-action="override"><value>{{environment}}</value></set-header>
      </when>
    </choose>
    <set-body>@{ var list = new List<string> { "a" }; return list.Count < 2 ? "<x>" : "y"; }</set-body>
  </inbound>
</policies>"#;
    let p = policy(text);
    let inbound = p.inbound.as_ref().unwrap();
    assert_eq!(
        names(inbound),
        ["base", "set-variable", "choose", "set-body"]
    );
    assert_eq!(
        attr(&inbound[1], "value"),
        r#"@(context.Request.Headers.GetValueOrDefault("X-Caller","anon"))"#
    );
    let when = &inbound[2].children[0];
    assert_eq!(
        attr(when, "condition"),
        r#"@(context.Variables.GetValueOrDefault<string>("caller") != "anon" && true)"#
    );
    assert_eq!(
        when.children[0].children[0].text.as_deref(),
        Some("{{environment}}")
    );
    assert_eq!(
        inbound[3].text.as_deref(),
        Some(r#"@{ var list = new List<string> { "a" }; return list.Count < 2 ? "<x>" : "y"; }"#)
    );
}

#[test]
fn escaped_and_raw_forms_read_the_same() {
    let raw = r#"<policies><inbound><set-variable name="a" value="@(context.Request.Headers["x"].Contains("&"))" /></inbound></policies>"#;
    let escaped = r#"<policies><inbound><set-variable name="a" value="@(context.Request.Headers[&quot;x&quot;].Contains(&quot;&amp;&quot;))" /></inbound></policies>"#;
    assert_eq!(
        serde_json::to_value(policy(raw)).unwrap(),
        serde_json::to_value(policy(escaped)).unwrap()
    );
}

#[test]
fn cdata_entities_and_comments_inside_sections() {
    let text = "<policies><inbound><!-- <validate-jwt/> is commented out --><set-body><![CDATA[<a>&</a>]]></set-body><set-header name=\"x\"><value>a &lt; b &#65;</value></set-header></inbound></policies>";
    let p = policy(text);
    let inbound = p.inbound.as_ref().unwrap();
    assert_eq!(names(inbound), ["set-body", "set-header"]);
    assert_eq!(inbound[0].text.as_deref(), Some("<a>&</a>"));
    assert_eq!(inbound[1].children[0].text.as_deref(), Some("a < b A"));
}

#[test]
fn bare_ampersand_in_a_literal_attribute_is_kept() {
    let p = policy(
        r#"<policies><inbound><set-backend-service base-url="https://b.example/?a=1&b=2" /></inbound></policies>"#,
    );
    assert_eq!(
        attr(&p.inbound.unwrap()[0], "base-url"),
        "https://b.example/?a=1&b=2"
    );
}

#[test]
fn empty_sections_and_self_closing_sections() {
    let p = policy("<policies>\r\n  <inbound />\r\n  <backend>\r\n    <forward-request />\r\n  </backend>\r\n  <outbound />\r\n</policies>");
    assert!(p.inbound.as_ref().unwrap().is_empty());
    assert_eq!(names(p.backend.as_ref().unwrap()), ["forward-request"]);
    assert!(p.on_error.is_none());
}

#[test]
fn byte_order_mark_and_declaration_are_accepted() {
    let p = policy("\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<policies><inbound><base /></inbound></policies>\r\n");
    assert_eq!(names(p.inbound.as_ref().unwrap()), ["base"]);
}

#[test]
fn broken_documents_are_located_errors() {
    let cases: &[(&str, &str, usize)] = &[
        (
            "<policies>\n  <inbound>\n  </outbound>\n</policies>",
            "not well-formed",
            3,
        ),
        (
            "<policies>\n<inbound><set-body>@(context.Request</set-body></inbound></policies>",
            "not closed",
            2,
        ),
        ("<policy><inbound/></policy>", "starts with <policies>", 1),
        (
            "<policies>\n<inbound/>\n<inbound/></policies>",
            "a second <inbound>",
            3,
        ),
        (
            "<policies>\n<base/></policies>",
            "cannot stand in <policies>",
            2,
        ),
        (
            "<policies><inbound/></policies>\n<policies/>",
            "second root",
            2,
        ),
        ("<policies><inbound>", "not closed", 1),
        ("", "no element", 1),
        (
            "<policies><inbound><a b=\"1\" b=\"2\"/></inbound></policies>",
            "bad attribute",
            1,
        ),
    ];
    for (text, expected, line) in cases {
        let err = parse_policy(text).expect_err(text);
        assert!(err.message.contains(expected), "{text:?}: {err}");
        assert_eq!(err.line, *line, "{text:?}: {err}");
    }
}

#[test]
fn fragments_are_listed_and_parsed() {
    let p = policy(
        r#"<policies><inbound><base/><include-fragment fragment-id="auth" /><choose><when condition="@(true)"><include-fragment fragment-id="log"/></when></choose><include-fragment fragment-id="auth" /></inbound></policies>"#,
    );
    assert_eq!(p.fragments, ["auth", "log"]);
    let fragment =
        parse_fragment("<fragment>\n  <validate-jwt header-name=\"Authorization\" />\n</fragment>")
            .unwrap();
    assert_eq!(names(&fragment), ["validate-jwt"]);
    assert!(parse_fragment("<policies/>").is_err());
}

// ---- redaction -----------------------------------------------------------------------

#[test]
fn secret_literals_are_redacted_references_kept() {
    let p = policy(
        r#"<policies><inbound>
        <authentication-basic username="svc" password="hunter2" />
        <set-header name="Authorization" exists-action="override"><value>Basic c2VjcmV0</value></set-header>
        <set-header name="x-correlation" exists-action="override"><value>abc</value></set-header>
        <set-query-parameter name="code" exists-action="override"><value>{{func-key}}</value></set-query-parameter>
        <send-request mode="new" response-variable-name="r"><authentication-certificate thumbprint="AB12" password="p" body="MIIB" /></send-request>
        <validate-jwt header-name="Authorization"><issuer-signing-keys><key>c3ltbWV0cmlj</key></issuer-signing-keys></validate-jwt>
        <check-header name="Authorization" failed-check-httpcode="401" failed-check-error-message="no" ignore-case="false"><value>Bearer static-token</value></check-header>
        <set-variable name="clientSecret" value="@(context.Variables[&quot;x&quot;])" />
        </inbound></policies>"#,
    );
    let inbound = p.inbound.unwrap();
    assert_eq!(attr(&inbound[0], "username"), "svc");
    assert_eq!(attr(&inbound[0], "password"), REDACTED);
    assert_eq!(inbound[1].children[0].text.as_deref(), Some(REDACTED));
    assert_eq!(inbound[2].children[0].text.as_deref(), Some("abc"));
    assert_eq!(inbound[3].children[0].text.as_deref(), Some("{{func-key}}"));
    let cert = &inbound[4].children[0];
    assert_eq!(
        (
            attr(cert, "thumbprint"),
            attr(cert, "password"),
            attr(cert, "body")
        ),
        ("AB12", REDACTED, REDACTED)
    );
    assert_eq!(
        inbound[5].children[0].children[0].text.as_deref(),
        Some(REDACTED)
    );
    assert_eq!(inbound[6].children[0].text.as_deref(), Some(REDACTED));
    assert_eq!(attr(&inbound[7], "value"), r#"@(context.Variables["x"])"#);
    let json = serde_json::to_string(&inbound).unwrap();
    for secret in [
        "hunter2",
        "c2VjcmV0",
        "MIIB",
        "c3ltbWV0cmlj",
        "static-token",
    ] {
        assert!(!json.contains(secret), "{secret} leaked: {json}");
    }
}

#[test]
fn secrets_in_urls_bodies_and_connection_strings_are_redacted() {
    let p = policy(
        r#"<policies><inbound>
        <rewrite-uri template="/run/invoke?api-version=2016-10-01&amp;sp=%2Frun&amp;sv=1.0&amp;sig=LogicSig1" copy-unmatched-params="true" />
        <set-backend-service base-url="https://f.azurewebsites.net/api?code=FuncCode2" />
        <send-request mode="new" response-variable-name="t"><set-url>https://login.example/token</set-url>
          <set-body>client_id=app&amp;client_secret=BodySecret3&amp;grant_type=client_credentials</set-body></send-request>
        <set-variable name="conn" value="Endpoint=sb://n/;SharedAccessKeyName=root;SharedAccessKey=SbKey4=" />
        <rewrite-uri template="/run?sig={{logic-sig}}" />
        </inbound></policies>"#,
    );
    let inbound = p.inbound.unwrap();
    assert_eq!(
        attr(&inbound[0], "template"),
        "/run/invoke?api-version=2016-10-01&sp=%2Frun&sv=1.0&sig=[redacted]"
    );
    assert_eq!(attr(&inbound[4], "template"), "/run?sig={{logic-sig}}");
    let json = serde_json::to_string(&inbound).unwrap();
    for secret in ["LogicSig1", "FuncCode2", "BodySecret3", "SbKey4"] {
        assert!(!json.contains(secret), "{secret} leaked: {json}");
    }
}

// ---- inheritance ---------------------------------------------------------------------

#[test]
fn api_policy_without_base_drops_the_global_policy() {
    let global = policy(JWT_GLOBAL);
    let api = policy(
        "<policies><inbound><rate-limit calls=\"5\" renewal-period=\"60\" /></inbound></policies>",
    );
    let chain = [
        ScopePolicy {
            scope: "global",
            policy: Some(&global),
        },
        ScopePolicy {
            scope: "API a",
            policy: Some(&api),
        },
    ];
    let section = effective_section(&chain, Section::Inbound, &Fragments::new());
    assert_eq!(names(&section.elements), ["rate-limit"]);
    assert_eq!(
        verdict(&chain, &Fragments::new()).0,
        AuthVerdict::Unauthenticated
    );
}

#[test]
fn missing_api_policy_inherits_the_global_policy() {
    let global = policy(JWT_GLOBAL);
    let chain = [
        ScopePolicy {
            scope: "global",
            policy: Some(&global),
        },
        ScopePolicy {
            scope: "API a",
            policy: None,
        },
        ScopePolicy {
            scope: "operation get",
            policy: None,
        },
    ];
    let (v, found) = verdict(&chain, &Fragments::new());
    assert_eq!(v, AuthVerdict::Authenticated);
    assert_eq!(found.jwt_validation, Presence::Always);
}

#[test]
fn base_is_replaced_in_place_along_the_whole_chain() {
    let global = policy("<policies><inbound><ip-filter action=\"allow\"><address>10.0.0.1</address></ip-filter></inbound></policies>");
    let product = policy("<policies><inbound><base /><rate-limit calls=\"1\" renewal-period=\"1\" /></inbound></policies>");
    let api = policy("<policies><inbound><cors /><base /></inbound></policies>");
    let operation =
        policy("<policies><inbound><base /><base /><set-header name=\"x\" /></inbound></policies>");
    let chain = [
        ScopePolicy {
            scope: "global",
            policy: Some(&global),
        },
        ScopePolicy {
            scope: "product p",
            policy: Some(&product),
        },
        ScopePolicy {
            scope: "API a",
            policy: Some(&api),
        },
        ScopePolicy {
            scope: "operation o",
            policy: Some(&operation),
        },
    ];
    let section = effective_section(&chain, Section::Inbound, &Fragments::new());
    assert_eq!(
        names(&section.elements),
        [
            "cors",
            "ip-filter",
            "rate-limit",
            "cors",
            "ip-filter",
            "rate-limit",
            "set-header"
        ]
    );
    assert!(section.uncertain.is_empty());
    let (v, found) = verdict(&chain, &Fragments::new());
    assert_eq!(
        (v, found.ip_filter),
        (AuthVerdict::Unauthenticated, Presence::Always)
    );
}

#[test]
fn base_at_global_scope_and_outside_inbound_is_harmless() {
    let global = policy("<policies><inbound><base /><validate-azure-ad-token tenant-id=\"t\" /></inbound><backend><base/></backend></policies>");
    let chain = [ScopePolicy {
        scope: "global",
        policy: Some(&global),
    }];
    assert_eq!(
        verdict(&chain, &Fragments::new()).0,
        AuthVerdict::Authenticated
    );
    let backend = effective_section(&chain, Section::Backend, &Fragments::new());
    assert!(backend.elements.is_empty());
}

#[test]
fn base_inside_choose_makes_inherited_authentication_conditional() {
    let global = policy(JWT_GLOBAL);
    let api = policy("<policies><inbound><choose><when condition=\"@(context.Request.Method == &quot;GET&quot;)\"><base /></when></choose></inbound></policies>");
    let chain = [
        ScopePolicy {
            scope: "global",
            policy: Some(&global),
        },
        ScopePolicy {
            scope: "API a",
            policy: Some(&api),
        },
    ];
    let (v, found) = verdict(&chain, &Fragments::new());
    assert_eq!(
        (v, found.jwt_validation),
        (AuthVerdict::Unknown, Presence::Conditional)
    );
}

#[test]
fn omitted_section_under_an_inheriting_parent_is_uncertain() {
    let global = policy(JWT_GLOBAL);
    let api = policy("<policies><outbound><base /></outbound></policies>");
    let chain = [
        ScopePolicy {
            scope: "global",
            policy: Some(&global),
        },
        ScopePolicy {
            scope: "API a",
            policy: Some(&api),
        },
    ];
    let section = effective_section(&chain, Section::Inbound, &Fragments::new());
    assert!(section.elements.is_empty());
    assert!(
        section.uncertain[0].contains("API a policy has no <inbound> section"),
        "{:?}",
        section.uncertain
    );
    assert_eq!(verdict(&chain, &Fragments::new()).0, AuthVerdict::Unknown);
}

// ---- fragments -----------------------------------------------------------------------

#[test]
fn fragments_are_resolved_in_place() {
    let mut fragments = Fragments::new();
    fragments.insert(
        "require-jwt",
        parse_fragment("<fragment><validate-jwt header-name=\"Authorization\" /></fragment>")
            .unwrap(),
    );
    let api = policy("<policies><inbound><base /><include-fragment fragment-id=\"require-jwt\" /></inbound></policies>");
    let chain = [ScopePolicy {
        scope: "API a",
        policy: Some(&api),
    }];
    let section = effective_section(&chain, Section::Inbound, &fragments);
    assert_eq!(names(&section.elements), ["validate-jwt"]);
    assert_eq!(verdict(&chain, &fragments).0, AuthVerdict::Authenticated);
}

#[test]
fn unresolved_fragments_make_the_verdict_unknown() {
    let api =
        policy("<policies><inbound><include-fragment fragment-id=\"gone\" /></inbound></policies>");
    let chain = [ScopePolicy {
        scope: "API a",
        policy: Some(&api),
    }];
    let section = effective_section(&chain, Section::Inbound, &Fragments::new());
    assert_eq!(section.uncertain, ["fragment `gone` does not exist"]);
    assert_eq!(verdict(&chain, &Fragments::new()).0, AuthVerdict::Unknown);
    let unreadable = Fragments::unreadable("403 on policyFragments");
    assert!(
        effective_section(&chain, Section::Inbound, &unreadable).uncertain[0]
            .contains("403 on policyFragments")
    );
}

#[test]
fn self_including_fragments_stop() {
    let mut fragments = Fragments::new();
    fragments.insert(
        "loop",
        parse_fragment("<fragment><include-fragment fragment-id=\"loop\" /></fragment>").unwrap(),
    );
    let api =
        policy("<policies><inbound><include-fragment fragment-id=\"loop\" /></inbound></policies>");
    let chain = [ScopePolicy {
        scope: "API a",
        policy: Some(&api),
    }];
    let section = effective_section(&chain, Section::Inbound, &fragments);
    assert!(section.uncertain[0].contains("levels deep"));
}

// ---- verdicts ------------------------------------------------------------------------

#[test]
fn choose_decides_authentication() {
    let cases = [
        (
            r#"<choose><when condition="@(true)"><validate-jwt header-name="Authorization" /></when></choose>"#,
            AuthVerdict::Unknown,
        ),
        (
            r#"<choose><when condition="@(!context.Request.Headers.ContainsKey("Authorization"))"><return-response><set-status code="401" reason="Unauthorized" /></return-response></when></choose>"#,
            AuthVerdict::Unknown,
        ),
        (
            r#"<choose><when condition="@(true)"><set-header name="a" /></when></choose>"#,
            AuthVerdict::Unauthenticated,
        ),
        (
            // Presence only: any `Authorization: x` passes.
            r#"<check-header name="Authorization" failed-check-httpcode="401" failed-check-error-message="x" ignore-case="true" />"#,
            AuthVerdict::Unauthenticated,
        ),
        (
            r#"<check-header name="Authorization" failed-check-httpcode="401" failed-check-error-message="x" ignore-case="true"><value>{{static-token}}</value></check-header>"#,
            AuthVerdict::Authenticated,
        ),
        (
            // Every branch validates, and <otherwise> catches the rest.
            r#"<choose><when condition="@(context.Request.Method == "GET")"><validate-jwt header-name="Authorization" /></when><otherwise><validate-jwt header-name="Authorization" /></otherwise></choose>"#,
            AuthVerdict::Authenticated,
        ),
        (
            // Without <otherwise>, calls no <when> matches skip validation.
            r#"<choose><when condition="@(context.Request.Method == "GET")"><validate-jwt header-name="Authorization" /></when><when condition="@(true)"><validate-jwt header-name="Authorization" /></when></choose>"#,
            AuthVerdict::Unknown,
        ),
        (
            r#"<choose><when condition="@(context.Request.Method == "GET")"><validate-jwt header-name="Authorization" /></when><otherwise><set-header name="a" /></otherwise></choose>"#,
            AuthVerdict::Unknown,
        ),
        (
            // Nested: the inner <choose> is exhaustive, the outer one is not.
            r#"<choose><when condition="@(true)"><choose><when condition="@(false)"><validate-jwt header-name="Authorization" /></when><otherwise><validate-azure-ad-token tenant-id="t" /></otherwise></choose></when></choose>"#,
            AuthVerdict::Unknown,
        ),
        (
            r#"<choose><when condition="@(true)"><choose><when condition="@(false)"><validate-jwt header-name="Authorization" /></when><otherwise><validate-azure-ad-token tenant-id="t" /></otherwise></choose></when><otherwise><validate-jwt header-name="Authorization" /></otherwise></choose>"#,
            AuthVerdict::Authenticated,
        ),
        (
            r#"<check-header name="@(&quot;Author&quot; + &quot;ization&quot;)" failed-check-httpcode="401" failed-check-error-message="x" ignore-case="true" />"#,
            AuthVerdict::Unknown,
        ),
        (
            r#"<check-header name="X-Other" failed-check-httpcode="401" failed-check-error-message="x" ignore-case="true" />"#,
            AuthVerdict::Unauthenticated,
        ),
        (
            r#"<validate-client-certificate validate-revocation="true" />"#,
            AuthVerdict::Authenticated,
        ),
        (
            r#"<ip-filter action="allow"><address>1.2.3.4</address></ip-filter>"#,
            AuthVerdict::Unauthenticated,
        ),
        (
            // A cached response is served before the token is checked.
            r#"<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" /><validate-jwt header-name="Authorization" />"#,
            AuthVerdict::Unknown,
        ),
        (
            r#"<validate-jwt header-name="Authorization" /><cache-lookup vary-by-developer="false" vary-by-developer-groups="false" />"#,
            AuthVerdict::Authenticated,
        ),
        (
            // Unsigned tokens accepted: anyone can mint one.
            r#"<validate-jwt header-name="Authorization" require-signed-tokens="false" />"#,
            AuthVerdict::Unauthenticated,
        ),
        (
            r#"<validate-jwt header-name="Authorization" require-signed-tokens="@(context.Variables.GetValueOrDefault<bool>("strict"))" />"#,
            AuthVerdict::Unknown,
        ),
        (
            // The token comes from the request: still the caller's.
            r#"<validate-jwt token-value="@(context.Request.Headers.GetValueOrDefault("Authorization","").Split(' ').Last())" require-signed-tokens="true" />"#,
            AuthVerdict::Authenticated,
        ),
        (
            // A token the gateway holds itself proves nothing about the caller.
            r#"<validate-jwt token-value="@((string)context.Variables["msi-token"])" />"#,
            AuthVerdict::Unknown,
        ),
    ];
    for (inbound, expected) in cases {
        let p = policy(&format!(
            "<policies><inbound>{inbound}</inbound></policies>"
        ));
        let chain = [ScopePolicy {
            scope: "API a",
            policy: Some(&p),
        }];
        assert_eq!(verdict(&chain, &Fragments::new()).0, expected, "{inbound}");
    }
}

#[test]
fn api_auth_combines_operations_and_keys() {
    let jwt = InboundAuth {
        jwt_validation: Presence::Always,
        ..InboundAuth::default()
    };
    let open = InboundAuth::default();
    let unsure = InboundAuth {
        uncertain: true,
        ..InboundAuth::default()
    };

    let auth = api_auth(false, &[jwt.clone(), jwt.clone()]);
    assert_eq!(
        (auth.effective, auth.jwt_validation),
        (AuthVerdict::Authenticated, true)
    );
    let auth = api_auth(false, &[jwt.clone(), open.clone()]);
    assert_eq!(
        (auth.effective, auth.jwt_validation),
        (AuthVerdict::Unauthenticated, false)
    );
    assert_eq!(
        api_auth(false, &[jwt.clone(), unsure.clone()]).effective,
        AuthVerdict::Unknown
    );
    assert_eq!(
        api_auth(false, &[unsure, open.clone()]).effective,
        AuthVerdict::Unauthenticated
    );
    let keyed = api_auth(true, &[open]);
    assert_eq!(
        (keyed.effective, keyed.subscription_key),
        (AuthVerdict::Authenticated, true)
    );
    assert_eq!(api_auth(false, &[]).effective, AuthVerdict::Unknown);
}

// ---- robustness ----------------------------------------------------------------------

/// Every prefix of a rich document, and the document with any one character removed,
/// gives a policy or an error: never a panic.
#[test]
fn damaged_documents_never_panic() {
    let document = "\u{feff}<!-- né --><policies>\r\n<inbound><base />\
        <set-variable name=\"é\" value=\"@(context.Request.Headers.GetValueOrDefault(\"X\",\"ü\") + 'ß')\" />\
        <choose><when condition=\"@(@\"a\"\"b\" != &quot;c&quot;)\"><set-body><![CDATA[<ø>&]]></set-body></when></choose>\
        <set-body>@{ var l = new List<string>(); /* ) */ return \"→\"; }</set-body>\
        <set-header name=\"x\"><value>&lt;&#x263A;&amp;{{nv}}</value></set-header></inbound></policies>";
    assert!(parse_policy(document).is_ok());
    for (at, c) in document.char_indices() {
        let _ = parse_policy(&document[..at]);
        let mut damaged = document.to_string();
        damaged.replace_range(at..at + c.len_utf8(), "");
        let _ = parse_policy(&damaged);
    }
}
