//! Property tests: the pair invariant over generated YAML, `fmt` idempotence without loss, and normal-form
//! round trips.

use std::path::Path;

use proptest::prelude::*;
use spoofctl::check::{Checked, check};
use spoofctl::date::Date;
use spoofctl::diagnostic::{Code, Severity};
use spoofctl::entry::Entry;
use spoofctl::format::format;
use spoofctl::pair::{Action, Rule, Side};
use spoofctl::yaml::scalar;

fn today() -> Date {
    Date::parse("2026-11-22").expect("valid date")
}

fn run(text: &str) -> Checked {
    check(Path::new("generated.yaml"), text, today())
}

// ---------- generators ----------

/// A label ending in a digit and not starting `xn--`: never a real public suffix nor broken punycode.
fn label() -> impl Strategy<Value = String> {
    "[a-wyz][a-z0-9-]{0,6}[0-9]"
}

/// A registrable domain, sometimes Unicode, sometimes with a subdomain, in random case.
fn domain() -> impl Strategy<Value = String> {
    let tld = prop::sample::select(vec!["com", "net", "org", "example", "co.uk", "de"]);
    (prop::option::of(label()), prop_oneof![label(), Just("bücher".to_string())], tld, any::<bool>()).prop_map(|(sub, name, tld, upper)| {
        let d = match sub {
            Some(s) => format!("{s}.{name}.{tld}"),
            None => format!("{name}.{tld}"),
        };
        if upper { d.to_uppercase() } else { d }
    })
}

fn address() -> impl Strategy<Value = String> {
    ("[a-z][a-z0-9_+-]{0,6}(\\.[a-z0-9]{1,3})?", domain()).prop_map(|(l, d)| format!("{l}@{d}"))
}

fn range() -> impl Strategy<Value = String> {
    (any::<[u8; 4]>()).prop_map(|o| format!("{}.{}.{}.{}/24", o[0], o[1], o[2], o[3]))
}

fn concrete_spoofed() -> impl Strategy<Value = String> {
    prop_oneof![domain(), address()]
}

fn concrete_infrastructure() -> impl Strategy<Value = String> {
    prop_oneof![domain(), range()]
}

/// Values for either side, valid or not, with every spelling of a wildcard.
fn any_side_value() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just("*".to_string()),
        1 => prop::sample::select(vec!["**", " *", "* ", "*.contoso.com", "*@contoso.com", "\\*", "'*'", "%2A", "＊", "＊.tms.mx.com", "＊@contoso.com", "ｘ＄ｙ.com"]).prop_map(str::to_string),
        4 => concrete_spoofed(),
        4 => concrete_infrastructure(),
        1 => "\\PC{0,12}",
    ]
}

fn action_word() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["allow", "Allow", "ALLOW", "block", "Block", "aLLow", "allow ", "permit"]).prop_map(str::to_string)
}

/// Free text: anything printable, including characters YAML cares about.
fn free_text() -> impl Strategy<Value = String> {
    prop_oneof!["[ -~]{1,30}", "\\PC{1,20}", Just("yes".to_string()), Just("1234".to_string()), Just("a: b # c".to_string())]
}

/// A YAML scalar written in one of several styles (plain when safe, double- or single-quoted).
fn styled(value: &str, style: u8) -> String {
    match style % 4 {
        0 => scalar(value),
        1 | 3 => format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\"")),
        _ => format!("'{}'", value.replace('\'', "''")),
    }
}

// ---------- (a) the pair invariant over any YAML ----------

#[derive(Debug, Clone)]
struct GenEntry {
    spoofed: String,
    infrastructure: String,
    action: String,
    spoof_type: Option<&'static str>,
    styles: (u8, u8),
    flow: bool,
}

fn gen_entry() -> impl Strategy<Value = GenEntry> {
    (
        any_side_value(),
        any_side_value(),
        action_word(),
        prop::option::of(prop::sample::select(vec!["internal", "external"])),
        any::<(u8, u8)>(),
        any::<bool>(),
    )
        .prop_map(|(spoofed, infrastructure, action, spoof_type, styles, flow)| GenEntry {
            spoofed,
            infrastructure,
            action,
            spoof_type,
            styles,
            flow,
        })
}

