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
