//! Where `fmt` puts comments: each case is a list as written and the exact canonical text. Every case also
//! formats again to itself. Regression cases are named after what went wrong.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

use std::path::Path;

use spoofctl::check::check;
use spoofctl::date::Date;
use spoofctl::format::format;

fn fmt(text: &str) -> String {
    let checked = check(Path::new("t.yaml"), text, Date::parse("2026-11-22").expect("date"));
    let once = format(&checked).unwrap_or_else(|e| panic!("{e}: {:#?}", checked.diagnostics));
    let again =
        format(&check(Path::new("t.yaml"), &once, Date::parse("2026-11-22").expect("date"))).expect("formats again");
    assert_eq!(once, again, "not idempotent");
    once
}

const HEAD: &str = "version: 1\nentries:\n";

fn entry(spoofed: &str) -> String {
    format!("  - spoofed: {spoofed}\n    infrastructure: x.com\n    type: external\n    action: block\n")
}

/// Regression: an empty block scalar swallowed the comments below it, and fmt deleted them.
#[test]
fn comments_after_an_empty_block_scalar_are_kept() {
    let text = format!(
        "{HEAD}  - spoofed: a.com\n    reason: >-\n    # DO NOT REMOVE: legal hold\n    infrastructure: x.com  # the vendor's DKIM domain\n    type: external\n    action: block\n"
    );
    let out = fmt(&text);
    assert!(out.contains("# DO NOT REMOVE: legal hold"), "{out}");
    assert!(out.contains("infrastructure: x.com  # the vendor's DKIM domain"), "{out}");
}

/// Regression: `- # note` belongs to the item it opens, not to the entry above.
#[test]
fn comment_after_the_dash_stays_with_its_entry() {
    let text = format!(
        "{HEAD}{}  - # note about a.com\n    spoofed: a.com\n    infrastructure: x.com\n    type: external\n    action: block\n",
        entry("z.com")
    );
    assert_eq!(fmt(&text), format!("{HEAD}  # note about a.com\n{}\n{}", entry("a.com"), entry("z.com")));
}

/// Regression: a commented-out field after an entry's last key stays with that entry when entries
/// are sorted.
#[test]
fn commented_out_field_stays_with_its_entry() {
    let text = format!("{HEAD}{}    # ticket: SEC-1\n{}", entry("z.com"), entry("a.com"));
    assert_eq!(fmt(&text), format!("{HEAD}{}\n{}    # ticket: SEC-1\n", entry("a.com"), entry("z.com")));
}

/// Regression: a comment above a key that becomes the entry's first made an empty list item.
#[test]
fn comment_above_a_key_that_moves_first() {
    let text = format!(
        "{HEAD}  - action: block\n    type: external\n    # the bank's From domain\n    spoofed: a.com\n    infrastructure: x.com\n"
    );
    assert_eq!(fmt(&text), format!("{HEAD}  # the bank's From domain\n{}", entry("a.com")));
}

/// A comment ending a line stays at the end of that key's line, also in a one-line flow entry.
#[test]
fn trailing_comments_stay_on_their_key() {
    let text = format!(
        "{HEAD}  - {{spoofed: a.com, infrastructure: x.com, type: external, action: block}}  # flow entry\n  - spoofed: b.com  # b\n    infrastructure: x.com\n    type: external\n    action: block\n"
    );
    let out = fmt(&text);
    assert!(out.contains("    action: block  # flow entry\n\n  - spoofed: b.com  # b\n"), "{out}");
}

/// Comments above the first key stay at the top; comments after everything stay at the end.
#[test]
fn header_and_footer_comments() {
    let text = format!("# Contoso\n# reviewed weekly\nentries:\n{}version: 1\n# end\n", entry("a.com"));
    assert_eq!(fmt(&text), format!("# Contoso\n# reviewed weekly\nversion: 1\nentries:\n{}# end\n", entry("a.com")));
}

/// A comment between two keys of an entry travels with the key below it.
#[test]
fn comment_between_keys_travels_with_the_key_below() {
    let text = format!(
        "{HEAD}  - spoofed: a.com\n    infrastructure: x.com\n    action: block\n    # external: Fabrikam's own mail\n    type: external\n"
    );
    assert_eq!(
        fmt(&text),
        format!(
            "{HEAD}  - spoofed: a.com\n    infrastructure: x.com\n    # external: Fabrikam's own mail\n    type: external\n    action: block\n"
        )
    );
}

