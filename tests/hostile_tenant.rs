//! A hostile or damaged tenant snapshot, list or output folder cannot make spoofctl report less than there is:
//! each test builds the messy input a user could have in a temporary folder and runs the command on it.
#![allow(clippy::expect_used, reason = "a test that cannot go on stops, saying why")]

use std::path::Path;
use std::process::Output;

fn spoofctl(dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_spoofctl"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run spoofctl")
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("folder");
    }
    std::fs::write(path, text).expect("write");
}

/// A snapshot file that is there but cannot be read (cut off by a full disk, or edited to hide a rule) fails
/// the audit: only a missing file or a cmdlet the manifest records as failed is "not checked" without failing.
/// Before, a truncated `Get-TransportRule.json` beside a clean anti-spam policy exited 0.
#[test]
fn an_unreadable_snapshot_file_fails_the_audit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let snap = dir.path().join("snap");
    write(
        &snap.join("Get-HostedContentFilterPolicy.json"),
        r#"[{"Name":"Default","AllowedSenders":[],"AllowedSenderDomains":[]}]"#,
    );
    let clean = spoofctl(dir.path(), &["audit", "snap"]);
    assert_eq!(clean.status.code(), Some(0), "{}", String::from_utf8_lossy(&clean.stderr));

    write(&snap.join("Get-TransportRule.json"), r#"[{"Name": "Skip filtering for partner", "SetSCL": -1,"#);
    for format in ["text", "markdown", "json", "html"] {
        let run = spoofctl(dir.path(), &["audit", "snap", "--format", format]);
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert_eq!(run.status.code(), Some(1), "{format}: {stdout}");
        assert!(stdout.contains("Get-TransportRule.json"), "{format}: {stdout}");
        if format == "json" {
            assert!(stdout.contains("\"fails\": true") && stdout.contains("\"unreadable\": true"), "{stdout}");
        } else {
            assert!(stdout.contains("1 snapshot file could not be read"), "{format}: {stdout}");
        }
    }

    // A missing file stays "not checked" and does not fail by itself.
    std::fs::remove_file(snap.join("Get-TransportRule.json")).expect("remove");
    let missing = spoofctl(dir.path(), &["audit", "snap"]);
    assert_eq!(missing.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&missing.stdout).contains("Get-TransportRule.json: its file is not in the snapshot")
    );
}

/// `add` writes only a list `validate` and `fmt` would read: a list path that is a link out of the current
/// folder (a pull request can commit `lists/contoso.yaml -> /home/admin/other-repo/lists/x.yaml`) is refused
/// by name and its target is left alone. Before, `add` wrote through the link.
#[test]
fn add_refuses_a_list_that_links_out_of_the_current_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let list = "version: 1\naccepted-domains: [contoso.com]\nentries: []\n";
    let target = dir.path().join("elsewhere").join("target.yaml");
    write(&target, list);
    let work = dir.path().join("work");
    std::fs::create_dir(&work).expect("work");
    std::os::unix::fs::symlink(&target, work.join("contoso.yaml")).expect("link");
    let run = spoofctl(
        &work,
        &[
            "add",
            "--list",
            "contoso.yaml",
            "--spoofed",
            "fabrikam.com",
            "--infrastructure",
            "mta.fabrikam.com",
            "--action",
            "allow",
            "--reason",
            "r",
            "--owner",
            "o",
        ],
    );
    assert_eq!(run.status.code(), Some(2), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(String::from_utf8_lossy(&run.stderr).contains("a symbolic link out of the current folder"));
    assert_eq!(std::fs::read_to_string(&target).expect("read"), list);
}

/// Under a snapshot file's name, only a regular file in the folder is read. A link out of the folder (to any
/// file the machine can read, whose text could end up in a report posted on a pull request) and a FIFO
/// (reading would block forever) are there but unreadable: named, nothing of them read, and the audit fails.
/// Before, the link was followed and the FIFO reported as "not in the snapshot".
#[test]
fn a_snapshot_file_that_is_a_link_out_or_a_fifo_is_not_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let snap = dir.path().join("snap");
    write(
        &snap.join("Get-HostedContentFilterPolicy.json"),
        r#"[{"Name":"Default","AllowedSenders":[],"AllowedSenderDomains":["contoso.com"]}]"#,
    );
    let secret = dir.path().join("secret.json");
    write(&secret, r#"[{"Name": "secret-token-123", "Enabled": "yes-secret-token-123"}]"#);
    std::os::unix::fs::symlink(&secret, snap.join("Get-InboundConnector.json")).expect("link");
    // A link to a file inside the snapshot folder is read as that file.
    write(&snap.join("accepted.json"), r#"[{"DomainName": "contoso.com", "DomainType": "Authoritative"}]"#);
    std::os::unix::fs::symlink("accepted.json", snap.join("Get-AcceptedDomain.json")).expect("link");
    let fifo = snap.join("Get-TransportRule.json");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());

    let run = spoofctl(dir.path(), &["audit", "snap", "--format", "json"]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("Get-InboundConnector.json: a symbolic link out of the snapshot folder; not read"),
        "{stdout}"
    );
    assert!(stdout.contains("Get-TransportRule.json: not a regular file"), "{stdout}");
    assert!(!stdout.contains("secret-token"), "{stdout}");
    // contoso.com is known as the tenant's own through the link inside the folder.
    assert!(stdout.contains("\"code\": \"allowed-own-domain\""), "{stdout}");
}

