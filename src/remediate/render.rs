//! The human text of plans and outcomes (JSON is the serde form of the same types).
//!
//! Every piece of text that comes from a snapshot, a journal or a rule is written
//! through [`terminal_text`]: an escape sequence in an API's display name must not
//! rewrite the plan a person confirms.

use std::collections::HashSet;
use std::fmt::Write;

use super::executor::{Counts, Outcome, Settings, Status};
use super::plan::{ManualFinding, Plan, PlannedAction, Stage, NO_ACTION};
use crate::remediate::catalogue::Action;
use crate::report::terminal_text;

/// The plan as a person reads it: what changes, why, at what cost, in what order;
/// then the findings left to a person. `done` marks what an earlier run finished.
pub fn plan_text(plan: &Plan, settings: &Settings, done: &HashSet<String>) -> String {
    let mut out = String::new();
    let source = plan.snapshot.as_ref().map_or(String::new(), |s| {
        format!(
            " for {} (collected {})",
            terminal_text(&s.path),
            terminal_text(&s.collected_at)
        )
    });
    let _ = writeln!(
        out,
        "Plan{source}: {}, {} to fix by hand, {} left alone.",
        count(plan.actions.len(), "change", "changes"),
        count(plan.manual.len(), "finding", "findings"),
        count(plan.waived, "waived finding", "waived findings"),
    );
    let mut number = 0;
    let mut step = |out: &mut String, action: &PlannedAction| {
        number += 1;
        action_text(out, number, action, settings, done.contains(&action.key));
    };
    for stage in plan.stages(settings.batch_size as usize) {
        match stage {
            Stage::Subscription(action) => {
                let _ = writeln!(
                    out,
                    "\nSubscription {}",
                    terminal_text(&action.subscription)
                );
                step(&mut out, action);
            }
            Stage::Service { service, batches } => {
                let load = service.capacity_percent.map_or(String::new(), |p| {
                    format!(", gateway load {p:.1}% when collected")
                });
                let onboards = batches
                    .iter()
                    .flatten()
                    .any(|a| a.action == Action::OnboardApi);
                let gate = if onboards {
                    format!(
                        ": batches of {}, each only while its gateway load is at most {}%",
                        settings.batch_size, settings.max_capacity
                    )
                } else {
                    String::new()
                };
                // The SKU and load, when known (offboarding plans know neither).
                let about = format!("{}{load}", service.sku);
                let about = about.trim_start_matches(", ");
                let about = if about.is_empty() {
                    String::new()
                } else {
                    format!(" ({about})")
                };
                let _ = writeln!(
                    out,
                    "\nService {}{}{gate}",
                    terminal_text(&service.name),
                    terminal_text(&about)
                );
                for (index, batch) in batches.iter().enumerate() {
                    if batches.len() > 1 {
                        let _ = writeln!(out, "  batch {}", index + 1);
                    }
                    for action in batch {
                        step(&mut out, action);
                    }
                }
            }
        }
    }
    manual_text(&mut out, &plan.manual);
    out
}

fn action_text(
    out: &mut String,
    number: usize,
    action: &PlannedAction,
    settings: &Settings,
    done: bool,
) {
    let mut label = action.label();
    if action.action == Action::EnablePlan {
        label.push_str(&format!(" (Standard, {})", settings.sub_plan));
    }
    let earlier = if done {
        " — done by an earlier run"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "  {number}. {}  [{}]{earlier}",
        terminal_text(&label),
        action.severity
    );
    let _ = writeln!(
        out,
        "       {} {}",
        action.action.method(),
        terminal_text(&action.target)
    );
    for (index, reason) in action.reasons.iter().enumerate() {
        let lead = if index == 0 { "why: " } else { "     " };
        let _ = writeln!(out, "       {lead} {}", terminal_text(reason));
    }
    let gate = match action.action {
        Action::EnablePlan if !settings.allow_cost => "; not without --allow-cost",
        _ => "",
    };
    let _ = writeln!(out, "       cost: {}{gate}", action.cost);
}

/// Findings of one rule listed in the human plan; JSON lists them all.
const MANUAL_SHOWN: usize = 5;

