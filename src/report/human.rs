//! The human report: grouped by severity, failing resources under each rule,
//! a closing summary line. Colour only when asked (the CLI decides: a terminal
//! and no `NO_COLOR`).

use std::borrow::Cow;
use std::fmt::Write;

use owo_colors::{OwoColorize, Style};

use super::drift::{Drift, DriftEntry};
use super::{ControlStatus, Report, RuleStatus};
use crate::engine::{FailOn, Severity};
use crate::snapshot::SourceKind;

/// How many failing resources the human report lists per rule before summarising.
const MAX_LISTED: usize = 25;

/// A function that styles text when `color` is on and leaves it plain otherwise; the
/// text is [`shown`] first.
fn painter(color: bool) -> impl Fn(&str, Style) -> String {
    move |text, style| {
        let text = shown(text);
        if color {
            text.style(style).to_string()
        } else {
            text.into_owned()
        }
    }
}

/// Text from the estate or a rule as it may reach a terminal: control characters (an
/// escape sequence in an API's name could recolour, hide or rewrite lines of a CI log)
/// are written as escapes (`\u{1b}`, `\r`, `\n`).
pub(crate) fn shown(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Renders the report for a person reading a terminal or a log.
pub fn render_human(report: &Report, color: bool) -> String {
    let paint = painter(color);
    let mut out = String::new();
    let snap = &report.snapshot;
    let _ = writeln!(
        out,
        "{} {} · collected {} · {} subscription(s), {} service(s), {} API(s)",
        paint("apimguard check", Style::new().bold()),
        snap.path,
        snap.collected_at,
        snap.subscriptions,
        snap.services,
        snap.apis
    );
    if !snap.complete {
        let _ = writeln!(
            out,
            "{}",
            paint(
                &format!("warning: the snapshot is incomplete ({} gap(s)); results cover only what was read", snap.gaps),
                Style::new().yellow()
            )
        );
    }
    for severity in Severity::DESCENDING {
        let rules: Vec<_> = report
            .results
            .iter()
            .filter(|r| r.severity == severity)
            .collect();
        if rules.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "\n{}",
            paint(
                &severity.as_str().to_uppercase(),
                severity_style(severity).bold()
            )
        );
        for r in rules {
            // Resources, not findings: a rule may find several things wrong with one
            // resource, and "N of M failed" counts against the M resources checked.
            let failing: std::collections::BTreeSet<&str> = r
                .findings
                .iter()
                .filter(|f| !f.waived)
                .map(|f| f.resource.as_str())
                .collect();
            let all: std::collections::BTreeSet<&str> =
                r.findings.iter().map(|f| f.resource.as_str()).collect();
            let failed = failing.len();
            let waived = all.len() - failed;
            let (mark, style) = match r.status {
                RuleStatus::Pass => ("✓", Style::new().green()),
                RuleStatus::Fail => ("✗", Style::new().red()),
                RuleStatus::Error => ("!", Style::new().magenta()),
                RuleStatus::NotApplicable => ("–", Style::new().dimmed()),
            };
            let tally = match r.status {
                RuleStatus::Error => "error".to_string(),
                RuleStatus::NotApplicable => format!(
                    "not applicable: {}",
                    r.not_applicable.as_deref().unwrap_or_default()
                ),
                _ if waived > 0 => format!("{failed} of {} failed, {waived} waived", r.checked),
                _ => format!("{failed} of {} failed", r.checked),
            };
            let _ = writeln!(
                out,
                "  {} {:<14} {}  {}",
                paint(mark, style),
                paint(&r.rule_id, Style::new().bold()),
                shown(&r.title),
                paint(
                    &format!("({tally}){}", r.severity_note()),
                    Style::new().dimmed()
                )
            );
            if let Some(error) = &r.error {
                let _ = writeln!(out, "      {}", paint(error, Style::new().magenta()));
            }
            for f in r.findings.iter().take(MAX_LISTED) {
                let note = match &f.waiver {
                    Some(w) if w.expired => paint(
                        &format!(" [waiver expired {}]", w.expires),
                        Style::new().yellow(),
                    ),
                    Some(w) if f.waived => paint(
                        &format!(" [waived until {} by {}]", w.expires, w.owner),
                        Style::new().dimmed(),
                    ),
                    _ => String::new(),
                };
                let _ = writeln!(out, "      {}{}", shown(short_resource(&f.resource)), note);
                if let Some(at) = f
                    .location
                    .as_ref()
                    .filter(|_| snap.source == SourceKind::Iac)
                {
                    let _ = writeln!(out, "        at {}:{}", shown(&at.file), at.line);
                }
                let _ = writeln!(out, "        {}", paint(&f.message, Style::new().dimmed()));
                for note in f.exemption_notes() {
                    let _ = writeln!(
                        out,
                        "        {}",
                        paint(&shown(&note), Style::new().yellow())
                    );
                }
            }
            if r.findings.len() > MAX_LISTED {
                let _ = writeln!(
                    out,
                    "      … and {} more (every finding is in `--format json`)",
                    r.findings.len() - MAX_LISTED
                );
            }
        }
    }
    if report.summary.not_applicable > 0 {
        let _ = writeln!(
            out,
            "\n{}",
            paint(
                &format!(
                    "{} rule(s) not applicable: this snapshot ({}) lacks data they need; they neither pass nor fail",
                    report.summary.not_applicable,
                    snap.source
                ),
                Style::new().dimmed()
            )
        );
    }
    if !report.disabled_rules.is_empty() {
        let _ = writeln!(
            out,
            "\ndisabled by {}: {}",
            report.config.as_deref().unwrap_or("the configuration"),
            report.disabled_rules.join(", ")
        );
    }
    for w in report.waivers.iter().filter(|w| w.expired) {
        let _ = writeln!(
            out,
            "{}",
            paint(
                &format!(
                    "warning: the waiver of {} for {} (owner {}) expired on {}; its findings count again",
                    w.rule, w.resource, w.owner, w.expires
                ),
                Style::new().yellow()
            )
        );
    }
    write_frameworks(&mut out, report, &paint);
    let s = &report.summary;
    let verdict = verdict(report.exit_code(), &paint);
    let _ = writeln!(
        out,
        "\n{verdict}: {} rules: {} passed, {} failed, {} error(s) · {} finding(s), {} waived · {}",
        s.rules,
        s.passed,
        s.failed,
        s.errors,
        s.findings,
        s.waived,
        gate(report.fail_on)
    );
    out
}

