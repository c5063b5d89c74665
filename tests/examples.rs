//! The CI files offered in the repository are valid YAML and run the commands they say they run.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

use std::path::Path;

use spoofctl::yaml::{Value, parse};

fn texts(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Text(t) => out.push(t.clone()),
        Value::List(items) => items.iter().for_each(|n| texts(&n.value, out)),
        Value::Map(pairs) => pairs.iter().for_each(|(k, v)| {
            texts(&k.value, out);
            texts(&v.value, out);
        }),
        Value::Null => {}
    }
}

fn strings(path: &str) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("file exists");
    let (doc, findings) = parse(Path::new(path), &text).expect("valid YAML");
    assert!(findings.is_empty(), "{findings:?}");
    let mut out = Vec::new();
    texts(&doc.root.expect("a document").value, &mut out);
    out
}

/// `.pre-commit-hooks.yaml` offers validate and fmt --check.
#[test]
fn pre_commit_hooks() {
    let s = strings(".pre-commit-hooks.yaml");
    for want in ["spoofctl-validate", "spoofctl validate", "spoofctl-fmt-check", "spoofctl fmt --check"] {
        assert!(s.iter().any(|t| t == want), "{want} missing");
    }
}

/// The value of every `run:` key in a document.
fn runs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::List(items) => items.iter().for_each(|n| runs(&n.value, out)),
        Value::Map(pairs) => pairs.iter().for_each(|(k, v)| match (&k.value, &v.value) {
            (Value::Text(key), Value::Text(script)) if key == "run" => out.push(script.clone()),
            _ => runs(&v.value, out),
        }),
        Value::Text(_) | Value::Null => {}
    }
}

/// The workflow validates the lists and posts the Markdown diff of a pull request.
#[test]
fn review_workflow() {
    let s = strings("examples/ci/spoofctl-review.yml").join("\n");
    assert!(s.contains("spoofctl validate --deny-warnings lists"));
    assert!(s.contains("spoofctl diff \"$BASE_SHA:lists\" lists --format markdown > review.md"));
    assert!(
        s.contains("BASE_SHA\n${{ github.event.pull_request.base.sha }}"),
        "the base commit reaches the script through env"
    );
    let install = s.find("cargo install").expect("an install step");
    let checkout = s.find("actions/checkout@").expect("a checkout");
    assert!(install < checkout, "spoofctl is built before the pull request's files are checked out");
    assert!(s.contains("gh pr comment"));
}

/// No `run:` script has a `${{ }}` expression pasted into its text, where a branch name or a title chosen by a
/// pull request's author would run as shell code (zizmor's template-injection audit; `.ci/run` runs zizmor
/// too). Values go through `env:`.
#[test]
fn workflow_scripts_take_values_from_the_environment() {
    let path = "examples/ci/spoofctl-review.yml";
    let text = std::fs::read_to_string(path).expect("file exists");
    let (doc, _) = parse(Path::new(path), &text).expect("valid YAML");
    let mut scripts = Vec::new();
    runs(&doc.root.expect("a document").value, &mut scripts);
    assert!(scripts.len() >= 4, "{scripts:?}");
    for script in scripts {
        assert!(!script.contains("${{"), "an expression pasted into a script: {script}");
    }
    assert!(!text.contains("@v4\n"), "actions are pinned to a commit");
}
