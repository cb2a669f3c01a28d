//! `apimguard merge`: joining the shards of a run (docs/scale.md, Shards).
//!
//! Shard snapshots (`collect --shard K/N`) join into the estate's snapshot
//! ([`snapshots`]); shard reports (`check --shard K/N -f json`) into the report of the
//! whole check ([`reports`]). Both refuse what cannot be one run — inputs of another
//! kind, schema, tool or setting, the same shard twice, data two shards disagree on —
//! and a merge that lacks a shard is marked incomplete, naming the missing shards, so
//! that it is never taken for the whole estate.

mod reports;
mod snapshots;

use miette::Diagnostic;
use thiserror::Error;

pub use reports::reports;
pub use snapshots::snapshots;

/// Why shards could not be merged.
#[derive(Debug, Error, Diagnostic)]
pub enum MergeError {
    /// Snapshots and reports given together.
    #[error("{first} is a {first_kind} and {second} a {second_kind}: merge joins shard snapshots, or shard reports, not both at once")]
    #[diagnostic(
        code(apimguard::merge::mixed_kinds),
        help("merge the snapshots (`collect --shard`) into one, check it (`check --shard` or whole), and merge the reports apart")
    )]
    MixedKinds {
        /// The first input.
        first: String,
        /// What it is.
        first_kind: &'static str,
        /// The input of the other kind.
        second: String,
        /// What that is.
        second_kind: &'static str,
    },
    /// An input that is not one shard of a run.
    #[error("{path} is not a shard: {why}")]
    #[diagnostic(
        code(apimguard::merge::not_a_shard),
        help("merge takes the outputs of `collect --shard K/N -o FILE` or of `check --shard K/N -f json:FILE`, all of one run")
    )]
    NotAShard {
        /// The input.
        path: String,
        /// What it is instead.
        why: String,
    },
    /// The same shard given twice.
    #[error("shard {index} of {count} is given twice: {first} and {second}")]
    #[diagnostic(
        code(apimguard::merge::duplicate_shard),
        help("give each shard's file once; two files of one shard may come from two runs (re-run that shard, or drop the older file)")
    )]
    DuplicateShard {
        /// The shard's index.
        index: u32,
        /// How many shards.
        count: u32,
        /// The first file of it.
        first: String,
        /// The second file of it.
        second: String,
    },
    /// Inputs of different runs: versions, tools or settings differ.
    #[error("{second} does not belong to the run of {first}: {what} differs ({first_value} against {second_value})")]
    #[diagnostic(
        code(apimguard::merge::mixed_runs),
        help("every shard must come from one run: the same apimguard version, schema, scope, shard count and settings (for reports: the same snapshot, rules, configuration and gate); re-run the odd shard like the others")
    )]
    MixedRuns {
        /// The first input.
        first: String,
        /// The input that differs.
        second: String,
        /// What differs.
        what: String,
        /// Its value in the first input (clipped).
        first_value: String,
        /// Its value in the other (clipped).
        second_value: String,
    },
    /// Two shards disagree about data they both carry.
    #[error("{first} and {second} disagree about {what}")]
    #[diagnostic(
        code(apimguard::merge::conflict),
        help("the shards were read at different times and the estate changed in between, or a file was edited; collect (or check) the shards again, close together")
    )]
    Conflict {
        /// One input.
        first: String,
        /// The other.
        second: String,
        /// What they disagree about.
        what: String,
    },
}

/// A merge's result: the joined document and the shards it lacks.
#[derive(Debug)]
pub struct Merged<T> {
    /// The joined snapshot or report.
    pub merged: T,
    /// How many shards the run had.
    pub count: u32,
    /// The shards no input was given for (the result is then incomplete).
    pub missing: Vec<u32>,
}

/// The shards of `0..count` not in `present`.
fn missing(count: u32, present: &[u32]) -> Vec<u32> {
    (0..count).filter(|i| !present.contains(i)).collect()
}

/// `0, 2, 5-7` for messages.
pub fn list_shards(shards: &[u32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < shards.len() {
        let mut j = i;
        while j + 1 < shards.len() && shards[j + 1] == shards[j] + 1 {
            j += 1;
        }
        parts.push(if j > i + 1 {
            format!("{}-{}", shards[i], shards[j])
        } else if j == i + 1 {
            format!("{}, {}", shards[i], shards[j])
        } else {
            shards[i].to_string()
        });
        i = j + 1;
    }
    parts.join(", ")
}

/// Refuses a second input whose `what` differs from the first's.
fn same<T: serde::Serialize + PartialEq>(
    first: (&str, &T),
    second: (&str, &T),
    what: &str,
) -> Result<(), MergeError> {
    if first.1 == second.1 {
        return Ok(());
    }
    let shown = |value: &T| {
        let text = serde_json::to_string(value).unwrap_or_default();
        crate::diagnostic::clip_message(text)
    };
    Err(MergeError::MixedRuns {
        first: first.0.to_string(),
        second: second.0.to_string(),
        what: what.to_string(),
        first_value: shown(first.1),
        second_value: shown(second.1),
    })
}

/// Each input's shard index in order, refusing the same index twice.
fn distinct(indexed: &[(&str, u32)], count: u32) -> Result<Vec<u32>, MergeError> {
    let mut seen: Vec<(u32, &str)> = Vec::new();
    for &(path, index) in indexed {
        if let Some((_, first)) = seen.iter().find(|(i, _)| *i == index) {
            return Err(MergeError::DuplicateShard {
                index,
                count,
                first: first.to_string(),
                second: path.to_string(),
            });
        }
        seen.push((index, path));
    }
    let mut present: Vec<u32> = seen.into_iter().map(|(i, _)| i).collect();
    present.sort_unstable();
    Ok(present)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_lists_fold_runs() {
        assert_eq!(list_shards(&[0, 2, 3, 5, 6, 7]), "0, 2, 3, 5-7");
        assert_eq!(list_shards(&[]), "");
        assert_eq!(missing(4, &[0, 3]), vec![1, 2]);
    }
}
