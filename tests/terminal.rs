//! What the admin's tools get: `schema`, `completions`, `man`, and colour on the terms of `--color` and
//! `NO_COLOR` (never in JSON or CSV).
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

use std::path::Path;
use std::process::{Command, Output};

const COMMANDS: [&str; 11] =
    ["import", "explain", "match", "validate", "fmt", "diff", "plan", "export", "schema", "completions", "man"];

fn spoofctl(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_spoofctl"));
    command.args(args).env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE").env_remove("CLICOLOR");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("spoofctl runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

#[test]
fn schema_prints_the_committed_schema() {
    let output = spoofctl(&["schema"], &[]);
    assert!(output.status.success());
    let committed = std::fs::read_to_string("schema/spoofctl-list.schema.json").expect("committed schema");
    assert_eq!(stdout(&output), committed);
}

/// Each shell's script names every command and its options; the bash script is valid bash (`bash -n`).
#[test]
fn completions_for_every_shell() {
    let cases = [
        ("bash", "complete -F _spoofctl"),
        ("zsh", "#compdef spoofctl"),
        ("fish", "complete -c spoofctl"),
        ("powershell", "Register-ArgumentCompleter -Native -CommandName 'spoofctl'"),
    ];
    for (shell, marker) in cases {
        let output = spoofctl(&["completions", shell], &[]);
        assert!(output.status.success(), "{shell}: {output:?}");
        let script = stdout(&output);
        assert!(script.contains(marker), "{shell}: no `{marker}` in the script");
        for command in COMMANDS {
            assert!(script.contains(command), "{shell}: `{command}` is not completed");
        }
        assert!(script.contains("observations") && script.contains("accepted-domains"), "{shell}: options are missing");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("spoofctl.bash");
    std::fs::write(&script, spoofctl(&["completions", "bash"], &[]).stdout).expect("write");
    let check = Command::new("bash").arg("-n").arg(&script).output().expect("bash runs");
    assert!(check.status.success(), "bash -n: {}", String::from_utf8_lossy(&check.stderr));
}

#[test]
fn man_prints_the_main_page() {
    let output = spoofctl(&["man"], &[]);
    assert!(output.status.success());
    let page = stdout(&output);
    assert!(page.contains(".TH spoofctl 1"), "{page}");
    assert!(page.contains(".SH SUBCOMMANDS"));
    for command in COMMANDS {
        assert!(page.contains(&format!("spoofctl\\-{}(1)", command.replace('-', "\\-"))), "`{command}` is not listed");
    }
    // The workflow is kept line by line (no-fill), not refilled into one paragraph.
    assert!(page.contains(".SH NOTES\n.nf\nThe workflow"), "{page}");
}

#[test]
fn man_writes_a_page_per_command_and_never_overwrites_without_force() {
    let dir = tempfile::tempdir().expect("tempdir");
    let man1 = dir.path().join("man1");
    let dir_arg = man1.to_str().expect("path");
    let output = spoofctl(&["man", "--dir", dir_arg], &[]);
    assert!(output.status.success(), "{output:?}");
    for command in COMMANDS {
        let page = std::fs::read_to_string(man1.join(format!("spoofctl-{command}.1"))).expect("a page per command");
        assert!(
            page.contains(&format!(".TH spoofctl\\-{command} 1"))
                || page.contains(&format!(".TH spoofctl-{command} 1")),
            "{page}"
        );
        assert!(page.contains(".SH EXAMPLES\n.nf\n"), "spoofctl-{command}.1 has no examples");
    }
    assert!(man1.join("spoofctl.1").exists());
    // clap's `help` command gets no page, and no page points at one.
    assert!(!man1.join("spoofctl-help.1").exists());
    let main_page = std::fs::read_to_string(man1.join("spoofctl.1")).expect("read");
    assert!(!main_page.contains("spoofctl\\-help"), "{main_page}");

    // A second run refuses, and leaves the pages as they were.
    std::fs::write(man1.join("spoofctl-diff.1"), "edited by hand\n").expect("write");
    let again = spoofctl(&["man", "--dir", dir_arg], &[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("nothing was written (give --force to replace the pages)"));
    assert_eq!(std::fs::read_to_string(man1.join("spoofctl-diff.1")).expect("read"), "edited by hand\n");

    let forced = spoofctl(&["man", "--dir", dir_arg, "--force"], &[]);
    assert!(forced.status.success());
    assert!(std::fs::read_to_string(man1.join("spoofctl-diff.1")).expect("read").contains(".SH EXAMPLES"));
}

const ESC: char = '\x1b';

fn broken_list() -> &'static str {
    assert!(Path::new("examples/broken/contoso.yaml").exists());
    "examples/broken/contoso.yaml"
}

/// Runs `spoofctl ARGS` on a pseudo-terminal (util-linux `script`), with `env` set: what the screen shows.
fn on_terminal(args: &str, env: &[(&str, &str)]) -> (i32, String) {
    let command = format!("{} {args}", env!("CARGO_BIN_EXE_spoofctl"));
    let mut script = Command::new("script");
    script
        .args(["-qec", &command, "/dev/null"])
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .env_remove("CI")
        .env("TERM", "xterm");
    for (k, v) in env {
        script.env(k, v);
    }
    let output = script.output().expect("script (util-linux) runs");
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stdout).into_owned())
}

