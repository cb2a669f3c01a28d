//! Reading IaC files (ARM templates, Bicep, APIOps) into a snapshot in memory, for
//! `collect --from-…` and `check --from-…`: the APIOps environment resolved, the
//! snapshot stamped, a note of what was read and a warning per gap on standard error.

use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

use crate::console;
use crate::iac::{self, IacSource};
use crate::snapshot::LoadedSnapshot;

/// Sets `collectedAt` of IaC snapshots (RFC 3339), for reproducible outputs.
pub const COLLECTED_AT_VARIABLE: &str = "APIMGUARD_COLLECTED_AT";

/// `APIMGUARD_COLLECTED_AT` is not a timestamp.
#[derive(Debug, Error, Diagnostic)]
#[error("{COLLECTED_AT_VARIABLE} is `{0}`, not an RFC 3339 timestamp")]
#[diagnostic(
    code(apimguard::iac::collected_at),
    help(
        "set it like 2026-01-31T00:00:00Z, or unset it to stamp the snapshot with the current time"
    )
)]
pub struct BadCollectedAt(String);

/// What to read, as the IaC flags ask.
#[derive(Debug, Clone)]
pub struct IacRead {
    /// The files.
    pub source: IacSource,
    /// The APIOps environment (`--env`) whose configuration file applies.
    pub env: Option<String>,
    /// The folder every referenced file must stay in (`--root`).
    pub root: Option<PathBuf>,
    /// No note of what was read (`--quiet`); gaps are still warned about.
    pub quiet: bool,
}

/// Reads the IaC files of `read` into a snapshot in memory.
pub fn read(read: IacRead) -> miette::Result<LoadedSnapshot> {
    let IacRead {
        mut source,
        env,
        root,
        quiet,
    } = read;
    if let (
        IacSource::Apiops {
            folder,
            configuration,
        },
        Some(env),
    ) = (&mut source, &env)
    {
        *configuration = Some(iac::apiops_configuration(folder, env)?);
    }
    let snapshot = iac::read(&source, root.as_deref(), collected_at()?)?;
    if !quiet {
        let services = snapshot.subscriptions.iter().flat_map(|s| &s.services);
        console::line(format_args!(
            "read {}: {} service(s), {} API(s), {} unknown value(s), {} gap(s)",
            source.path().display(),
            services.clone().count(),
            services.map(|s| s.apis.len()).sum::<usize>(),
            snapshot.unknowns.len(),
            snapshot.gaps.len()
        ));
    }
    for gap in &snapshot.gaps {
        console::warning(format_args!(
            "could not read {} of {}: {}",
            gap.what, gap.scope, gap.error
        ));
    }
    let text = crate::snapshot::to_text(&snapshot, false)?;
    Ok(LoadedSnapshot {
        path: PathBuf::from(source.path()),
        text,
        snapshot,
    })
}

/// `collectedAt`: [`COLLECTED_AT_VARIABLE`] when set, else now.
fn collected_at() -> Result<String, BadCollectedAt> {
    match std::env::var(COLLECTED_AT_VARIABLE) {
        Ok(value) if !value.is_empty() => chrono::DateTime::parse_from_rfc3339(&value)
            .map(|_| value.clone())
            .map_err(|_| BadCollectedAt(value)),
        _ => Ok(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
    }
}
