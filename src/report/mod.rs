//! The report: one model of a `check` run, and one file per output format.
//!
//! Every format is a view over [`Report`] (or, for `diff`, over [`Drift`]);
//! none of them re-evaluates anything.

mod checks;
mod csv;
mod drift;
mod exemptions;
mod frameworks;
mod html;
mod human;
mod json;
mod junit;
mod locate;
mod markdown;
mod model;
mod ocsf;
mod sarif;

pub use csv::render_csv;
pub use drift::{compare, Drift, DriftEntry, DriftSummary, RunInfo};
pub use exemptions::{ExemptionNote, ExemptionState};
pub use frameworks::{
    framework_views, ControlRule, ControlStatus, ControlSummary, ControlView, FrameworkView,
    WaivedFinding,
};
pub use html::render_html;
pub(crate) use human::shown as terminal_text;
pub use human::{render_drift_human, render_human};
pub use json::{render_json, write_json};
pub use junit::render_junit;
pub use markdown::{render_drift_markdown, render_markdown};
pub use model::{
    build, identity, service_of, summarize, AppliedWaiver, BuildOptions, Checked, Finding, Report,
    ReportShards, ResourceFindings, RuleResult, RuleStatus, SnapshotInfo, Summary, WaiverStatus,
};
pub use ocsf::render_ocsf;
pub use sarif::render_sarif;
