//! The report: one model of a `check` run, and one file per output format.
//!
//! Every format is a view over [`Report`] (or, for `diff`, over [`Drift`]);
//! none of them re-evaluates anything.

mod drift;
mod html;
mod human;
mod json;
mod junit;
mod locate;
mod markdown;
mod model;
mod sarif;

pub use drift::{compare, Drift, DriftEntry, DriftSummary, RunInfo};
pub use html::render_html;
pub(crate) use human::shown as terminal_text;
pub use human::{render_drift_human, render_human};
pub use json::{render_json, write_json};
pub use junit::render_junit;
pub use markdown::{render_drift_markdown, render_markdown};
pub use model::{
    build, identity, service_of, AppliedWaiver, BuildOptions, Checked, Finding, Report,
    ResourceFindings, RuleResult, RuleStatus, SnapshotInfo, Summary, WaiverStatus,
};
pub use sarif::render_sarif;
