//! `remediate`: fix what the rules found, with the catalogue's actions only, gradually
//! and journalled.
//!
//! The pieces, in the order a run uses them:
//!
//! - [`catalogue`]: the actions (enable the Defender for APIs plan, onboard an API,
//!   offboard one), each a fixed ARM request with its permission and its cost;
//! - [`plan`]: findings → ordered actions and findings left to a person, from a snapshot
//!   alone (no Azure call);
//! - [`executor`]: the gates (capacity, plan-off, cost, blast radius), batches and pauses;
//! - `actions`: each action's live read (idempotence) and write (long-running operations);
//! - [`journal`]: the append-only record that makes a run auditable and resumable,
//!   tamper-evident through [`digest`]: a chain over its lines and the approved plan's digest;
//! - [`target`]: the resources actions write, validated against their templates, and
//!   the checked URLs every request is sent to;
//! - [`who`] and [`render`]: who ran it, and the text people read.
//!
//! The safety model is described for users in docs/remediation.md.

mod actions;
pub mod catalogue;
pub mod digest;
pub mod executor;
pub mod journal;
pub mod plan;
pub mod render;
pub mod target;
pub mod who;

pub use catalogue::Action;
pub use executor::{Counts, Executor, Outcome, Settings};
pub use journal::{Journal, JournalError, Replay};
pub use plan::{Plan, PlannedAction};
pub use who::Who;