/// `--color` first (the last one given wins), then `CLICOLOR_FORCE`, then `NO_COLOR` and `TERM=dumb`, then
/// whether the output is a terminal. A CI runner (`CI` set) counts as supporting colour whatever `TERM` says,
/// as in clap's help; the cases start from an environment without `CI` so that they hold on a CI machine too.
#[test]
fn color_follows_the_flag_then_the_variables_then_the_terminal() {
    let list = broken_list();
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], bool);
    let on_a_terminal: [Case<'_>; 9] = [
        ("", &[], true),
        ("", &[("NO_COLOR", "1")], false),
        ("", &[("NO_COLOR", "")], true),
        ("", &[("TERM", "dumb")], false),
        ("", &[("TERM", "dumb"), ("CI", "true")], true),
        ("", &[("TERM", "dumb"), ("CI", "true"), ("NO_COLOR", "1")], false),
        ("--color never", &[], false),
        ("--color always", &[("NO_COLOR", "1")], true),
        ("--color always --color never", &[], false),
    ];
    for (flags, env, coloured) in on_a_terminal {
        let (code, screen) = on_terminal(&format!("validate {list} {flags}"), env);
        assert_eq!(code, 1, "{screen}");
        assert_eq!(screen.contains(ESC), coloured, "on a terminal, validate {flags} with {env:?}: {screen}");
    }
    type Piped<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], bool);
    let piped: [Piped<'_>; 5] = [
        (&[], &[], false),
        (&["--color", "always"], &[], true),
        (&["--color=always"], &[("NO_COLOR", "1")], true),
        (&[], &[("CLICOLOR_FORCE", "1")], true),
        (&["--color", "never"], &[("CLICOLOR_FORCE", "1")], false),
    ];
    for (flags, env, coloured) in piped {
        let mut args = vec!["validate", list];
        args.extend_from_slice(flags);
        let output = spoofctl(&args, env);
        assert_eq!(output.status.code(), Some(1));
        assert_eq!(stdout(&output).contains(ESC), coloured, "piped, validate {flags:?} with {env:?}");
    }
}

/// `plan` and `diff` text are coloured like `validate`; a plan written to a file never is.
#[test]
fn plan_and_diff_text_are_coloured_on_request() {
    let plan = ["plan", "--list", "lists/contoso.yaml", "--live", "examples/tenant/live-export.csv"];
    let coloured = spoofctl(&[&plan[..], &["--color", "always"]].concat(), &[]);
    assert!(stdout(&coloured).contains("\x1b[32m+ create\x1b[0m"), "{}", stdout(&coloured));
    assert!(!stdout(&spoofctl(&plan, &[]))[..].contains(ESC));
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("plan.txt");
    let written = spoofctl(&[&plan[..], &["--color", "always", "-o", file.to_str().expect("path")]].concat(), &[]);
    assert!(written.status.success(), "{written:?}");
    let text = std::fs::read_to_string(&file).expect("plan written");
    assert!(text.contains("+ create") && !text.contains(ESC), "{text}");

    let diff =
        spoofctl(&["diff", "tests/fixtures/diff/old.yaml", "tests/fixtures/diff/new.yaml", "--color", "always"], &[]);
    assert!(stdout(&diff).contains("\x1b[1;31mrisky:\x1b[0m"), "{}", stdout(&diff));
}

/// Machine formats never carry colour, whatever `--color` says; errors on stderr follow the flag.
#[test]
fn machine_formats_are_never_coloured() {
    let list = broken_list();
    let json = spoofctl(&["validate", list, "--format", "json", "--color", "always"], &[]);
    assert!(!stdout(&json).contains(ESC));
    serde_json::from_str::<serde_json::Value>(&stdout(&json)).expect("valid JSON");

    for format in ["csv", "json"] {
        let output = spoofctl(
            &[
                "match",
                "--list",
                "lists/contoso.yaml",
                "--observations",
                "tests/fixtures/messages.csv",
                "--format",
                format,
                "--color",
                "always",
            ],
            &[],
        );
        // Exit 1: the fixture has rows with errors, reported on stderr.
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        assert!(stdout(&output).contains("payroll@adatum.com"));
        assert!(!stdout(&output).contains(ESC), "match --format {format} is coloured");
    }
    let export = spoofctl(&["export", "--list", "lists/contoso.yaml", "--format", "json", "--color", "always"], &[]);
    assert!(!stdout(&export).contains(ESC));

    // The list's errors go to stderr when a command needs a valid list; they follow the flag there.
    let refused = spoofctl(&["export", "--list", list, "--format", "csv", "--color", "always"], &[]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(refused.stdout.is_empty());
    assert!(String::from_utf8_lossy(&refused.stderr).contains(ESC));
}

/// clap's own help and usage errors follow `--color` too.
#[test]
fn help_follows_the_color_flag() {
    let always = spoofctl(&["--color", "always", "validate", "--help"], &[]);
    assert!(stdout(&always).contains(ESC));
    let never = spoofctl(&["--color", "never", "validate", "--help"], &[]);
    assert!(!stdout(&never).contains(ESC));
    let usage = spoofctl(&["--color=always", "validate", "--no-such-flag"], &[]);
    assert_eq!(usage.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&usage.stderr).contains(ESC));
}

