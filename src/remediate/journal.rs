//! The journal: an append-only JSON Lines record of a run, written before and after
//! every change, so that a run can be audited and an interrupted one resumed.
//!
//! Every line is one JSON object with `run` (the run's id), `at` (RFC 3339, UTC),
//! `prev` (the [digest](super::digest) of the line before it; none on the first line)
//! and `type`:
//!
//! | `type` | when | what else it holds |
//! |---|---|---|
//! | `run` | first, and again at each `--resume` | who, tool, command, endpoint, settings, the whole plan, the digest of plan and settings; `resumes` names the first run |
//! | `capacity` | before each batch that onboards | service, gateway load read (the busiest region's, with each region's), threshold |
//! | `intent` | before an action's calls | key, action, method, target |
//! | `result` | after them, or when a gate skips the action | status, HTTP code, duration, whether it wrote, reason or error |
//! | `end` | when the run finishes | counts and exit code |
//!
//! The `prev` chain and the plan digest make the journal tamper-evident: [`replay`]
//! refuses a journal whose chain is broken, whose first plan is not the one its digest
//! names, or whose lines name actions outside that plan.
//!
//! Each line is flushed and synced before the call it announces is made. No token or
//! secret is ever written: `who` holds the credential's kind and the token's
//! identity claims only.

use std::collections::{BTreeMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::catalogue::{Action, SUB_PLANS};
use super::digest;
use super::executor::{Counts, Outcome, Settings, Status};
use super::plan::Plan;
use super::target;
use super::who::Who;
use crate::input::{self, Kind, ReadError, TooLarge};

/// Why the journal cannot be written or read.
#[derive(Debug, Error, Diagnostic)]
pub enum JournalError {
    /// A journal over the snapshot size cap.
    #[error(transparent)]
    #[diagnostic(transparent)]
    TooLarge(#[from] Box<TooLarge>),
    /// A fresh run refuses a file that already has content.
    #[error("journal {0} already exists")]
    #[diagnostic(
        code(apimguard::journal::exists),
        help("finish that run with `apimguard remediate --resume {0} --apply`, or name a new file with --journal")
    )]
    Exists(String),
    /// `--resume` names a file that does not exist.
    #[error("journal {0} does not exist")]
    #[diagnostic(
        code(apimguard::journal::missing),
        help("--resume takes the file a previous run wrote (its --journal FILE); to start afresh, plan from a snapshot: `apimguard remediate SNAPSHOT`")
    )]
    Missing(String),
    /// The file cannot be opened, written or read.
    #[error("journal {path}: {source}")]
    #[diagnostic(
        code(apimguard::journal::io),
        help("check the path and the free space; the run stops before any change it could not record")
    )]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A line is not a journal entry.
    #[error("journal {path}, line {line}: {message}")]
    #[diagnostic(
        code(apimguard::journal::syntax),
        help(
            "the journal is written only by apimguard; restore it, or plan again from a snapshot"
        )
    )]
    Syntax {
        /// The file.
        path: String,
        /// The 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The plan or settings of the run header cannot be what apimguard wrote: an
    /// action's target is not its resource type's, or a field disagrees with it.
    #[error("journal {path}, line {line}: {what}: {reason}; nothing was sent")]
    #[diagnostic(
        code(apimguard::journal::tampered),
        help("a journal's plan is replayed as apimguard wrote it and must not be edited: restore the journal the run wrote, or plan again from a snapshot")
    )]
    Tampered {
        /// The file.
        path: String,
        /// The 1-based line of the run header.
        line: usize,
        /// Which part, e.g. `action 3 of the plan (defender.onboard_api)`.
        what: String,
        /// What is wrong.
        reason: String,
    },
    /// `--resume` names a FIFO, a device or a directory: reading it could hang or never
    /// end.
    #[error("journal {0} is {1}, not a regular file")]
    #[diagnostic(
        code(apimguard::journal::not_a_file),
        help("--resume takes the file a previous run wrote (its --journal FILE), not a pipe, a device or a directory")
    )]
    NotAFile(String, &'static str),
    /// The file holds no run header.
    #[error("journal {0} records no run")]
    #[diagnostic(
        code(apimguard::journal::empty),
        help("pass the journal a `remediate --apply` run wrote")
    )]
    NoRun(String),
}

