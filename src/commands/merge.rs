//! `apimguard merge FILE… -o OUT`: the shards of a run joined into one snapshot or
//! report (docs/scale.md), with exit code 2 when a shard is missing.

use std::path::Path;

use super::output;
use crate::app::document::{read_same_kind, Documents};
use crate::cli::MergeArgs;
use crate::merge::{self, list_shards};
use crate::report;
use crate::snapshot;

/// Runs `merge` and returns the exit code: for snapshots 0 when the merged snapshot is
/// complete and 2 when not; for reports the merged report's (0, 1 or 2), and 2 when a
/// shard is missing.
pub fn run(args: &MergeArgs) -> miette::Result<u8> {
    let documents = read_same_kind(&args.inputs)?;
    let to_stdout = args.output == Path::new("-");
    if !to_stdout {
        output::refuse_overwrites(&[(&args.output, "the merged result".to_string())])?;
    }
    let (missing, count, code) = match documents {
        Documents::Snapshots(snapshots) => {
            let mut done = merge::snapshots(snapshots)?;
            // Shards may come from anywhere: nothing secret leaves the merge.
            crate::redact::snapshot(&mut done.merged);
            if to_stdout {
                output::print(&(snapshot::to_text(&done.merged, true)? + "\n"))?;
            } else {
                snapshot::save(&done.merged, &args.output)?;
            }
            let code = if done.merged.complete { 0 } else { 2 };
            (done.missing, done.count, code)
        }
        Documents::Reports(reports) => {
            let done = merge::reports(reports)?;
            let spec = crate::cli::OutputSpec {
                format: crate::cli::ReportFormat::Json,
                path: (!to_stdout).then(|| args.output.clone()),
            };
            output::write_with(&spec, |out| report::write_json(&done.merged, out))?;
            let code = if done.missing.is_empty() {
                done.merged.exit_code()
            } else {
                2
            };
            (done.missing, done.count, code)
        }
    };
    if !missing.is_empty() {
        crate::console::line(format_args!(
            "error: the merged result is incomplete: shard(s) {} of {count} missing (given {} of {count}); merge them all to get the whole run",
            list_shards(&missing),
            count as usize - missing.len()
        ));
    }
    Ok(code)
}
