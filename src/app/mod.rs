//! `app`: the orchestration that commands share, below the command line: checking a
//! snapshot with loaded rules ([`check`]), the Azure connection ([`connect`]) and
//! reading IaC files ([`iac`]).
//! `commands/*` bind flags to these and print.

pub mod check;
pub mod connect;
pub mod iac;
pub(crate) mod shard;