/// One line: the run, the time, and the entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Line {
    /// The run's id.
    pub run: String,
    /// When it was written (RFC 3339, UTC, milliseconds).
    pub at: String,
    /// The digest of the line before it in the file; none on the first line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
    /// What happened.
    #[serde(flatten)]
    pub entry: Entry,
}

/// What a line records.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Entry {
    /// The run header.
    Run(Box<RunHeader>),
    /// A gateway load reading before a batch.
    Capacity(CapacityReading),
    /// An action is about to be made.
    Intent(Intent),
    /// How an action ended.
    Result(Outcome),
    /// The run ended.
    End(RunEnd),
}

/// The header of a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunHeader {
    /// What wrote it: `apimguard <version> (commit …, built-in rules sha256:…)`, from [`crate::version::tool`].
    pub tool: String,
    /// `remediate` or `offboard`.
    pub command: String,
    /// Who made the changes.
    pub who: Who,
    /// The ARM endpoint written to.
    pub endpoint: String,
    /// The first run, when this one resumes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resumes: Option<String>,
    /// The gates.
    pub settings: Settings,
    /// What is to be done.
    pub plan: Plan,
    /// The [digest](digest::of_plan) of `plan` and `settings`: what a person approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_digest: Option<String>,
}

/// A gateway load reading.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CapacityReading {
    /// The service's ARM id.
    pub service: String,
    /// The batch about to run (1-based).
    pub batch: usize,
    /// The load read, in percent: the busiest region's (null: none could be read).
    pub percent: Option<f64>,
    /// The region `percent` is from, when the load is read per region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Each region's load (null: no data point in the last hour), when read per region.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub regions: BTreeMap<String, Option<f64>>,
    /// Why a load that should be read per region was read whole (Azure Monitor refused
    /// the region filter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsplit: Option<String>,
    /// `--max-capacity`.
    pub threshold: f64,
    /// Why no load could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// An action about to be made.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Intent {
    /// The action's key in the plan.
    pub key: String,
    /// The catalogue action.
    pub action: Action,
    /// Its write's method.
    pub method: String,
    /// The ARM id it writes.
    pub target: String,
}

/// The end of a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunEnd {
    /// What became of the actions.
    pub summary: Counts,
    /// The exit code.
    pub exit_code: u8,
}

/// An open journal, appending lines of one run.
pub struct Journal {
    file: File,
    path: PathBuf,
    run: String,
    /// The digest of the last line in the file (none while it is empty).
    last: Option<String>,
}

impl Journal {
    /// Starts a new journal at `path` (which must not exist yet) for `run`.
    pub fn create(path: &Path, run: &str) -> Result<Self, JournalError> {
        let file = OpenOptions::new()
            .append(true)
            .create_new(true)
            .open(path)
            .map_err(|source| match source.kind() {
                std::io::ErrorKind::AlreadyExists => {
                    JournalError::Exists(path.display().to_string())
                }
                _ => io(path, source),
            })?;
        Ok(Self::with(file, path, run, None))
    }

    /// Opens an existing journal to append the lines of `run` (a resumed run), chained
    /// to its last line (`replay` read it). A last line cut short by the crash of the run
    /// before is ended first, so that the new lines are not glued onto it.
    pub fn append(path: &Path, run: &str, replay: &Replay) -> Result<Self, JournalError> {
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .open(path)
            .map_err(|source| io(path, source))?;
        if !ends_a_line(&mut file).map_err(|source| io(path, source))? {
            file.write_all(b"\n")
                .and_then(|()| file.sync_data())
                .map_err(|source| io(path, source))?;
        }
        Ok(Self::with(file, path, run, Some(replay.last.clone())))
    }

