//! Issue 17, item 5: reviews that read well. The Markdown review is read back with comrak, a real
//! CommonMark/GFM renderer, as a pull request shows it: each finding names its entry, each entry appears
//! once, added and changed allows carry their reason, owner, ticket and expiry; traffic whose verdict
//! changes is grouped by pair, the busiest first, the top 20 shown and the rest counted, in every format.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

mod common;

use std::path::Path;

use common::git::spoofctl_in;
use comrak::nodes::{AstNode, NodeValue};
use serde_json::Value;

const FIXTURES: &str = "tests/fixtures/diff";

/// Runs `spoofctl` in `dir` and returns its stdout, checking the exit code.
fn run(dir: &Path, args: &[&str], code: i32) -> String {
    let output = spoofctl_in(dir, args);
    assert_eq!(output.status.code(), Some(code), "{args:?}: {output:?}");
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// Comrak's options for GitHub's Markdown (tables on).
fn options() -> comrak::Options<'static> {
    let mut options = comrak::Options::default();
    options.extension.table = true;
    options
}

/// The literal of every code span under `node`.
fn code_spans<'a>(node: &'a AstNode<'a>) -> Vec<String> {
    node.descendants()
        .filter_map(|n| match &n.data.borrow().value {
            NodeValue::Code(c) => Some(c.literal.clone()),
            _ => None,
        })
        .collect()
}

/// The text of `node`, code spans included, as a reader sees it.
fn text_of<'a>(node: &'a AstNode<'a>) -> String {
    node.descendants()
        .filter_map(|n| match &n.data.borrow().value {
            NodeValue::Text(t) => Some(t.to_string()),
            NodeValue::Code(c) => Some(c.literal.clone()),
            _ => None,
        })
        .collect()
}

/// An entry as a JSON report gives it, as its label reads: `spoofed via infrastructure (type, action)`.
fn label(entry: &Value) -> String {
    let words: Vec<&str> = [&entry["type"], &entry["action"]].into_iter().filter_map(Value::as_str).collect();
    let base = format!(
        "{} via {}",
        entry["spoofed"].as_str().expect("spoofed"),
        entry["infrastructure"].as_str().expect("infrastructure")
    );
    if words.is_empty() { base } else { format!("{base} ({})", words.join(", ")) }
}

/// Checks one Markdown review against the JSON review of the same change: every finding is a list item that
/// names its entry in a code span, every change is in exactly one table row, and every added or changed
/// allow's row holds its reason, owner, ticket and expiry.
fn check_review(dir: &Path, old: &str, new: &str, code: i32) {
    let markdown = run(dir, &["diff", old, new, "--today", "2026-11-22", "--format", "markdown"], code);
    let json: Value =
        serde_json::from_str(&run(dir, &["diff", old, new, "--today", "2026-11-22", "--format", "json"], code))
            .expect("JSON");
    let tenant = &json["tenants"][0];
    let arena = comrak::Arena::new();
    let root = comrak::parse_document(&arena, &markdown, &options());

    let items: Vec<&AstNode<'_>> =
        root.descendants().filter(|n| matches!(n.data.borrow().value, NodeValue::Item(_))).collect();
    let findings: Vec<&Value> = ["new_errors", "base_errors", "new_warnings"]
        .iter()
        .flat_map(|k| tenant[*k].as_array().expect("findings").iter())
        .collect();
    assert!(!findings.is_empty(), "the case has findings");
    assert_eq!(items.len(), findings.len(), "one list item per finding:\n{markdown}");
    for finding in findings {
        let entry = label(&finding["entry"]);
        let item = items
            .iter()
            .find(|i| text_of(i).contains(finding["message"].as_str().expect("message")))
            .unwrap_or_else(|| panic!("no item for {finding}:\n{markdown}"));
        assert!(code_spans(item).contains(&entry), "the item does not name `{entry}`: {}", text_of(item));
    }

    let rows: Vec<&AstNode<'_>> =
        root.descendants().filter(|n| matches!(n.data.borrow().value, NodeValue::TableRow(false))).collect();
    for change in tenant["changes"].as_array().expect("changes") {
        let entry = label(if change["new"].is_null() { &change["old"] } else { &change["new"] });
        let holding: Vec<&&AstNode<'_>> =
            rows.iter().filter(|r| code_spans(r).iter().any(|c| c.starts_with(&entry))).collect();
        assert_eq!(holding.len(), 1, "`{entry}` is in {} rows:\n{markdown}", holding.len());
        let cells: Vec<String> = holding[0].children().map(|c| text_of(c)).collect();
        if change["new"]["action"] == "allow" {
            let allow = &change["allow"];
            for field in ["reason", "owner", "ticket", "expires"] {
                let value = allow[field].as_str().expect("an allow's field");
                assert!(cells.iter().any(|c| c == value), "`{entry}`: no {field} `{value}` in {cells:?}");
            }
        } else {
            assert!(change.get("allow").is_none(), "{change}");
        }
    }
}

