//! Every report format of one `check` run over the report fixtures, compared whole
//! with its reviewed snapshot in `tests/snapshots/` (insta). A change to a format
//! shows as a diff to review; update with `INSTA_UPDATE=always cargo test --test
//! report_snapshots` (or `cargo insta review`) and commit the new snapshots.
//!
//! Behaviours of the formats (validity, counts, folding, escaping) have their own tests
//! in `reports.rs`; these only pin the output.

mod support;

use support::reports::*;

/// The formats, each with the file it is written to.
const FORMATS: [(&str, &str); 8] = [
    ("human", "report.txt"),
    ("json", "report.json"),
    ("sarif", "report.sarif"),
    ("junit", "report.xml"),
    ("markdown", "report.md"),
    ("html", "report.html"),
    ("csv", "report.csv"),
    ("ocsf", "report.ocsf.json"),
];

/// `text` without what changes from run to run: the time the report was made (also as
/// OCSF's `time` in milliseconds), the days left on waivers (counted from today) and the
/// version of apimguard (with the commit and the hash of the built-in rules it was built
/// from).
fn stable(text: &str, generated_at: &str) -> String {
    let version = env!("CARGO_PKG_VERSION");
    let mut text = text.to_string();
    while let Some(at) = text.find(" (commit ") {
        let end = text[at..].find(')').map_or(text.len(), |e| at + e + 1);
        text.replace_range(at..end, " [build]");
    }
    text.replace(generated_at, "[generated-at]")
        .replace(
            &format!("\"version\": \"{version}"),
            "\"version\": \"[version]",
        )
        .replace(&format!("apimguard {version}"), "apimguard [version]")
        .replace(
            &format!("\"semanticVersion\": \"{version}\""),
            "\"semanticVersion\": \"[version]\"",
        )
        .lines()
        .map(|line| {
            let line = without_number_after(line, "\"daysLeft\": ", "[days]");
            let line = without_number_after(&line, "\"time\": ", "[generated-at]");
            without_days_counted(&line, " day(s) left")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `line` with the number written just after `key` replaced by `placeholder`.
fn without_number_after(line: &str, key: &str, placeholder: &str) -> String {
    match line.split_once(key) {
        Some((head, tail)) => {
            let rest = tail.trim_start_matches(|c: char| c == '-' || c.is_ascii_digit());
            format!("{head}{key}{placeholder}{rest}")
        }
        None => line.to_string(),
    }
}

/// `line` with the number of days written just before `unit` (counted from today, so
/// different every day) replaced by `[days]`.
fn without_days_counted(line: &str, unit: &str) -> String {
    match line.find(unit) {
        Some(at) => {
            let head = line[..at].trim_end_matches(|c: char| c == '-' || c.is_ascii_digit());
            format!("{head}[days]{}", &line[at..])
        }
        None => line.to_string(),
    }
}

#[test]
fn every_format_of_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut rest = vec!["--config".to_string(), EXPIRED.to_string()];
    for (format, file) in FORMATS {
        rest.push("-f".into());
        rest.push(format!("{format}:{}", dir.path().join(file).display()));
    }
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    let out = with_fixture_rules(&["check", SNAPSHOT], &rest);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let read = |file: &str| std::fs::read_to_string(dir.path().join(file)).unwrap();
    let json: serde_json::Value = serde_json::from_str(&read("report.json")).unwrap();
    let generated_at = json["generatedAt"]
        .as_str()
        .expect("generatedAt")
        .to_string();
    for (format, file) in FORMATS {
        insta::assert_snapshot!(format, stable(&read(file), &generated_at));
    }
}