    fn with(file: File, path: &Path, run: &str, last: Option<String>) -> Self {
        Journal {
            file,
            path: path.to_path_buf(),
            run: run.to_string(),
            last,
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one line, flushed and synced to disk before returning.
    pub fn write(&mut self, entry: Entry) -> Result<(), JournalError> {
        let line = Line {
            run: self.run.clone(),
            at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            prev: self.last.clone(),
            entry,
        };
        let mut text = serde_json::to_string(&line).expect("journal lines serialize");
        let digest = digest::of_line(&text);
        text.push('\n');
        self.file
            .write_all(text.as_bytes())
            .and_then(|()| self.file.flush())
            .and_then(|()| self.file.sync_data())
            .map_err(|source| io(&self.path, source))?;
        self.last = Some(digest);
        Ok(())
    }
}

/// Whether `file` is empty or ends with a newline.
fn ends_a_line(file: &mut File) -> std::io::Result<bool> {
    if file.metadata()?.len() == 0 {
        return Ok(true);
    }
    let mut last = [0u8; 1];
    file.seek(SeekFrom::End(-1))?;
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

/// What a journal says about the run it records (the first run and its resumptions).
#[derive(Debug)]
pub struct Replay {
    /// The first run's id.
    pub first_run: String,
    /// The first run's header (its plan and settings).
    pub header: RunHeader,
    /// Keys of the actions a result shows done or already done.
    pub done: HashSet<String>,
    /// Writes sent so far (toward `--max-changes`).
    pub writes: usize,
    /// The digest of the last line in the file, which a resumed run chains to.
    pub last: String,
}

/// Reads a journal for `--resume`. A line cut short when a run crashed while writing
/// it is ignored: the last line when it lacks its newline, or a line right before the
/// header of the run that resumed the crashed one. Any other unreadable line is an error,
/// and so is a first run header whose plan or settings apimguard cannot have written
/// ([`JournalError::Tampered`]): nothing of such a journal is sent.
pub fn replay(path: &Path) -> Result<Replay, JournalError> {
    let display = path.display().to_string();
    let missing = |source: std::io::Error| match source.kind() {
        std::io::ErrorKind::NotFound => JournalError::Missing(display.clone()),
        _ => io(path, source),
    };
    let text = input::read_to_string(path, Kind::Snapshot).map_err(|e| match e {
        ReadError::NotRegular(what) => JournalError::NotAFile(display.clone(), what),
        e => e.or_io(missing),
    })?;
    // (1-based line number, its text, parsed line), blank lines skipped but counted.
    let lines: Vec<(usize, &str, Result<Line, serde_json::Error>)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(at, l)| (at + 1, l, serde_json::from_str(l)))
        .collect();
    let torn = |index: usize| match lines.get(index + 1) {
        None => !text.ends_with('\n'),
        Some((_, _, next)) => matches!(
            next,
            Ok(Line {
                entry: Entry::Run(_),
                ..
            })
        ),
    };
    let tampered = |line: usize, what: &str, reason: &str| JournalError::Tampered {
        path: display.clone(),
        line,
        what: what.to_string(),
        reason: reason.to_string(),
    };
    let mut first: Option<(String, RunHeader, usize)> = None;
    let mut keys: HashSet<String> = HashSet::new();
    let mut done = HashSet::new();
    let mut writes = 0;
    // Intents without a result of the same run: that run ended (crashed) while their
    // calls were under way, so their write may have been sent.
    let mut in_flight: HashSet<(String, String)> = HashSet::new();
    // The digest of the line before (a torn line included: the next one chains to it).
    let mut before: Option<String> = None;
    for (index, (number, raw, line)) in lines.iter().enumerate() {
        let expected = before.replace(digest::of_line(raw));
        let line = match line {
            Ok(line) => line.clone(),
            Err(_) if torn(index) => continue,
            Err(e) => {
                return Err(JournalError::Syntax {
                    path: display,
                    line: *number,
                    // serde quotes what it found (an unknown variant, say) verbatim.
                    message: crate::diagnostic::clip_message(crate::azure::arm::names::shown(
                        &e.to_string(),
                    )),
                });
            }
        };
        if line.prev != expected {
            return Err(tampered(
                *number,
                "the chain of lines",
                "its `prev` is not the digest of the line before it, so a line was edited, removed or inserted",
            ));
        }
        let key = match &line.entry {
            Entry::Intent(intent) => Some(&intent.key),
            Entry::Result(result) => Some(&result.key),
            _ => None,
        };
        if first.is_none() && !matches!(line.entry, Entry::Run(_)) {
            return Err(tampered(
                *number,
                "a line before the run header",
                "the first line of a journal is its run header",
            ));
        }
        if let Some(key) = key.filter(|key| !keys.contains(key.as_str())) {
            return Err(tampered(
                *number,
                &format!("action `{}`", crate::azure::arm::names::shown(key)),
                "it is not an action of the journal's plan",
            ));
        }
        match line.entry {
            Entry::Run(header) => match &first {
                None => {
                    check_header(&header)
                        .map_err(|(what, reason)| tampered(*number, &what, &reason))?;
                    keys = header.plan.actions.iter().map(|a| a.key.clone()).collect();
                    first = Some((line.run, *header, *number));
                }
                Some((_, original, _)) => {
                    if !same_plan(&original.plan, &header.plan) {
                        return Err(tampered(
                            *number,
                            "the run header of a resumed run",
                            "its plan is not the first run's",
                        ));
                    }
                }
            },
            Entry::Intent(intent) => {
                in_flight.insert((line.run, intent.key));
            }
            Entry::Result(result) => {
                in_flight.remove(&(line.run, result.key.clone()));
                writes += usize::from(result.wrote);
                if matches!(result.status, Status::Done | Status::AlreadyDone) {
                    done.insert(result.key);
                } else {
                    done.remove(&result.key);
                }
            }
            _ => {}
        }
    }
    let (first_run, header, _) = first.ok_or(JournalError::NoRun(display.clone()))?;
    Ok(Replay {
        first_run,
        header,
        done,
        // Counted as sent, so that --max-changes holds across a crash.
        writes: writes + in_flight.len(),
        last: before.unwrap_or_default(),
    })
}

/// Whether two plans are the same, as apimguard writes them.
fn same_plan(a: &Plan, b: &Plan) -> bool {
    serde_json::to_string(a).ok() == serde_json::to_string(b).ok()
}

/// Checks what a resumed run takes from a run header: its plan and settings are the
/// ones its digest names, every action matches its target ([`target::check`]), and the
/// sub-plan is one the plan's PUT can carry.
fn check_header(header: &RunHeader) -> Result<(), (String, String)> {
    let recorded = header.plan_digest.as_deref().unwrap_or_default();
    if recorded != digest::of_plan(&header.plan, &header.settings) {
        return Err((
            "the run header".to_string(),
            match recorded {
                "" => "it records no plan digest (an older apimguard wrote it, or it was edited); plan again from a snapshot".to_string(),
                _ => "its plan or settings are not the ones its `planDigest` names, so they were edited".to_string(),
            },
        ));
    }
    for (index, action) in header.plan.actions.iter().enumerate() {
        target::check(action).map_err(|reason| {
            (
                format!("action {} of the plan ({})", index + 1, action.action),
                reason.to_string(),
            )
        })?;
    }
    let sub_plan = &header.settings.sub_plan;
    if !SUB_PLANS.contains(&sub_plan.as_str()) {
        return Err((
            "the settings' subPlan".to_string(),
            format!(
                "`{}` is not one of P1 … P5",
                crate::azure::arm::names::shown(sub_plan)
            ),
        ));
    }
    Ok(())
}

fn io(path: &Path, source: std::io::Error) -> JournalError {
    JournalError::Io {
        path: path.display().to_string(),
        source,
    }
}
