//! The matching model as a table: each row is a list, a message, and the verdict with its deciding entry
//! or near miss.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

use std::path::Path;

use spoofctl::check::check;
use spoofctl::date::Date;
use spoofctl::matcher::{Failed, Matcher, Verdict};
use spoofctl::message::{Host, Message, Sender};
use spoofctl::pair::SpoofType;

/// A list of entries (one per line: `spoofed infrastructure type action`), tenant contoso.com.
fn list(lines: &str) -> String {
    let mut text = String::from(
        "version: 1\naccepted-domains: [contoso.com]\npolicy: {missing-reason: off, missing-owner: off}\nentries:\n",
    );
    for line in lines.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split_whitespace().collect();
        text.push_str(&format!(
            "  - spoofed: \"{}\"\n    infrastructure: \"{}\"\n    type: {}\n    action: {}\n",
            f[0], f[1], f[2], f[3]
        ));
    }
    text
}

/// A message: `from [ptr=HOST] [ip=IP] [dkim=DOMAIN]...`.
fn message(spec: &str) -> Message {
    let mut parts = spec.split_whitespace();
    let mut m = Message::from(Sender::parse(parts.next().expect("from")).expect("valid from"));
    for p in parts {
        match p.split_once('=').expect("key=value") {
            ("ptr", h) => m.ptr = Some(Host::parse(h).expect("host")),
            ("ip", ip) => m.ip = Some(ip.parse().expect("ip")),
            ("dkim", h) => m.dkim_pass.push(Host::parse(h).expect("host")),
            ("org", h) => {
                m.ptr = Some(Host::parse(h).expect("host"));
                m.ptr_is_organizational = true;
            }
            ("type", "internal") => m.spoof_type = Some(SpoofType::Internal),
            ("type", _) => m.spoof_type = Some(SpoofType::External),
            (k, _) => panic!("unknown key {k}"),
        }
    }
    m
}

/// (verdict, deciding entry as `spoofed via infrastructure`, near misses as `spoofed via infrastructure:failed`)
fn run(entries: &str, msg: &str) -> (String, Option<String>, Vec<String>) {
    let checked = check(Path::new("t.yaml"), &list(entries), Date::parse("2026-11-22").expect("date"));
    assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
    let matcher = Matcher::new(&checked.list);
    let o = matcher.evaluate(&message(msg));
    let pair = |e: &spoofctl::entry::Entry| format!("{} via {}", e.rule.spoofed(), e.rule.infrastructure());
    let misses = o
        .near_misses
        .iter()
        .map(|m| {
            format!(
                "{}:{}",
                pair(m.entry),
                match m.failed {
                    Failed::Spoofed => "spoofed",
                    Failed::Infrastructure => "infrastructure",
                    Failed::Type => "type",
                }
            )
        })
        .collect();
    (o.verdict.word().to_string(), o.verdict.decision().map(|d| pair(d.entry())), misses)
}

