//! The CI files offered in the repository are valid YAML, run the commands they say they run, and keep the
//! promises their comments make (a review posted even when validation fails, a binary checked before it
//! runs, a release for every platform, hooks that read only the lists).
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

use std::path::Path;

use spoofctl::yaml::{Value, parse};

const REVIEW: &str = "examples/ci/spoofctl-review.yml";
const SNAPSHOT: &str = "examples/ci/spoofctl-snapshot.yml";
const RELEASE: &str = ".github/workflows/release.yml";
const WORKFLOWS: &[&str] = &[REVIEW, SNAPSHOT, RELEASE];

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

/// The document of a YAML file, which must read without a finding.
fn document(path: &str) -> Value {
    let text = std::fs::read_to_string(path).expect("file exists");
    let (doc, findings) = parse(Path::new(path), &text).expect("valid YAML");
    assert!(findings.is_empty(), "{findings:?}");
    doc.root.expect("a document").value
}

fn strings(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    texts(&document(path), &mut out);
    out
}

/// The value of `key` in a mapping.
fn get<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    match value {
        Value::Map(pairs) => {
            pairs.iter().find(|(k, _)| matches!(&k.value, Value::Text(t) if t == key)).map(|(_, v)| &v.value)
        }
        _ => None,
    }
}

/// The text of `key` in a mapping.
fn text<'v>(value: &'v Value, key: &str) -> Option<&'v str> {
    match get(value, key) {
        Some(Value::Text(t)) => Some(t),
        _ => None,
    }
}

fn items(value: Option<&Value>) -> Vec<&Value> {
    match value {
        Some(Value::List(items)) => items.iter().map(|n| &n.value).collect(),
        _ => Vec::new(),
    }
}

/// The steps of a workflow's job.
fn steps<'v>(workflow: &'v Value, job: &str) -> Vec<&'v Value> {
    let job = get(workflow, "jobs").and_then(|j| get(j, job)).unwrap_or_else(|| panic!("a job `{job}`"));
    items(get(job, "steps"))
}

/// The index of the step named `name`.
fn step(steps: &[&Value], name: &str) -> usize {
    steps.iter().position(|s| text(s, "name") == Some(name)).unwrap_or_else(|| panic!("no step `{name}`"))
}

/// `.pre-commit-hooks.yaml` offers validate and fmt --check.
#[test]
fn pre_commit_hooks() {
    let s = strings(".pre-commit-hooks.yaml");
    for want in ["spoofctl-validate", "spoofctl validate", "spoofctl-fmt-check", "spoofctl fmt --check"] {
        assert!(s.iter().any(|t| t == want), "{want} missing");
    }
}

