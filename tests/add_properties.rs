//! `add` of any values the list format accepts: the file reads back as the same list plus exactly that entry,
//! every byte outside the new entry's lines as it was, every comment kept, and the result in canonical form.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

use std::path::Path;

use proptest::prelude::*;
use spoofctl::model::date::Date;
use spoofctl::model::entry::Entry;
use spoofctl::read::raw_list::EntryKey;
use spoofctl::render::list_yaml::{AddError, add_entry, format, new_entry};
use spoofctl::validate::pipeline::{Checked, check};

/// A list with comments everywhere, sections, and entries of every kind.
const COMMENTED: &str = include_str!("fixtures/add/contoso.yaml");
/// Blocks only, in two sections: an allow joins the last section.
const BLOCKS_ONLY: &str = "version: 1\nentries:\n  # ---- Partners ----\n\n  - spoofed: adatum.com\n    infrastructure: \"*\"\n    type: external\n    action: block\n\n  # ---- Campaigns ----\n\n  - spoofed: fabrikam.com\n    infrastructure: \"*\"\n    type: external\n    action: block\n";
/// An empty list, with comments around `entries: []`.
const EMPTY: &str = "# a new tenant\nversion: 1\naccepted-domains: [contoso.com]\nentries: []  # none yet\n# the end\n";

fn today() -> Date {
    Date::parse("2026-11-22").expect("date")
}

fn checked(text: &str) -> Checked {
    check(Path::new("contoso.yaml"), text, today())
}

/// What an entry is, for comparing lists.
fn key(e: &Entry) -> String {
    format!("{:?}", (e.identity(), e.action(), e.type_written, &e.meta))
}

fn domain() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["adatum", "fabrikam", "litware", "tms.mx", "woodgrovebank", "xn--bcher-kva", "a-b"]),
        prop::sample::select(vec!["com", "net", "example", "co.uk"]),
    )
        .prop_map(|(l, t)| format!("{l}.{t}"))
}

fn spoofed() -> impl Strategy<Value = String> {
    prop_oneof![
        domain(),
        domain().prop_map(|d| format!("Payroll@{d}")),
        Just("*".to_string()),
        domain().prop_map(|d| d.to_uppercase())
    ]
}

fn infrastructure() -> impl Strategy<Value = String> {
    prop_oneof![domain(), (0u8..=255, 0u8..=255).prop_map(|(a, b)| format!("198.{a}.{b}.0/24")), Just("*".to_string())]
}

/// Free text with everything YAML treats specially: quotes, `#`, `: `, flow brackets, leading indicators,
/// words read as other types, Unicode, and control characters (which the list refuses).
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,30}",
        prop::sample::select(vec![
            "yes",
            "no",
            "null",
            "~",
            "- item",
            "? key",
            "&anchor",
            "*alias",
            "!tag",
            "|",
            ">",
            "'",
            "\"",
            "a: b",
            "a #b",
            "#",
            "@x",
            "`x`",
            "%x",
            "1e3",
            "0x10",
            " lead",
            "trail ",
            "é✓ 日本",
            "\u{202e}rtl",
            "tab\there",
            "new\nline",
            "back\\slash"
        ])
        .prop_map(str::to_string),
        "\\PC{0,12}",
    ]
}

/// The values of a new entry, as `add`'s flags give them.
fn values() -> impl Strategy<Value = Vec<(EntryKey, String)>> {
    (
        spoofed(),
        infrastructure(),
        prop::option::of(prop::sample::select(vec!["internal", "external"])),
        prop::sample::select(vec!["allow", "block"]),
        prop::option::of(text()),
        prop::option::of(text()),
        prop::option::of(text()),
        prop::option::of(prop::sample::select(vec!["2020-01-31", "2026-11-30", "2027-02-29", "2028-02-29"])),
    )
        .prop_map(|(s, i, t, a, reason, owner, ticket, expires)| {
            let mut v = vec![(EntryKey::Spoofed, s), (EntryKey::Infrastructure, i)];
            v.extend(t.map(|t| (EntryKey::Type, t.to_string())));
            v.push((EntryKey::Action, a.to_string()));
            v.extend(reason.map(|r| (EntryKey::Reason, r)));
            v.extend(owner.map(|o| (EntryKey::Owner, o)));
            v.extend(ticket.map(|t| (EntryKey::Ticket, t)));
            v.extend(expires.map(|e| (EntryKey::Expires, e.to_string())));
            v
        })
}