/// A `#` inside quotes or a block scalar is text, not a comment.
#[test]
fn hashes_inside_values_are_not_comments() {
    let text = format!(
        "{HEAD}  - spoofed: a.com\n    infrastructure: x.com\n    type: external\n    action: block\n    reason: >-\n      see # 12\n    owner: 'it''s # me'\n"
    );
    let out = fmt(&text);
    assert!(out.contains("reason: \"see # 12\"\n"), "{out}");
    assert!(out.contains("owner: \"it's # me\""), "{out}");
}

/// A comment with a blank line below it heads a section: it keeps its place, with the blank line, and the
/// entries below it are sorted among themselves, never past it; a comment right above an entry (no blank
/// line) stays that entry's.
#[test]
fn section_headings_keep_their_place_and_their_entries() {
    let text = format!(
        "{HEAD}{}{}\n  # ---- Vendors ----\n\n{}  # adatum's CRM\n{}\n  # ---- Blocks ----\n  # reviewed monthly\n\n{}{}",
        entry("y.com"),
        entry("b.com"),
        entry("zeta.com"),
        entry("adatum.com"),
        entry("fabrikam.com"),
        entry("bad.com"),
    );
    assert_eq!(
        fmt(&text),
        format!(
            "{HEAD}{}\n{}\n  # ---- Vendors ----\n\n  # adatum's CRM\n{}\n{}\n  # ---- Blocks ----\n  # reviewed monthly\n\n{}\n{}",
            entry("b.com"),
            entry("y.com"),
            entry("adatum.com"),
            entry("zeta.com"),
            entry("bad.com"),
            entry("fabrikam.com"),
        )
    );
}

/// A heading right under `entries:`, and one whose blank lines are several or hold other comments: the
/// heading is everything down to the last blank line above the entry, written without the blank lines
/// inside it.
#[test]
fn headings_at_the_top_and_with_several_blank_lines() {
    let text = format!("{HEAD}  # ---- All ----\n\n\n  # imported 2026-11\n\n{}{}", entry("z.com"), entry("a.com"));
    assert_eq!(
        fmt(&text),
        format!("{HEAD}  # ---- All ----\n  # imported 2026-11\n\n{}\n{}", entry("a.com"), entry("z.com"))
    );
}

/// The README's example of sections ("Canonical order") is in canonical form: `fmt` leaves it as it is.
#[test]
fn the_readme_example_of_sections_is_canonical() {
    let readme = std::fs::read_to_string("README.md").expect("README.md exists");
    let section = readme.split("### Canonical order").nth(1).expect("the section");
    let yaml = section.split("```yaml\n").nth(1).and_then(|rest| rest.split("```").next()).expect("a yaml block");
    assert!(yaml.contains("# ---- Blocks ----\n\n"), "{yaml}");
    assert_eq!(fmt(yaml), yaml);
}

/// Regression: only a blank line makes a heading. A `-` on a line of its own, or a
/// commented-out field of the entry above, between a comment and its entry is not one; nor is the blank
/// line after `- # note`, which opens its item.
#[test]
fn only_a_blank_line_below_a_comment_makes_a_heading() {
    let m = "    spoofed: m.com\n    infrastructure: x.com\n    type: external\n    action: block\n";
    let want = format!("{HEAD}{}\n  # about m.com\n{}\n{}", entry("c.com"), entry("m.com"), entry("z.com"));
    let dash_alone = format!("{HEAD}{}  # about m.com\n  -\n{m}{}", entry("z.com"), entry("c.com"));
    assert_eq!(fmt(&dash_alone), want, "dash on its own line");
    let dash_note = format!("{HEAD}{}  - # about m.com\n\n{m}{}", entry("z.com"), entry("c.com"));
    assert_eq!(fmt(&dash_note), want, "`- # note` then a blank line");
    let commented_out =
        format!("{HEAD}{}  # about m.com\n    # ticket: SEC-1\n{}{}", entry("z.com"), entry("m.com"), entry("c.com"));
    assert_eq!(
        fmt(&commented_out),
        format!(
            "{HEAD}{}\n  # about m.com\n{}\n{}    # ticket: SEC-1\n",
            entry("c.com"),
            entry("m.com"),
            entry("z.com")
        )
    );
}

/// Regression: in a file whose lines end in CR alone, comments were found by LF only, so
/// one comment ran to the end of the file and `fmt` refused the file ("would read back differently"). Any
/// line ends (LF, CRLF, CR) give the same canonical text, comments and headings in place.
#[test]
fn comments_are_placed_whatever_the_line_ends() {
    let text = format!(
        "{HEAD}  # ---- Vendors ----\n\n{}  # about a.com\n{}    # ticket: SEC-1\n\n  # ---- Blocks ----\n\n{}",
        entry("z.com"),
        entry("a.com"),
        entry("b.com")
    );
    let want = fmt(&text);
    assert!(want.contains("  # about a.com\n  - spoofed: a.com\n"), "{want}");
    for end in ["\r\n", "\r"] {
        assert_eq!(fmt(&text.replace('\n', end)), want, "{end:?}");
    }
}