/// A list file named `..yaml` or `...yaml` (stem `.` or `..`) in a folder cannot make `export --list FOLDER -o
/// DIR` or `plan --list FOLDER -o DIR` write beside DIR or over it: the name is refused and nothing is
/// written. Before, `export` wrote `DIR.ps1` next to DIR.
#[test]
fn a_list_stem_cannot_lead_a_write_out_of_the_output_folder() {
    let list = "version: 1\ntenant: contoso.onmicrosoft.com\naccepted-domains: [contoso.com]\nentries:\n  - spoofed: fabrikam.com\n    infrastructure: mta.fabrikam.com\n    action: allow\n    reason: r\n    owner: o\n";
    for name in ["..yaml", "...yaml"] {
        let dir = tempfile::tempdir().expect("temp dir");
        write(&dir.path().join("lists").join("contoso.yaml"), list);
        write(&dir.path().join("lists").join(name), list);
        write(
            &dir.path().join("live").join("contoso.csv"),
            "Identity,SpoofedUser,SendingInfrastructure,SpoofType,Action\n",
        );
        for args in [
            &["export", "--list", "lists", "--format", "powershell", "-o", "out"][..],
            &["plan", "--list", "lists", "--live", "live", "--format", "powershell", "-o", "out"][..],
        ] {
            let run = spoofctl(dir.path(), args);
            let stderr = String::from_utf8_lossy(&run.stderr);
            assert_eq!(run.status.code(), Some(2), "{name} {args:?}: {stderr}");
            assert!(stderr.contains("must be a name, not `.` or `..`"), "{name} {args:?}: {stderr}");
            let mut left: Vec<String> = std::fs::read_dir(dir.path())
                .expect("list")
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect();
            left.sort();
            assert_eq!(left, ["lists", "live"], "{name} {args:?}");
        }
    }
}

/// A pull request that adds an `exceptions:` item silences an `audit` finding; the review must show it, as
/// risky, and so must one that pushes an exception's `expires` later or drops it. Before, `diff` said
/// "0 changes" for a pull request that only added an exception.
#[test]
fn the_review_shows_an_exception_added_or_extended_as_risky() {
    let head = "version: 1\naccepted-domains: [contoso.com]\nentries: []\n";
    let exception = |expires: &str| {
        format!(
            "{head}exceptions:\n  - finding: rule-trusts-sender\n    object: Skip filtering for partner\n    value: partner.example\n    reason: r\n    owner: o\n{expires}"
        )
    };
    let cases = [
        (format!("{head}exceptions: []\n"), exception(""), Some("exception added")),
        (exception("    expires: 2027-01-01\n"), exception("    expires: 2027-06-01\n"), Some("exception extended")),
        (exception("    expires: 2027-01-01\n"), exception(""), Some("exception extended")),
        (exception("    expires: 2027-06-01\n"), exception("    expires: 2027-01-01\n"), None),
        (exception(""), format!("{head}exceptions: []\n"), None),
    ];
    for (old, new, risk) in cases {
        let dir = tempfile::tempdir().expect("temp dir");
        write(&dir.path().join("old").join("contoso.yaml"), &old);
        write(&dir.path().join("new").join("contoso.yaml"), &new);
        let run = spoofctl(dir.path(), &["diff", "old", "new", "--format", "markdown", "--exit-code"]);
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert_eq!(run.status.code(), Some(1), "{old}\n{new}\n{stdout}");
        assert!(
            stdout.contains("`exception: rule-trusts-sender on Skip filtering for partner = partner.example`"),
            "{stdout}"
        );
        match risk {
            Some(r) => assert!(stdout.contains(r) && stdout.contains(", 1 risky"), "{r}: {stdout}"),
            None => assert!(stdout.contains(" 0 risky"), "{stdout}"),
        }
    }
}

