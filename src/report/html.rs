//! One self-contained HTML page for people (nightly posture mail, auditors):
//! inline CSS, inline SVG charts of pass/fail by severity and by service, a
//! sortable and filterable findings table (a little inline JavaScript), and each
//! rule's description and remediation. Nothing is fetched from anywhere.
//!
//! The page is rendered from `templates/report.html` with minijinja (HTML
//! auto-escaping on); this file only prepares the numbers and geometry.

use std::collections::BTreeMap;

use minijinja::value::Serde;
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use super::human::short_resource;
use super::{service_of, Report, RuleResult, RuleStatus, WaiverStatus};
use crate::engine::Severity;

const TEMPLATE: &str = include_str!("templates/report.html");

/// Rows of the findings table; past this the page says how many were left out.
const MAX_ROWS: usize = 10_000;
/// Services shown in the by-service chart.
const MAX_SERVICES: usize = 12;
/// Waivers expiring within this many days are highlighted.
const EXPIRY_WARNING_DAYS: i64 = 14;

/// Chart geometry, in SVG user units.
const LABEL_WIDTH: f64 = 190.0;
const BAR_WIDTH: f64 = 430.0;
const BAR_HEIGHT: f64 = 20.0;
const BAR_GAP: f64 = 10.0;
/// Characters of a bar label that fit in `LABEL_WIDTH`.
const MAX_LABEL: usize = 28;

/// Renders the report as one HTML page.
pub fn render_html(report: &Report) -> Result<String, minijinja::Error> {
    let mut env = Environment::new();
    // A misspelt field is an error (the tests render every section), not an empty cell.
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.add_template("report.html", TEMPLATE)?;
    let (verdict, verdict_class) = match report.exit_code() {
        0 => ("PASS", "pass"),
        1 => ("FAIL", "fail"),
        _ => ("ERROR", "error"),
    };
    let rows = rows(report);
    let view = View {
        report,
        verdict,
        verdict_class,
        severity_chart: chart(severity_tallies(report)),
        service_chart: chart(service_tallies(report)),
        hidden_rows: rows.len().saturating_sub(MAX_ROWS),
        rows: rows.into_iter().take(MAX_ROWS).collect(),
        rules: report.results.iter().map(rule_view).collect(),
        waivers: report.waivers.iter().map(waiver_view).collect(),
        resources_failing: report
            .results
            .iter()
            .map(|r| r.by_resource().iter().filter(|g| !g.waived()).count())
            .sum(),
    };
    env.get_template("report.html")?.render(Serde(&view))
}

#[derive(Serialize)]
struct View<'a> {
    report: &'a Report,
    verdict: &'static str,
    verdict_class: &'static str,
    severity_chart: Chart,
    service_chart: Chart,
    rows: Vec<Row>,
    hidden_rows: usize,
    rules: Vec<RuleView<'a>>,
    waivers: Vec<WaiverView<'a>>,
    resources_failing: usize,
}

/// Pass / waived / fail counts of (rule, resource) checks for one bar.
#[derive(Default)]
struct Tally {
    label: String,
    title: String,
    pass: usize,
    waived: usize,
    fail: usize,
    errors: usize,
}

#[derive(Serialize)]
struct Chart {
    width: f64,
    height: f64,
    bars: Vec<Bar>,
    more: usize,
}

#[derive(Serialize)]
struct Bar {
    label: String,
    title: String,
    y: f64,
    text_y: f64,
    segments: Vec<Segment>,
    total: usize,
    total_x: f64,
    errors: usize,
}

#[derive(Serialize)]
struct Segment {
    class: &'static str,
    x: f64,
    width: f64,
    count: usize,
}

#[derive(Serialize)]
struct Row {
    severity: Severity,
    rank: u8,
    rule_id: String,
    title: String,
    resource: String,
    short: String,
    service: String,
    message: String,
    status: &'static str,
    note: String,
}

#[derive(Serialize)]
struct RuleView<'a> {
    rule: &'a RuleResult,
    failing: usize,
    waived: usize,
    status_class: &'static str,
}

#[derive(Serialize)]
struct WaiverView<'a> {
    waiver: &'a WaiverStatus,
    state: &'static str,
}

fn severity_tallies(report: &Report) -> (Vec<Tally>, usize) {
    let tallies = Severity::DESCENDING
        .iter()
        .filter_map(|&severity| {
            let rules: Vec<&RuleResult> = report
                .results
                .iter()
                .filter(|r| r.severity == severity)
                .collect();
            if rules.is_empty() {
                return None;
            }
            let mut t = Tally {
                label: severity.to_string(),
                title: format!("{} rule(s) of severity {severity}", rules.len()),
                ..Tally::default()
            };
            for r in rules {
                add(&mut t, r);
            }
            Some(t)
        })
        .collect();
    (tallies, 0)
}

fn add(t: &mut Tally, r: &RuleResult) {
    if r.status == RuleStatus::Error {
        t.errors += 1;
    }
    t.pass += r.passing.len();
    for g in r.by_resource() {
        if g.waived() {
            t.waived += 1;
        } else {
            t.fail += 1;
        }
    }
}

