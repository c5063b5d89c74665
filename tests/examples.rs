//! The CI files offered in the repository are valid YAML and run the commands they say they run.

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

/// The workflow validates the lists and posts the Markdown diff of a pull request.
#[test]
fn review_workflow() {
    let s = strings("examples/ci/spoofctl-review.yml").join("\n");
    assert!(s.contains("spoofctl validate --deny-warnings lists"));
    assert!(s.contains("spoofctl diff \"origin/${{ github.base_ref }}:lists\" lists --format markdown > review.md"));
    assert!(s.contains("gh pr comment"));
}
