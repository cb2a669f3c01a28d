//! The report: one model of a `check` run, and one file per output format.
//!
//! Every format is a view over [`Report`]; none of them re-evaluates anything.

mod human;
mod json;
mod model;

pub use human::render_human;
pub use json::render_json;
pub use model::{build, Finding, Report, RuleResult, RuleStatus, SnapshotInfo, Summary};
