//! Hostile and broken list files: each gets a clear finding and exit 1, never a panic, and `fmt` leaves the
//! file byte for byte as it was.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

use std::path::Path;
use std::process::{Command, Output};

fn spoofctl(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spoofctl"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("spoofctl runs")
}

/// Writes `bytes` as `list.yaml` in a fresh folder, runs `validate` and `fmt` on it, and checks the finding,
/// the exit codes and that the file is untouched.
fn refused(bytes: &[u8], code: &str, message: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("list.yaml");
    std::fs::write(&file, bytes).expect("write fixture");

    let out = spoofctl(&["validate", "list.yaml"], dir.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "validate exit code for {code}:\n{stdout}");
    assert!(stdout.contains(&format!("error[{code}]")), "no {code} in:\n{stdout}");
    assert!(stdout.contains(message), "no {message:?} in:\n{stdout}");
    assert!(stdout.contains("--> list.yaml"), "no location in:\n{stdout}");

    for args in [&["fmt", "list.yaml"][..], &["fmt", "--check", "list.yaml"][..]] {
        let out = spoofctl(args, dir.path());
        assert_eq!(out.status.code(), Some(1), "{args:?} exit code for {code}");
        assert_eq!(std::fs::read(&file).expect("read back"), bytes, "{args:?} changed the file ({code})");
    }
    let leftovers: Vec<_> =
        std::fs::read_dir(dir.path()).expect("list dir").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(leftovers, vec!["list.yaml"], "temporary files left behind");
}

/// Latin-1 bytes: not UTF-8, with the line and column of the first bad byte.
#[test]
fn not_utf8() {
    refused(b"version: 1\nentries: []\ntenant: caf\xe9\n", "not-utf8", "list.yaml:3:12");
}

/// Windows PowerShell's `Out-File` writes UTF-16LE with a BOM; say so, and how to fix it.
#[test]
fn utf16() {
    let text = "version: 1\r\nentries: []\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    refused(&bytes, "not-utf8", "UTF-16");
}

/// A 50 MB file is refused before it is parsed.
#[test]
fn fifty_megabytes() {
    let entry = "  - {spoofed: a.com, infrastructure: b.com, action: block, type: external}\n";
    let mut text = String::from("version: 1\nentries:\n");
    while text.len() < 50 * 1024 * 1024 {
        text.push_str(entry);
    }
    refused(text.as_bytes(), "file-too-large", "larger than 4 MiB");
}

/// The "billion laughs" alias bomb is refused at the first anchor, never expanded.
#[test]
fn alias_bomb() {
    let mut text = String::from("a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        text.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 9].join(",")));
    }
    refused(text.as_bytes(), "yaml-alias", "anchors and aliases");
}

