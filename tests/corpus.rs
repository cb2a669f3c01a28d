//! The real-repository corpus: pinned verbatim files from public Microsoft repositories
//! (tests/corpus/README.md names each repository, commit and licence), each run through
//! the binary as a pull-request gate would, with the decision and the authentication
//! verdict of every API checked against `tests/corpus/runs.json` (verdicts checked by
//! hand against the files).

mod support;

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

/// One run of the corpus and what it must give.
#[derive(Deserialize)]
struct Run {
    /// `arm`, `bicep` or `apiops`.
    reader: String,
    /// The input, below tests/corpus.
    input: String,
    /// The repository's folder below tests/corpus (the IaC root).
    root: String,
    /// The exit code of `check`.
    exit: i32,
    /// `auth.effective` by API name.
    auth: BTreeMap<String, String>,
    /// The kinds of gap the snapshot records (sorted, each once).
    gaps: Vec<String>,
}

#[test]
fn every_corpus_run_decides_as_recorded() {
    let runs: Vec<Run> =
        serde_json::from_str(&std::fs::read_to_string("tests/corpus/runs.json").unwrap()).unwrap();
    assert!(runs.len() >= 6);
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("snapshot.json");
    let snapshot = snapshot.to_str().unwrap();
    for run in &runs {
        let flag = format!("--from-{}", run.reader);
        let input = format!("tests/corpus/{}", run.input);
        let root = format!("tests/corpus/{}", run.root);
        // An empty home: registry modules restored on this machine change nothing.
        let collected = support::apimguard()
            .env("HOME", dir.path())
            .args(["collect", &flag, &input, "--root", &root, "-o", snapshot])
            .output()
            .unwrap();
        let code = collected.status.code();
        assert!(
            matches!(code, Some(0 | 2)),
            "{}: collect exited {code:?}: {}",
            run.input,
            support::text(&collected.stderr)
        );
        let snap: Value =
            serde_json::from_str(&std::fs::read_to_string(snapshot).unwrap()).unwrap();
        let mut gaps: Vec<String> = snap["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["what"].as_str().unwrap().to_string())
            .collect();
        gaps.sort();
        gaps.dedup();
        assert_eq!(gaps, run.gaps, "{}: {}", run.input, snap["gaps"]);
        let auth: BTreeMap<String, String> = snap["subscriptions"][0]["services"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["apis"].as_array().unwrap())
            .map(|a| {
                let name = a["name"].as_str().unwrap().to_string();
                (name, a["auth"]["effective"].as_str().unwrap().to_string())
            })
            .collect();
        assert_eq!(auth, run.auth, "{}", run.input);
        let checked = support::apimguard()
            .args(["check", snapshot, "-f", "json"])
            .output()
            .unwrap();
        assert_eq!(
            checked.status.code(),
            Some(run.exit),
            "{}: {}",
            run.input,
            support::text(&checked.stderr)
        );
    }
}
