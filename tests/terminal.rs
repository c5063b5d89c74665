//! What the admin's tools get: `schema`, `completions`, `man`, and colour on the terms of `--color` and
//! `NO_COLOR` (never in JSON or CSV).

use std::path::Path;
use std::process::{Command, Output};

const COMMANDS: [&str; 11] = ["import", "explain", "match", "validate", "fmt", "diff", "plan", "export", "schema", "completions", "man"];

fn spoofctl(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_spoofctl"));
    command.args(args).env_remove("NO_COLOR");
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

/// Each shell's script names every command; bash and zsh scripts are syntactically valid shell.
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
        assert!(page.contains(&format!(".TH spoofctl\\-{command} 1")) || page.contains(&format!(".TH spoofctl-{command} 1")), "{page}");
        assert!(page.contains(".SH EXAMPLES\n.nf\n"), "spoofctl-{command}.1 has no examples");
    }
    assert!(man1.join("spoofctl.1").exists());

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

/// Captured output is not a terminal: `auto` gives no colour, `always` does, `never` does not, and
/// `NO_COLOR` only speaks when no flag does.
#[test]
fn color_follows_the_flag_then_no_color_then_the_terminal() {
    let list = broken_list();
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], bool);
    let cases: [Case<'_>; 6] = [
        (&[], &[], false),
        (&["--color", "always"], &[], true),
        (&["--color=always"], &[("NO_COLOR", "1")], true),
        (&["--color", "never"], &[], false),
        (&["--color", "auto"], &[("NO_COLOR", "1")], false),
        (&["--color", "always"], &[("NO_COLOR", "")], true),
    ];
    for (flags, env, coloured) in cases {
        let mut args = vec!["validate", list];
        args.extend_from_slice(flags);
        let output = spoofctl(&args, env);
        assert_eq!(output.status.code(), Some(1));
        assert_eq!(stdout(&output).contains(ESC), coloured, "validate {flags:?} with {env:?}");
    }
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

/// A long run draws a progress bar on stderr when it is a terminal (here a pseudo-terminal from
/// util-linux `script`), clears it at the end, and draws nothing when stderr is a pipe.
#[test]
fn progress_bar_only_on_a_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("rows.csv");
    let mut rows = String::from("From,PTR,IP,DKIM\n");
    for i in 0..40_000 {
        rows.push_str(&format!("user{i}@d{}.example.com,mail.h{}.example.net,203.0.{}.{},\n", i % 500, i % 30, i % 256, i % 250));
    }
    std::fs::write(&file, rows).expect("write");
    let file = file.to_str().expect("path");
    let command = format!("{} match --list lists/contoso.yaml --observations {file}", env!("CARGO_BIN_EXE_spoofctl"));
    let on_tty = Command::new("script").args(["-qec", &command, "/dev/null"]).output().expect("script (util-linux) runs");
    let screen = String::from_utf8_lossy(&on_tty.stdout);
    assert!(on_tty.status.success(), "{screen}");
    assert!(screen.contains("rows/s") && screen.contains("] "), "no progress bar on a terminal: {screen}");
    let last_bar = screen.rfind("rows/s").expect("bar");
    assert!(screen[last_bar..].contains("\r\x1b[K"), "the bar is not cleared: {screen}");
    assert!(screen.contains("verdict"), "no summary: {screen}");

    let piped = spoofctl(&["match", "--list", "lists/contoso.yaml", "--observations", file], &[]);
    assert!(piped.status.success());
    assert!(!String::from_utf8_lossy(&piped.stderr).contains("rows/s"));
    assert!(!stdout(&piped).contains("rows/s"));
}
