//! Joining shard snapshots into the estate's snapshot.

use std::collections::{BTreeMap, HashMap};

use super::{distinct, missing, same, MergeError, Merged};
use crate::snapshot::{Gap, Service, Shard, Snapshot, Subscription, SCHEMA_MINOR, SHARD_METHOD};

/// Joins the shard snapshots `inputs` (file name, snapshot), in any order.
///
/// Every input must be a shard (`shard` set, this build's method) of one collection:
/// the same shard count, schema, features and `source` (tool, cloud, tenant, scope).
/// A subscription several shards carry must carry the same subscription-level data in
/// each (it is kept once); a service must be in the shard its id hashes to, once. The
/// result holds no `shard`; its subscriptions and services are ordered by id (lower
/// case), its `collectedAt` is the earliest shard's (so that a later incremental
/// collection looks back far enough), and a missing shard is a gap that makes it
/// incomplete.
pub fn snapshots(inputs: Vec<(String, Snapshot)>) -> Result<Merged<Snapshot>, MergeError> {
    let mut indexed: Vec<(&str, Shard)> = Vec::new();
    for (path, snapshot) in &inputs {
        let record = snapshot
            .shard
            .as_ref()
            .ok_or_else(|| MergeError::NotAShard {
                path: path.clone(),
                why: "it records no `shard` (a whole collection, not `collect --shard K/N`)"
                    .to_string(),
            })?;
        if record.method != SHARD_METHOD {
            return Err(MergeError::NotAShard {
                path: path.clone(),
                why: format!(
                    "its services were assigned to shards by `{}`, which this apimguard does not know (it uses `{SHARD_METHOD}`)",
                    crate::diagnostic::clip_message(record.method.clone())
                ),
            });
        }
        let shard = record.shard().ok_or_else(|| MergeError::NotAShard {
            path: path.clone(),
            why: format!(
                "its `shard` is {} of {}, not a shard index below a count of 1 to {}",
                record.index,
                record.count,
                crate::snapshot::MAX_SHARDS
            ),
        })?;
        // Fields of a newer minor would be lost in the typed copy: never merge them away.
        if snapshot.schema_minor > SCHEMA_MINOR {
            return Err(MergeError::NotAShard {
                path: path.clone(),
                why: format!(
                    "it was written for snapshot schema 1.{}, newer than this apimguard's 1.{SCHEMA_MINOR}, whose merge would drop the fields it does not know; merge with the apimguard that collected it",
                    snapshot.schema_minor
                ),
            });
        }
        indexed.push((path, shard));
    }
    let Some(&(first_path, first_shard)) = indexed.first() else {
        unreachable!("the command line asks for at least one input");
    };
    let first = &inputs[0].1;
    let template = first.clone();
    for ((path, snapshot), &(_, shard)) in inputs.iter().zip(&indexed).skip(1) {
        let (a, b) = ((first_path, first), (path.as_str(), snapshot));
        same(
            (a.0, &first_shard.count),
            (b.0, &shard.count),
            "the shard count",
        )?;
        same(
            (a.0, &a.1.schema_version),
            (b.0, &b.1.schema_version),
            "schemaVersion",
        )?;
        same(
            (a.0, &a.1.schema_minor),
            (b.0, &b.1.schema_minor),
            "schemaMinor",
        )?;
        same(
            (a.0, &a.1.schema_features),
            (b.0, &b.1.schema_features),
            "schemaFeatures",
        )?;
        same(
            (a.0, &value(&a.1.source)),
            (b.0, &value(&b.1.source)),
            "source (tool, cloud, tenant, scope)",
        )?;
    }
    let count = u32::from(first_shard.count);
    let present = distinct(
        &indexed
            .iter()
            .map(|(p, s)| (*p, u32::from(s.index)))
            .collect::<Vec<_>>(),
        count,
    )?;
    let missing = missing(count, &present);
    let shards: Vec<Shard> = indexed.into_iter().map(|(_, s)| s).collect();

    let mut collected_at = first.collected_at.clone();
    let mut complete = true;
    let mut gaps: Vec<Gap> = Vec::new();
    let mut unknowns = Vec::new();
    // Subscriptions by lower-cased id: the first carrier's data and file, and services.
    let mut subscriptions: BTreeMap<String, (Subscription, String)> = BTreeMap::new();
    // Services by lower-cased subscription id, then lower-cased id; and who held each.
    let mut services: BTreeMap<String, BTreeMap<String, Service>> = BTreeMap::new();
    let mut holders: HashMap<String, String> = HashMap::new();
    for ((path, snapshot), shard) in inputs.into_iter().zip(shards) {
        if snapshot.collected_at < collected_at {
            collected_at = snapshot.collected_at.clone();
        }
        complete &= snapshot.complete;
        for gap in snapshot.gaps {
            if !gaps.iter().any(|g| same_gap(g, &gap)) {
                gaps.push(gap);
            }
        }
        for unknown in snapshot.unknowns {
            if !unknowns.contains(&unknown) {
                unknowns.push(unknown);
            }
        }
        for mut sub in snapshot.subscriptions {
            for service in std::mem::take(&mut sub.services) {
                let id = service.id.to_lowercase();
                if !shard.holds_service(&id) {
                    return Err(MergeError::Conflict {
                        first: path.clone(),
                        second: path.clone(),
                        what: format!(
                            "shard {shard}: it holds service {}, which is in shard {}/{} (the shards were cut differently, or the file was edited)",
                            service.id,
                            Shard::of(&id, shard.count),
                            shard.count
                        ),
                    });
                }
                let key = sub.subscription_id.to_lowercase();
                if !id.starts_with(&format!("/subscriptions/{key}/")) {
                    return Err(MergeError::Conflict {
                        first: path.clone(),
                        second: path.clone(),
                        what: format!(
                            "service {} is listed under subscription {}",
                            service.id, sub.subscription_id
                        ),
                    });
                }
                if let Some(other) = holders.get(&id) {
                    return Err(MergeError::Conflict {
                        first: other.clone(),
                        second: path.clone(),
                        what: format!("service {}: both hold it", service.id),
                    });
                }
                holders.insert(id.clone(), path.clone());
                services.entry(key).or_default().insert(id, service);
            }
            let key = sub.subscription_id.to_lowercase();
            match subscriptions.get(&key) {
                Some((kept, other)) => {
                    if let Some(field) = differing_field(kept, &sub) {
                        return Err(MergeError::Conflict {
                            first: other.clone(),
                            second: path.clone(),
                            what: format!("the `{field}` of subscription {}", sub.subscription_id),
                        });
                    }
                }
                None => {
                    subscriptions.insert(key, (sub, path.clone()));
                }
            }
        }
    }
    let subscriptions: Vec<Subscription> = subscriptions
        .into_iter()
        .map(|(key, (mut sub, _))| {
            sub.services = services
                .remove(&key)
                .unwrap_or_default()
                .into_values()
                .collect();
            sub
        })
        .collect();
    if !missing.is_empty() {
        complete = false;
        gaps.push(missing_gap(&missing, count));
    }
    gaps.sort_by(|a, b| (&a.scope, &a.what).cmp(&(&b.scope, &b.what)));
    let merged = Snapshot {
        collected_at,
        complete,
        gaps,
        subscriptions,
        unknowns,
        shard: None,
        ..template
    };
    Ok(Merged {
        merged,
        count,
        missing,
    })
}