/// The framework views: one line per control, the failing resources under it.
fn write_frameworks(out: &mut String, report: &Report, paint: &dyn Fn(&str, Style) -> String) {
    for view in &report.frameworks {
        let s = &view.summary;
        let _ = writeln!(
            out,
            "\n{} · {} pass, {} fail, {} error, {} not applicable, {} not assessed",
            paint(
                &format!("{} {} ({})", view.title, view.version, view.framework),
                Style::new().bold()
            ),
            s.pass,
            s.fail,
            s.error,
            s.not_applicable,
            s.not_assessed
        );
        if let Some(note) = &view.note {
            let _ = writeln!(out, "  {}", paint(note, Style::new().dimmed()));
        }
        for c in &view.controls {
            let style = match c.status {
                ControlStatus::Pass => Style::new().green(),
                ControlStatus::Fail => Style::new().red(),
                ControlStatus::Error => Style::new().magenta(),
                _ => Style::new().dimmed(),
            };
            let rules: Vec<&str> = c.rules.iter().map(|r| r.rule_id.as_str()).collect();
            let _ = writeln!(
                out,
                "  {:<16} {:<14} {}{}",
                paint(&c.id, Style::new().bold()),
                paint(c.status.label(), style),
                shown(if c.catalogued {
                    &c.title
                } else {
                    "(not in apimguard's catalogue)"
                }),
                paint(
                    &if rules.is_empty() {
                        String::new()
                    } else {
                        format!("  [{}]", rules.join(", "))
                    },
                    Style::new().dimmed()
                )
            );
            for resource in c.failing.iter().take(MAX_LISTED) {
                let _ = writeln!(out, "      {}", shown(short_resource(resource)));
            }
            if c.failing.len() > MAX_LISTED {
                let _ = writeln!(out, "      … and {} more", c.failing.len() - MAX_LISTED);
            }
            for w in &c.waived {
                let _ = writeln!(
                    out,
                    "      {}",
                    paint(
                        &format!(
                            "{} waived for {} until {} by {}",
                            w.rule_id,
                            short_resource(&w.resource),
                            w.expires,
                            w.owner
                        ),
                        Style::new().dimmed()
                    )
                );
            }
        }
    }
}

