//! The deployment scope IaC files are written for but do not name: the subscription
//! and resource group come from the deployment, so IaC snapshots use placeholders
//! (`{subscriptionId}`, `{resourceGroupName}`), the same ones Azure's documentation
//! writes in ids. Ids built from them stay stable from run to run.

/// The subscription id placeholder.
pub(super) const SUBSCRIPTION: &str = "{subscriptionId}";
/// The resource group name placeholder.
pub(super) const RESOURCE_GROUP: &str = "{resourceGroupName}";
/// The tenant id placeholder.
pub(super) const TENANT: &str = "{tenantId}";

/// `/subscriptions/{subscriptionId}`.
pub(super) fn subscription_id() -> String {
    format!("/subscriptions/{SUBSCRIPTION}")
}

/// The ARM id of the deployment's resource group.
pub(super) fn resource_group_id() -> String {
    format!("{}/resourceGroups/{RESOURCE_GROUP}", subscription_id())
}

/// The ARM id of a resource of `kind` (`Microsoft.ApiManagement/service/apis`) named by
/// `names` (one per type segment after the namespace), under `parent` (a scope id such
/// as the resource group's, or `""` for tenant resources).
pub(super) fn resource_id(parent: &str, kind: &str, names: &[String]) -> String {
    let mut segments = kind.split('/');
    let namespace = segments.next().unwrap_or_default();
    let mut id = format!("{parent}/providers/{namespace}");
    for (segment, name) in segments.zip(names) {
        id.push('/');
        id.push_str(segment);
        id.push('/');
        id.push_str(name);
    }
    id
}

/// How a `/` inside one value of a name is written (U+2215 DIVISION SLASH): a name
/// segment never holds a real `/`. Unknown markers read it back as `/`.
pub(super) const SLASH_IN_VALUE: &str = "\u{2215}";

/// The segments of an evaluated resource name: split at each `/` that stands between
/// values, never at one inside a value the name only stands for. A placeholder of a
/// value the deployment fixes (`{guid(resourceId('Microsoft.X/y', 'a'))}`) and an unknown
/// marker (`<unknown: reference(resourceId('Microsoft.Resources/deployments', 'm')).outputs.n.value>`)
/// are one value each, whatever their text holds: a `/` inside one is written
/// [`SLASH_IN_VALUE`] (ids, which the snapshot splits at `/`, stay whole). An unbalanced
/// `{` runs to the end (the count then differs from the type's, and the resource is a
/// gap, never a guess).
pub(super) fn name_parts(name: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    let mut rest = name;
    while let Some(c) = rest.chars().next() {
        if depth == 0 && rest.starts_with(super::unknown::PREFIX) {
            let end = rest.find('>').map_or(rest.len(), |e| e + 1);
            current.push_str(&rest[..end].replace('/', SLASH_IN_VALUE));
            rest = &rest[end..];
            continue;
        }
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            '/' if depth == 0 => parts.push(std::mem::take(&mut current)),
            _ => {}
        }
        match c {
            '/' if depth > 0 => current.push_str(SLASH_IN_VALUE),
            '/' => {}
            c => current.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    parts.push(current);
    parts
}

/// The number of name segments a resource type takes (`service/apis` → 2).
pub(super) fn name_segments(kind: &str) -> usize {
    kind.split('/').count().saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert_eq!(
            resource_id(
                &resource_group_id(),
                "Microsoft.ApiManagement/service/apis",
                &["contoso".into(), "echo".into()]
            ),
            "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ApiManagement/service/contoso/apis/echo"
        );
        assert_eq!(name_segments("Microsoft.ApiManagement/service/apis"), 2);
    }

    #[test]
    fn names_split_between_values_only() {
        assert_eq!(name_parts("svc/echo"), vec!["svc", "echo"]);
        assert_eq!(
            name_parts("{guid(resourceId('Microsoft.X/y', 'a/b'))}"),
            vec!["{guid(resourceId('Microsoft.X∕y', 'a∕b'))}"]
        );
        assert_eq!(
            name_parts("<unknown: reference(resourceId('Microsoft.Resources/deployments', 'm')).outputs.n.value>/echo"),
            vec![
                "<unknown: reference(resourceId('Microsoft.Resources∕deployments', 'm')).outputs.n.value>",
                "echo"
            ]
        );
        assert_eq!(
            name_parts("apim{uniqueString(a/b)}x/api-<unknown: p/q>-v1/policy"),
            vec![
                "apim{uniqueString(a∕b)}x",
                "api-<unknown: p∕q>-v1",
                "policy"
            ]
        );
        assert_eq!(name_parts("{open/a/b"), vec!["{open∕a∕b"]);
        assert_eq!(name_parts(""), vec![""]);
    }
}