/// Deep nesting is bounded; it does not exhaust the stack. The parser stops very deep input itself.
#[test]
fn very_deep_nesting() {
    let text = format!("version: 1\nentries: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    refused(text.as_bytes(), "yaml-syntax", "recursion limit");
}

/// Nesting deeper than any list needs is refused by spoofctl's own bound.
#[test]
fn deep_nesting() {
    let text = format!("version: 1\nentries: {}{}\n", "[".repeat(50), "]".repeat(50));
    refused(text.as_bytes(), "wrong-type", "nest more than 16 levels");
}

/// Binary junk is a YAML error (or not UTF-8), not a crash.
#[test]
fn binary_junk() {
    let bytes: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    refused(&bytes, "not-utf8", "not valid UTF-8");
}

/// A control character hidden in a quoted value is refused with its code point.
#[test]
fn control_character_in_value() {
    refused(b"version: 1\nentries:\n  - spoofed: \"fabrikam.com\\u0007\"\n    infrastructure: tms.mx.com\n    type: external\n    action: block\n", "invalid-characters", "U+0007");
}

/// Regression: `fmt` through a symbolic link rewrites the file it points to and keeps the link.
#[cfg(unix)]
#[test]
fn fmt_follows_a_symlink() {
    let dir = tempfile::tempdir().expect("temp dir");
    let real = dir.path().join("real.yaml");
    std::fs::write(
        &real,
        "version: 1\nentries:\n  - spoofed: B.com\n    infrastructure: x.example\n    type: external\n    action: block\n",
    )
    .expect("write");
    std::os::unix::fs::symlink("real.yaml", dir.path().join("link.yaml")).expect("symlink");
    let out = spoofctl(&["fmt", "link.yaml"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(std::fs::symlink_metadata(dir.path().join("link.yaml")).expect("link").file_type().is_symlink());
    assert!(std::fs::read_to_string(&real).expect("read").contains("spoofed: b.com"));
}

/// `explain` streams an mbox: every message is found whatever its body holds (an escaped `>From ` line, an
/// unescaped one not after a blank line, megabytes of text), and bodies are never part of the headers.
#[test]
fn explain_streams_an_mbox() {
    let dir = tempfile::tempdir().expect("temp dir");
    let list = "version: 1\naccepted-domains: [contoso.com]\nentries: []\n";
    std::fs::write(dir.path().join("list.yaml"), list).expect("write list");
    let mut mbox = String::new();
    for i in 0..40 {
        mbox.push_str(&format!("From MAILER-DAEMON Sat Nov 21 10:00:{:02} 2026\n", i % 60));
        // A Microsoft 365 hop: without one, the antispam report is not trusted.
        mbox.push_str(&format!("Received: from mail{i}.example.net (192.0.2.{i}) by BN8NAM11FT045.mail.protection.outlook.com\n with Microsoft SMTP Server; Sat, 21 Nov 2026 10:00:00 +0000\n"));
        mbox.push_str(&format!("X-Forefront-Antispam-Report: CIP:192.0.2.{i};PTR:mail{i}.example.net;CAT:SPOOF;DIR:INB;\nFrom: user{i}@fabrikam.com\nSubject: {i}\n\n"));
        // An unescaped "From " line inside a body (not after a blank line) is text, not a separator.
        mbox.push_str(
            ">From the desk of someone\nFrom the desk of someone else\nsaid From here\nX-Not-A-Header: body\n",
        );
        if i == 7 {
            mbox.push_str(&"body text ".repeat(200_000));
            mbox.push('\n');
        }
        mbox.push('\n');
    }
    std::fs::write(dir.path().join("box.mbox"), &mbox).expect("write mbox");
    let out = spoofctl(&["explain", "--list", "list.yaml", "--format", "json", "box.mbox"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.matches("\"source\": \"box.mbox (message").count(), 40);
    assert!(stdout.contains("user39@fabrikam.com") && stdout.contains("mail39.example.net"));
    assert!(!stdout.contains("X-Not-A-Header"));
}

/// Regression: one quoted CSV field with a great many newlines is one record, and the record bound
/// applies to it; memory stays bounded and the message does not repeat the field.
#[test]
fn a_huge_quoted_field_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("list.yaml"), "version: 1\nentries: []\n").expect("write list");
    let field = "x\n".repeat(1_200_000);
    std::fs::write(dir.path().join("obs.csv"), format!("From,PTR\n\"a@b.example{field}\",mx.example\n"))
        .expect("write");
    let out = spoofctl(&["match", "--list", "list.yaml", "--observations", "obs.csv"], dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("longer than 1 MiB") && stderr.len() < 1000, "{}", &stderr[..stderr.len().min(300)]);
}

/// Fuzzing found: a NUL in a comment ended yaml-rust2's input but not the comment scanner, and `fmt`
/// refused a list `validate` accepted. Control characters are refused up front now.
#[test]
fn fuzz_nul_in_a_comment() {
    let bytes = std::fs::read("tests/fixtures/fuzz-list-nul-in-comment.yaml").expect("fixture");
    refused(&bytes, "yaml-syntax", "control character U+0000");
}

/// Observation files as Windows tools write them: the `#TYPE` line of Windows PowerShell's `Export-Csv`,
/// lines of spaces, old Mac line ends; each row is reported at the row a spreadsheet shows.
#[test]
fn observation_rows_from_windows_tools() {
    use spoofctl::observations::{NextRow, Reader};
    let cases: &[(&str, &str, &[u64])] = &[
        ("#TYPE line", "#TYPE Deserialized.Foo\r\n\"From\",\"PTR\"\r\n\"a@adatum.com\",\"x.example\"\r\n", &[3]),
        ("a line of spaces", "From,PTR\n   \na@adatum.com,x.example\n", &[3]),
        ("old Mac line ends", "From,PTR\r\ra@adatum.com,x.example\rb@adatum.com,x.example", &[3, 4]),
    ];
    for (name, text, expected) in cases {
        let input = spoofctl::encoding::utf8_reader(std::io::Cursor::new(text.as_bytes().to_vec())).expect("readable");
        let mut reader = Reader::new(input).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut rows = Vec::new();
        loop {
            match reader.next_row() {
                NextRow::Row(row) => rows.push(row.row),
                NextRow::Skipped(e) => panic!("{name}: row {}: {}", e.row, e.message),
                NextRow::Failed(e) => panic!("{name}: {e}"),
                NextRow::End => break,
            }
        }
        assert_eq!(rows, *expected, "{name}");
    }
}

/// A record too long to be a row, in the header or after it, names where reading stopped.
#[test]
fn too_long_a_record_names_its_place() {
    use spoofctl::observations::{NextRow, Reader};
    let long = "x".repeat(spoofctl::encoding::MAX_LINE_BYTES + 10);
    let header_error = Reader::new(
        spoofctl::encoding::utf8_reader(std::io::Cursor::new(long.clone().into_bytes())).expect("readable"),
    )
    .err()
    .expect("refused");
    assert!(header_error.to_string().starts_with("in the header row: a record is longer than 1 MiB"), "{header_error}");

    let text = format!("\n\nFrom,PTR\na@adatum.com,x.example\n{long}\n");
    let mut reader =
        Reader::new(spoofctl::encoding::utf8_reader(std::io::Cursor::new(text.into_bytes())).expect("readable"))
            .expect("header");
    let mut failure = None;
    loop {
        match reader.next_row() {
            NextRow::Failed(e) => {
                failure = Some(e.to_string());
                break;
            }
            NextRow::End => break,
            NextRow::Row(_) | NextRow::Skipped(_) => {}
        }
    }
    assert_eq!(failure.as_deref(), Some("after row 4: a record is longer than 1 MiB"));

    // The same in exports (`import`): in the header, after a `#TYPE` line, and after rows.
    let import = |text: String| {
        spoofctl::tabl::read_export(std::io::Cursor::new(text.into_bytes())).expect_err("refused").to_string()
    };
    assert_eq!(import(long.clone()), "in the header row: a record is longer than 1 MiB");
    assert_eq!(import(format!("\n#TYPE x\n\"{long}\"\n")), "after row 2: a record is longer than 1 MiB");
    let header = "\"SpoofedUser\",\"SendingInfrastructure\",\"SpoofType\",\"Action\"";
    assert_eq!(
        import(format!("{header}\r\n\"gmail.com\",\"tms.mx.com\",\"External\",\"Allow\"\r\n\r\n\"{long}\"\r\n")),
        "after row 3: a record is longer than 1 MiB"
    );
}

/// `diff --observations` (replayed on every core) reports skipped rows and keeps the review; a record too
/// long to read stops it with the place, exit 1, and no review.
#[test]
fn diff_replay_reports_skipped_rows_and_a_broken_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff");
    let (old, new) = (fixtures.join("old.yaml"), fixtures.join("new.yaml"));
    let run = |rows: &str| {
        let file = dir.path().join("observations.csv");
        std::fs::write(&file, rows).expect("write");
        let args = [
            "diff",
            old.to_str().expect("path"),
            new.to_str().expect("path"),
            "--today",
            "2026-11-22",
            "--observations",
        ];
        let output = spoofctl(&[&args[..], &[file.to_str().expect("path")]].concat(), dir.path());
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, stdout, stderr) =
        run("From,PTR,IP,DKIM\na@adatum.com,mail.tms.mx.com,203.0.113.5,\nnot an address,x.example,,\n");
    // A row skipped for an error exits 1, as `match --observations` does (issue 17, item 9).
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.ends_with("observations.csv: 1 row skipped for errors (see `spoofctl match --observations`)\n"),
        "{stderr}"
    );
    assert!(stdout.contains("(1 row replayed)"), "{stdout}");

    let long = "x".repeat(spoofctl::encoding::MAX_LINE_BYTES + 10);
    let (code, stdout, stderr) =
        run(&format!("From,PTR\na@adatum.com,mail.tms.mx.com\n{long}\nb@adatum.com,x.example\n"));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.ends_with("observations.csv: after row 2: a record is longer than 1 MiB\n"), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
}

