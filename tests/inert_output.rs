//! Issue 16, items 3 and 4: whatever a list, an export, a message or a file name holds, the Markdown of
//! `diff` and `plan` renders it as text (read back with comrak, a real CommonMark/GFM renderer), and no
//! human output or message puts a control, bidi or invisible character on the terminal.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::inert::{first_hidden, markup_problem, read_html, to_html};

/// Free text a list accepts (no control character) that would be markup, a mention or a link if it
/// reached a pull-request comment as Markdown.
const MARKUP: [&str; 12] = [
    "close `code` and ``two`` ```",
    "a | b || c",
    "<b>bold</b> <img src=x onerror=alert(1)>",
    "<!-- hidden --> <script>x</script>",
    "![x](http://e.example/x.png)",
    "[a](http://e.example) <http://e.example/a>",
    "http://e.example/raw www.e.example m@e.example",
    "@someone @org/team #1",
    "**bold** _em_ ~~del~~ $x^2$ :smile: [^1]",
    "&amp; &lt;b&gt; &#64;x \\`not\\` \\<b>",
    "# heading - [ ] > quote",
    "1. <details><summary>s</summary>",
];

/// Invisible text a list accepts in free text: bidi overrides and isolates, zero-width characters.
const INVISIBLE: [&str; 3] =
    ["pay\u{202E}lortnoc\u{202C}", "a\u{200B}b\u{2060}c\u{FEFF}d\u{00AD}", "\u{2066}x\u{2069}\u{061C}"];

/// Terminal escapes: a repaint, a forged `ok`, a window title, OSC 52 (the clipboard), a C1 CSI, DEL.
const ESCAPES: [&str; 4] =
    ["\x1b[2J\x1b[H", "\x1b[32mok\x1b[0m\r", "\x1b]0;title\x07\x1b]52;c;ZXZpbA==\x07", "\u{9b}31m\x7f"];

fn spoofctl(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spoofctl"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .output()
        .expect("spoofctl runs")
}