struct Case {
    what: &'static str,
    entries: &'static str,
    message: &'static str,
    verdict: &'static str,
    entry: Option<&'static str>,
    near: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        what: "both sides match: allow",
        entries: "gmail.com tms.mx.com external allow",
        message: "a@gmail.com ptr=tms.mx.com",
        verdict: "allow",
        entry: Some("gmail.com via tms.mx.com"),
        near: &[],
    },
    Case {
        what: "domain matches, infrastructure differs: none, near miss on infrastructure",
        entries: "gmail.com tms.mx.com external allow",
        message: "a@gmail.com ptr=mail.other.example",
        verdict: "none",
        entry: None,
        near: &["gmail.com via tms.mx.com:infrastructure"],
    },
    Case {
        what: "infrastructure matches, domain differs: none, near miss on spoofed",
        entries: "gmail.com tms.mx.com external allow",
        message: "a@fabrikam.com ptr=mail.tms.mx.com",
        verdict: "none",
        entry: None,
        near: &["gmail.com via tms.mx.com:spoofed"],
    },
    Case {
        what: "a * block beats an allow",
        entries: "gmail.com tms.mx.com external allow\n* tms.mx.com external block",
        message: "a@gmail.com ptr=tms.mx.com",
        verdict: "block",
        entry: Some("* via tms.mx.com"),
        near: &[],
    },
    Case {
        what: "an infrastructure * block beats an allow",
        entries: "gmail.com tms.mx.com external allow\ngmail.com * external block",
        message: "a@gmail.com ptr=tms.mx.com",
        verdict: "block",
        entry: Some("gmail.com via *"),
        near: &[],
    },
    Case {
        what: "a subdomain of the From domain does not match a domain entry",
        entries: "contoso.net tms.mx.com external allow",
        message: "a@mail.contoso.net ptr=tms.mx.com",
        verdict: "none",
        entry: None,
        near: &["contoso.net via tms.mx.com:spoofed"],
    },
    Case {
        what: "a PTR host under the entry's domain matches",
        entries: "fabrikam.com contoso.net external allow",
        message: "a@fabrikam.com ptr=smtp.inbound.contoso.net",
        verdict: "allow",
        entry: Some("fabrikam.com via contoso.net"),
        near: &[],
    },
    Case {
        what: "a PTR host that only ends like the entry's domain does not match",
        entries: "fabrikam.com contoso.net external allow",
        message: "a@fabrikam.com ptr=evilcontoso.net",
        verdict: "none",
        entry: None,
        near: &["fabrikam.com via contoso.net:infrastructure"],
    },
    Case {
        what: "a PTR host above the entry's domain does not match",
        entries: "fabrikam.com mail.contoso.net external allow",
        message: "a@fabrikam.com ptr=contoso.net",
        verdict: "none",
        entry: None,
        near: &["fabrikam.com via mail.contoso.net:infrastructure"],
    },
    Case {
        what: "an IP inside the /24 matches (first address)",
        entries: "laura@adatum.com 192.0.2.0/24 external allow",
        message: "laura@adatum.com ip=192.0.2.0",
        verdict: "allow",
        entry: Some("laura@adatum.com via 192.0.2.0/24"),
        near: &[],
    },
    Case {
        what: "an IP inside the /24 matches (last address)",
        entries: "laura@adatum.com 192.0.2.0/24 external allow",
        message: "laura@adatum.com ip=192.0.2.255",
        verdict: "allow",
        entry: Some("laura@adatum.com via 192.0.2.0/24"),
        near: &[],
    },
    Case {
        what: "an IP just outside the /24 does not match",
        entries: "laura@adatum.com 192.0.2.0/24 external allow",
        message: "laura@adatum.com ip=192.0.3.0",
        verdict: "none",
        entry: None,
        near: &["laura@adatum.com via 192.0.2.0/24:infrastructure"],
    },
    Case {
        what: "an IP just below the /24 does not match",
        entries: "laura@adatum.com 192.0.2.0/24 external allow",
        message: "laura@adatum.com ip=192.0.1.255",
        verdict: "none",
        entry: None,
        near: &["laura@adatum.com via 192.0.2.0/24:infrastructure"],
    },
    Case {
        what: "an IPv6 connecting IP never matches a range",
        entries: "laura@adatum.com 192.0.2.0/24 external allow",
        message: "laura@adatum.com ip=2001:db8::1",
        verdict: "none",
        entry: None,
        near: &["laura@adatum.com via 192.0.2.0/24:infrastructure"],
    },
    Case {
        what: "a passing DKIM domain matches",
        entries: "woodgrovebank.com example.net external allow",
        message: "news@woodgrovebank.com ptr=o1.mailout.other.example dkim=example.net",
        verdict: "allow",
        entry: Some("woodgrovebank.com via example.net"),
        near: &[],
    },
    Case {
        what: "a DKIM domain below the entry's domain matches",
        entries: "woodgrovebank.com example.net external allow",
        message: "news@woodgrovebank.com dkim=mail.example.net",
        verdict: "allow",
        entry: Some("woodgrovebank.com via example.net"),
        near: &[],
    },
    Case {
        what: "DKIM counts only when it passed: no passing signature, no match",
        entries: "woodgrovebank.com example.net external allow",
        message: "news@woodgrovebank.com ptr=o1.mailout.other.example",
        verdict: "none",
        entry: None,
        near: &["woodgrovebank.com via example.net:infrastructure"],
    },
    Case {
        what: "spoof type mismatch: both sides match but the entry is for the other type",
        entries: "* tms.mx.com external block",
        message: "payroll@contoso.com ptr=tms.mx.com",
        verdict: "none",
        entry: None,
        near: &["* via tms.mx.com:type"],
    },
    Case {
        what: "the spoof type a message states wins over the accepted domains",
        entries: "* tms.mx.com external block",
        message: "payroll@contoso.com ptr=tms.mx.com type=external",
        verdict: "block",
        entry: Some("* via tms.mx.com"),
        near: &[],
    },
    Case {
        what: "an address entry matches its address",
        entries: "chris@contoso.com fabrikam.com internal allow",
        message: "Chris@Contoso.com ptr=mx.fabrikam.com",
        verdict: "allow",
        entry: Some("chris@contoso.com via fabrikam.com"),
        near: &[],
    },
    Case {
        what: "an address entry does not match another address of the domain",
        entries: "chris@contoso.com fabrikam.com internal allow",
        message: "ana@contoso.com ptr=mx.fabrikam.com",
        verdict: "none",
        entry: None,
        near: &["chris@contoso.com via fabrikam.com:spoofed"],
    },
    Case {
        what: "a domain entry matches every address of the domain",
        entries: "contoso.com fabrikam.com internal allow",
        message: "anyone@contoso.com ptr=mx.fabrikam.com",
        verdict: "allow",
        entry: Some("contoso.com via fabrikam.com"),
        near: &[],
    },
    Case {
        what: "comparison is case-insensitive, trailing dots ignored",
        entries: "gmail.com tms.mx.com external allow",
        message: "A@GMAIL.COM. ptr=MAIL.TMS.MX.COM.",
        verdict: "allow",
        entry: Some("gmail.com via tms.mx.com"),
        near: &[],
    },
    Case {
        what: "Unicode hosts compare in punycode",
        entries: "fabrikam.com xn--bcher-kva.example external allow",
        message: "a@fabrikam.com ptr=mx.bücher.example",
        verdict: "allow",
        entry: Some("fabrikam.com via xn--bcher-kva.example"),
        near: &[],
    },
    Case {
        what: "a message with no infrastructure at all is never allowed",
        entries: "gmail.com tms.mx.com external allow",
        message: "a@gmail.com",
        verdict: "none",
        entry: None,
        near: &["gmail.com via tms.mx.com:infrastructure"],
    },
    Case {
        what: "a * spoofed block matches any From via its infrastructure",
        entries: "* 203.0.113.0/24 external block",
        message: "a@anything.example ip=203.0.113.9",
        verdict: "block",
        entry: Some("* via 203.0.113.0/24"),
        near: &[],
    },
    Case {
        what: "nothing in common: none, no near misses",
        entries: "gmail.com tms.mx.com external allow",
        message: "a@fabrikam.com ptr=other.example",
        verdict: "none",
        entry: None,
        near: &[],
    },
    Case {
        what: "a block whose other side differs is only a near miss; the allow decides",
        entries: "gmail.com tms.mx.com external allow\ngmail.com 198.51.100.0/24 external block",
        message: "a@gmail.com ptr=tms.mx.com ip=192.0.2.1",
        verdict: "allow",
        entry: Some("gmail.com via tms.mx.com"),
        near: &["gmail.com via 198.51.100.0/24:infrastructure"],
    },
];