/// A broken JSON export names the line and column an editor shows, whatever its line ends (serde_json counts
/// LF only: a file with CR line ends was all line 1), with columns in characters, and the position once.
#[test]
fn broken_json_exports_name_the_place_whatever_the_line_ends() {
    let import = |text: String| {
        spoofctl::tabl::read_export(std::io::Cursor::new(text.into_bytes())).expect_err("refused").to_string()
    };
    let lines = ["[", "  {", "    \"Identity\": \"x\",", "    \"SpoofedUser\": ", "  }", "]"];
    for end in ["\n", "\r\n", "\r"] {
        assert_eq!(import(lines.join(end)), "not valid JSON at line 5, column 3: expected value", "{end:?}");
    }
    // serde_json stops at the `}` after the comma: the 19th character, the 22nd byte.
    for end in ["\n", "\r"] {
        assert_eq!(
            import(["[", "{\"Comment\": \"äöü\",}", "]"].join(end)),
            "not valid JSON at line 2, column 19: trailing comma",
            "{end:?}"
        );
    }
}

/// Endless input ends: `explain - </dev/zero` stops with an error once a header line passes 1 MiB, and a
/// header block of many ordinary lines stops once it passes 1 MiB, both in bounded time and memory.
#[test]
fn explain_refuses_endless_headers() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("list.yaml"), "version: 1\nentries: []\n").expect("write list");
    let zero = std::fs::File::open("/dev/zero").expect("/dev/zero");
    let out = Command::new(env!("CARGO_BIN_EXE_spoofctl"))
        .args(["explain", "--list", "list.yaml", "-"])
        .current_dir(dir.path())
        .stdin(zero)
        .output()
        .expect("spoofctl runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("-: a header line is longer than 1 MiB"));

    let mut long = String::from("From: a@contoso.com\n");
    while long.len() <= 1024 * 1024 {
        long.push_str(&format!("X-Filler-{}: {}\n", long.len(), "x".repeat(900)));
    }
    long.push_str("\nbody\n");
    std::fs::write(dir.path().join("long.eml"), long).expect("write message");
    let out = spoofctl(&["explain", "--list", "list.yaml", "long.eml"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("long.eml: the header block is longer than 1 MiB"));
}

/// Reading a list as text tells the file that stops the run (missing) from the file that is a finding (not
/// UTF-8, UTF-16, too large), which names where the first bad byte is.
#[test]
fn reading_a_list_as_text_tells_a_finding_from_a_stop() {
    use spoofctl::source::{MAX_FILE_BYTES, ReadError, read_text};
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        path
    };
    let finding = |path: &Path| {
        let d = read_text(path).expect_err("not text").into_finding().expect("a finding, not a stop");
        (d.code.to_string(), d.span.map(|s| (s.line, s.column)))
    };
    let bad = write("bad.yaml", b"version: 1\nentries:\n  - spoofed: caf\xE9.com\n");
    assert_eq!(finding(&bad), ("not-utf8".to_string(), Some((3, 17))));
    let utf16 = write("utf16.yaml", b"\xFF\xFEv\0");
    assert_eq!(finding(&utf16), ("not-utf8".to_string(), Some((1, 1))));
    let large = write("large.yaml", &vec![b'#'; MAX_FILE_BYTES as usize + 1]);
    assert_eq!(finding(&large), ("file-too-large".to_string(), None));
    let bom = write("bom.yaml", b"\xEF\xBB\xBFversion: 1\n");
    assert_eq!(read_text(&bom).expect("text"), "version: 1\n");
    let missing = dir.path().join("missing.yaml");
    let stop = read_text(&missing).expect_err("missing").into_finding().expect_err("a stop, not a finding");
    assert!(matches!(stop, ReadError::NotFound(p) if p == missing));
}

