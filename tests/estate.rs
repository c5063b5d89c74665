//! A folder of many tenants is checked one tenant at a time on several workers (`SPOOFCTL_JOBS`), and the
//! output is still the report of all the files at once, in file order: `validate` (text and JSON, an error
//! in one tenant among them), `fmt --check`, and `diff` of two folders (text, Markdown, JSON, and a version
//! with an error, which prints no review).
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use spoofctl::check::{Checked, check_file};
use spoofctl::date::Date;
use spoofctl::diff::diff;
use spoofctl::format::format;
use spoofctl::render::diff::{TenantReview, diff_json, diff_markdown, diff_text};
use spoofctl::render::unified_diff::unified;
use spoofctl::render::{self, Style};

const TODAY: &str = "2026-11-22";
const TENANTS: usize = 30;
/// Worker counts run: one (as a single thread did), a few, more than the machine's cores, and the default.
const JOBS: [Option<&str>; 4] = [Some("1"), Some("3"), Some("8"), None];

fn spoofctl(args: &[&str], jobs: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_spoofctl"));
    command.args(args).env("NO_COLOR", "1").env_remove("SPOOFCTL_JOBS");
    if let Some(j) = jobs {
        command.env("SPOOFCTL_JOBS", j);
    }
    command.output().expect("spoofctl runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

/// Tenant `t`'s list: the shipped list with its own entries, some tenants with lint findings (an allow via a
/// /24 is an error in the shipped policy, a missing owner a warning), every seventh one not in canonical form (a domain
/// in capitals).
fn tenant(t: usize, new: bool) -> String {
    let shipped = std::fs::read_to_string("lists/contoso.yaml").expect("the shipped list");
    let mut list = shipped.replace("laura@adatum.com", &format!("laura{t}@adatum.com"));
    if t.is_multiple_of(5) {
        list.push_str(&format!(
            "\n  - spoofed: billing@t{t}.example\n    infrastructure: 192.0.2.0/24\n    action: allow\n    reason: Invoices\n"
        ));
    }
    if t.is_multiple_of(3) {
        list.push_str(&format!("\n  - spoofed: news@t{t}.example\n    infrastructure: mail.t{t}.example\n    action: allow\n    reason: News\n"));
    }
    if new && t.is_multiple_of(2) {
        list = list.replace("action: block\n    reason: Phishing", "action: allow\n    reason: Phishing");
        list.push_str(&format!(
            "\n  - spoofed: \"*\"\n    infrastructure: bulk{t}.example\n    type: external\n    action: block\n"
        ));
    }
    if t.is_multiple_of(7) {
        list = list.replace("  - spoofed: adatum.com", "  - spoofed: ADATUM.com");
    }
    list
}

/// Writes `names` as tenant files into `dir` and returns their paths in file order.
fn write(dir: &Path, files: &[(String, String)]) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).expect("mkdir");
    let mut paths: Vec<PathBuf> = files
        .iter()
        .map(|(name, text)| {
            let p = dir.join(name);
            std::fs::write(&p, text).expect("write");
            p
        })
        .collect();
    paths.sort();
    paths
}

fn name(t: usize) -> String {
    format!("tenant-{t:02}.yaml")
}

fn checked(paths: &[PathBuf]) -> Vec<Checked> {
    let today = Date::parse(TODAY).expect("date");
    paths.iter().map(|p| check_file(p, today).expect("readable")).collect()
}

#[test]
fn validate_reports_every_tenant_in_file_order_whatever_the_workers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut files: Vec<(String, String)> = (0..TENANTS).map(|t| (name(t), tenant(t, false))).collect();
    // An error in one tenant, in the middle: reported in its place, and the run fails.
    files[17].1 = "version: 1\nentries:\n  - spoofed: [\n".to_string();
    let paths = write(dir.path(), &files);
    let all = checked(&paths);
    let expected_text = render::validate_text(&all, Style::default());
    let expected_json = format!("{:#}\n", render::validate_json(&all));
    assert!(expected_text.contains("error[") && expected_text.contains("warning["), "{expected_text}");
    let folder = dir.path().to_str().expect("path");

    for jobs in JOBS {
        let out = spoofctl(&["validate", "--today", TODAY, folder], jobs);
        assert_eq!(out.status.code(), Some(1), "jobs {jobs:?}");
        assert_eq!(text(&out.stdout), expected_text, "text, jobs {jobs:?}");
        let out = spoofctl(&["validate", "--today", TODAY, "--format", "json", folder], jobs);
        assert_eq!(out.status.code(), Some(1), "jobs {jobs:?}");
        assert_eq!(text(&out.stdout), expected_json, "JSON, jobs {jobs:?}");
    }

    // The folder's report is the single files' reports put together: their findings in file order, then their
    // lines in file order, then the total.
    let singles: Vec<String> = paths
        .iter()
        .map(|p| text(&spoofctl(&["validate", "--today", TODAY, p.to_str().expect("path")], None).stdout))
        .collect();
    let (mut findings, mut lines) = (String::new(), String::new());
    for single in &singles {
        let (body, line) = single.trim_end_matches('\n').rsplit_once('\n').unwrap_or(("", single.trim_end()));
        if !body.is_empty() {
            findings.push_str(body);
            findings.push('\n');
        }
        lines.push_str(line);
        lines.push('\n');
    }
    let folder_report = text(&spoofctl(&["validate", "--today", TODAY, folder], Some("3")).stdout);
    let total = expected_text.lines().last().expect("a total");
    assert!(total.starts_with(&format!("{TENANTS} files: ")), "{total}");
    assert_eq!(folder_report, format!("{findings}{lines}{total}\n"));
    let error_at = folder_report.find("tenant-17.yaml:4:1").expect("the error is reported");
    assert!(
        folder_report[..error_at].contains("tenant-15.yaml") && !folder_report[..error_at].contains("tenant-20.yaml")
    );
}

