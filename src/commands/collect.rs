//! `apimguard collect`: credentials → ARM → snapshot (or IaC files → snapshot, see
//! [`super::iac`]), with exit code 0 when complete and 2 when anything could not be read.

use std::path::Path;

use crate::app::connect::{collect_blocking, CollectUsageError};
use crate::cli::{ArmArgs, CollectArgs};
use crate::snapshot;

/// Runs `collect` and returns its exit code.
pub fn run(args: &CollectArgs) -> miette::Result<u8> {
    let snapshot = match super::iac::read(&args.iac, &args.arm)? {
        Some(loaded) => loaded.snapshot,
        None => {
            let since = args.since.as_deref().map(|path| (path, args.max_age));
            let mut options = args.arm.options()?;
            options.shard = args.shard;
            collect_blocking(&options, since)?.snapshot
        }
    };
    match args.output.as_deref() {
        Some(path) if path != Path::new("-") => {
            let outputs = [(path, "the snapshot".to_string())];
            match args.since.as_deref() {
                // The one input an output may replace: the snapshot it refreshes.
                Some(previous) => super::output::refuse_overwrites_but(&outputs, previous)?,
                None => super::output::refuse_overwrites(&outputs)?,
            }
            snapshot::save(&snapshot, path)?
        }
        _ => {
            let text = snapshot::to_text(&snapshot, true)?;
            super::output::print(&(text + "\n"))?;
        }
    }
    Ok(if snapshot.complete { 0 } else { 2 })
}

/// Refuses live-collection flags on `check` without `--live`.
pub fn no_live_flags(args: &ArmArgs) -> Result<(), CollectUsageError> {
    let named = !args.subscriptions.is_empty()
        || !args.management_groups.is_empty()
        || args.resource_group.is_some()
        || args.service.is_some()
        || args.connection.management_endpoint.is_some();
    if named {
        Err(CollectUsageError::NeedsLive)
    } else {
        Ok(())
    }
}
