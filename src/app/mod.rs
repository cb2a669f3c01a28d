//! `app`: the orchestration that commands share, below the command line: checking a
//! snapshot with loaded rules ([`check`]) and the Azure connection ([`connect`]).
//! `commands/*` bind flags to these and print.

pub mod check;
pub mod connect;
pub(crate) mod shard;