#[test]
fn fmt_check_names_the_files_in_order_whatever_the_workers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files: Vec<(String, String)> = (0..TENANTS).map(|t| (name(t), tenant(t, false))).collect();
    let paths = write(dir.path(), &files);
    let mut expected = String::new();
    let mut canonical = 0;
    for (path, c) in paths.iter().zip(checked(&paths)) {
        let (formatted, stored) = (format(&c).expect("formats"), std::fs::read_to_string(path).expect("read"));
        if formatted == stored {
            canonical += 1;
        } else {
            let name = path.display().to_string();
            expected.push_str(&unified(&name, &name, &stored, &formatted));
        }
    }
    expected.push_str(&format!("{canonical} files already in canonical form\n"));
    assert!(canonical < TENANTS, "some files need formatting: {expected}");
    for jobs in JOBS {
        let out = spoofctl(&["fmt", "--check", dir.path().to_str().expect("path")], jobs);
        assert_eq!(out.status.code(), Some(1), "jobs {jobs:?}");
        assert_eq!(text(&out.stdout), expected, "jobs {jobs:?}");
    }
}

#[test]
fn diff_of_folders_reviews_the_tenants_in_order_whatever_the_workers() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Tenant 0 only in the old folder, tenant TENANTS only in the new one.
    let old: Vec<(String, String)> = (0..TENANTS).map(|t| (name(t), tenant(t, false))).collect();
    let new: Vec<(String, String)> = (1..=TENANTS).map(|t| (name(t), tenant(t, true))).collect();
    let (old_paths, new_paths) = (write(&dir.path().join("old"), &old), write(&dir.path().join("new"), &new));
    let (old_lists, new_lists) = (checked(&old_paths), checked(&new_paths));
    assert!(old_lists.iter().chain(&new_lists).all(Checked::is_well_formed), "the test's lists have errors");
    let empty = Checked::failed(Path::new("(no file)"), Vec::new());
    let reviews: Vec<TenantReview<'_>> = (0..=TENANTS)
        .map(|t| {
            let (o, n) =
                (old_lists.get(t).unwrap_or(&empty), t.checked_sub(1).and_then(|i| new_lists.get(i)).unwrap_or(&empty));
            let label = match t {
                0 => format!("{} (tenant file removed)", name(t)),
                TENANTS => format!("{} (new tenant file)", name(t)),
                _ => name(t),
            };
            let mut diff = diff(&label, &o.list, &n.list, &o.diagnostics, &n.diagnostics);
            if t == 0 || t == TENANTS {
                diff = diff.of_added_or_removed_file();
            }
            TenantReview { diff, replay: None }
        })
        .collect();
    let expected = [
        ("text", diff_text(&reviews, Style::default())),
        ("markdown", diff_markdown(&reviews)),
        ("json", format!("{:#}\n", diff_json(&reviews))),
    ];
    let (old_dir, new_dir) = (dir.path().join("old"), dir.path().join("new"));
    let (old_dir, new_dir) = (old_dir.to_str().expect("path"), new_dir.to_str().expect("path"));
    for jobs in JOBS {
        for (format, expected) in &expected {
            let out = spoofctl(&["diff", "--today", TODAY, "--format", format, old_dir, new_dir, "--exit-code"], jobs);
            assert_eq!(out.status.code(), Some(1), "{format}, jobs {jobs:?}: {}", text(&out.stderr));
            assert_eq!(text(&out.stderr), "", "{format}, jobs {jobs:?}");
            assert_eq!(&text(&out.stdout), expected, "{format}, jobs {jobs:?}");
        }
    }

    // A malformed tenant in each version: reviewed all the same, in order; the old version's errors shown as
    // already on the base, the new version's as introduced, and only those count (exit 1, said on stderr).
    std::fs::write(&new_paths[20], "version: 1\nentries:\n  - spoofed: [\n").expect("write");
    std::fs::write(&old_paths[3], "version: 1\nentries: 7\n").expect("write");
    let mut review = None;
    for jobs in JOBS {
        let out = spoofctl(&["diff", "--today", TODAY, old_dir, new_dir], jobs);
        assert_eq!(out.status.code(), Some(1), "jobs {jobs:?}");
        let err = text(&out.stderr);
        assert!(err.starts_with(&format!("spoofctl: {new_dir}: the change introduces 1 error ")), "{err}");
        let stdout = text(&out.stdout);
        let base = stdout.find("errors already on the base").expect("the base's errors");
        let introduced = stdout.find("errors this change introduces").expect("the introduced errors");
        let (old_error, new_error) =
            (stdout.find("tenant-03.yaml:").expect("old"), stdout.find("tenant-21.yaml:").expect("new"));
        assert!(base < old_error && old_error < introduced && introduced < new_error, "{stdout}");
        assert_eq!(review.get_or_insert_with(|| stdout.clone()), &stdout, "jobs {jobs:?}");
    }
}
