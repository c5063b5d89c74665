//! The review cannot be fooled by what a pull request commits: a decoy folder spelled like `REV:PATH`, tenant
//! files with unusual names, revisions that look like options, and links in a tree. Each test builds a git
//! repository in a temporary folder, as a pull request would leave it checked out.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

mod common;

use common::git::{git, spoofctl_in as spoofctl};

const BASE: &str = "version: 1\naccepted-domains: [contoso.com]\nentries:\n  - spoofed: fabrikam.com\n    infrastructure: \"*\"\n    action: block\n";
const HEAD: &str = "version: 1\naccepted-domains: [contoso.com]\nentries: []\n";

/// A repository whose `main` holds `lists/<name>` with a block, and whose work tree (the pull request)
/// removes it; `origin/main` points at `main`, as in a CI checkout.
fn repository(names: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir(root.join("lists")).expect("lists");
    for name in names {
        std::fs::write(root.join("lists").join(name), BASE).expect("write");
    }
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "base"]);
    git(root, &["update-ref", "refs/remotes/origin/main", "HEAD"]);
    for name in names {
        std::fs::write(root.join("lists").join(name), HEAD).expect("write");
    }
    dir
}

/// A folder committed under the name `origin/main:lists` cannot make the review compare the branch with
/// itself: the revision resolves, so the work-tree path of the same spelling is refused, naming both.
#[test]
fn a_decoy_folder_named_like_the_base_revision_is_refused() {
    let dir = repository(&["contoso.yaml"]);
    let decoy = dir.path().join("origin").join("main:lists");
    std::fs::create_dir_all(&decoy).expect("decoy");
    std::fs::write(decoy.join("contoso.yaml"), HEAD).expect("write");
    let out = spoofctl(dir.path(), &["diff", "origin/main:lists", "lists"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("`origin/main:lists` names both a git revision and a file or folder"), "{stderr}");
    // Without the decoy, the review reads git and shows the removed block.
    std::fs::remove_dir_all(dir.path().join("origin")).expect("remove decoy");
    let out = spoofctl(dir.path(), &["diff", "origin/main:lists", "lists"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("block removed"), "{out:?}");
}

/// Tenant files whose names hold non-ASCII letters, a quote or a backslash are read from git like any other
/// (git quotes such names in its plain listing), so a removed block in `zürich.yaml` is shown. (A name with a
/// control character, a tab or a line break, is refused: `names_that_are_not_text_are_refused`.)
#[test]
fn tenant_files_with_unusual_names_are_reviewed() {
    let names = ["zürich.yaml", "o'brien.yaml", "back\\slash.yaml", "quote\"d.yaml"];
    let dir = repository(&names);
    let out = spoofctl(dir.path(), &["diff", "origin/main:lists", "lists", "--format", "json"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    let removed = stdout.matches("\"removed\"").count();
    assert!(removed >= names.len(), "every tenant's removed block is shown: {json:#}");
    assert!(stdout.contains("z\u{fc}rich.yaml"), "{stdout}");
}

/// A revision that begins with `-` is never an option to git: nothing is written, and git is asked about it
/// as a revision.
#[test]
fn a_revision_like_an_option_is_not_an_option() {
    let dir = repository(&["contoso.yaml"]);
    let out = spoofctl(dir.path(), &["diff", "--", "--output=written.txt:lists", "lists"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(!dir.path().join("written.txt").exists(), "git took the revision for its --output option");
}

/// A list file committed as a symbolic link is refused by name, not followed and not dropped.
#[test]
fn a_link_in_a_tree_is_refused_by_name() {
    let dir = repository(&["contoso.yaml"]);
    let root = dir.path();
    std::os::unix::fs::symlink("/etc/passwd", root.join("lists").join("other.yaml")).expect("symlink");
    git(root, &["add", "lists/other.yaml"]);
    git(root, &["commit", "-q", "-m", "link"]);
    let out = spoofctl(root, &["diff", "HEAD:lists", "lists"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("`other.yaml` is a symbolic link"), "{stderr}");
    assert!(!stderr.contains("root:"), "{stderr}");
}

/// Two tenant files whose names are not UTF-8 (`a\xff.yaml`, `a\xfe.yaml`) would show as one name, and one
/// of them would drop out of the review: such names are refused, in git and on disk, as are names with a
/// control character (a line break in a name could forge lines of the review).
#[test]
fn names_that_are_not_text_are_refused() {
    use std::os::unix::ffi::OsStrExt;
    let dir = repository(&["contoso.yaml"]);
    let root = dir.path();
    for byte in [0xff_u8, 0xfe] {
        let bytes = [b'a', byte, b'.', b'y', b'a', b'm', b'l'];
        std::fs::write(root.join("lists").join(std::ffi::OsStr::from_bytes(&bytes)), BASE).expect("write");
    }
    let out = spoofctl(root, &["validate", "lists"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("must be UTF-8 text without control characters"));
    let other = tempfile::tempdir().expect("temp dir");
    std::fs::write(other.path().join("new\nline.yaml"), BASE).expect("write");
    let out = spoofctl(other.path(), &["validate", "."]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("new\\nline.yaml: a list file's name must be"), "{out:?}");
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "odd names"]);
    let out = spoofctl(root, &["diff", "HEAD:lists", "HEAD:lists"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not UTF-8 text"), "{out:?}");
}

/// A tag pushed under the base branch's name (`origin/main`) cannot stand in for it: git warns that the name
/// is ambiguous, and the review refuses it rather than let git pick.
#[test]
fn a_tag_named_like_the_base_branch_is_refused() {
    let dir = repository(&["contoso.yaml"]);
    git(dir.path(), &["tag", "origin/main"]);
    let out = spoofctl(dir.path(), &["diff", "origin/main:lists", "lists"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("origin/main: the name is ambiguous"), "{stderr}");
}

/// Where the base revision is missing (a shallow clone), a committed folder spelled like it is still not
/// read: a `REV:PATH` spelling is read from git or refused; `./REV:PATH` reads the folder on purpose.
#[test]
fn a_decoy_folder_is_not_read_when_the_revision_is_missing() {
    let dir = repository(&["contoso.yaml"]);
    let decoy = dir.path().join("upstream").join("main:lists");
    std::fs::create_dir_all(&decoy).expect("decoy");
    std::fs::write(decoy.join("contoso.yaml"), HEAD).expect("write");
    let out = spoofctl(dir.path(), &["diff", "upstream/main:lists", "lists"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("names both a git revision and a file or folder"));
    let out = spoofctl(dir.path(), &["diff", "./upstream/main:lists", "lists"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A list folder that is itself a link out of the current folder is refused by name, and nothing of what it
/// points to is shown.
#[test]
fn a_linked_list_folder_is_refused() {
    let dir = repository(&["contoso.yaml"]);
    let outside = tempfile::tempdir().expect("temp dir");
    std::fs::write(outside.path().join("s.yaml"), "version: gho_SECRET1\nentries: []\n").expect("write");
    std::os::unix::fs::symlink(outside.path(), dir.path().join("other")).expect("symlink");
    let out = spoofctl(dir.path(), &["validate", "other"]);
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("other: a symbolic link out of the current folder") && !all.contains("SECRET"), "{all}");
    // The folder itself, named as it is, is read: only a link is refused.
    let out = spoofctl(dir.path(), &["validate", outside.path().to_str().expect("path")]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("list format version `gho_SECRET1` is not known"), "{out:?}");
}

/// A list in git is held to the size limit of a list on disk (4 MiB): a huge file committed to a pull
/// request is a finding, not parsed.
#[test]
fn a_list_in_git_has_the_size_limit_of_one_on_disk() {
    let dir = repository(&["contoso.yaml"]);
    let big = format!("{BASE}{}", "# padding\n".repeat(500_000));
    std::fs::write(dir.path().join("lists").join("big.yaml"), big).expect("write");
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "big"]);
    let out = spoofctl(dir.path(), &["diff", "HEAD:lists", "HEAD:lists"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    // On both sides, the finding is the base's, not the change's.
    assert!(stdout.contains("errors already on the base") && stdout.contains("file-too-large"), "{stdout}");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

/// A pull request that changes no entry but turns a lint off or adds an accepted domain is not "0 changes":
/// the review lists each setting that changed, and marks the ones that hide findings or retype entries.
#[test]
fn a_change_of_settings_is_reviewed() {
    let dir = repository(&["contoso.yaml"]);
    let relaxed = BASE.replace(
        "accepted-domains: [contoso.com]",
        "accepted-domains: [contoso.com, evil.example]\npolicy:\n  allow-ip-range: off",
    );
    std::fs::write(dir.path().join("lists").join("contoso.yaml"), relaxed).expect("write");
    let out = spoofctl(dir.path(), &["diff", "origin/main:lists", "lists", "--format", "markdown", "--exit-code"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("**2 changes in 1 tenant, 2 risky.**"), "{stdout}");
    assert!(stdout.contains("| `policy: allow-ip-range` | `warning` | `off` | **lint turned down"), "{stdout}");
    assert!(stdout.contains("| `accepted-domains` | `contoso.com` | `contoso.com, evil.example` |"), "{stdout}");
}