/// A file big enough for a run longer than half a second, with one bad row near the end.
fn big_observations(dir: &Path) -> String {
    let file = dir.join("rows.csv");
    let mut rows = String::from("From,PTR,IP,DKIM\n");
    for i in 0..200_000 {
        if i == 100_000 {
            rows.push_str("not an address,mail.example.net,203.0.113.1,\n");
        }
        rows.push_str(&format!(
            "user{i}@d{}.example.com,mail.h{}.example.net,203.0.{}.{},\n",
            i % 500,
            i % 30,
            i % 256,
            i % 250
        ));
    }
    std::fs::write(&file, rows).expect("write");
    file.to_str().expect("path").to_string()
}

/// A long run draws a progress bar on stderr when it is a terminal, erases it before a message and at the
/// end, and draws nothing when stderr is a pipe.
#[test]
fn progress_bar_only_on_a_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = big_observations(dir.path());
    let (code, screen) = on_terminal(
        &format!("match --list lists/contoso.yaml --observations {file}"),
        &[("SPOOFCTL_PROGRESS_AFTER_MS", "0")],
    );
    assert_eq!(code, 1, "{screen}"); // one row skipped
    assert!(screen.contains("rows/s") || screen.contains("/s "), "no progress bar on a terminal: {screen}");
    // The skipped row's message starts its own line: the bar was erased first.
    let message = screen.find(&format!("{file}: row 100002: skipped")).expect("the skipped row is reported");
    assert!(screen[..message].ends_with("\r\x1b[K"), "the message is glued to the bar: {screen}");
    // Drawn again after the message, and erased at the end.
    let last_bar = screen.rfind("s left").expect("bar");
    assert!(last_bar > message, "the bar did not come back after the message: {screen}");
    assert!(screen[last_bar..].contains("\r\x1b[K"), "the bar is not erased at the end: {screen}");
    assert!(screen.contains("verdict"), "no summary: {screen}");

    let piped = spoofctl(&["match", "--list", "lists/contoso.yaml", "--observations", &file], &[]);
    assert_eq!(piped.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&piped.stderr).contains("s left"));
    assert!(!stdout(&piped).contains("s left"));
}

/// Rows written to the terminal (`--format csv`) get no bar among them.
#[test]
fn no_progress_bar_among_rows_on_a_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = big_observations(dir.path());
    let (_, screen) = on_terminal(
        &format!("match --list lists/contoso.yaml --observations {file} --format csv"),
        &[("SPOOFCTL_PROGRESS_AFTER_MS", "0")],
    );
    assert!(screen.contains("user199999@"), "the rows are missing");
    // (Loading the list may draw its own bar first; it is gone before the first row.)
    let rows = screen.find("row,list,from").expect("the CSV header");
    assert!(!screen[rows..].contains("s left"), "a progress bar among the rows");
}

/// Checking many tenants' lists (a managed-service provider's folder) shows a bar counted in lists, erased
/// before the report.
#[test]
fn progress_bar_over_many_lists() {
    let dir = tempfile::tempdir().expect("tempdir");
    let list = std::fs::read_to_string("lists/contoso.yaml").expect("list");
    for i in 0..40 {
        std::fs::write(dir.path().join(format!("tenant{i:02}.yaml")), &list).expect("write");
    }
    let folder = dir.path().to_str().expect("path");
    let (code, screen) =
        on_terminal(&format!("validate {folder} --today 2026-11-22"), &[("SPOOFCTL_PROGRESS_AFTER_MS", "0")]);
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains(" lists  "), "no bar counted in lists: {screen}");
    let report = screen.find(&format!("{folder}/tenant00.yaml: ")).unwrap_or_else(|| panic!("no report: {screen}"));
    assert!(screen[..report].ends_with("\r\x1b[K"), "the report is glued to the bar: {screen}");
    assert_eq!(screen.matches(", 19 entries (12 allow, 7 block)").count(), 40);
}
