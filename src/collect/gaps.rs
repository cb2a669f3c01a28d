//! The record of what could not be read (fail closed: every failure becomes a gap).

use std::fmt;
use std::sync::Mutex;

use crate::snapshot::Gap;

/// Gaps found so far; shared by the concurrent readers of a run.
#[derive(Debug, Default)]
pub(crate) struct Gaps(Mutex<Vec<Gap>>);

impl Gaps {
    /// Records that `what` could not be read at `scope` (an ARM id) and why.
    pub fn add(&self, scope: &str, what: &str, error: impl fmt::Display) {
        self.lock().push(Gap {
            scope: scope.to_string(),
            what: what.to_string(),
            error: error.to_string(),
        });
    }

    /// Whether `what` at `scope` could not be read.
    pub fn has(&self, scope: &str, what: &str) -> bool {
        self.lock()
            .iter()
            .any(|g| g.what == what && g.scope.eq_ignore_ascii_case(scope))
    }

    /// The gaps in a stable order (by scope, then what).
    pub fn into_sorted(self) -> Vec<Gap> {
        let mut gaps = self
            .0
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        gaps.sort_by(|a, b| (&a.scope, &a.what).cmp(&(&b.scope, &b.what)));
        gaps
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Gap>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
