//! The bad-input corpus: every file in `tests/bad/` is given to the command that reads its kind (the file
//! name's prefix: `list-`, `export-`, `observations-`, `message-`). Each gets a clear message and exit
//! code 1 (the input is wrong), never a panic.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

use std::path::Path;
use std::process::Command;

const LIST: &str = "version: 1\naccepted-domains: [contoso.com]\nentries:\n  - {spoofed: gmail.com, infrastructure: tms.mx.com, action: allow, reason: r, owner: o}\n";

#[test]
fn every_bad_file_gets_a_message_and_exit_1() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let list = scratch.path().join("list.yaml");
    std::fs::write(&list, LIST).expect("write list");
    let mut files: Vec<_> =
        std::fs::read_dir("tests/bad").expect("tests/bad").map(|e| e.expect("entry").path()).collect();
    files.sort();
    assert!(files.len() >= 40, "the corpus has {} files", files.len());
    for file in files {
        let name = file.file_name().and_then(|n| n.to_str()).expect("name").to_string();
        let path = Path::new(&file).canonicalize().expect("path");
        let path = path.to_str().expect("utf-8 path");
        let list = list.to_str().expect("utf-8 path");
        let args: Vec<&str> = match name.split('-').next() {
            Some("list") => vec!["validate", path],
            Some("export") => vec!["import", path],
            Some("observations") => vec!["match", "--list", list, "--observations", path],
            Some("message") => vec!["explain", "--list", list, path],
            _ => panic!("{name}: unknown kind"),
        };
        let out = Command::new(env!("CARGO_BIN_EXE_spoofctl"))
            .args(&args)
            .current_dir(scratch.path())
            .env("NO_COLOR", "1")
            .output()
            .expect("runs");
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(!text.contains("panicked"), "{name}: panicked:\n{text}");
        assert_eq!(out.status.code(), Some(1), "{name}: exit code\n{text}");
        assert!(text.contains(&name), "{name}: the message does not name the file:\n{text}");
        assert!(std::fs::read_dir(scratch.path()).expect("dir").count() == 1, "{name}: wrote a file");
    }
}
