//! What a run tells the person at the terminal: progress bars, verbose notes and the
//! closing summary line, all on standard error.
//!
//! Bars are drawn only when standard error is a terminal and `--quiet` is off; notes
//! printed while bars are shown go above them. Nothing printed here ever contains a
//! token: callers pass URLs (paths and api-versions) and ARM messages only.

use std::fmt;
use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Progress and messages of one run.
pub struct Reporter {
    verbosity: u8,
    quiet: bool,
    bars: Option<Bars>,
}

struct Bars {
    multi: MultiProgress,
    services: ProgressBar,
    apis: ProgressBar,
}

impl Reporter {
    /// A reporter for the terminal: `verbosity` is the number of `-v`, `quiet` silences
    /// everything but errors.
    pub fn new(verbosity: u8, quiet: bool) -> Self {
        let bars = (!quiet && std::io::stderr().is_terminal()).then(Bars::new);
        Self {
            verbosity,
            quiet,
            bars,
        }
    }

    /// A reporter that prints nothing (library use, benchmarks).
    pub fn silent() -> Self {
        Self::without_bars(0, true)
    }

    /// A reporter of notes and warnings only, never bars (for runs that print their
    /// own progress lines, like `remediate`).
    pub fn without_bars(verbosity: u8, quiet: bool) -> Self {
        Self {
            verbosity,
            quiet,
            bars: None,
        }
    }

    /// Prints `message` when at least `level` `-v` were given.
    pub fn note(&self, level: u8, message: impl fmt::Display) {
        if !self.quiet && self.verbosity >= level {
            self.print(&message.to_string());
        }
    }

    /// Prints a warning unless `--quiet`.
    pub fn warn(&self, message: impl fmt::Display) {
        if !self.quiet {
            self.print(&format!("warning: {message}"));
        }
    }

    /// More services are known.
    pub fn services_found(&self, count: usize) {
        if let Some(bars) = &self.bars {
            bars.services.inc_length(count as u64);
        }
    }

    /// One service is done.
    pub fn service_done(&self) {
        if let Some(bars) = &self.bars {
            bars.services.inc(1);
        }
    }

    /// More APIs are known.
    pub fn apis_found(&self, count: usize) {
        if let Some(bars) = &self.bars {
            bars.apis.inc_length(count as u64);
        }
    }

    /// One API is done.
    pub fn api_done(&self) {
        if let Some(bars) = &self.bars {
            bars.apis.inc(1);
        }
    }

    /// Removes the bars and prints the summary line (unless `--quiet`).
    pub fn finish(&self, summary: &Summary) {
        if let Some(bars) = &self.bars {
            bars.services.finish_and_clear();
            bars.apis.finish_and_clear();
            let _ = bars.multi.clear();
        }
        if !self.quiet {
            crate::console::line(summary);
        }
    }

    fn print(&self, line: &str) {
        match &self.bars {
            Some(bars) => {
                let _ = bars.multi.println(line);
            }
            None => crate::console::line(line),
        }
    }
}

impl Bars {
    fn new() -> Self {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{prefix:>9} [{bar:32}] {pos}/{len} {elapsed}")
            .expect("valid template")
            .progress_chars("=> ");
        let bar = |prefix: &'static str| {
            let bar = multi.add(ProgressBar::new(0));
            bar.set_style(style.clone());
            bar.set_prefix(prefix);
            bar
        };
        let services = bar("services");
        let apis = bar("APIs");
        Self {
            multi,
            services,
            apis,
        }
    }
}

/// The numbers of the closing summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Subscriptions read.
    pub subscriptions: usize,
    /// APIM services read.
    pub services: usize,
    /// APIs read.
    pub apis: usize,
    /// HTTP requests sent to ARM (each retry counts).
    pub requests: u64,
    /// Retries (throttling, server errors, timeouts).
    pub retries: u64,
    /// Scopes that could not be read.
    pub gaps: usize,
    /// Wall time.
    pub elapsed: Duration,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural =
            |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let count = |n: usize| n as u64;
        write!(
            f,
            "collected {}, {}, {} with {} ({}) in {:.1} s; {}",
            plural(count(self.subscriptions), "subscription", "subscriptions"),
            plural(count(self.services), "service", "services"),
            plural(count(self.apis), "API", "APIs"),
            plural(self.requests, "request", "requests"),
            plural(self.retries, "retry", "retries"),
            self.elapsed.as_secs_f64(),
            match self.gaps {
                0 => "complete".to_string(),
                n => format!("{} (incomplete)", plural(count(n), "gap", "gaps")),
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_line() {
        let summary = Summary {
            subscriptions: 1,
            services: 3,
            apis: 12,
            requests: 153,
            retries: 4,
            gaps: 1,
            elapsed: Duration::from_millis(2340),
        };
        assert_eq!(
            summary.to_string(),
            "collected 1 subscription, 3 services, 12 APIs with 153 requests (4 retries) in 2.3 s; 1 gap (incomplete)"
        );
    }
}