fn adds_exactly_the_entry(old: &str, values: &[(EntryKey, String)]) -> Result<(), TestCaseError> {
    let before = checked(old);
    let values: Vec<(EntryKey, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let Ok(entry) = new_entry(&before.list, &values) else { return Ok(()) };
    let added = match add_entry(&before, old, &entry) {
        Ok(a) => a,
        Err(AddError::Duplicate(_)) => {
            prop_assert!(before.list.entries.iter().any(|e| e.identity() == entry.identity()));
            return Ok(());
        }
        Err(e) => return Err(TestCaseError::fail(format!("{e}"))),
    };
    // Every byte outside the new lines (and the `entries: []` line an empty list opens) is as it was.
    let lines: Vec<&str> = old.split_inclusive('\n').collect();
    let at: usize = lines[..added.line].iter().map(|l| l.len()).sum();
    let skip = added.replaced.as_ref().map_or(0, |_| lines[added.line].len());
    let middle = format!("{}{}", added.replaced.as_deref().unwrap_or(""), added.inserted);
    prop_assert_eq!(&added.text[..at], &old[..at]);
    prop_assert_eq!(&added.text[at..at + middle.len()], middle.as_str());
    prop_assert_eq!(&added.text[at + middle.len()..], &old[at + skip..]);
    // It reads back as the same list plus exactly that entry, with the same comments, in canonical form.
    let after = checked(&added.text);
    let mut want: Vec<String> = before.list.entries.iter().chain([&entry]).map(key).collect();
    let mut got: Vec<String> = after.list.entries.iter().map(key).collect();
    want.sort();
    got.sort();
    prop_assert_eq!(got, want);
    let comments =
        |c: &Checked| c.document.as_ref().map(|d| d.comments.iter().map(|c| c.text.clone()).collect::<Vec<_>>());
    prop_assert_eq!(comments(&after), comments(&before));
    prop_assert_eq!(format(&after).ok(), Some(added.text.clone()));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn add_to_a_commented_list(values in values()) {
        adds_exactly_the_entry(COMMENTED, &values)?;
    }

    #[test]
    fn add_to_a_list_of_blocks(values in values()) {
        adds_exactly_the_entry(BLOCKS_ONLY, &values)?;
    }

    #[test]
    fn add_to_an_empty_list(values in values()) {
        adds_exactly_the_entry(EMPTY, &values)?;
    }

    /// Added one after another, entries end up as `fmt` orders them, and the file stays canonical.
    #[test]
    fn adds_in_a_row_stay_canonical(all in prop::collection::vec(values(), 1..6)) {
        let mut text = COMMENTED.to_string();
        for values in &all {
            adds_exactly_the_entry(&text, values)?;
            let before = checked(&text);
            let values: Vec<(EntryKey, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
            if let Ok(entry) = new_entry(&before.list, &values)
                && let Ok(added) = add_entry(&before, &text, &entry)
            {
                text = added.text;
            }
        }
    }
}

/// Values the list refuses are refused with the key they belong to, and nothing is made of them.
#[test]
fn refused_values_name_their_key() {
    let list = checked(COMMENTED).list;
    for (values, key) in [
        (
            vec![(EntryKey::Spoofed, "bad..com"), (EntryKey::Infrastructure, "x.com"), (EntryKey::Action, "block")],
            EntryKey::Spoofed,
        ),
        (
            vec![(EntryKey::Spoofed, "a.com"), (EntryKey::Infrastructure, "192.0.2.1"), (EntryKey::Action, "block")],
            EntryKey::Infrastructure,
        ),
        (
            vec![
                (EntryKey::Spoofed, "a.com"),
                (EntryKey::Infrastructure, "x.com"),
                (EntryKey::Action, "block"),
                (EntryKey::Reason, "two\nlines"),
            ],
            EntryKey::Reason,
        ),
        (
            vec![
                (EntryKey::Spoofed, "a.com"),
                (EntryKey::Infrastructure, "x.com"),
                (EntryKey::Action, "block"),
                (EntryKey::Expires, "2026-02-30"),
            ],
            EntryKey::Expires,
        ),
    ] {
        let errors = new_entry(&list, &values).expect_err("refused");
        assert!(errors.iter().any(|(k, _)| *k == Some(key)), "{key}: {errors:?}");
    }
}

/// An entry joins the last section with its spoofed user, else the last with its action, else the last one.
#[test]
fn the_section_an_entry_joins() {
    let list = |extra: &str| format!("{BLOCKS_ONLY}{extra}");
    for (text, spoofed, action, after) in [
        (list(""), "zz.example", "allow", "  # ---- Campaigns ----"),
        (list(""), "adatum.com", "block", "  # ---- Partners ----"),
        (list(""), "aa.example", "block", "  # ---- Campaigns ----"),
    ] {
        let before = checked(&text);
        let values = [
            (EntryKey::Spoofed, spoofed),
            (EntryKey::Infrastructure, "mail.example.net"),
            (EntryKey::Type, "external"),
            (EntryKey::Action, action),
        ];
        let entry = new_entry(&before.list, &values).expect("valid values");
        let added = add_entry(&before, &text, &entry).expect("added");
        let heading = added.text
            [..added.text.find(&format!("spoofed: {spoofed}\n    infrastructure: mail")).expect("the entry")]
            .lines()
            .rfind(|l| l.starts_with("  # ----"))
            .expect("a heading above");
        assert_eq!(heading, after, "{spoofed} {action}:\n{}", added.text);
    }
}