/// The shipped review fixture: risky changes, new findings and other changes, each named once.
#[test]
fn markdown_review_names_every_entry_once() {
    check_review(Path::new(FIXTURES), "old.yaml", "new.yaml", 0);
}

/// A base with errors: its errors and the one the change introduces are findings that name their entries.
#[test]
fn markdown_review_of_a_broken_base_names_every_entry() {
    check_review(Path::new(FIXTURES), "broken-base.yaml", "mended.yaml", 0);
    check_review(Path::new(FIXTURES), "broken-base.yaml", "worse.yaml", 1);
}

/// How many allows the traffic test adds, more than the review shows.
const PAIRS: usize = 25;

/// A list allowing `count` domains via one infrastructure.
fn allows(count: usize) -> String {
    let mut list = "version: 1\nentries:\n".to_string();
    for i in 0..count {
        list.push_str(&format!(
            "  - spoofed: d{i:02}.example\n    infrastructure: tms.mx.com\n    type: external\n    action: allow\n    \
             reason: Partner {i}\n    owner: mail-team@contoso.com\n"
        ));
    }
    list
}

/// Traffic for 25 newly allowed pairs: pair `i` sends `100 + i` messages, in two rows for the first pairs.
#[test]
fn traffic_is_grouped_by_pair_the_busiest_twenty_shown() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("old.yaml"), allows(0).replace("entries:\n", "entries: []\n")).expect("write");
    std::fs::write(dir.path().join("new.yaml"), allows(PAIRS)).expect("write");
    let mut csv =
        "\"Spoofed user\",\"Sending infrastructure\",\"Message count\",\"Spoof type\",\"Action\"\n".to_string();
    for i in 0..PAIRS {
        // Pairs 0-4 in two rows (60 + 40+i messages), so grouping adds them up.
        if i < 5 {
            csv.push_str(&format!("d{i:02}.example,tms.mx.com,60,External,Blocked\n"));
            csv.push_str(&format!("d{i:02}.example,tms.mx.com,{},External,Blocked\n", 40 + i));
        } else {
            csv.push_str(&format!("d{i:02}.example,tms.mx.com,{},External,Blocked\n", 100 + i));
        }
    }
    std::fs::write(dir.path().join("insight.csv"), csv).expect("write");
    let args =
        |format: &'static str| ["diff", "old.yaml", "new.yaml", "--observations", "insight.csv", "--format", format];
    // The busiest first: pairs 24 down to 5 (124 to 105 messages) are the top 20; pairs 0-4 (100-104
    // messages, two rows each) are the 5 more.
    let top: Vec<String> = (5..PAIRS).rev().map(|i| format!("d{i:02}.example via tms.mx.com")).collect();
    let more_messages: usize = (0..5).map(|i| 100 + i).sum();

    let text = run(dir.path(), &args("text"), 0);
    let pairs: Vec<&str> = text.lines().filter(|l| l.starts_with("  d") && l.contains(": none -> allow, ")).collect();
    assert_eq!(pairs.len(), 20, "{text}");
    for (line, pair) in pairs.iter().zip(&top) {
        assert!(line.starts_with(&format!("  {pair}: none -> allow, ")), "{line} is not {pair}");
    }
    assert_eq!(pairs[0], "  d24.example via tms.mx.com: none -> allow, 124 messages (1 row)");
    assert!(text.contains(&format!("\n  and 5 more pairs ({more_messages} messages)\n")), "{text}");

    let markdown = run(dir.path(), &args("markdown"), 0);
    let arena = comrak::Arena::new();
    let root = comrak::parse_document(&arena, &markdown, &options());
    let traffic_rows: Vec<String> = root
        .descendants()
        .filter(|n| matches!(n.data.borrow().value, NodeValue::TableRow(false)))
        .map(|r| text_of(r))
        .filter(|t| t.contains("none -> allow"))
        .collect();
    assert_eq!(traffic_rows.len(), 20, "{markdown}");
    for (row, pair) in traffic_rows.iter().zip(&top) {
        assert!(row.starts_with(pair.as_str()), "{row} is not {pair}");
    }
    let paragraphs: Vec<String> = root
        .descendants()
        .filter(|n| matches!(n.data.borrow().value, NodeValue::Paragraph))
        .map(|p| text_of(p))
        .collect();
    assert!(paragraphs.contains(&format!("and 5 more pairs ({more_messages} messages).")), "{paragraphs:?}");

    let json: Value = serde_json::from_str(&run(dir.path(), &args("json"), 0)).expect("JSON");
    let traffic = &json["tenants"][0]["traffic"];
    let shown: Vec<&str> =
        traffic["changed_pairs"].as_array().expect("pairs").iter().map(|p| p["pair"].as_str().expect("pair")).collect();
    assert_eq!(shown, top);
    assert_eq!(traffic["more_pairs"]["pairs"], 5);
    assert_eq!(traffic["more_pairs"]["rows"], 10);
    assert_eq!(traffic["more_pairs"]["messages"], more_messages);
    assert_eq!(traffic["newly_allowed"]["pairs"], PAIRS);
}