/// The gap a merge without some shards records.
fn missing_gap(missing: &[u32], count: u32) -> Gap {
    let list = super::list_shards(missing);
    Gap {
        scope: format!("shards {list} of {count}"),
        what: "shard".to_string(),
        error: format!(
            "no snapshot of shard(s) {list} of {count} was given to merge: their services (and the subscriptions only they hold) are missing; collect them (`collect --shard K/{count}`) and merge again"
        ),
    }
}

fn same_gap(a: &Gap, b: &Gap) -> bool {
    (&a.scope, &a.what, &a.error) == (&b.scope, &b.what, &b.error)
}

fn value<T: serde::Serialize>(t: &T) -> serde_json::Value {
    serde_json::to_value(t).unwrap_or_default()
}

/// The first subscription-level field on which `a` and `b` differ (services aside).
fn differing_field(a: &Subscription, b: &Subscription) -> Option<&'static str> {
    if a.display_name != b.display_name {
        return Some("displayName");
    }
    if value(&a.defender_for_apis) != value(&b.defender_for_apis) {
        return Some("defenderForApis");
    }
    if value(&a.recommendations) != value(&b.recommendations) {
        return Some("recommendations");
    }
    if value(&a.alerts) != value(&b.alerts) {
        return Some("alerts");
    }
    if value(&a.azure_exemptions) != value(&b.azure_exemptions) {
        return Some("azureExemptions");
    }
    None
}