/// A YAML double-quoted scalar holding `value` exactly.
fn yaml_quoted(value: &str) -> String {
    let mut out = String::from('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() || (c as u32) > 0x7E => out.push_str(&format!("\\U{:08X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A valid list: one block entry per reason, `n.example via tms.mx.com`.
fn list(tenant: &str, reasons: &[String]) -> String {
    let mut out = format!("version: 1\ntenant: {}\naccepted-domains: [contoso.com]\nentries:\n", yaml_quoted(tenant));
    for (i, reason) in reasons.iter().enumerate() {
        out.push_str(&format!(
            "  - spoofed: e{i}.example\n    infrastructure: tms.mx.com\n    action: block\n    reason: {}\n",
            yaml_quoted(reason)
        ));
    }
    out
}

/// A CSV cell, quoted.
fn csv_cell(value: &str) -> String {
    format!("\"{}\"", value.replace('"', "\"\""))
}

/// A TABL export: one allow per spoofed value, none of which the list holds.
fn export(spoofed: &[&str]) -> String {
    let mut out = String::from("Identity,SpoofedUser,SendingInfrastructure,SpoofType,Action\n");
    for (i, s) in spoofed.iter().enumerate() {
        out.push_str(&format!("55555555-0000-4000-8000-{i:012},{},tms.mx.com,External,Block\n", csv_cell(s)));
    }
    out
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 stdout")
}

/// Every text that the Markdown must show, read back from the HTML: each value (its visible form) is in
/// the text, and no tag, mention or link came from any of them.
fn assert_inert_markdown(markdown: &str, shown: &[&str]) {
    if let Some(problem) = markup_problem(markdown) {
        panic!("{problem}\nMarkdown:\n{markdown}\nHTML:\n{}", to_html(markdown));
    }
    let html = read_html(&to_html(markdown));
    for value in shown {
        assert!(html.text.contains(value), "`{value}` is not shown as text:\n{markdown}\nHTML text:\n{}", html.text);
    }
}

/// A file name whose Markdown would be markup and a mention, with a line break in it.
const MARKUP_NAME: &str = "t <b>@team<i> [a](x) `|*_~$ !\nnew line.yaml";

#[test]
fn diff_markdown_shows_every_value_as_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old: Vec<String> = MARKUP.iter().chain(&INVISIBLE).map(|_| "old".to_string()).collect();
    let new: Vec<String> = MARKUP.iter().chain(&INVISIBLE).map(|v| v.to_string()).collect();
    write(dir.path(), "old.yaml", &list("contoso.onmicrosoft.com", &old));
    write(dir.path(), MARKUP_NAME, &list("contoso.onmicrosoft.com", &new));
    let output = spoofctl(dir.path(), &["diff", "old.yaml", MARKUP_NAME, "--format", "markdown"]);
    assert!(output.status.success(), "{output:?}");
    let markdown = stdout(&output);
    assert!(markdown.contains("metadata changed"), "{markdown}");
    // Invisible characters show as escapes, which are text too.
    assert_inert_markdown(&markdown, &[&MARKUP[..], &["t <b>@team<i> [a](x) `|*_~$ !\\nnew line.yaml"]].concat());
    let html = read_html(&to_html(&markdown)).text;
    for escape in ["\\u{202e}", "\\u{200b}", "\\u{2066}", "\\u{61c}", "\\u{ad}"] {
        assert!(html.contains(escape), "no `{escape}` in:\n{html}");
    }
    assert!(first_hidden(&html).is_none(), "a hidden character in:\n{html}");
}

#[test]
fn plan_markdown_shows_every_value_as_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), MARKUP_NAME, &list("contoso.onmicrosoft.com", &["ok".to_string()]));
    // Export values are not domains: the plan shows them as the export holds them.
    let mut spoofed: Vec<&str> = MARKUP.to_vec();
    spoofed.extend(INVISIBLE);
    spoofed.extend(["two\nlines", "cr\r\nlf", "tab\there"]);
    write(dir.path(), "live.csv", &export(&spoofed));
    let output = spoofctl(dir.path(), &["plan", "--list", MARKUP_NAME, "--live", "live.csv", "--format", "markdown"]);
    assert!(output.status.success(), "{output:?}");
    let markdown = stdout(&output);
    assert!(markdown.contains("#### Unmanaged"), "{markdown}");
    let shown = [&MARKUP[..], &["two\\nlines", "cr\\r\\nlf", "tab\\there", "t <b>@team<i> [a](x)"]].concat();
    assert_inert_markdown(&markdown, &shown);
}

/// A character the terminal would act on or hide, in a human output or a message.
fn assert_inert_terminal(what: &str, output: &Output) {
    for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        if let Some((at, c)) = first_hidden(&text) {
            panic!("{what}: {stream} holds U+{:04X} raw at byte {at}:\n{text}", c as u32);
        }
    }
}

/// Every hostile string in one: escapes, bidi, invisible characters.
fn all_hostile() -> String {
    ESCAPES.iter().chain(&INVISIBLE).copied().collect()
}