fn entry_yaml(e: &GenEntry) -> String {
    // Plain scalars in a flow mapping may not hold flow indicators; quote those.
    let style = |v: &str, st: u8| if e.flow && v.contains(['[', ']', '{', '}', ',']) { st | 1 } else { st };
    let s = styled(&e.spoofed, style(&e.spoofed, e.styles.0));
    let i = styled(&e.infrastructure, style(&e.infrastructure, e.styles.1));
    let t = e.spoof_type.map(|t| format!("type: {t}")).unwrap_or_default();
    if e.flow {
        let t = if t.is_empty() { t } else { format!(", {t}") };
        format!("  - {{spoofed: {s}, infrastructure: {i}, action: {}{t}}}\n", scalar(&e.action))
    } else {
        let t = if t.is_empty() { t } else { format!("    {t}\n") };
        format!("  - spoofed: {s}\n    infrastructure: {i}\n    action: {}\n{t}", scalar(&e.action))
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    /// No YAML input yields an allow with a wildcard: every entry written as an allow with `*` on a side is
    /// refused with `allow-wildcard` (or `wildcard-both-sides`), and every allow that comes out names both sides.
    #[test]
    fn no_yaml_yields_a_wildcard_allow(entries in prop::collection::vec(gen_entry(), 0..12), accepted in any::<bool>()) {
        let mut text = String::from("version: 1\n");
        if accepted {
            text.push_str("accepted-domains: [contoso.com]\n");
        }
        text.push_str("entries:\n");
        for e in &entries {
            text.push_str(&entry_yaml(e));
        }
        let checked = run(&text);
        for entry in &checked.list.entries {
            if let Rule::Allow(_) = entry.rule {
                prop_assert!(matches!(entry.rule.spoofed(), Side::Is(_)));
                prop_assert!(matches!(entry.rule.infrastructure(), Side::Is(_)));
                prop_assert_ne!(entry.rule.spoofed().to_string(), "*");
                prop_assert_ne!(entry.rule.infrastructure().to_string(), "*");
            }
        }
        let raw = checked.raw.as_ref().expect("generated YAML parses");
        for (generated, written) in entries.iter().zip(&raw.entries) {
            let allow = generated.action.eq_ignore_ascii_case("allow");
            if allow && (generated.spoofed == "*" || generated.infrastructure == "*") {
                prop_assert!(checked.list.entries.iter().all(|e| e.span != written.span), "wildcard allow kept: {generated:?}");
                let refused = checked.diagnostics.iter().any(|d| {
                    d.severity == Severity::Error && matches!(d.code, Code::AllowWildcard | Code::WildcardBothSides) && d.span.is_some_and(|s| s.line >= written.span.line)
                });
                prop_assert!(refused, "no allow-wildcard error for {generated:?}\n{text}");
            }
        }
    }

    /// Any text at all: spoofctl never panics, and never yields a wildcard allow.
    #[test]
    fn arbitrary_text_never_yields_a_wildcard_allow(text in "(\\PC|\n|[\\[\\]{}:,*&!|>'\"#-]){0,300}") {
        let checked = run(&text);
        for entry in &checked.list.entries {
            if entry.action() == Action::Allow {
                prop_assert!(entry.rule.spoofed().concrete().is_some() && entry.rule.infrastructure().concrete().is_some());
            }
        }
    }
}

// ---------- (b) fmt is idempotent and loses nothing ----------

#[derive(Debug, Clone)]
struct ValidEntry {
    spoofed: Option<String>,
    infrastructure: Option<String>,
    block: bool,
    spoof_type: &'static str,
    write_type: bool,
    meta: Vec<(&'static str, String)>,
    comment: Option<String>,
    trailing: Option<String>,
    order: Vec<usize>,
    styles: (u8, u8),
}

fn valid_entry() -> impl Strategy<Value = ValidEntry> {
    let meta = (
        prop::option::of(free_text()),
        prop::option::of(free_text()),
        prop::option::of(free_text()),
        prop::option::of((2000u16..2100, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))),
    );
    let comment = prop::option::of("[ -~]{0,20}".prop_map(|c| format!("# {c}")));
    (
        prop::option::of(concrete_spoofed()),
        prop::option::of(concrete_infrastructure()),
        any::<bool>(),
        any::<bool>(),
        meta,
        comment.clone(),
        comment,
        Just((0..8).collect::<Vec<usize>>()).prop_shuffle(),
        any::<(u8, u8)>(),
    )
        .prop_map(|(spoofed, infrastructure, block, internal, (reason, owner, ticket, expires), comment, trailing, order, styles)| {
            // Wildcards only in blocks, and never on both sides.
            let (spoofed, infrastructure) = match (block, spoofed, infrastructure) {
                (false, s, i) => (Some(s.unwrap_or_else(|| "fabrikam.com".into())), Some(i.unwrap_or_else(|| "tms.mx.com".into()))),
                (true, None, None) => (None, Some("tms.mx.com".into())),
                (true, s, i) => (s, i),
            };
            let meta = [("reason", reason), ("owner", owner), ("ticket", ticket), ("expires", expires)]
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k, v)))
                .collect();
            ValidEntry {
                spoofed,
                infrastructure,
                block,
                spoof_type: if internal { "internal" } else { "external" },
                write_type: true,
                meta,
                comment,
                trailing,
                order,
                styles,
            }
        })
}

