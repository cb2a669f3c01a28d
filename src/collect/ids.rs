//! Small helpers over ARM ids and ARM JSON.

use serde_json::Value;

use crate::snapshot::JsonObject;

/// The last segment of an ARM id (the resource's name as ARM addresses it).
pub(crate) fn last_segment(id: &str) -> &str {
    id.trim_end_matches('/').rsplit('/').next().unwrap_or(id)
}

/// The resource group named in an ARM id.
pub(crate) fn resource_group(id: &str) -> String {
    let mut segments = id.split('/');
    while let Some(segment) = segments.next() {
        if segment.eq_ignore_ascii_case("resourceGroups") {
            return segments.next().unwrap_or_default().to_string();
        }
    }
    String::new()
}

/// Whether `id` is `scope` or lies under it (ARM ids compare case-insensitively).
pub(crate) fn is_within(id: &str, scope: &str) -> bool {
    let (id, scope) = (
        id.to_ascii_lowercase(),
        scope.trim_end_matches('/').to_ascii_lowercase(),
    );
    id == scope || id.starts_with(&format!("{scope}/"))
}

/// A string field at a JSON pointer, or "".
pub(crate) fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// The `properties` object of an ARM resource (empty when absent).
pub(crate) fn properties(resource: &Value) -> JsonObject {
    resource
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_parts() {
        let id = "/subscriptions/s/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1/apis/echo-api";
        assert_eq!(last_segment(id), "echo-api");
        assert_eq!(resource_group(id), "rg1");
        assert!(is_within(
            id,
            "/subscriptions/s/resourcegroups/RG1/providers/Microsoft.ApiManagement/service/apim1"
        ));
        assert!(!is_within(
            id,
            "/subscriptions/s/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim"
        ));
    }
}