fn service_tallies(report: &Report) -> (Vec<Tally>, usize) {
    fn entry<'m>(by_service: &'m mut BTreeMap<String, Tally>, resource: &str) -> &'m mut Tally {
        let service = service_of(resource);
        let key = service.map_or_else(|| "(outside APIM services)".to_string(), str::to_lowercase);
        by_service.entry(key.clone()).or_insert_with(|| Tally {
            label: service.map_or(key.clone(), |s| short_resource(s).to_string()),
            title: service.unwrap_or(&key).to_string(),
            ..Tally::default()
        })
    }
    let mut by_service: BTreeMap<String, Tally> = BTreeMap::new();
    for r in &report.results {
        for p in &r.passing {
            entry(&mut by_service, p).pass += 1;
        }
        for g in r.by_resource() {
            let t = entry(&mut by_service, g.resource);
            if g.waived() {
                t.waived += 1;
            } else {
                t.fail += 1;
            }
        }
    }
    let mut tallies: Vec<Tally> = by_service.into_values().collect();
    tallies.sort_by(|a, b| {
        (b.fail, b.fail + b.waived + b.pass)
            .cmp(&(a.fail, a.fail + a.waived + a.pass))
            .then_with(|| a.label.cmp(&b.label))
    });
    let more = tallies.len().saturating_sub(MAX_SERVICES);
    tallies.truncate(MAX_SERVICES);
    (tallies, more)
}

fn chart((tallies, more): (Vec<Tally>, usize)) -> Chart {
    let max = tallies
        .iter()
        .map(|t| t.pass + t.waived + t.fail)
        .max()
        .unwrap_or(0)
        .max(1);
    let scale = BAR_WIDTH / max as f64;
    let round = |v: f64| (v * 10.0).round() / 10.0;
    let bars = tallies
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let y = i as f64 * (BAR_HEIGHT + BAR_GAP);
            let mut x = LABEL_WIDTH;
            let segments = [("fail", t.fail), ("waived", t.waived), ("pass", t.pass)]
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .map(|(class, count)| {
                    let width = count as f64 * scale;
                    let s = Segment {
                        class,
                        x: round(x),
                        width: round(width),
                        count,
                    };
                    x += width;
                    s
                })
                .collect();
            Bar {
                label: clip(&t.label, MAX_LABEL),
                title: t.title,
                y,
                text_y: y + BAR_HEIGHT / 2.0 + 4.0,
                segments,
                total: t.pass + t.waived + t.fail,
                total_x: round(x + 6.0),
                errors: t.errors,
            }
        })
        .collect::<Vec<_>>();
    Chart {
        width: LABEL_WIDTH + BAR_WIDTH + 60.0,
        height: (bars.len().max(1) as f64) * (BAR_HEIGHT + BAR_GAP),
        bars,
        more,
    }
}

fn rows(report: &Report) -> Vec<Row> {
    let mut rows = Vec::new();
    for r in &report.results {
        for f in &r.findings {
            let (status, note) = match &f.waiver {
                Some(w) if w.expired => (
                    "expired",
                    format!("waiver by {} expired {}: {}", w.owner, w.expires, w.reason),
                ),
                Some(w) if f.waived => (
                    "waived",
                    format!("waived by {} until {}: {}", w.owner, w.expires, w.reason),
                ),
                _ => ("fail", String::new()),
            };
            let note = std::iter::once(note)
                .chain(f.exemption_notes())
                .filter(|n| !n.is_empty())
                .collect::<Vec<_>>()
                .join(" · ");
            rows.push(Row {
                severity: r.severity,
                rank: r.severity as u8,
                rule_id: r.rule_id.clone(),
                title: r.title.clone(),
                resource: f.resource.clone(),
                short: short_resource(&f.resource).to_string(),
                service: service_of(&f.resource)
                    .map(|s| short_resource(s).to_string())
                    .unwrap_or_default(),
                message: f.message.clone(),
                status,
                note,
            });
        }
    }
    rows
}

fn rule_view(rule: &RuleResult) -> RuleView<'_> {
    let groups = rule.by_resource();
    let failing = groups.iter().filter(|g| !g.waived()).count();
    RuleView {
        rule,
        failing,
        waived: groups.len() - failing,
        status_class: match rule.status {
            RuleStatus::Pass => "pass",
            RuleStatus::Fail => "fail",
            RuleStatus::Error => "error",
            RuleStatus::NotApplicable => "na",
        },
    }
}

fn waiver_view(waiver: &WaiverStatus) -> WaiverView<'_> {
    let state = if waiver.expired {
        "expired"
    } else if waiver.days_left <= EXPIRY_WARNING_DAYS {
        "expiring"
    } else if waiver.matched == 0 {
        "unused"
    } else {
        "active"
    };
    WaiverView { waiver, state }
}

/// At most `max` characters, with an ellipsis when cut.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max - 1).chain(['…']).collect()
    }
}