fn manual_text(out: &mut String, manual: &[ManualFinding]) {
    if manual.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nTo fix by hand (no catalogue action fixes these):");
    let mut rules: Vec<&str> = Vec::new();
    for finding in manual {
        if !rules.contains(&finding.rule.as_str()) {
            rules.push(&finding.rule);
        }
    }
    for rule in rules {
        let findings: Vec<&ManualFinding> = manual.iter().filter(|m| m.rule == rule).collect();
        let first = findings[0];
        let _ = writeln!(
            out,
            "  {} [{}], {}",
            terminal_text(rule),
            first.severity,
            count(findings.len(), "finding", "findings")
        );
        if let Some(advice) = &first.recommendation {
            let _ = writeln!(out, "    fix: {}", terminal_text(&one_line(advice)));
        }
        for finding in findings.iter().take(MANUAL_SHOWN) {
            let why = match finding.why.as_str() {
                NO_ACTION => String::new(),
                why => format!(" ({})", terminal_text(why)),
            };
            let _ = writeln!(
                out,
                "    - {}: {}{why}",
                terminal_text(&finding.resource),
                terminal_text(&finding.message)
            );
        }
        if findings.len() > MANUAL_SHOWN {
            let _ = writeln!(
                out,
                "    … and {} more (--format json lists them all)",
                findings.len() - MANUAL_SHOWN
            );
        }
    }
}

/// One outcome on one line, e.g. `done          onboard API echo-api of contoso (201, Succeeded after 2 polls, 1.4 s)`.
pub fn outcome_line(outcome: &Outcome) -> String {
    let status = match outcome.status {
        Status::Done => "done",
        Status::AlreadyDone => "already done",
        Status::Skipped => "skipped",
        Status::Failed => "failed",
    };
    let mut facts = Vec::new();
    if let Some(gate) = outcome.gate {
        facts.push(gate.as_str().to_string());
    }
    if let Some(http) = outcome.http {
        facts.push(http.to_string());
    }
    if let Some(detail) = &outcome.detail {
        facts.push(terminal_text(detail).into_owned());
    }
    if outcome.duration_ms >= 100 {
        facts.push(format!("{:.1} s", outcome.duration_ms as f64 / 1000.0));
    }
    format!(
        "{status:<13} {} ({})",
        terminal_text(&outcome.label),
        facts.join(", ")
    )
}

/// The closing summary: counts, then one line per action, then where the journal is.
pub fn summary_text(outcomes: &[Outcome], counts: &Counts, journal: Option<&str>) -> String {
    let mut out = format!(
        "\nSummary: {} done, {} already done, {} skipped, {} failed; {} to fix by hand.\n",
        counts.done,
        counts.already_done,
        counts.skipped,
        counts.failed,
        count(counts.manual, "finding", "findings")
    );
    for outcome in outcomes {
        let _ = writeln!(out, "  {}", outcome_line(outcome));
    }
    if let Some(path) = journal {
        let _ = writeln!(out, "Journal: {path}");
    }
    out
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Severity;
    use crate::remediate::catalogue::plan_id;
    use crate::remediate::executor::Gate;

    #[test]
    fn text_from_the_estate_cannot_steer_the_terminal() {
        let mut action = PlannedAction::new(
            Action::EnablePlan,
            plan_id("s\u{1b}[2J"),
            "s\u{1b}[2J".into(),
            Severity::High,
        );
        action.reasons.push("R: \r\u{1b}[1Aall fine".into());
        let plan = Plan {
            snapshot: None,
            rules: Vec::new(),
            actions: vec![action.clone()],
            manual: Vec::new(),
            waived: 0,
        };
        let text = plan_text(&plan, &Settings::default(), &HashSet::new());
        assert!(!text.contains('\u{1b}') && !text.contains('\r'), "{text:?}");
        let line = outcome_line(&Outcome::of(&action, Status::Failed));
        assert!(!line.contains('\u{1b}'), "{line:?}");
    }

    #[test]
    fn outcome_lines() {
        let action =
            PlannedAction::new(Action::EnablePlan, plan_id("s"), "s".into(), Severity::High);
        let skipped = Outcome::skipped(&action, Gate::Cost, "needs --allow-cost");
        assert_eq!(
            outcome_line(&skipped),
            "skipped       enable the Defender for APIs plan on subscription s (cost, needs --allow-cost)"
        );
        let done = Outcome {
            http: Some(200),
            duration_ms: 1450,
            ..Outcome::of(&action, Status::Done)
        };
        assert_eq!(
            outcome_line(&done),
            "done          enable the Defender for APIs plan on subscription s (200, 1.4 s)"
        );
    }
}
