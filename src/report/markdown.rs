//! Markdown, for pull-request comments and GitHub job summaries
//! (`$GITHUB_STEP_SUMMARY`): a verdict, a table by severity, the failing rules
//! with their resources (past 20, the rest folded in `<details>`), and the
//! waivers that expire within 14 days. Output stays under GitHub's 1 MiB
//! summary limit: past that, the listing stops and says so.

use std::fmt::Write;

use super::drift::{Drift, DriftEntry};
use super::human::short_resource;
use super::{ControlStatus, Report, RuleResult, RuleStatus};
use crate::engine::Severity;

/// Resources listed per rule before the rest is folded away.
const SHOWN: usize = 20;
/// Waivers expiring within this many days are called out.
const EXPIRY_WARNING_DAYS: i64 = 14;
/// Stop listing findings past this size (GitHub's job summary limit is 1 MiB).
const BUDGET: usize = 900 * 1024;

/// Renders the report as GitHub-flavoured Markdown.
pub fn render_markdown(report: &Report) -> String {
    let mut out = String::new();
    let s = &report.summary;
    let verdict = match report.exit_code() {
        0 => "✅ PASS",
        1 => "❌ FAIL",
        _ => "⚠️ ERROR",
    };
    let _ = writeln!(out, "## apimguard: {verdict}\n");
    let snap = &report.snapshot;
    let _ = write!(
        out,
        "Snapshot `{}` collected {} · {} subscription(s), {} service(s), {} API(s) · gate: fail on **{}** and above",
        code(&snap.path),
        text(&snap.collected_at),
        snap.subscriptions,
        snap.services,
        snap.apis,
        report.fail_on
    );
    if let Some(config) = &report.config {
        let _ = write!(out, " · config `{}`", code(config));
    }
    out.push_str("\n\n");
    if !snap.complete {
        let _ = writeln!(
            out,
            "> [!WARNING]\n> The snapshot is incomplete ({} gap(s)): results cover only what was read.\n",
            snap.gaps
        );
    }
    let _ = writeln!(
        out,
        "**{}** rules: {} passed, {} failed, {} error(s) · **{}** finding(s), {} waived, **{}** at or above the gate\n",
        s.rules, s.passed, s.failed, s.errors, s.findings, s.waived, s.gating
    );
    severity_table(&mut out, report);
    if !report.disabled_rules.is_empty() {
        let _ = writeln!(
            out,
            "Disabled by configuration: {}\n",
            report
                .disabled_rules
                .iter()
                .map(|id| format!("`{}`", code(id)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }

    let errors: Vec<&RuleResult> = report
        .results
        .iter()
        .filter(|r| r.status == RuleStatus::Error)
        .collect();
    if !errors.is_empty() {
        out.push_str("### ⚠️ Rules that could not be evaluated\n\n");
        for r in errors {
            let _ = writeln!(
                out,
                "- **{}** {}: {}",
                r.rule_id,
                text(&r.title),
                text(r.error.as_deref().unwrap_or_default())
            );
        }
        out.push('\n');
    }

    let not_applicable: Vec<&RuleResult> = report
        .results
        .iter()
        .filter(|r| r.status == RuleStatus::NotApplicable)
        .collect();
    if !not_applicable.is_empty() {
        let _ = writeln!(
            out,
            "Not applicable to this snapshot (it lacks data they need): {}\n",
            not_applicable
                .iter()
                .map(|r| format!("`{}`", code(&r.rule_id)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }

    framework_sections(&mut out, report);

    let with_findings: Vec<&RuleResult> = report
        .results
        .iter()
        .filter(|r| !r.findings.is_empty())
        .collect();
    if !with_findings.is_empty() {
        out.push_str("### Failing rules\n\n");
    }
    let mut truncated = false;
    for r in with_findings {
        if out.len() > BUDGET {
            truncated = true;
            break;
        }
        rule_section(&mut out, r);
    }
    if truncated {
        out.push_str(
            "> [!NOTE]\n> The list stops here to fit a GitHub job summary (1 MiB); the JSON, SARIF and HTML reports list every finding.\n\n",
        );
    }
    waiver_sections(&mut out, report);
    let _ = writeln!(
        out,
        "<sub>{} · {}</sub>",
        text(&report.tool),
        text(&report.generated_at)
    );
    out
}

/// One table per framework view: each control, its verdict, its rules, what fails.
fn framework_sections(out: &mut String, report: &Report) {
    for view in &report.frameworks {
        let s = &view.summary;
        let _ = writeln!(
            out,
            "### {} {} (`{}`)\n\n✅ {} pass · ❌ {} fail · ⚠️ {} error · ➖ {} not applicable · ❔ {} not assessed\n",
            text(&view.title),
            text(&view.version),
            code(&view.framework),
            s.pass,
            s.fail,
            s.error,
            s.not_applicable,
            s.not_assessed
        );
        if let Some(note) = &view.note {
            let _ = writeln!(out, "> {}\n", text(note));
        }
        if view.controls.is_empty() {
            continue;
        }
        out.push_str("| Control | Status | Summary | Rules | Failing resources | Waived |\n");
        out.push_str("|---|---|---|---|---|---|\n");
        for c in &view.controls {
            let mark = match c.status {
                ControlStatus::Pass => "✅",
                ControlStatus::Fail => "❌",
                ControlStatus::Error => "⚠️",
                ControlStatus::NotApplicable => "➖",
                ControlStatus::NotAssessed => "❔",
            };
            let failing: Vec<String> = c
                .failing
                .iter()
                .take(SHOWN)
                .map(|r| format!("`{}`", code(short_resource(r))))
                .collect();
            let more = c.failing.len().saturating_sub(SHOWN);
            let _ = writeln!(
                out,
                "| {} | {mark} {} | {} | {} | {}{} | {} |",
                code(&c.id),
                c.status.label(),
                if c.catalogued {
                    text(&c.title)
                } else {
                    "_(not in apimguard's catalogue)_".into()
                },
                c.rules
                    .iter()
                    .map(|r| code(&r.rule_id))
                    .collect::<Vec<_>>()
                    .join(", "),
                failing.join(", "),
                if more > 0 {
                    format!(" … and {more} more")
                } else {
                    String::new()
                },
                c.waived.len()
            );
        }
        out.push('\n');
    }
}

fn severity_table(out: &mut String, report: &Report) {
    out.push_str("| Severity | Rules | Passed | Failed | Errors | Findings | Waived |\n");
    out.push_str("|---|--:|--:|--:|--:|--:|--:|\n");
    for severity in Severity::DESCENDING {
        let rules: Vec<&RuleResult> = report
            .results
            .iter()
            .filter(|r| r.severity == severity)
            .collect();
        if rules.is_empty() {
            continue;
        }
        let count = |status: RuleStatus| rules.iter().filter(|r| r.status == status).count();
        let findings: usize = rules.iter().map(|r| r.findings.len()).sum();
        let waived: usize = rules
            .iter()
            .map(|r| r.findings.iter().filter(|f| f.waived).count())
            .sum();
        let _ = writeln!(
            out,
            "| {} {} | {} | {} | {} | {} | {} | {} |",
            dot(severity),
            severity,
            rules.len(),
            count(RuleStatus::Pass),
            count(RuleStatus::Fail),
            count(RuleStatus::Error),
            findings,
            waived
        );
    }
    out.push('\n');
}

fn rule_section(out: &mut String, r: &RuleResult) {
    let mut groups = r.by_resource();
    // Failing resources first, waived ones after.
    groups.sort_by_key(|g| g.waived());
    let failing = groups.iter().filter(|g| !g.waived()).count();
    let mark = if r.status == RuleStatus::Fail {
        "❌"
    } else {
        "☑️"
    };
    let _ = writeln!(
        out,
        "#### {mark} {} · {}{} · {}\n",
        r.rule_id,
        r.severity,
        r.severity_note(),
        text(&r.title)
    );
    let mut tally = format!("{failing} of {} checked resource(s) fail", r.checked);
    if failing < groups.len() {
        let _ = write!(tally, ", {} waived", groups.len() - failing);
    }
    let _ = writeln!(out, "{tally}.");
    match r.recommendation.as_deref() {
        Some(how) => {
            let _ = writeln!(out, "_How to fix:_ {}", text(how));
        }
        None if !r.description.is_empty() => {
            let _ = writeln!(out, "{}", text(&r.description));
        }
        None => {}
    }
    out.push('\n');
    let lines: Vec<String> = groups
        .iter()
        .map(|g| {
            let messages: Vec<String> = g.findings.iter().map(|f| text(&f.message)).collect();
            let mut line = format!(
                "- `{}` — {}",
                code(short_resource(g.resource)),
                messages.join("; ")
            );
            if let Some(w) = g.findings.iter().find_map(|f| f.waiver.as_ref()) {
                if w.expired {
                    let _ = write!(
                        line,
                        " · **waiver expired {}** ({})",
                        w.expires,
                        text(&w.owner)
                    );
                } else if g.waived() {
                    let _ = write!(
                        line,
                        " · _waived until {} by {}: {}_",
                        w.expires,
                        text(&w.owner),
                        text(&w.reason)
                    );
                }
            }
            let mut notes: Vec<String> = g
                .findings
                .iter()
                .flat_map(|f| f.exemption_notes())
                .collect();
            notes.dedup();
            for note in notes {
                let _ = write!(line, " · **{}**", text(&note));
            }
            line
        })
        .collect();
    for line in lines.iter().take(SHOWN) {
        let _ = writeln!(out, "{line}");
    }
    if lines.len() > SHOWN {
        let _ = writeln!(
            out,
            "\n<details><summary>{} more</summary>\n",
            lines.len() - SHOWN
        );
        for line in &lines[SHOWN..] {
            if out.len() > BUDGET {
                let _ = writeln!(out, "- … (list cut to fit the summary limit)");
                break;
            }
            let _ = writeln!(out, "{line}");
        }
        out.push_str("\n</details>\n");
    }
    out.push('\n');
}

fn waiver_sections(out: &mut String, report: &Report) {
    let soon: Vec<_> = report
        .waivers
        .iter()
        .filter(|w| !w.expired && w.days_left <= EXPIRY_WARNING_DAYS)
        .collect();
    let expired: Vec<_> = report.waivers.iter().filter(|w| w.expired).collect();
    for (title, list) in [
        (
            format!("### ⏳ Waivers expiring within {EXPIRY_WARNING_DAYS} days"),
            soon,
        ),
        (
            "### ⌛ Expired waivers (their findings count again)".to_string(),
            expired,
        ),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{title}\n");
        out.push_str("| Rule | Resource | Owner | Expires | Reason | Findings |\n|---|---|---|---|---|--:|\n");
        for w in list {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {} | {} |",
                w.rule,
                code(short_resource(&w.resource)),
                text(&w.owner),
                w.expires,
                text(&w.reason),
                w.matched
            );
        }
        out.push('\n');
    }
}

/// Renders a comparison of two runs as Markdown.
pub fn render_drift_markdown(drift: &Drift) -> String {
    let mut out = String::new();
    let s = &drift.summary;
    let verdict = match drift.exit_code() {
        0 => "✅",
        1 => "❌",
        _ => "⚠️",
    };
    let _ = writeln!(
        out,
        "## apimguard drift: {verdict} {} new, {} resolved, {} still failing\n",
        s.new, s.resolved, s.still_failing
    );
    let _ = writeln!(
        out,
        "`{}` (collected {}) → `{}` (collected {}) · gate: new findings at **{}** and above\n",
        code(&drift.old.path),
        text(&drift.old.collected_at),
        code(&drift.new.path),
        text(&drift.new.collected_at),
        drift.fail_on
    );
    out.push_str("| | Findings |\n|---|--:|\n");
    let _ = writeln!(out, "| 🆕 New | {} |", s.new);
    let _ = writeln!(out, "| ✅ Resolved | {} |", s.resolved);
    let _ = writeln!(out, "| ⏸️ Still failing | {} |", s.still_failing);
    if s.not_evaluated > 0 {
        let _ = writeln!(
            out,
            "| ❔ Rule not evaluated in the new run | {} |",
            s.not_evaluated
        );
    }
    out.push('\n');
    if !drift.errors.is_empty() {
        let _ = writeln!(
            out,
            "> [!WARNING]\n> Rules that could not be evaluated in the new run: {}\n",
            drift.errors.join(", ")
        );
    }
    drift_table(&mut out, "### 🆕 New findings", &drift.new_findings, false);
    drift_table(&mut out, "### ✅ Resolved", &drift.resolved, false);
    drift_table(&mut out, "### ⏸️ Still failing", &drift.still_failing, true);
    drift_table(
        &mut out,
        "### ❔ Not evaluated in the new run",
        &drift.not_evaluated,
        true,
    );
    out
}

fn drift_table(out: &mut String, title: &str, entries: &[DriftEntry], folded: bool) {
    if entries.is_empty() {
        return;
    }
    let _ = writeln!(out, "{title}\n");
    if folded {
        let _ = writeln!(
            out,
            "<details><summary>{} finding(s)</summary>\n",
            entries.len()
        );
    }
    out.push_str("| Severity | Rule | Resource | Finding |\n|---|---|---|---|\n");
    for (i, e) in entries.iter().enumerate() {
        if out.len() > BUDGET {
            let _ = writeln!(
                out,
                "| | | … {} more (cut to fit the summary limit) | |",
                entries.len() - i
            );
            break;
        }
        let waived = if e.waived { " _(waived)_" } else { "" };
        let _ = writeln!(
            out,
            "| {} {} | {} | `{}` | {}{} |",
            dot(e.severity),
            e.severity,
            e.rule_id,
            code(short_resource(&e.resource)),
            text(&e.message),
            waived
        );
    }
    if folded {
        out.push_str("\n</details>\n");
    }
    out.push('\n');
}

fn dot(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "🟥",
        Severity::High => "🟧",
        Severity::Medium => "🟨",
        Severity::Low => "🟦",
        Severity::Info => "⬜",
    }
}

/// Text that reads literally inside Markdown, tables included.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            '\\' | '*' | '_' | '`' | '[' | ']' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

/// Text for inside a code span in a table: no backticks, pipes escaped, one line.
fn code(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '`' => out.push('\''),
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_tables_and_html() {
        assert_eq!(text("a|b <script> *x*"), "a\\|b &lt;script&gt; \\*x\\*");
        assert_eq!(code("a`b|c"), "a'b\\|c");
        // Control characters (an escape sequence in an API's name) are shown, not sent.
        assert_eq!(code("a\u{1b}[31m\tb"), "a\\u{1b}[31m\\tb");
        assert_eq!(text("a\u{7}b"), "a\\u{7}b");
    }
}
