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
}