/// A failed write of the output is an error (exit 2, said on stderr), never a silent exit 0 with an empty
/// file; a closed standard output (`| head`) ends the command quietly with exit 0.
#[test]
fn output_errors_are_errors_and_a_closed_pipe_is_not() {
    let dir = tempfile::tempdir().expect("temp dir");
    let list = "version: 1\naccepted-domains: [contoso.com]\nentries:\n  - {spoofed: fabrikam.com, infrastructure: tms.mx.com, action: block}\n";
    std::fs::write(dir.path().join("list.yaml"), list).expect("write list");
    let mut rows = String::from("From,PTR,IP,DKIM\n");
    for i in 0..100_000 {
        rows.push_str(&format!("a{i}@fabrikam.com,mail.tms.mx.com,192.0.2.1,\n"));
    }
    std::fs::write(dir.path().join("rows.csv"), rows).expect("write rows");
    let commands: [&[&str]; 4] = [
        &["validate", "list.yaml"],
        &["export", "--list", "list.yaml", "--format", "csv"],
        &["match", "--list", "list.yaml", "--observations", "rows.csv", "--format", "csv"],
        &["match", "--list", "list.yaml", "--observations", "rows.csv", "--format", "json"],
    ];
    for args in commands {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
        let out = Command::new(env!("CARGO_BIN_EXE_spoofctl"))
            .args(args)
            .current_dir(dir.path())
            .stdout(full)
            .output()
            .expect("spoofctl runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("cannot write the output"), "{args:?}: {stderr}");
    }
    for args in &commands[2..] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_spoofctl"))
            .args(*args)
            .current_dir(dir.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spoofctl runs");
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("spoofctl ends");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stderr.is_empty(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

/// A message that cannot be written to stderr (`2>/dev/full`) does not panic (exit 101): the command ends
/// with its own exit code.
#[test]
fn an_unwritable_stderr_is_not_a_panic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
    let out = Command::new(env!("CARGO_BIN_EXE_spoofctl"))
        .args(["validate", "missing-folder"])
        .current_dir(dir.path())
        .stderr(full)
        .output()
        .expect("spoofctl runs");
    assert_eq!(out.status.code(), Some(2));
}

/// Endless blank lines before the headers (`yes '' | spoofctl explain -`) end with an error too.
#[test]
fn explain_refuses_endless_blank_lines() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("list.yaml"), "version: 1\nentries: []\n").expect("write list");
    std::fs::write(dir.path().join("blank.eml"), "\r\n".repeat(600_000)).expect("write message");
    let out = spoofctl(&["explain", "--list", "list.yaml", "blank.eml"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the run of blank lines before the headers is longer"));
}

/// Two columns that are spellings of one (`IP` and `CIP`) are refused like one name written twice: which
/// one a row is read by would be a silent pick.
#[test]
fn two_spellings_of_one_column_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("list.yaml"), "version: 1\nentries: []\n").expect("write list");
    std::fs::write(dir.path().join("rows.csv"), "From,IP,CIP\na@contoso.com,192.0.2.1,198.51.100.1\n").expect("write");
    let out = spoofctl(&["match", "--list", "list.yaml", "--observations", "rows.csv"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("columns 2 (`IP`) and 3 (`CIP`) are the same column"));
}
