//! Azure exemptions in the fake ARM: a Defender for Cloud assessment exempted on a
//! resource (status `NotApplicable`, cause `Exempt`, as Defender for Cloud reports an
//! exempted recommendation), derived from the assessments already served.

use serde_json::{json, Value};

use super::estate::{Estate, SUBSCRIPTION};

/// The assessments list of the estates' subscription.
fn assessments_path() -> String {
    format!("/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Security/assessments")
}

/// The assessment the contoso estate has about an operation of its open API (Unhealthy).
pub const API_ASSESSMENT: &str = "91af2040-7874-4659-abf0-578e1f8d07dc";

/// Sets the status of the served assessment named `name` to `status`; returns the
/// resource it is about.
pub fn set_assessment_status(estate: &mut Estate, name: &str, status: Value) -> String {
    let key = assessments_path().to_ascii_lowercase();
    let list = estate
        .routes
        .get_mut(&key)
        .expect("the estate serves assessments");
    let item = list["value"]
        .as_array_mut()
        .into_iter()
        .flatten()
        .find(|item| item["name"] == name)
        .expect("the assessment is served");
    item["properties"]["status"] = status;
    item["properties"]["resourceDetails"]["id"]
        .as_str()
        .expect("the assessment names its resource")
        .to_string()
}

/// The status Defender for Cloud gives an assessment exempted on its resource.
pub fn exempt_status() -> Value {
    json!({
        "code": "NotApplicable",
        "cause": "Exempt",
        "description": "This resource is exempted from this recommendation"
    })
}

/// The policy exemptions list, under a subscription.
pub const LIST: &str = "providers/Microsoft.Authorization/policyExemptions";

/// The example file of the exemptions list (PolicyExemptions_ListForResource,
/// Azure/azure-rest-api-specs `specification/resources/resource-manager/
/// Microsoft.Authorization/policy/preview/2022-07-01-preview/examples/
/// listPolicyExemptionsForResource.json` @11b1961e, MIT licence).
const EXAMPLE: &str =
    "Microsoft.Authorization__2022-07-01-preview__listPolicyExemptionsForResource";

/// An exemption of the example made at `scope` (an ARM id) under `name`: the first
/// item (a Waiver of the definition reference `Limit_Skus`) with `references` as its
/// policy definition reference ids (none: the key is left out, as in the second item)
/// and `expires` as its `expiresOn`.
pub fn exemption(scope: &str, name: &str, references: &[&str], expires: Option<&str>) -> Value {
    let mut item = super::estate::example(EXAMPLE)["value"][0].clone();
    item["id"] = json!(format!(
        "{scope}/providers/Microsoft.Authorization/policyExemptions/{name}"
    ));
    item["name"] = json!(name);
    item["properties"]["policyAssignmentId"] = json!(format!(
        "/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Authorization/policyAssignments/apim-baseline"
    ));
    let properties = item["properties"].as_object_mut().unwrap();
    if references.is_empty() {
        properties.remove("policyDefinitionReferenceIds");
    } else {
        properties.insert("policyDefinitionReferenceIds".into(), json!(references));
    }
    if let Some(expires) = expires {
        properties.insert("expiresOn".into(), json!(expires));
    }
    item
}

/// Serves `items` as the subscription's policy exemptions.
pub fn serve(estate: &mut Estate, items: Vec<Value>) {
    estate.list(&format!("/subscriptions/{SUBSCRIPTION}/{LIST}"), items);
}
