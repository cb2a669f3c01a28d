//! Targets against their templates, planned actions against their targets, and URLs
//! after encoding.

use super::*;
use crate::azure::arm::test_client as client;
use crate::engine::Severity;
use crate::remediate::catalogue::{collection_id, plan_id};
use crate::remediate::plan::{ApiRef, ServiceRef};

const SUB: &str = "11111111-1111-4111-8111-111111111111";

fn service() -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg-apim/providers/Microsoft.ApiManagement/service/contoso")
}

/// An onboarding of `api` of `service` as a plan built from a snapshot makes it.
fn onboarding(service: &str, api: &str) -> PlannedAction {
    let mut action = PlannedAction::new(
        Action::OnboardApi,
        collection_id(service, api),
        SUB.to_string(),
        Severity::High,
    );
    action.service = Some(ServiceRef {
        id: service.to_string(),
        name: "contoso".to_string(),
        sku: "Premium".to_string(),
        capacity_percent: None,
    });
    action.api = Some(ApiRef {
        id: format!("{service}/apis/{api}"),
        name: api.to_string(),
        display_name: String::new(),
    });
    action
}

#[test]
fn targets_match_their_templates_in_any_case() {
    let collection = collection_id(&service(), "echo-api;rev=2");
    let target = Target::parse(Action::OnboardApi, &collection.to_ascii_lowercase()).unwrap();
    assert_eq!(
        target.path(),
        collection.to_ascii_lowercase().replace(
            "/resourcegroups/rg-apim/providers/microsoft.apimanagement/service/contoso/providers/microsoft.security/apicollections/",
            "/resourceGroups/rg-apim/providers/Microsoft.ApiManagement/service/contoso/providers/Microsoft.Security/apiCollections/"
        )
    );
    assert_eq!(target.subscription(), SUB);
    let plan = Target::parse(Action::EnablePlan, &plan_id(SUB)).unwrap();
    assert_eq!(plan, Target::plan(SUB).unwrap());
    assert_eq!(plan.path(), plan_id(SUB));
    assert_eq!(target.subscription_plan(), plan);
}

#[test]
fn targets_outside_the_catalogue_are_refused() {
    let service = service();
    let base = format!("/subscriptions/{SUB}");
    let collections = format!("{service}/providers/Microsoft.Security/apiCollections");
    let hostile = [
        // The case, and a snapshot name that climbs by one level less.
        format!("{collections}/../../../../../../../../rg-x"),
        format!("{collections}/../../../../../../rg-x"),
        format!("{collections}/.."),
        format!("{collections}/."),
        format!("{collections}/%2e%2e"),
        format!("{collections}/%2E%2E%2F%2E%2E%2Frg-x"),
        format!("{collections}/..%2F..%2Frg-x"),
        format!("{collections}/%252e%252e%252Frg-x"),
        format!("{collections}/..%5C..%5Crg-x"),
        format!("{collections}/a\\..\\..\\rg-x"),
        format!("{collections}/echo-api;rev=1/.."),
        format!("{collections}/echo-api?api-version=1"),
        format!("{collections}/echo-api#x"),
        format!("{collections}/echo-api/"),
        format!("{collections}//echo-api"),
        format!("{collections}/\u{ff0e}\u{ff0e}"),
        format!("{collections}/echo\napi"),
        collections.clone(),
        // Other resource types, in other shapes.
        format!("{base}/resourceGroups/rg-x"),
        service.clone(),
        format!("{service}/apis/echo-api"),
        format!("{base}/resourceGroups/rg-apim/providers/Microsoft.Web/sites/x/providers/Microsoft.Security/apiCollections/a"),
        format!("{base}/resourceGroups/../providers/Microsoft.ApiManagement/service/contoso/providers/Microsoft.Security/apiCollections/a"),
        "/subscriptions/not-a-guid/resourceGroups/rg/providers/Microsoft.ApiManagement/service/contoso/providers/Microsoft.Security/apiCollections/a".to_string(),
        format!("https://evil.example{collections}/a"),
        format!("subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.ApiManagement/service/contoso/providers/Microsoft.Security/apiCollections/a"),
        plan_id(SUB),
    ];
    for text in &hostile {
        assert!(
            Target::parse(Action::OnboardApi, text).is_err(),
            "onboarding {text:?} passed"
        );
        assert!(
            Target::parse(Action::OffboardApi, text).is_err(),
            "offboarding {text:?} passed"
        );
    }
    for text in [
        format!("{base}/providers/Microsoft.Security/pricings/Api/../../../resourceGroups/x"),
        format!("{base}/providers/Microsoft.Security/pricings/VirtualMachines"),
        "/subscriptions/../providers/Microsoft.Security/pricings/Api".to_string(),
        format!("{base}/resourceGroups/rg/providers/Microsoft.Security/pricings/Api"),
        collection_id(&service, "echo-api"),
    ] {
        assert!(
            Target::parse(Action::EnablePlan, &text).is_err(),
            "plan {text:?} passed"
        );
    }
}

