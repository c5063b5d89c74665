//! Issue 17, item 8: every command's `--help` lists its exit codes, and an example that pipes the clipboard
//! gives Windows' `Get-Clipboard` beside macOS's `pbpaste`.
#![allow(clippy::expect_used, reason = "a test that cannot go on stops, saying why")]

use std::process::Command;

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_spoofctl")).args(args).output().expect("spoofctl runs");
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The commands `spoofctl --help` lists, `help` left out.
fn commands() -> Vec<String> {
    let top = help(&["--help"]);
    let listed = top.split("Commands:\n").nth(1).expect("a command list");
    listed
        .lines()
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn every_command_lists_its_exit_codes() {
    let commands = commands();
    assert!(commands.len() >= 10, "{commands:?}");
    for command in commands {
        let text = help(&[&command, "--help"]);
        let codes = text.split("Exit codes: ").nth(1).unwrap_or_else(|| panic!("{command}: no exit codes:\n{text}"));
        assert!(codes.starts_with("0 ") && codes.contains("2 could not run"), "{command}: {codes}");
    }
}

#[test]
fn clipboard_examples_name_both_systems() {
    for command in commands() {
        let text = help(&[&command, "--help"]);
        assert_eq!(text.contains("pbpaste"), text.contains("Get-Clipboard"), "{command}:\n{text}");
    }
}
