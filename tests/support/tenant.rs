//! A tenant of several subscriptions for discovery and throttling: copies of the
//! generated estate ([`estate::generated`]), one per subscription, under one
//! management group, with the group's descendants as Microsoft's example shows them
//! (`GetDescendants`).

use serde_json::{json, Value};

use super::estate::{self, Estate, SUBSCRIPTION};

/// The management group every subscription of [`tenant`] is under (through a child group).
pub const GROUP: &str = "contoso-platform";
/// The child group between [`GROUP`] and the subscriptions.
pub const CHILD_GROUP: &str = "contoso-apps";

/// The id of subscription number `n` of [`tenant`].
pub fn subscription_id(n: usize) -> String {
    format!("{n:08x}-2222-4222-8222-222222222222")
}

/// `subscriptions` subscriptions, each with `services` services of `apis` APIs, all
/// under [`GROUP`] (through [`CHILD_GROUP`]).
pub fn tenant(subscriptions: usize, services: usize, apis: usize) -> Estate {
    let one = estate::generated(services, apis);
    let mut tenant = Estate::default();
    let mut records = Vec::new();
    for n in 0..subscriptions {
        let id = subscription_id(n);
        for (route, body) in &one.routes {
            let moved = route.replace(&SUBSCRIPTION.to_ascii_lowercase(), &id);
            tenant
                .routes
                .insert(moved, estate::rebase(body, SUBSCRIPTION, &id));
        }
        // The example plan keeps the id of Microsoft's example subscription; ARM's has ours.
        let plan = format!("/subscriptions/{id}/providers/Microsoft.Security/pricings/Api");
        if let Some(body) = tenant.routes.get_mut(&plan.to_ascii_lowercase()) {
            body["id"] = json!(plan);
        }
        let record = tenant
            .routes
            .get_mut(&format!("/subscriptions/{id}"))
            .expect("record");
        record["displayName"] = json!(format!("apps-{n}"));
        records.push(record.clone());
    }
    tenant.list("/subscriptions", records);
    management_groups(&mut tenant, subscriptions);
    tenant
}

/// The descendants of [`GROUP`] (the child group and every subscription) and of
/// [`CHILD_GROUP`] (every subscription).
fn management_groups(tenant: &mut Estate, subscriptions: usize) {
    let example = estate::example("Microsoft.Management__2023-04-01__GetDescendants");
    let items = example["value"].as_array().expect("descendants");
    let group_of = |name: &str| format!("/providers/Microsoft.Management/managementGroups/{name}");
    let child = |parent: &str, template: &Value, name: &str, id: &str, display: &str| {
        let mut item = template.clone();
        item["name"] = json!(name);
        item["id"] = json!(id);
        item["properties"]["displayName"] = json!(display);
        item["properties"]["parent"]["id"] = json!(group_of(parent));
        item
    };
    let members: Vec<Value> = (0..subscriptions)
        .map(|n| {
            let id = subscription_id(n);
            child(
                CHILD_GROUP,
                &items[1],
                &id,
                &format!("/subscriptions/{id}"),
                &format!("apps-{n}"),
            )
        })
        .collect();
    let mut under_group = vec![child(
        GROUP,
        &items[0],
        CHILD_GROUP,
        &group_of(CHILD_GROUP),
        "Apps",
    )];
    under_group.extend(members.clone());
    tenant.list(&format!("{}/descendants", group_of(GROUP)), under_group);
    tenant.list(&format!("{}/descendants", group_of(CHILD_GROUP)), members);
}