fn valid_list_yaml(entries: &[ValidEntry], header_comment: &Option<String>) -> String {
    let mut text = String::new();
    if let Some(c) = header_comment {
        text.push_str(c);
        text.push('\n');
    }
    text.push_str("version: 1\ntenant: contoso.onmicrosoft.com\npolicy:\n  missing-owner: off\n");
    text.push_str(if entries.is_empty() { "entries: []\n" } else { "entries:\n" });
    for e in entries {
        let mut fields: Vec<String> = vec![
            format!("spoofed: {}", e.spoofed.as_deref().map_or("\"*\"".to_string(), |s| styled(s, e.styles.0))),
            format!("infrastructure: {}", e.infrastructure.as_deref().map_or("\"*\"".to_string(), |s| styled(s, e.styles.1))),
            format!("action: {}", if e.block { "block" } else { "allow" }),
        ];
        if e.write_type {
            fields.push(format!("type: {}", e.spoof_type));
        }
        fields.extend(e.meta.iter().map(|(k, v)| format!("{k}: {}", styled(v, e.styles.0))));
        let mut ordered: Vec<&String> = e.order.iter().filter_map(|&i| fields.get(i)).collect();
        ordered.extend(fields.iter().skip(8));
        if let Some(c) = &e.comment {
            text.push_str(&format!("  {c}\n"));
        }
        for (n, f) in ordered.iter().enumerate() {
            let lead = if n == 0 { "  - " } else { "    " };
            match (&e.trailing, n) {
                (Some(c), 1) => text.push_str(&format!("{lead}{f}  {c}\n")),
                _ => text.push_str(&format!("{lead}{f}\n")),
            }
        }
    }
    text
}

/// What a list says, independent of layout: entries (identity, action, written type, metadata), header values.
fn meaning(c: &Checked) -> (Vec<String>, Option<String>) {
    let mut entries: Vec<String> =
        c.list.entries.iter().map(|e: &Entry| format!("{:?} {:?} {} {:?}", e.identity(), e.action(), e.type_written, e.meta)).collect();
    entries.sort();
    (entries, c.list.tenant.clone())
}

fn comments(c: &Checked) -> Vec<String> {
    let mut v: Vec<String> = c.document.iter().flat_map(|d| d.comments.iter().map(|c| c.text.clone())).collect();
    v.sort();
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

    /// `fmt` keeps every entry, field and comment, and formatting its output changes nothing.
    #[test]
    fn fmt_is_idempotent_and_lossless(entries in prop::collection::vec(valid_entry(), 0..10), header in prop::option::of("[ -~]{0,20}".prop_map(|c| format!("# {c}")))) {
        let text = valid_list_yaml(&entries, &header);
        let before = run(&text);
        // Generated identities may repeat; such a list is not valid, and fmt must refuse it untouched.
        if before.has_errors() {
            prop_assert!(before.diagnostics.iter().all(|d| d.severity != Severity::Error || matches!(d.code, Code::DuplicateEntry | Code::ConflictingActions)), "{:#?}\n{text}", before.diagnostics);
            prop_assert!(format(&before).is_err());
            return Ok(());
        }
        let once = format(&before).expect("a valid list formats");
        let after = run(&once);
        prop_assert!(!after.has_errors(), "{:#?}\n{once}", after.diagnostics);
        prop_assert_eq!(meaning(&before), meaning(&after));
        prop_assert_eq!(before.list.entries.len(), entries.len());
        prop_assert_eq!(comments(&before), comments(&after));
        let twice = format(&after).expect("formatted output formats");
        prop_assert_eq!(&once, &twice);
    }

    /// An entry printed in normal form parses back to the same entry.
    #[test]
    fn normal_form_parses_back(entry in valid_entry()) {
        let text = valid_list_yaml(std::slice::from_ref(&entry), &None);
        let first = run(&text);
        prop_assume!(!first.has_errors());
        let e = &first.list.entries[0];
        let printed = format!(
            "version: 1\nentries:\n  - spoofed: {}\n    infrastructure: {}\n    type: {}\n    action: {}\n",
            scalar(&e.rule.spoofed().to_string()),
            scalar(&e.rule.infrastructure().to_string()),
            e.spoof_type,
            e.action()
        );
        let back = run(&printed);
        prop_assert!(!back.has_errors(), "{:#?}", back.diagnostics);
        prop_assert_eq!(back.list.entries[0].identity(), e.identity());
        prop_assert_eq!(back.list.entries[0].action(), e.action());
    }
}
