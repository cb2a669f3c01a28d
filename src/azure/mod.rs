//! `azure`: the Azure Resource Manager client that `collect` reads with and
//! `remediate` writes with.
//!
//! - [`credential`]: the credential chain behind the [`TokenSource`] trait;
//! - [`http`]: the one HTTP client (no redirects) of a run;
//! - [`arm`]: requests with bounded concurrency, retries, paging and limits; writes and
//!   long-running operations for `remediate` only;
//! - [`cloud`](Cloud): the sovereign clouds' endpoints and token scopes;
//! - [`progress`]: bars, notes and the summary line on standard error;
//! - [`resource_graph`]: Resource Graph queries over many subscriptions (discovery).

pub mod arm;
mod cloud;
pub mod credential;
pub mod http;
pub mod progress;
pub mod resource_graph;

pub use arm::{ArmClient, ArmError, ArmOptions};
pub use cloud::Cloud;
pub use credential::{CredentialChain, StaticToken, TokenSource};
pub use progress::{Reporter, Summary};