/// A mail flow rule that skips filtering for a sender domain is paired only by a header pattern that really
/// requires a passing result: an alternation, an optional group or a character class lets the pattern match
/// a header that passes nothing, so the rule trusts the sender domain alone. Before, each of these read as
/// paired because the pattern's text contains `dmarc=pass`.
#[test]
fn a_loose_header_pattern_does_not_pair_a_mail_flow_rule() {
    let rule = |name: &str, pattern: &str| {
        format!(
            r#"{{"Name": "{name}", "State": "Enabled", "Mode": "Enforce", "SetSCL": -1, "SenderDomainIs": ["partner.example"], "HeaderMatchesMessageHeader": "Authentication-Results", "HeaderMatchesPatterns": ["{pattern}"]}}"#
        )
    };
    let rules = [
        rule("alternation", "dmarc=pass|none"),
        rule("optional group", "(dmarc=pass)*"),
        rule("optional part", "(dmarc=pass)?"),
        rule("character class", "[dmarc=pass]"),
        rule("paired", r"dmarc=pass[^;]*header\\.from=partner\\.example"),
        rule("paired, escaped", r"dkim=pass \\(signature was verified\\) header\\.d=partner\\.example"),
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    write(&dir.path().join("snap").join("Get-TransportRule.json"), &format!("[{}]", rules.join(",")));
    let run = spoofctl(dir.path(), &["audit", "snap"]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "{stdout}");
    for name in ["alternation", "optional group", "optional part", "character class"] {
        assert!(
            stdout.contains(&format!("[rule-trusts-sender]: {name}, SenderDomainIs = partner.example")),
            "{name}: {stdout}"
        );
    }
    assert!(!stdout.contains("paired"), "{stdout}");
}

/// `plan --live SNAPSHOT` reads the spoof entries with the snapshot's manifest: when the manifest records
/// that `Get-TenantAllowBlockListSpoofItems` failed, the file in the folder is an earlier run's (the script
/// writes into an existing folder), and planning from it would create or remove entries by a stale view of the
/// tenant. No plan is made, for one tenant or many. Before, the stale `[]` gave "19 to create", exit 0.
#[test]
fn plan_refuses_a_snapshot_whose_spoof_cmdlet_failed() {
    let list = "version: 1\ntenant: contoso.onmicrosoft.com\naccepted-domains: [contoso.com]\nentries:\n  - spoofed: fabrikam.com\n    infrastructure: mta.fabrikam.com\n    action: allow\n    reason: r\n    owner: o\n";
    let dir = tempfile::tempdir().expect("temp dir");
    write(&dir.path().join("lists").join("contoso.yaml"), list);
    let snap = dir.path().join("live").join("contoso");
    write(&snap.join("Get-TenantAllowBlockListSpoofItems.json"), "[]");
    let manifest = |status: &str| {
        format!(
            r#"{{"Tenant": "contoso.onmicrosoft.com", "Cmdlets": [{{"Name": "Get-TenantAllowBlockListSpoofItems", "Status": "{status}"{}}}]}}"#,
            if status == "Failed" {
                r#", "Error": "The operation could not be performed because of throttling""#
            } else {
                ""
            }
        )
    };
    for (status, code) in [("Written", 0), ("Failed", 2)] {
        write(&snap.join("manifest.json"), &manifest(status));
        for args in [
            &["plan", "--list", "lists/contoso.yaml", "--live", "live/contoso"][..],
            &["plan", "--list", "lists/contoso.yaml", "--live", "live/contoso/Get-TenantAllowBlockListSpoofItems.json"]
                [..],
            &["plan", "--list", "lists", "--live", "live"][..],
        ] {
            let run = spoofctl(dir.path(), args);
            let (stdout, stderr) = (String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
            let many = args[2] == "lists";
            // Many tenants: a tenant without a usable export is reported and the run exits 1.
            let expected = if many && code == 2 { 1 } else { code };
            assert_eq!(run.status.code(), Some(expected), "{status} {args:?}: {stdout}{stderr}");
            if status == "Failed" {
                assert!(
                    stderr.contains("not exported when the snapshot was taken: The operation could not"),
                    "{stderr}"
                );
                assert!(!stdout.contains("to create,") || stdout.contains("0 to create"), "{stdout}");
            } else {
                assert!(stdout.contains("1 to create"), "{stdout}");
            }
        }
    }
}
