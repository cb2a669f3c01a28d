//! What apimguard tells the person running it on standard error: warnings, notes,
//! timings, prompts. A standard error that is closed or failing (a CI step that piped it
//! into `head`, a closed descriptor) costs the message, never the run: `eprintln!`
//! would panic there (exit 101) and turn any verdict into a crash. Results on standard
//! output go through `commands::output`, where a failure is an error (exit 2) and a
//! reader that went away is not.
//!
//! The library denies `eprintln!` and `println!` (clippy's `print_stderr` and
//! `print_stdout`, in lib.rs), so every line takes one of these ways.

use std::fmt::Display;
use std::io::Write;

/// Writes `message` and a newline to standard error; a failure to write is ignored.
pub(crate) fn line(message: impl Display) {
    let _ = writeln!(std::io::stderr().lock(), "{message}");
}

/// Writes `warning: {message}` and a newline to standard error, as [`line`] does.
pub(crate) fn warning(message: impl Display) {
    line(format_args!("warning: {message}"));
}

/// Writes `text` to standard error without a newline (a prompt), as [`line`] does.
pub(crate) fn prompt(text: impl Display) {
    let mut stderr = std::io::stderr().lock();
    let _ = write!(stderr, "{text}").and_then(|()| stderr.flush());
}
