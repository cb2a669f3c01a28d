//! The snapshot document: the only interface between collection and policy.
//!
//! A snapshot is what `collect` writes and what `check` reads. Its shape is the
//! schema-v1 contract of `DESIGN.md`: rules may rely on every field defined here,
//! so loading is strict about the fields the contract names (a missing field is an
//! error that names its JSON path, never a silent "compliant") and lenient about
//! extra ones (collectors may add fields without breaking older readers).

mod load;
mod model;
mod shard;
mod split;

pub use load::{load, load_str, read_text, save, to_text, LoadedSnapshot, SnapshotError};
pub use model::*;
pub use shard::{Shard, ShardRecord, ShardSyntax, MAX_SHARDS, SHARD_METHOD};
pub use split::{read_service, read_skeleton, split, Digest, Pieces, ServiceDigest};

/// The schema (major) version this build reads and writes; any other is refused.
pub const SCHEMA_VERSION: u32 = 1;

/// The schema minor version this build writes: the newest additive part it knows.
pub const SCHEMA_MINOR: u32 = 3;

/// The additive parts of schema 1 this build knows, each with the minor that added it.
/// A writer lists those it filled in `schemaFeatures`.
pub const SCHEMA_FEATURES: [(&str, u32); 11] = [
    ("callPaths", 1),
    ("effectiveLiteralCredentials", 2),
    ("credentialNamedValues", 2),
    ("defenderCspm", 2),
    ("gitAccess", 2),
    ("logging", 2),
    ("productGroups", 2),
    ("incremental", 2),
    ("shards", 2),
    ("assessmentStatusCause", 3),
    ("azureExemptions", 3),
];

/// The `schemaFeatures` a snapshot written by this build carries.
pub fn written_features() -> Vec<String> {
    SCHEMA_FEATURES
        .iter()
        .map(|(name, _)| (*name).to_string())
        .collect()
}

/// What this build does not know of a snapshot written for a newer minor of its schema,
/// as a warning for standard error; `None` when it knows the whole snapshot. `name`
/// names the snapshot.
pub fn newer_minor_notice(snapshot: &Snapshot, name: &str) -> Option<String> {
    if snapshot.schema_minor <= SCHEMA_MINOR {
        return None;
    }
    // The names come from the file: only short identifiers are shown, at most ten.
    let unknown: Vec<&String> = snapshot
        .schema_features
        .iter()
        .filter(|f| !SCHEMA_FEATURES.iter().any(|(known, _)| known == f))
        .collect();
    let shown: Vec<&str> = unknown
        .iter()
        .filter(|f| {
            f.len() <= 64
                && f.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .take(10)
        .map(|f| f.as_str())
        .collect();
    let what = if shown.is_empty() {
        format!(
            "the fields added in schema 1.{}–1.{}",
            SCHEMA_MINOR + 1,
            snapshot.schema_minor
        )
    } else {
        let more = match unknown.len() - shown.len() {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        format!(
            "{}{more} (added after schema 1.{SCHEMA_MINOR})",
            shown.join(", ")
        )
    };
    Some(format!(
        "{name} was written for snapshot schema 1.{}; this apimguard knows schema 1.{SCHEMA_MINOR} and does not know {what}: rules still see those fields, but apimguard's own facts and messages ignore them (use a newer apimguard to read them)",
        snapshot.schema_minor
    ))
}

/// How a value the IaC files leave open starts (`<unknown: EXPRESSION>`, see
/// docs/iac.md): rules and derivations read it as not known, never as compliant.
pub const UNKNOWN_PREFIX: &str = "<unknown: ";

/// Deepest nesting of a snapshot document (objects and arrays): the limit of the JSON
/// readers of `check`, `diff`, `remediate` and of the policy engine alike. Real
/// snapshots nest about 20 deep; a policy at the deepest the policy reader takes
/// nests about 110. A snapshot that would be deeper is not written.
pub const MAX_DEPTH: usize = 128;

/// The JSON Schema of the snapshot document, generated from the serde types.
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(Snapshot);
    serde_json::to_value(schema).expect("a generated JSON Schema always serializes")
}
