//! `app`: the orchestration that commands share, below the command line: checking a
//! snapshot with loaded rules ([`check`]), the Azure connection ([`connect`]), reading
//! IaC files ([`iac`]) and remediation's plans and apply ([`remediate`]).
//! `commands/*` bind flags to these and print.

pub mod check;
pub mod connect;
pub mod iac;
pub mod remediate;
pub(crate) mod shard;
