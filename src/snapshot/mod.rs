//! The snapshot document: the only interface between collection and policy.
//!
//! A snapshot is what `collect` writes and what `check` reads. Its shape is the
//! schema-v1 contract of `DESIGN.md`: rules may rely on every field defined here,
//! so loading is strict about the fields the contract names (a missing field is an
//! error that names its JSON path, never a silent "compliant") and lenient about
//! extra ones (collectors may add fields without breaking older readers).

mod load;
mod model;
mod split;

pub use load::{load, load_str, read_text, save, to_text, LoadedSnapshot, SnapshotError};
pub use model::*;
pub use split::{read_service, read_skeleton, split, Digest, Pieces, ServiceDigest};

/// The schema version this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

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
