//! `diff` reads versions from git: a temporary repository with two commits, compared with `REV:PATH`.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

mod common;

use common::git::{git, in_repository, spoofctl_in as spoofctl};

const V1: &str = "version: 1\naccepted-domains: [contoso.com]\nentries:\n  - spoofed: laura@adatum.com\n    infrastructure: crm.adatum.example\n    action: allow\n    reason: CRM\n    owner: it@contoso.com\n  - spoofed: fabrikam.com\n    infrastructure: \"*\"\n    action: block\n";
const V2: &str = "version: 1\naccepted-domains: [contoso.com]\nentries:\n  - spoofed: adatum.com\n    infrastructure: crm.adatum.example\n    action: allow\n    reason: CRM\n    owner: it@contoso.com\n  - spoofed: fabrikam.com\n    infrastructure: \"*\"\n    action: block\n";
const V3: &str = "version: 1\naccepted-domains: [contoso.com]\nentries:\n  - spoofed: adatum.com\n    infrastructure: crm.adatum.example\n    action: allow\n    reason: CRM\n    owner: it@contoso.com\n";

/// `HEAD~1:lists/x.yaml` against the working file, and a folder at a revision against the working folder.
#[test]
fn diff_against_git_revisions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir(root.join("lists")).expect("mkdir");
    git(root, &["init", "-q"]);
    std::fs::write(root.join("lists/x.yaml"), V1).expect("write");
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "v1"]);
    std::fs::write(root.join("lists/x.yaml"), V2).expect("write");
    git(root, &["commit", "-q", "-am", "v2"]);
    std::fs::write(root.join("lists/x.yaml"), V3).expect("write");

    let out = spoofctl(root, &["diff", "HEAD~1:lists/x.yaml", "lists/x.yaml", "--today", "2026-11-22"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("allow made broader: replaces laura@adatum.com via crm.adatum.example"), "{text}");
    assert!(text.contains("- removed          fabrikam.com via * (external, block)  [block removed]"), "{text}");

    let out = spoofctl(root, &["diff", "HEAD:lists", "lists", "--exit-code"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("== x.yaml") && text.contains("block removed") && !text.contains("broader"), "{text}");

    let out = spoofctl(root, &["diff", "HEAD~5:lists/x.yaml", "lists/x.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("HEAD~5:lists/x.yaml"));
}

/// Without the git command, a `REV:PATH` is a clear error (exit 2), not a crash.
#[test]
fn git_not_installed() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("x.yaml"), V1).expect("write");
    let out = in_repository(env!("CARGO_BIN_EXE_spoofctl"), dir.path())
        .args(["diff", "HEAD:x.yaml", "x.yaml"])
        .env("PATH", "")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("the git command is not installed"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Regression: the repository root as a revision (`HEAD:`) reads its list files, named without the
/// revision so that they pair with the working files; folders pair by name even with one file each; a
/// written-out default type is no change; a metadata change names its fields.
#[test]
fn root_revisions_folders_and_metadata() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    git(root, &["init", "-q"]);
    std::fs::write(root.join("x.yaml"), V1).expect("write");
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "v1"]);
    let v1b = V1
        .replace("    owner: it@contoso.com\n", "    owner: mail@contoso.com\n")
        .replace("  - spoofed: fabrikam.com\n", "  - spoofed: fabrikam.com\n    type: external\n");
    std::fs::write(root.join("x.yaml"), &v1b).expect("write");

    let out = spoofctl(root, &["diff", "HEAD:", "."]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("== x.yaml\n"), "{text}");
    assert!(
        text.contains(
            "metadata changed laura@adatum.com via crm.adatum.example (external, allow): owner it@contoso.com -> mail@contoso.com"
        ),
        "{text}"
    );
    assert!(text.contains("0 added, 0 removed, 0 action changed, 1 metadata changed"), "{text}");

    for (name, body) in [("a/x.yaml", V1), ("b/y.yaml", V1)] {
        std::fs::create_dir_all(root.join(name).parent().expect("parent")).expect("mkdir");
        std::fs::write(root.join(name), body).expect("write");
    }
    let out = spoofctl(root, &["diff", "a", "b"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("x.yaml (tenant file removed)") && text.contains("y.yaml (new tenant file)"), "{text}");
}

/// Issue 17: `REV:PATH` from a subfolder is from the repository's root; git's message (the revision named as
/// written, not by its tree id) comes with a hint to write `REV:./PATH`, which then works.
#[test]
fn a_git_path_from_a_subfolder_gets_a_hint() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir(root.join("lists")).expect("mkdir");
    git(root, &["init", "-q"]);
    std::fs::write(root.join("lists/x.yaml"), V1).expect("write");
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "v1"]);
    let lists = root.join("lists");

    let out = spoofctl(&lists, &["diff", "HEAD:x.yaml", "x.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "spoofctl: error: HEAD:x.yaml: path 'x.yaml' does not exist in 'HEAD'; `HEAD:x.yaml` starts at the \
         repository's root and this is its folder `lists/`: write `HEAD:./x.yaml` for a path from here, or \
         `HEAD:lists/x.yaml`\n"
    );
    let out = spoofctl(&lists, &["diff", "HEAD:./x.yaml", "x.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    // At the root, no hint: the path is simply not there.
    let out = spoofctl(root, &["diff", "HEAD:x.yaml", "lists/x.yaml"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "spoofctl: error: HEAD:x.yaml: path 'x.yaml' does not exist in 'HEAD'\n"
    );
}