/// Each hook's `files:` pattern (pre-commit searches it in each path from the repository root) takes the
/// list files of a lists repository and leaves every other YAML file alone: the repository's own
/// `.pre-commit-config.yaml` and workflows failed with "unknown key 'name'" when every `.yaml` matched.
#[test]
fn pre_commit_hooks_read_only_the_lists() {
    let layout = [
        ("lists/contoso.yaml", true),
        ("lists/fabrikam.yml", true),
        ("lists/msp/tailspin.yaml", true),
        (".pre-commit-config.yaml", false),
        (".github/workflows/spoofctl-review.yml", false),
        (".github/workflows/release.yaml", false),
        (".github/dependabot.yml", false),
        ("docs/lists/example.yaml", false),
        ("schema/spoofctl-list.schema.json", false),
        ("lists/README.md", false),
        ("mkdocs.yml", false),
    ];
    let hooks = document(".pre-commit-hooks.yaml");
    let hooks = items(Some(&hooks));
    assert_eq!(hooks.len(), 2);
    for hook in hooks {
        let id = text(hook, "id").expect("an id");
        let pattern = text(hook, "files").unwrap_or_else(|| panic!("{id}: no files pattern"));
        let re = regex::Regex::new(pattern).expect("a pattern");
        for (path, wanted) in layout {
            assert_eq!(re.is_match(path), wanted, "{id}: `{pattern}` on {path}");
        }
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

/// A released binary is downloaded and its SHA-256 checked before it runs; nothing is compiled.
fn installs_a_checked_release(workflow: &Value, job: &str) {
    let steps = steps(workflow, job);
    let install = step(&steps, "Install spoofctl");
    let script = text(steps[install], "run").expect("a script");
    let download = script.find("releases/download/").expect("a release download");
    let check = script.find("sha256sum --check --strict").expect("a checksum check");
    let run = script.find("spoofctl --version").expect("the binary runs");
    assert!(download < check && check < run, "{script}");
    assert!(script.contains("$SPOOFCTL_SHA256"), "checked against the pinned sum: {script}");
    assert!(!script.contains("cargo"), "nothing is compiled: {script}");
    let checkout = steps
        .iter()
        .position(|s| text(s, "uses").is_some_and(|u| u.starts_with("actions/checkout@")))
        .expect("a checkout");
    assert!(install < checkout, "spoofctl is installed before the repository's files are checked out");
}

/// The workflow validates the lists and posts the Markdown diff of a pull request, even when validation
/// failed, and the job still fails then.
#[test]
fn review_workflow() {
    let s = strings(REVIEW).join("\n");
    assert!(s.contains("spoofctl validate --deny-warnings lists"));
    assert!(s.contains("spoofctl diff \"$BASE_SHA:lists\" lists --format markdown > review.md"));
    assert!(
        s.contains("BASE_SHA\n${{ github.event.pull_request.base.sha }}"),
        "the base commit reaches the script through env"
    );
    assert!(s.contains("gh pr comment"));
    let workflow = document(REVIEW);
    installs_a_checked_release(&workflow, "review");
    let steps = steps(&workflow, "review");
    let validate = step(&steps, "Validate");
    assert_eq!(text(steps[validate], "id"), Some("validate"));
    // A failing validate fails the job: it is not softened into a success.
    assert!(get(steps[validate], "continue-on-error").is_none());
    assert!(text(steps[validate], "if").is_none(), "validation always runs");
    for name in ["Canonical form", "Review the change", "Post the review"] {
        let i = step(&steps, name);
        assert!(i > validate, "{name} comes after validation");
        // Without a status function, GitHub adds `success()`: the step would be skipped after a failure.
        let condition = text(steps[i], "if").unwrap_or_else(|| panic!("{name}: no condition"));
        assert!(condition.contains("!cancelled()") || condition.contains("always()"), "{name}: {condition}");
    }
    let review = text(steps[step(&steps, "Review the change")], "run").expect("a script");
    assert!(review.contains("$VALIDATION"), "the review says validation failed: {review}");
}

/// The scheduled snapshot takes a read-only snapshot with app-only certificate auth, then audits it and
/// checks the plan, the second even when the first fails.
#[test]
fn snapshot_workflow() {
    let workflow = document(SNAPSHOT);
    let on = get(&workflow, "on").expect("triggers");
    assert!(items(get(on, "schedule")).iter().any(|s| text(s, "cron").is_some()), "a schedule");
    installs_a_checked_release(&workflow, "snapshot");
    let steps = steps(&workflow, "snapshot");
    let take = steps[step(&steps, "Take the snapshot")];
    assert_eq!(text(take, "shell"), Some("pwsh"));
    let script = text(take, "run").expect("a script");
    for want in [
        "Connect-ExchangeOnline -AppId $env:EXO_APP_ID -Organization $env:EXO_ORGANIZATION",
        "-CertificateFilePath $pfx -CertificatePassword $password",
        "spoofctl snapshot-script -o $snapshotScript",
        "& $snapshotScript -Path snapshot",
        "Remove-Item -LiteralPath $pfx",
    ] {
        assert!(script.contains(want), "{want} missing from {script}");
    }
    let env = get(take, "env").expect("env");
    assert_eq!(text(env, "EXO_CERTIFICATE"), Some("${{ secrets.EXO_CERTIFICATE }}"));
    let audit = step(&steps, "Audit");
    assert!(text(steps[audit], "run").is_some_and(|r| r.contains("spoofctl audit snapshot --list \"$LIST\"")));
    let plan = step(&steps, "Plan (the tenant's spoofed-sender entries against the list)");
    assert!(plan > audit);
    assert!(text(steps[plan], "run").is_some_and(|r| r.starts_with("spoofctl plan ") && r.ends_with("--exit-code")));
    assert!(text(steps[plan], "if").is_some_and(|c| c.contains("!cancelled()")));
}

/// The release builds Linux, macOS (Apple silicon and Intel) and Windows binaries on a version tag and
/// publishes them with their SHA-256 sums; the job that can write to the repository builds nothing.
#[test]
fn release_workflow() {
    let workflow = document(RELEASE);
    let on = get(&workflow, "on").expect("triggers");
    let tags: Vec<_> = items(get(get(on, "push").expect("on push"), "tags"));
    assert!(matches!(tags.as_slice(), [Value::Text(t)] if t == "v*"), "{tags:?}");
    assert!(matches!(get(&workflow, "permissions"), Some(Value::Map(p)) if p.is_empty()), "no default permissions");
    let jobs = get(&workflow, "jobs").expect("jobs");
    let build = get(jobs, "build").expect("a build job");
    let matrix = get(get(build, "strategy").expect("a strategy"), "matrix").expect("a matrix");
    let targets: Vec<(&str, &str)> = items(get(matrix, "include"))
        .into_iter()
        .map(|i| (text(i, "os").expect("an os"), text(i, "target").expect("a target")))
        .collect();
    for (os, target) in [
        ("ubuntu-", "x86_64-unknown-linux-"),
        ("macos-", "aarch64-apple-darwin"),
        ("macos-", "x86_64-apple-darwin"),
        ("windows-", "x86_64-pc-windows-msvc"),
    ] {
        assert!(
            targets.iter().any(|(o, t)| o.starts_with(os) && t.starts_with(target)),
            "{target} on {os}: {targets:?}"
        );
    }
    assert_eq!(text(get(build, "permissions").expect("permissions"), "contents"), Some("read"));
    let release = get(jobs, "release").expect("a release job");
    assert_eq!(text(get(release, "permissions").expect("permissions"), "contents"), Some("write"));
    let mut scripts = Vec::new();
    runs(release, &mut scripts);
    let scripts = scripts.join("\n");
    assert!(!scripts.contains("cargo"), "the job that writes builds nothing");
    assert!(scripts.contains("sha256sum -- *.tar.gz *.zip > SHA256SUMS"));
    assert!(scripts.contains("gh release create \"$TAG\" --verify-tag"));
    assert!(scripts.contains("SHA256SUMS"));
}

/// No `run:` script has a `${{ }}` expression pasted into its text, where a branch name or a title chosen by a
/// pull request's author would run as shell code (zizmor's template-injection audit; `.ci/run` runs zizmor
/// too). Values go through `env:`. Every action is pinned to a full commit id, with its version beside it.
#[test]
fn workflow_scripts_take_values_from_the_environment() {
    for path in WORKFLOWS {
        let text = std::fs::read_to_string(path).expect("file exists");
        let mut scripts = Vec::new();
        runs(&document(path), &mut scripts);
        assert!(scripts.len() >= 4, "{path}: {scripts:?}");
        for script in scripts {
            assert!(!script.contains("${{"), "{path}: an expression pasted into a script: {script}");
        }
        for line in text.lines().filter(|l| l.contains("uses: ")) {
            let reference = line.split("uses: ").nth(1).expect("a reference");
            let (at, comment) = reference.split_once("  # v").unwrap_or_else(|| panic!("{path}: no version: {line}"));
            let sha = at.split_once('@').map(|(_, s)| s).unwrap_or_default();
            assert!(sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()), "{path}: not pinned: {line}");
            assert!(comment.starts_with(|c: char| c.is_ascii_digit()), "{path}: {line}");
        }
    }
}