#[test]
fn no_hidden_character_reaches_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let hostile = all_hostile();
    // A file name, keys, values and a tenant that hold terminal escapes; an invalid list and a valid one
    // (free text may hold bidi and invisible characters, which validate accepts and every output shows).
    let bad_name = format!("bad{}.yaml", ESCAPES.concat().replace('/', ""));
    let bad = format!(
        "version: 1\ntenant: {q}\naccepted-domains: [contoso.com]\n{q}: 1\nentries:\n  - spoofed: {q}\n    infrastructure: {q}\n    action: allow\n    reason: {q}\n    {q}: x\n  - spoofed: a.example\n    infrastructure: tms.mx.com\n    action: {q}\n",
        q = yaml_quoted(&hostile)
    );
    write(d, &bad_name, &bad);
    let good_name = format!("good{}.yaml", INVISIBLE.concat());
    let invisible: Vec<String> = INVISIBLE.iter().map(|s| s.to_string()).collect();
    write(d, &good_name, &list(&INVISIBLE.concat(), &invisible));
    write(d, "old.yaml", &list("contoso.onmicrosoft.com", &vec!["old".to_string(); 3]));
    let export_name = format!("live{}.csv", ESCAPES[0]);
    let mut values: Vec<&str> = ESCAPES.to_vec();
    values.extend(INVISIBLE);
    write(d, &export_name, &export(&values));
    let bad_rows = format!(
        "Identity,SpoofedUser,SendingInfrastructure,SpoofType,Action\n55555555-0000-4000-8000-000000000001,a.example,tms.mx.com,{h},{h}\n{h},b.example,tms.mx.com,External,Block\n",
        h = csv_cell(&hostile)
    );
    write(d, "rows.csv", &bad_rows);
    let observations = format!(
        "from,ptr,ip,dkim\n{h},mail.tms.mx.com,203.0.113.25,\npayroll@e0.example,{h},203.0.113.25,\n",
        h = csv_cell(&hostile)
    );
    write(d, "observations.csv", &observations);
    let message = format!(
        "Authentication-Results: spf=fail smtp.mailfrom={h}; dmarc=fail action=oreject header.from={h};compauth=fail reason={h}\nX-Forefront-Antispam-Report: CIP:203.0.113.25;PTR:{h};CAT:{h};DIR:INB;\nFrom: \"{h}\" <x{h}@adatum.com>\nSubject: {h}\n\nBody.\n",
        h = hostile.replace(['\r', '\n'], "")
    );
    write(d, &format!("message{}.eml", ESCAPES[1].trim_end_matches('\r')), &message);
    let message_name = format!("message{}.eml", ESCAPES[1].trim_end_matches('\r'));

    let runs: Vec<Vec<&str>> = vec![
        vec!["validate", "."],
        vec!["validate", &bad_name],
        vec!["validate", &good_name],
        vec!["fmt", "--check", "."],
        vec!["fmt", "--check", &bad_name],
        vec!["diff", "old.yaml", &good_name],
        vec!["diff", "old.yaml", &bad_name],
        vec!["diff", "old.yaml", &good_name, "--observations", "observations.csv"],
        vec!["plan", "--list", &good_name, "--live", &export_name],
        vec!["plan", "--list", &good_name, "--live", "rows.csv"],
        vec!["plan", "--list", &bad_name, "--live", &export_name],
        vec!["import", &export_name],
        vec!["import", "rows.csv", "--skip-invalid"],
        vec!["match", "--list", &good_name, "--observations", "observations.csv"],
        vec!["match", "--list", &good_name, "--from", &hostile, "--ptr", &hostile],
        vec!["explain", "--list", &good_name, &message_name],
        vec!["explain", "--list", &good_name, &bad_name],
        vec!["export", "--list", &good_name, "--format", "pairs"],
    ];
    let mut echoed = 0;
    for args in &runs {
        let output = spoofctl(d, args);
        let what = format!("spoofctl {}", args.join(" ").escape_debug());
        assert_inert_terminal(&what, &output);
        let all = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        // The hostile values are echoed, escaped: the checks above looked at them.
        if ["\\u{1b}", "\\u{202e}", "\\u{200b}"].iter().any(|e| all.contains(e)) {
            echoed += 1;
        }
    }
    assert!(echoed >= runs.len() - 2, "only {echoed} of {} runs echo a hostile value", runs.len());
}

/// The checks above can fail: what the Markdown of spoofctl 0.1 made of such values is caught.
#[test]
fn the_checks_catch_markup_mentions_and_hidden_characters() {
    for markdown in [
        "| `a`<b>x</b>` | y |",
        "| `a`![x](http://e.example/x.png)` |",
        "`x` @someone",
        "**#12**",
        "see www.e.example",
        "<!-- hidden -->",
    ] {
        assert!(markup_problem(markdown).is_some(), "`{markdown}` passed");
    }
    assert!(markup_problem("`@someone` and `<b>` in ``a`b``").is_none());
    assert!(first_hidden("ok \u{1b}[2J").is_some() && first_hidden("x\u{202E}").is_some());
    assert!(first_hidden("ok \\u{1b}[2J line\n").is_none());
}