/// Regression: in a flow sequence, a comment between two entries went to the entry above
/// (it was not left of that entry's `{`), as if it were a commented-out field. A comment is the entry
/// above's only when indented at least like that entry's keys.
#[test]
fn comments_between_flow_entries_go_with_the_entry_below() {
    let flow = |s: &str| format!("{{spoofed: {s}, infrastructure: x.com, type: external, action: block}}");
    let text =
        format!("version: 1\nentries: [\n  # about b\n  {},\n  # about a\n  {}\n]\n", flow("b.com"), flow("a.com"));
    assert_eq!(fmt(&text), format!("{HEAD}  # about a\n{}\n  # about b\n{}", entry("a.com"), entry("b.com")));
}

/// Regression: with CR line ends, a block scalar ran to the next LF, the end of the file, and
/// every comment after it (or, for a block scalar list item, every comment in the file) was taken for
/// scalar text and dropped without a word.
#[test]
fn comments_after_a_block_scalar_with_cr_line_ends_are_kept() {
    let text = format!(
        "{HEAD}  - spoofed: z.com\n    infrastructure: x.com\n    type: external\n    action: block\n    reason: >-\n      text\n    # ticket: SEC-1\n\n  # ---- Vendors ----\n\n  # about a\n{}# end\n",
        entry("a.com")
    );
    let want = fmt(&text);
    assert!(
        want.contains("# ticket: SEC-1") && want.contains("# ---- Vendors ----") && want.contains("# about a"),
        "{want}"
    );
    assert_eq!(fmt(&text.replace('\n', "\r")), want);
    let item = "# top\rversion: 1\raccepted-domains:\r  - >-\r    contoso.com\rentries:\r  - spoofed: z.com  # z\r    infrastructure: x.com\r    action: block\r";
    let out = fmt(item);
    assert!(out.contains("# top") && out.contains("# z"), "{out}");
}

/// Regression: a comment on a block scalar's first line (`reason: >-  # note`) was inside
/// the scalar's range and dropped.
#[test]
fn a_comment_on_a_block_scalars_first_line_is_kept() {
    let text = format!(
        "{HEAD}  - spoofed: a.com\n    infrastructure: x.com\n    type: external\n    action: block\n    reason: >-  # folded on purpose\n      text\n"
    );
    assert_eq!(fmt(&text), format!("{HEAD}{}    reason: text  # folded on purpose\n", entry("a.com")));
}

/// Regression: a comment inside an entry's braces, after its last key, stays with it; one
/// after the `}` goes with the entry below (`comments_between_flow_entries_go_with_the_entry_below`).
#[test]
fn a_comment_inside_a_flow_entrys_braces_stays_with_it() {
    let text = format!(
        "{HEAD}  - {{spoofed: z.com, infrastructure: x.com, type: external, action: block,\n    # ticket: SEC-1\n    }}\n{}",
        entry("a.com")
    );
    assert_eq!(fmt(&text), format!("{HEAD}{}\n{}    # ticket: SEC-1\n", entry("a.com"), entry("z.com")));
}

/// Regression: a heading indented like the keys, with a blank line above it, is a heading,
/// not a commented-out field of the entry above.
#[test]
fn a_heading_indented_like_keys_is_a_heading() {
    let text = format!("{HEAD}{}\n    # ---- Vendors ----\n\n{}{}", entry("z.com"), entry("b.com"), entry("a.com"));
    assert_eq!(
        fmt(&text),
        format!("{HEAD}{}\n  # ---- Vendors ----\n\n{}\n{}", entry("z.com"), entry("a.com"), entry("b.com"))
    );
}

/// Regression: a comment under a `-` written alone on its line is inside the item the `-`
/// opens, not a commented-out field of the entry above.
#[test]
fn a_comment_under_a_lone_dash_is_its_items() {
    let text = format!(
        "{HEAD}{}  -\n    # about a\n    spoofed: a.com\n    infrastructure: x.com\n    type: external\n    action: block\n",
        entry("z.com")
    );
    assert_eq!(fmt(&text), format!("{HEAD}  # about a\n{}\n{}", entry("a.com"), entry("z.com")));
}