/// `PASS`, `FAIL` or `ERROR` for an exit code, coloured by `paint`.
fn verdict(code: u8, paint: &dyn Fn(&str, Style) -> String) -> String {
    match code {
        0 => paint("PASS", Style::new().green().bold()),
        1 => paint("FAIL", Style::new().red().bold()),
        _ => paint("ERROR", Style::new().magenta().bold()),
    }
}

fn gate(fail_on: FailOn) -> String {
    match fail_on {
        FailOn::Never => "gate: off (--fail-on never)".to_string(),
        FailOn::AtLeast(severity) => format!("gate: fail on {severity} and above"),
    }
}

/// Renders a comparison of two runs for a terminal or a log.
pub fn render_drift_human(drift: &Drift, color: bool) -> String {
    let paint = painter(color);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} ({}) → {} ({})",
        paint("apimguard diff", Style::new().bold()),
        drift.old.path,
        drift.old.collected_at,
        drift.new.path,
        drift.new.collected_at
    );
    let sections: [(&str, &[DriftEntry], Style); 4] = [
        ("NEW", &drift.new_findings, Style::new().red().bold()),
        ("RESOLVED", &drift.resolved, Style::new().green().bold()),
        (
            "STILL FAILING",
            &drift.still_failing,
            Style::new().yellow().bold(),
        ),
        (
            "NOT EVALUATED IN THE NEW RUN",
            &drift.not_evaluated,
            Style::new().dimmed().bold(),
        ),
    ];
    for (title, entries, style) in sections {
        if entries.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{} ({})", paint(title, style), entries.len());
        for e in entries.iter().take(MAX_LISTED) {
            let waived = if e.waived { " [waived]" } else { "" };
            let _ = writeln!(
                out,
                "  {:<8} {:<14} {}{}",
                e.severity.as_str(),
                e.rule_id,
                shown(short_resource(&e.resource)),
                paint(waived, Style::new().dimmed())
            );
            let _ = writeln!(out, "      {}", paint(&e.message, Style::new().dimmed()));
        }
        if entries.len() > MAX_LISTED {
            let _ = writeln!(
                out,
                "  … and {} more (every entry is in `--format json`)",
                entries.len() - MAX_LISTED
            );
        }
    }
    if !drift.errors.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            paint(
                &format!(
                    "rules that could not be evaluated in the new run: {}",
                    drift.errors.join(", ")
                ),
                Style::new().magenta()
            )
        );
    }
    let s = &drift.summary;
    let verdict = verdict(drift.exit_code(), &paint);
    let _ = writeln!(
        out,
        "\n{verdict}: {} new, {} resolved, {} still failing, {} not evaluated · {} new finding(s) at or above {}",
        s.new, s.resolved, s.still_failing, s.not_evaluated, s.gating, drift.fail_on
    );
    out
}

fn severity_style(severity: Severity) -> Style {
    match severity {
        Severity::Critical => Style::new().bright_red(),
        Severity::High => Style::new().red(),
        Severity::Medium => Style::new().yellow(),
        Severity::Low => Style::new().cyan(),
        Severity::Info => Style::new().blue(),
    }
}

/// `contoso/apis/echo-api` for an APIM id; other ids unchanged.
pub fn short_resource(id: &str) -> &str {
    const MARKER: &str = "/providers/Microsoft.ApiManagement/service/";
    match id.find(MARKER) {
        Some(i) => &id[i + MARKER.len()..],
        None => id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_from_the_estate_never_reach_the_terminal() {
        let name = "evil\u{1b}[2K\r\u{7}api";
        assert_eq!(shown(name), "evil\\u{1b}[2K\\r\\u{7}api");
        assert!(matches!(shown("Echo API ✓"), Cow::Borrowed(_)));
        let painted = painter(true)(name, Style::new().dimmed());
        assert!(!painted.contains('\r') && !painted.contains('\u{7}'));
        assert!(painted.contains("\\u{1b}[2K"), "{painted:?}");
    }
}
