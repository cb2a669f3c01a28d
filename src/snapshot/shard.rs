//! Shards: a deterministic share of an estate's services (`--shard K/N`).
//!
//! A service belongs to shard `sha256(lower-cased service id)[0..8] mod N` (the first
//! eight bytes of the digest, big-endian): the same service always lands in the same
//! shard whatever else the estate holds or in which order it is listed, so a shard
//! keeps its services as the estate grows. A subscription is *owned* by one shard, by
//! the same hash of its lower-cased `/subscriptions/{id}`: that shard evaluates the
//! subscription-scoped rules of it, and keeps it when none of its services falls in
//! any shard (an empty subscription).

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Most shards of a run: a shard index must stay a short list in merge's gaps, and
/// no CI engine runs more parallel jobs of one matrix.
pub const MAX_SHARDS: u16 = 1000;

/// The assignment method this build uses (recorded in shard snapshots, so that shards
/// cut by another method are never merged).
pub const SHARD_METHOD: &str = "sha256-lowercase-id";

/// One shard of a run: index `index` (0-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 0-based index, below `count`.
    pub index: u16,
    /// How many shards the run has (1 to [`MAX_SHARDS`]).
    pub count: u16,
}

/// A shard given as `K/N` that is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardSyntax(String);

impl fmt::Display for ShardSyntax {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ShardSyntax {}

impl FromStr for Shard {
    type Err = ShardSyntax;

    /// Reads `K/N`: K from 0 to N-1 (0-based, as Kubernetes' `JOB_COMPLETION_INDEX`),
    /// N from 1 to [`MAX_SHARDS`], both plain decimal numbers.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let number = |part: &str| -> Option<u16> {
            (!part.is_empty() && part.len() <= 4 && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse().ok())
                .flatten()
        };
        let (k, n) = text.split_once('/').ok_or_else(|| {
            ShardSyntax(format!(
                "`{}` is not K/N: give the shard's 0-based index and the number of shards, e.g. 0/4",
                clip(text)
            ))
        })?;
        let (Some(index), Some(count)) = (number(k), number(n)) else {
            return Err(ShardSyntax(format!(
                "`{}` is not K/N with K and N decimal numbers, e.g. 0/4",
                clip(text)
            )));
        };
        if count == 0 || count > MAX_SHARDS {
            return Err(ShardSyntax(format!(
                "{count} shards: the number of shards must be 1 to {MAX_SHARDS}"
            )));
        }
        if index >= count {
            return Err(ShardSyntax(format!(
                "shard {index} of {count}: indexes are 0-based, from 0 to {} (Kubernetes' JOB_COMPLETION_INDEX; in a 1-based matrix pass INDEX-1)",
                count - 1
            )));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The first 40 characters of what the user gave, for messages.
fn clip(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

impl Shard {
    /// The shard (0-based) of `count` that the resource `id` belongs to.
    pub fn of(id: &str, count: u16) -> u16 {
        let digest = ring::digest::digest(&ring::digest::SHA256, id.to_lowercase().as_bytes());
        let mut prefix = [0u8; 8];
        prefix.copy_from_slice(&digest.as_ref()[..8]);
        (u64::from_be_bytes(prefix) % u64::from(count.max(1))) as u16
    }

    /// Whether the service with ARM id `id` is in this shard.
    pub fn holds_service(&self, id: &str) -> bool {
        Shard::of(id, self.count) == self.index
    }

    /// Whether this shard owns the subscription `subscription_id` (a GUID): it
    /// evaluates the subscription's subscription-scoped rules and keeps it when it has
    /// no service.
    pub fn owns_subscription(&self, subscription_id: &str) -> bool {
        Shard::of(&format!("/subscriptions/{subscription_id}"), self.count) == self.index
    }

    /// Whether this shard evaluates the estate-scoped rules (shard 0).
    pub fn owns_estate(&self) -> bool {
        self.index == 0
    }

    /// The record a shard snapshot carries.
    pub fn record(&self) -> ShardRecord {
        ShardRecord {
            index: u32::from(self.index),
            count: u32::from(self.count),
            method: SHARD_METHOD.to_string(),
        }
    }
}

/// What a shard snapshot records of its shard (`shard`, schema 1.2, feature `shards`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShardRecord {
    /// 0-based index of the shard.
    pub index: u32,
    /// How many shards the collection was cut into.
    pub count: u32,
    /// How services were assigned to shards: `sha256-lowercase-id`, the first eight
    /// bytes of the SHA-256 of the lower-cased service id, modulo `count`.
    pub method: String,
}

impl ShardRecord {
    /// The shard it records, when its numbers are valid.
    pub fn shard(&self) -> Option<Shard> {
        let index = u16::try_from(self.index).ok()?;
        let count = u16::try_from(self.count).ok()?;
        ((1..=MAX_SHARDS).contains(&count) && index < count).then_some(Shard { index, count })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_zero_based_k_of_n() {
        assert_eq!("0/4".parse(), Ok(Shard { index: 0, count: 4 }));
        assert_eq!("3/4".parse(), Ok(Shard { index: 3, count: 4 }));
        assert_eq!("0/1".parse(), Ok(Shard { index: 0, count: 1 }));
        for bad in [
            "4/4",
            "1/0",
            "0/0",
            "-1/4",
            "+1/4",
            "1",
            "1/4/2",
            " 1/4",
            "1/ 4",
            "a/b",
            "",
            "0/1001",
            "99999999999/4",
            "0x1/4",
            "1/4\n",
        ] {
            assert!(bad.parse::<Shard>().is_err(), "{bad:?}");
        }
        let message = "4/4".parse::<Shard>().unwrap_err().to_string();
        assert!(message.contains("0-based"), "{message}");
    }

    #[test]
    fn assignment_is_stable_case_blind_and_spread() {
        let id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/a";
        assert_eq!(Shard::of(id, 4), Shard::of(&id.to_uppercase(), 4));
        assert_eq!(Shard::of(id, 1), 0);
        // Known values (sha256 of the lower-cased id): the assignment must never change
        // between releases, or shards of two releases would not merge.
        assert_eq!(Shard::of(id, 1000), 258);
        assert_eq!(Shard::of(id, 4), 2);
        let mut counts = [0usize; 4];
        for i in 0..4000 {
            counts[Shard::of(&format!("{id}{i}"), 4) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (850..=1150).contains(&c)),
            "{counts:?}"
        );
    }
}
