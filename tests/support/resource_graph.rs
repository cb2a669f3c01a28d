//! Azure Resource Graph for the fake ARM: `POST /providers/Microsoft.ResourceGraph/resources`
//! answers the queries the collector sends (API Management services; the Defender for
//! APIs plan of each subscription; API collections; assessments) from the estate's routes, as `objectArray`
//! rows of the subscriptions named in the body, paged by `$top` and `$skipToken` like
//! Microsoft's example (`ResourcesFirstPageQuery`), with the per-user quota headers.
//!
//! The fake does not run KQL: it recognises the query by its `type =~ '…'` clause,
//! and answers 400 to any other.

use std::collections::BTreeMap;

use serde_json::{json, Value};

/// The path of the query API (lower-cased).
pub const PATH: &str = "/providers/microsoft.resourcegraph/resources";

/// Queries a user may make before the quota header says 0 (then it resets).
const QUOTA: u64 = 15;

/// The answer (status, body, headers) to a query `body`, the `nth` query (from 0), in
/// pages of at most `page_size` rows (and the query's `$top`).
pub fn answer(
    routes: &BTreeMap<String, Value>,
    body: &[u8],
    nth: u64,
    page_size: Option<usize>,
) -> (u16, Value, Vec<(&'static str, String)>) {
    let quota = vec![
        (
            "x-ms-user-quota-remaining",
            (QUOTA - 1 - nth % QUOTA).to_string(),
        ),
        ("x-ms-user-quota-resets-after", "00:00:00.1".to_string()),
    ];
    let request: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let query = request["query"]
        .as_str()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let subscriptions: Vec<String> = request["subscriptions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_ascii_lowercase)
        .collect();
    let asks = |kind: &str| query.contains(&format!("type =~ '{kind}'"));
    let rows: Vec<Value> = if asks("microsoft.apimanagement/service") {
        subscriptions
            .iter()
            .flat_map(|s| {
                let list = format!("/subscriptions/{s}/providers/microsoft.apimanagement/service");
                routes
                    .get(&list)
                    .and_then(|l| l["value"].as_array().cloned())
                    .unwrap_or_default()
            })
            .map(|service| {
                project(
                    &service,
                    &[
                        "id",
                        "name",
                        "type",
                        "location",
                        "sku",
                        "properties",
                        "tags",
                        "identity",
                        "zones",
                    ],
                )
            })
            .collect()
    } else if asks("microsoft.security/pricings") {
        subscriptions
            .iter()
            .filter_map(|s| {
                routes.get(&format!(
                    "/subscriptions/{s}/providers/microsoft.security/pricings/api"
                ))
            })
            .map(|plan| project(plan, &["id", "name", "type", "properties"]))
            .collect()
    } else if asks("microsoft.security/apicollections") {
        security_rows(routes, &subscriptions, "apicollections")
    } else if asks("microsoft.security/assessments") {
        security_rows(routes, &subscriptions, "assessments")
            .into_iter()
            .map(|mut row| {
                // Resource Graph is reported to spell the assessed resource `Id`.
                if let Some(details) = row
                    .pointer_mut("/properties/resourceDetails")
                    .and_then(Value::as_object_mut)
                {
                    if let Some(id) = details.remove("id") {
                        details.insert("Id".to_string(), id);
                    }
                }
                row
            })
            .collect()
    } else {
        let error = json!({"error": {"code": "BadRequest", "message": "The fake Resource Graph answers only the collector's queries."}});
        return (400, error, quota);
    };
    let top = (request["options"]["$top"].as_u64().unwrap_or(1000).max(1) as usize)
        .min(page_size.unwrap_or(usize::MAX));
    let skip: usize = request["options"]["$skipToken"]
        .as_str()
        .and_then(|t| t.strip_prefix("rows:"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let end = (skip + top).min(rows.len());
    let page = rows[skip.min(end)..end].to_vec();
    let mut answer = json!({
        "totalRecords": rows.len(),
        "count": page.len(),
        "resultTruncated": "false",
        "facets": [],
        "data": page,
    });
    if end < rows.len() {
        answer["$skipToken"] = json!(format!("rows:{end}"));
    }
    (200, answer, quota)
}

/// The rows of `Microsoft.Security/{kind}` in `subscriptions`: those ARM's
/// subscription-wide list gives (assessments of API Management resources only, as the
/// collector's query asks).
fn security_rows(
    routes: &BTreeMap<String, Value>,
    subscriptions: &[String],
    kind: &str,
) -> Vec<Value> {
    subscriptions
        .iter()
        .flat_map(|s| {
            let list = format!("/subscriptions/{s}/providers/microsoft.security/{kind}");
            routes
                .get(&list)
                .and_then(|l| l["value"].as_array().cloned())
                .unwrap_or_default()
        })
        .filter(|row| {
            kind != "assessments"
                || row["id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_ascii_lowercase()
                    .contains("/providers/microsoft.apimanagement/service/")
        })
        .map(|row| project(&row, &["id", "name", "type", "properties"]))
        .collect()
}

/// The row Resource Graph gives of `resource`: the projected columns it has, `type`
/// lower-cased as Resource Graph writes it.
fn project(resource: &Value, columns: &[&str]) -> Value {
    let mut row = serde_json::Map::new();
    for column in columns {
        if let Some(value) = resource.get(*column) {
            row.insert(column.to_string(), value.clone());
        }
    }
    if let Some(Value::String(kind)) = row.get_mut("type") {
        *kind = kind.to_ascii_lowercase();
    }
    Value::Object(row)
}

/// A page of one row (a stray service) that gives the next `$skipToken` however many
/// came before, announcing `total` rows: a paging loop no single page shows.
pub fn endless_page(body: &[u8], total: u64) -> Value {
    let request: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let page: u64 = request["options"]["$skipToken"]
        .as_str()
        .and_then(|t| t.strip_prefix("page:"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    json!({
        "totalRecords": total,
        "count": 1,
        "resultTruncated": "true",
        "$skipToken": format!("page:{}", page + 1),
        "data": [{"id": format!("/subscriptions/99999999-9999-4999-8999-999999999999/resourceGroups/rg/providers/Microsoft.ApiManagement/service/s{page}")}],
    })
}