/// Every row of the matching table.
#[test]
fn matching_table() {
    for c in CASES {
        let (verdict, entry, near) = run(c.entries, c.message);
        assert_eq!(verdict, c.verdict, "{}", c.what);
        assert_eq!(entry.as_deref(), c.entry, "{}", c.what);
        assert_eq!(near, c.near, "{}", c.what);
    }
}

/// A block that wins names the allows it overrides.
#[test]
fn overridden_allows_are_named() {
    let checked = check(
        Path::new("t.yaml"),
        &list("gmail.com tms.mx.com external allow\n* tms.mx.com external block"),
        Date::parse("2026-11-22").expect("date"),
    );
    let matcher = Matcher::new(&checked.list);
    let o = matcher.evaluate(&message("a@gmail.com ptr=tms.mx.com"));
    assert!(matches!(o.verdict, Verdict::Block(_)));
    assert_eq!(o.overridden.iter().map(|e| e.rule.spoofed().to_string()).collect::<Vec<_>>(), vec!["gmail.com"]);
}

/// Observed pairs coarser than an entry are `partly` covered, by the first such entry in file order, and never
/// allowed: (entries, observed pair as `from [org=DOMAIN] [ip=IP]`, outcome word, partly covering entry).
#[test]
fn partly_covered_table() {
    let cases: &[(&str, &str, &str, &str, Option<&str>)] = &[
        (
            "an org domain above the entry's",
            "gmail.com tms.mx.com external allow",
            "gmail.com org=mx.com",
            "partly",
            Some("gmail.com via tms.mx.com"),
        ),
        (
            "the same org domain decides",
            "gmail.com tms.mx.com external allow",
            "gmail.com org=tms.mx.com",
            "allow",
            None,
        ),
        (
            "an org domain below the entry's is covered whole",
            "gmail.com mx.com external allow",
            "gmail.com org=tms.mx.com",
            "allow",
            None,
        ),
        (
            "a sibling domain is no part of it",
            "gmail.com tms.mx.com external allow",
            "gmail.com org=other.mx.com",
            "none",
            None,
        ),
        (
            "another spoofed domain is no part of it",
            "gmail.com tms.mx.com external allow",
            "adatum.com org=mx.com",
            "none",
            None,
        ),
        (
            "a spoofed domain with an address entry in it",
            "laura@adatum.com tms.mx.com external allow",
            "adatum.com org=tms.mx.com",
            "partly",
            Some("laura@adatum.com via tms.mx.com"),
        ),
        (
            "both sides narrower",
            "laura@adatum.com tms.mx.com external allow",
            "adatum.com org=mx.com",
            "partly",
            Some("laura@adatum.com via tms.mx.com"),
        ),
        (
            "an address entry in another domain",
            "laura@adatum.com tms.mx.com external allow",
            "fabrikam.com org=tms.mx.com",
            "none",
            None,
        ),
        (
            "a message with a PTR host is exact, never partly",
            "gmail.com tms.mx.com external allow",
            "someone@gmail.com ptr=mx.com",
            "none",
            None,
        ),
        (
            "a block can cover part of a row too",
            "* tms.mx.com external block",
            "gmail.com org=mx.com",
            "partly",
            Some("* via tms.mx.com"),
        ),
        (
            "the other type is no part of it",
            "ceo@contoso.com tms.mx.com internal allow",
            "contoso.com org=mx.com type=external",
            "none",
            None,
        ),
        (
            "the first entry in file order",
            "gmail.com a.mx.com external allow\ngmail.com b.mx.com external block",
            "gmail.com org=mx.com",
            "partly",
            Some("gmail.com via a.mx.com"),
        ),
        (
            "a row fully decided stays decided",
            "gmail.com mx.com external allow\ngmail.com tms.mx.com external block",
            "gmail.com org=mx.com",
            "allow",
            None,
        ),
        (
            "another address of the same domain is no part of it",
            "cfo@contoso.com tms.mx.com internal allow",
            "ceo@contoso.com org=mx.com",
            "none",
            None,
        ),
        (
            "an address entry with its infrastructure beside the row's",
            "laura@adatum.com tms.mx.com external allow",
            "adatum.com org=other.mx.com",
            "none",
            None,
        ),
        (
            "a PTR host above the entry's domain is a host, not a report's domain",
            "laura@adatum.com tms.mx.com external allow",
            "adatum.com ptr=mx.com",
            "none",
            None,
        ),
        ("a range row is exact", "gmail.com 192.0.2.0/24 external allow", "gmail.com ip=192.0.2.9", "allow", None),
    ];
    for (what, entries, observed, word, partly) in cases {
        let checked = check(Path::new("t.yaml"), &list(entries), Date::parse("2026-11-22").expect("date"));
        assert!(!checked.has_errors(), "{what}: {:#?}", checked.diagnostics);
        let matcher = Matcher::new(&checked.list);
        let m = message(observed);
        for outcome in [matcher.evaluate(&m), matcher.evaluate_with(&m, &mut Vec::new(), false)] {
            assert_eq!(outcome.word(), *word, "{what}");
            let got = outcome.partly.map(|e| format!("{} via {}", e.rule.spoofed(), e.rule.infrastructure()));
            assert_eq!(got.as_deref(), *partly, "{what}");
            // Partial coverage is never a verdict: the pair alone decides.
            if outcome.partly.is_some() {
                assert_eq!(outcome.verdict, Verdict::None, "{what}");
            }
        }
    }
}
