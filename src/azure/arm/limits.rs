//! Bounds on what a run reads from ARM: the size of one answer, the pages of one list,
//! and (for `collect`) the time the whole run may take. A bound that is hit is an
//! error of the request (a gap in `collect`), never a silently shortened answer.

use std::fmt;
use std::time::{Duration, Instant};

/// Default of `--max-response-size`: 64 MiB. An ARM page is tens of kilobytes, but a
/// policy document or an OpenAPI export can be several megabytes.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

/// Default of `--max-pages`: 100,000 pages of one list. A million APIs in one list are
/// 10,000 pages at APIM's 100 items per page.
pub const DEFAULT_MAX_PAGES: usize = 100_000;

/// The bounds of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest answer body read, in bytes (decompressed); a larger one is refused.
    pub max_response_bytes: u64,
    /// Most pages of one list; a longer list is taken as a paging loop.
    pub max_pages: usize,
    /// When the run stops reading (`None`: no deadline).
    pub deadline: Option<Deadline>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_pages: DEFAULT_MAX_PAGES,
            deadline: None,
        }
    }
}

/// The moment a run stops reading, and the budget it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    /// When it passes.
    pub at: Instant,
    /// The budget (`--deadline`), for messages.
    pub budget: Duration,
}

impl Deadline {
    /// A deadline `budget` from now (a budget beyond what the clock can hold is a
    /// century: no deadline in practice).
    pub fn after(budget: Duration) -> Deadline {
        const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
        let now = Instant::now();
        Deadline {
            at: now.checked_add(budget).unwrap_or(now + CENTURY),
            budget,
        }
    }

    /// The time left (zero once it passed).
    pub fn remaining(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }

    /// Whether it passed.
    pub fn passed(&self) -> bool {
        self.remaining().is_zero()
    }
}

/// A byte count as people read it: `64 MiB`, `1.5 KiB`, `12 bytes`.
pub struct Bytes(pub u64);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
        if self.0 < 1024 {
            return write!(f, "{} bytes", self.0);
        }
        let mut value = self.0 as f64 / 1024.0;
        let mut unit = 0;
        while value >= 1024.0 && unit + 1 < UNITS.len() {
            value /= 1024.0;
            unit += 1;
        }
        if value.fract() == 0.0 {
            write!(f, "{value:.0} {}", UNITS[unit])
        } else {
            write!(f, "{value:.1} {}", UNITS[unit])
        }
    }
}

/// A duration as people read it: `12 h`, `90 min`, `45 s`.
pub struct Span(pub Duration);

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seconds = self.0.as_secs();
        match seconds {
            s if s >= 3600 && s % 3600 == 0 => write!(f, "{} h", s / 3600),
            s if s >= 60 && s % 60 == 0 => write!(f, "{} min", s / 60),
            s => write!(f, "{s} s"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_spans_read_well() {
        assert_eq!(Bytes(12).to_string(), "12 bytes");
        assert_eq!(Bytes(DEFAULT_MAX_RESPONSE_BYTES).to_string(), "64 MiB");
        assert_eq!(Bytes(1536).to_string(), "1.5 KiB");
        assert_eq!(Bytes(1 << 40).to_string(), "1 TiB");
        assert_eq!(Span(Duration::from_secs(12 * 3600)).to_string(), "12 h");
        assert_eq!(Span(Duration::from_secs(90 * 60)).to_string(), "90 min");
        assert_eq!(Span(Duration::from_secs(45)).to_string(), "45 s");
    }

    #[test]
    fn a_deadline_passes() {
        assert!(Deadline::after(Duration::ZERO).passed());
        assert!(!Deadline::after(Duration::from_secs(3600)).passed());
        assert!(!Deadline::after(Duration::MAX).passed(), "no overflow");
    }
}