#[test]
fn planned_actions_must_agree_with_their_targets() {
    let service = service();
    let good = onboarding(&service, "echo-api");
    assert!(check(&good).is_ok());
    assert!(check(&onboarding(
        &service
            .to_ascii_uppercase()
            .replace("SUBSCRIPTIONS", "subscriptions"),
        "echo-api"
    ))
    .is_ok());

    let mut edited = good.clone();
    edited.target = format!("/subscriptions/{SUB}/resourceGroups/rg-x");
    assert!(check(&edited).is_err(), "a target of another type");

    let mut edited = good.clone();
    edited.target = collection_id(&service, "other-api");
    assert!(
        check(&edited).is_err(),
        "a target its key and API do not name"
    );

    let mut edited = good.clone();
    edited.subscription = "22222222-2222-4222-8222-222222222222".to_string();
    assert!(check(&edited).is_err(), "another subscription");

    let mut edited = good.clone();
    edited.service.as_mut().unwrap().id = service.replace("contoso", "fabrikam");
    assert!(check(&edited).is_err(), "another service");

    let mut edited = good.clone();
    edited.service.as_mut().unwrap().name = "fabrikam".to_string();
    assert!(
        check(&edited).is_err(),
        "another service name (the label lies)"
    );

    let mut edited = good.clone();
    edited.api.as_mut().unwrap().id = format!("{service}/apis/other-api");
    assert!(check(&edited).is_err(), "another API id");

    let mut edited = good.clone();
    edited.api = None;
    assert!(check(&edited).is_err(), "no API");

    let mut plan = PlannedAction::new(
        Action::EnablePlan,
        plan_id(SUB),
        SUB.to_string(),
        Severity::High,
    );
    assert!(check(&plan).is_ok());
    plan.service = good.service.clone();
    assert!(check(&plan).is_err(), "a plan action with a service");

    let hostile = onboarding(&service, "../../../../../../../../rg-x");
    assert!(check(&hostile).is_err());
}

#[test]
fn urls_decode_back_to_their_targets() {
    let target = Target::collection(&service(), "a b;rev=2").unwrap();
    let arm = client("https://management.azure.com");
    let url = url(&arm, &target, "2023-11-15").unwrap();
    assert_eq!(
        url.as_str(),
        format!(
            "https://management.azure.com{}?api-version=2023-11-15",
            target.path().replace(' ', "%20")
        )
    );
    let stack = client("https://arm.contoso.local/stack/");
    let url = super::url(&stack, &target, "2023-11-15").unwrap();
    assert!(url.path().starts_with("/stack/subscriptions/"), "{url}");
    let unicode = Target::collection(&service(), "Ünïcödé").unwrap();
    assert!(super::url(&arm, &unicode, "1").is_ok());
}

#[test]
fn percent_decoding_is_strict() {
    assert_eq!(percent_decode("a%20b").as_deref(), Some("a b"));
    assert_eq!(percent_decode("%2e%2E").as_deref(), Some(".."));
    assert_eq!(percent_decode("%+1"), None);
    assert_eq!(percent_decode("%4"), None);
    assert_eq!(percent_decode("%ff"), None, "not UTF-8");
}
