//! The tenant's allow paths: which mail flow rule conditions trust one factor and which pair it, which rules act,
//! the pattern subset evaluated, and the property that a replacement offered is never single-factor.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

mod common;

use std::path::Path;

use proptest::prelude::*;
use spoofctl::engine::admission::{Applies, Facts, Mechanism, Trace, admit, pattern_matches};
use spoofctl::engine::matcher::{Matcher, Verdict};
use spoofctl::engine::trust::{Factor, Trust, is_bypass, rule_trust};
use spoofctl::model::date::Date;
use spoofctl::model::entry::TenantList;
use spoofctl::model::ip_range::IpRange;
use spoofctl::model::message::{Host, Message, Sender};
use spoofctl::model::pair::{Rule, Side};
use spoofctl::model::tenant::{
    HeaderWords, RuleMode, RuleState, SenderAddressLocation, SenderConditions, Setting, Snapshot, TransportRule,
};
use spoofctl::read::snapshot::read_snapshot;

fn host(s: &str) -> Host {
    Host::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn range(s: &str) -> IpRange {
    IpRange::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn words(header: &str, values: &[&str]) -> Option<HeaderWords> {
    Some(HeaderWords { header: header.to_string(), values: values.iter().map(ToString::to_string).collect() })
}

fn rule(conditions: SenderConditions) -> TransportRule {
    TransportRule {
        name: "r".to_string(),
        state: Setting::Is(RuleState::Enabled),
        priority: Some(0),
        mode: Setting::Is(RuleMode::Enforce),
        set_scl: Some(-1),
        set_header_name: None,
        set_header_value: None,
        sender_address_location: Setting::Is(SenderAddressLocation::Header),
        conditions,
        exceptions: SenderConditions::default(),
        other_conditions: Vec::new(),
    }
}

/// Conditions, single-factor or paired: a sender with an IP range or with an authentication result tied to a
/// domain is paired (ORCA 118-2's reading); a sender alone, an IP alone, or a header word that any domain's
/// pass satisfies is not.
#[test]
fn rule_conditions() {
    let domain = || vec![host("contoso.com")];
    let ar = "Authentication-Results";
    let cases: Vec<(&str, SenderConditions, Trust)> = vec![
        (
            "SenderDomainIs alone",
            SenderConditions { sender_domain_is: domain(), ..Default::default() },
            Trust::SingleFactor(Factor::SenderDomain),
        ),
        (
            "SenderDomainIs + SenderIpRanges",
            SenderConditions {
                sender_domain_is: domain(),
                sender_ip_ranges: vec![range("198.51.100.0/24")],
                ..Default::default()
            },
            Trust::Paired,
        ),
        (
            "SenderDomainIs + HeaderContainsWords dkim=pass header.d=contoso.com",
            SenderConditions {
                sender_domain_is: domain(),
                header_contains: words(ar, &["dkim=pass header.d=contoso.com"]),
                ..Default::default()
            },
            Trust::Paired,
        ),
        (
            "SenderDomainIs + HeaderContainsWords dmarc=pass",
            SenderConditions {
                sender_domain_is: domain(),
                header_contains: words(ar, &["dmarc=pass"]),
                ..Default::default()
            },
            Trust::Paired,
        ),
        (
            "SenderDomainIs + HeaderMatchesPatterns on the escaped domain",
            SenderConditions {
                sender_domain_is: domain(),
                header_matches: words("authentication-results", &[r"dkim=pass .*header\.d=contoso\.com"]),
                ..Default::default()
            },
            Trust::Paired,
        ),
        (
            "SenderDomainIs + HeaderContainsWords dkim=pass (any domain's signature)",
            SenderConditions {
                sender_domain_is: domain(),
                header_contains: words(ar, &["dkim=pass"]),
                ..Default::default()
            },
            Trust::SingleFactor(Factor::SenderDomain),
        ),
        (
            "SenderDomainIs + one loose word among tied ones",
            SenderConditions {
                sender_domain_is: domain(),
                header_contains: words(ar, &["dmarc=pass", "spf=pass"]),
                ..Default::default()
            },
            Trust::SingleFactor(Factor::SenderDomain),
        ),
        (
            "SenderDomainIs + the same words in another header",
            SenderConditions {
                sender_domain_is: domain(),
                header_contains: words("X-Gateway-Verdict", &["dkim=pass header.d=contoso.com"]),
                ..Default::default()
            },
            Trust::SingleFactor(Factor::SenderDomain),
        ),
        (
            "From alone",
            SenderConditions { from: vec!["payroll@contoso.com".into()], ..Default::default() },
            Trust::SingleFactor(Factor::SenderAddress),
        ),
        (
            "FromAddressContainsWords alone",
            SenderConditions { from_address_contains_words: vec!["contoso.com".into()], ..Default::default() },
            Trust::SingleFactor(Factor::SenderText),
        ),
        (
            "FromAddressMatchesPatterns + SenderIpRanges",
            SenderConditions {
                from_address_matches_patterns: vec![r"@contoso\.com$".into()],
                sender_ip_ranges: vec![range("203.0.113.0/24")],
                ..Default::default()
            },
            Trust::Paired,
        ),
        (
            "SenderIpRanges alone",
            SenderConditions { sender_ip_ranges: vec![range("203.0.113.0/24")], ..Default::default() },
            Trust::SingleFactor(Factor::Ip),
        ),
        ("no sender condition", SenderConditions::default(), Trust::NoSenderFactor),
    ];
    for (name, conditions, want) in cases {
        let got = rule_trust(&rule(conditions));
        assert_eq!(got, want, "{name}");
        assert_eq!(got.is_paired(), want == Trust::Paired, "{name}");
    }
    // An exception on Authentication-Results does not pair: a message whose header shows nothing gets in.
    let mut r = rule(SenderConditions { sender_domain_is: domain(), ..Default::default() });
    r.exceptions.header_contains = words(ar, &["dkim=fail"]);
    assert_eq!(rule_trust(&r), Trust::SingleFactor(Factor::SenderDomain));
}

/// A rule bypasses filtering when it sets SCL -1 and acts: not disabled, not in a test mode; a state or mode
/// spoofctl does not know may act.
#[test]
fn bypassing_rules() {
    let base = || rule(SenderConditions::default());
    let cases: Vec<(&str, TransportRule, bool)> = vec![
        ("enabled, enforced, SCL -1", base(), true),
        ("SCL 0", TransportRule { set_scl: Some(0), ..base() }, false),
        ("no SCL", TransportRule { set_scl: None, ..base() }, false),
        ("disabled", TransportRule { state: Setting::Is(RuleState::Disabled), ..base() }, false),
        ("audit", TransportRule { mode: Setting::Is(RuleMode::Audit), ..base() }, false),
        ("audit and notify", TransportRule { mode: Setting::Is(RuleMode::AuditAndNotify), ..base() }, false),
        ("unknown state", TransportRule { state: Setting::Unknown("1".into()), ..base() }, true),
        ("unknown mode", TransportRule { mode: Setting::Unknown("2".into()), ..base() }, true),
    ];
    for (name, r, want) in cases {
        assert_eq!(is_bypass(&r), want, "{name}");
    }
}

/// What each mechanism other than a mail flow rule trusts: the IP lists the connecting IP, a connector the
/// gateway, a phishing simulation a domain and an IP with no link; the sender lists the address or the domain
/// the allow names. None is paired.
#[test]
fn mechanism_trust() {
    use Mechanism as M;
    let one = Trust::SingleFactor;
    let cases = [
        (M::IpAllowList, one(Factor::Ip), one(Factor::Ip)),
        (M::SafeList, one(Factor::Ip), one(Factor::Ip)),
        (M::InboundConnector, one(Factor::Gateway), one(Factor::Gateway)),
        (M::PhishSimOverride, Trust::Unlinked, Trust::Unlinked),
        (M::AllowedSenders, one(Factor::SenderDomain), one(Factor::SenderAddress)),
        (M::AllowedSenderDomains, one(Factor::SenderDomain), one(Factor::SenderAddress)),
        (M::SafeSenders, one(Factor::SenderDomain), one(Factor::SenderAddress)),
        (M::TablSenderAllow, one(Factor::SenderDomain), one(Factor::SenderAddress)),
    ];
    for (m, domain, address) in cases {
        assert_eq!((m.trust(false), m.trust(true)), (domain, address), "{m:?}");
        assert!(!m.trust(false).is_paired() && !m.trust(true).is_paired(), "{m:?}");
    }
}

/// The pattern subset: literals, escapes, `.*`, anchors, any case; anything else is not evaluated.
#[test]
fn patterns() {
    for (pattern, text, want) in [
        (r"@contoso\.com$", "payroll@contoso.com", Some(true)),
        (r"@contoso\.com$", "payroll@contoso.com.evil.example", Some(false)),
        (r"^payroll@", "Payroll@contoso.com", Some(true)),
        (r"^payroll@", "x-payroll@contoso.com", Some(false)),
        (r"contoso", "a@CONTOSO.com", Some(true)),
        (r"^a.*@.*\.com$", "a@contoso.com", Some(true)),
        (r"^a.*b$", "ab", Some(true)),
        (r"^ab.*ba$", "aba", Some(false)),
        (
            r"dkim=pass \(signature was verified\) header\.d=litware\.com",
            "spf=pass; dkim=pass (signature was verified) header.d=litware.com;",
            Some(true),
        ),
        (r"[a-z]+@contoso\.com", "a@contoso.com", None),
        (r"contoso.com", "a@contosoxcom", None),
        (r"\d+", "123", None),
        (r"a\dc", "adc", None),
        (r"a|b", "a", None),
    ] {
        assert_eq!(pattern_matches(pattern, text), want, "{pattern} on {text}");
    }
}

fn fixture() -> Snapshot {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snapshot/contoso-ps7");
    read_snapshot(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn facts(from: &str, ip: Option<&str>) -> Facts {
    let mut message = Message::from(Sender::parse(from).unwrap_or_else(|e| panic!("{e}")));
    message.ip = ip.map(|i| i.parse().unwrap_or_else(|e| panic!("{i}: {e}")));
    Facts { message, mail_from: None, recipients: Vec::new(), headers: None, trace: Trace::default() }
}

/// Each mechanism of the fixture admits the message it should, and says why when not for certain.
#[test]
fn mechanisms() {
    let s = fixture();
    let today = Date::parse("2026-11-22").unwrap_or_else(|e| panic!("{e}"));
    let paths = |f: &Facts| {
        admit(f, &s, today)
            .paths
            .into_iter()
            .filter(|p| p.object != "Secure subject bypass")
            .map(|p| (p.mechanism, p.object.to_string(), p.value, p.applies == Applies::Yes))
            .collect::<Vec<_>>()
    };
    // The IP Allow List's range form, and a sender domain both in the policy's allowed domains and a rule.
    assert_eq!(
        paths(&facts("a@fabrikam.com", Some("203.0.113.20"))),
        [
            (Mechanism::IpAllowList, "Default".into(), "203.0.113.1-203.0.113.20".into(), true),
            (Mechanism::AllowedSenderDomains, "Default".into(), "fabrikam.com".into(), true),
            (Mechanism::MailFlowRule, "Bypass spam filtering for Fabrikam".into(), "-1".into(), true),
        ]
    );
    // SenderDomainIs covers subdomains; a disabled rule admits nothing; the phishing simulation override needs
    // its domain and an IP in its ranges.
    assert_eq!(
        paths(&facts("x@eu.fabrikam.com", Some("192.0.2.1"))),
        [(Mechanism::MailFlowRule, "Bypass spam filtering for Fabrikam".into(), "-1".into(), true)]
    );
    assert!(paths(&facts("x@northwindtraders.com", Some("192.0.2.1"))).is_empty(), "the Northwind rule is disabled");
    assert_eq!(
        paths(&facts("training@phish-training.example.net", Some("192.0.2.70"))),
        [(
            Mechanism::PhishSimOverride,
            "_Exe:PhishSimOverr:d779965e-ab14-4dd8-b3f5-0876a99f988b".into(),
            "Domains phish-training.example.net; SenderIpRanges 192.0.2.64/28".into(),
            true
        )]
    );
    assert!(paths(&facts("training@phish-training.example.net", Some("192.0.2.99"))).is_empty());
    // A TABL sender allow may apply (Microsoft is ambiguous); an expired one does not.
    let tabl = admit(&facts("billing@tailspintoys.com", None), &s, today);
    let kinds: Vec<_> = tabl.paths.iter().map(|p| (p.mechanism, p.trust)).collect();
    assert!(kinds.contains(&(Mechanism::AllowedSenders, Trust::SingleFactor(Factor::SenderAddress))), "{kinds:?}");
    assert!(kinds.contains(&(Mechanism::TablSenderAllow, Trust::SingleFactor(Factor::SenderDomain))), "{kinds:?}");
    let later = Date::parse("2027-01-01").unwrap_or_else(|e| panic!("{e}"));
    let expired = admit(&facts("billing@tailspintoys.com", None), &s, later);
    assert!(!expired.paths.iter().any(|p| p.mechanism == Mechanism::TablSenderAllow), "expired on 2026-12-22");
    // Safe Senders: with the recipients known, only their mailboxes.
    let mut to_adele = facts("news@fabrikam.com", None);
    to_adele.recipients = vec![Sender::parse("adele.vance@contoso.com").unwrap_or_else(|e| panic!("{e}"))];
    let safe: Vec<_> =
        admit(&to_adele, &s, today).paths.into_iter().filter(|p| p.mechanism == Mechanism::SafeSenders).collect();
    assert_eq!(safe.len(), 1);
    assert_eq!(
        (safe[0].object, safe[0].value.as_str(), &safe[0].applies),
        ("adele.vance@contoso.com", "news@fabrikam.com", &Applies::Yes)
    );
}

/// A header trace with no matching mechanism is reported, never taken as clean.
#[test]
fn unexplained_trace() {
    let s = fixture();
    let mut f = facts("x@unknown.example", Some("192.0.2.200"));
    f.trace = Trace { sfv: Some("SKA".into()), ipv: None };
    let a = admit(&f, &s, Date::parse("2026-11-22").unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(
        a.unexplained,
        ["SFV:SKA: no allowed senders (anti-spam policy) in the snapshot matches what is known of the message"]
    );
}

const FROM: &[&str] = &["a@fabrikam.com", "b@contoso.com", "c@litware.com", "d@eu.wingtiptoys.com", "e@example.org"];
const PTR: &[&str] = &["mail.fabrikam.net", "o1.mailout.example.net", "smtp.litware.com", "relay.example.org"];
const IPS: &[&str] = &["192.0.2.10", "198.51.100.9", "203.0.113.5", "192.0.2.200", "2001:db8::1"];
const DKIM: &[&str] = &["fabrikam.com", "example.net", "litware.com"];

proptest! {
    #![proptest_config(common::config(256))]

    /// A replacement offered is never single-factor: an allow of a concrete pair (no `*` on either side), and
    /// that pair admits the very message it replaces the single-factor allow for.
    #[test]
    fn replacement_is_a_pair(f in 0..FROM.len(), p in prop::option::of(0..PTR.len()), ip in prop::option::of(0..IPS.len()), dkim in prop::collection::vec(0..DKIM.len(), 0..2)) {
        let s = fixture();
        let mut facts = facts(FROM[f], ip.map(|i| IPS[i]));
        facts.message.ptr = p.map(|p| host(PTR[p]));
        facts.message.dkim_pass = dkim.into_iter().map(|d| host(DKIM[d])).collect();
        let a = admit(&facts, &s, Date::parse("2026-11-22").unwrap_or_else(|e| panic!("{e}")));
        if let Ok(r) = &a.replacement {
            let Rule::Allow(pair) = &r.entry.rule else { return Err(TestCaseError::fail("not an allow")) };
            prop_assert!(r.entry.rule.spoofed() != Side::Any && r.entry.rule.infrastructure() != Side::Any);
            prop_assert_eq!(pair.spoofed.domain().as_str(), facts.message.from.domain());
            let list = TenantList::new(Path::new("replacement.yaml"), Vec::new(), vec![r.entry.clone()]);
            let mut m = facts.message.clone();
            m.spoof_type = Some(r.entry.spoof_type);
            let allowed = matches!(Matcher::new(&list).evaluate(&m).verdict, Verdict::Allow(_));
            prop_assert!(allowed, "the replacement does not admit the message");
        } else {
            // No pair to offer only when the message shows no infrastructure.
            prop_assert!(facts.message.ptr.is_none() && facts.message.dkim_pass.is_empty() && facts.message.range().is_none());
        }
    }
}

/// A hostile value in a snapshot (a rule name with terminal escapes) or in a message cannot forge the text.
#[test]
fn hostile_values_are_escaped() {
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let rule = r#"[{"Name": "Bypass\u001b[2J\u001b[32m paired", "State": "Enabled", "Mode": "Enforce",
        "SenderAddressLocation": "Header", "SenderDomainIs": ["fabrikam.com"], "SetSCL": -1}]"#;
    std::fs::write(scratch.path().join("Get-TransportRule.json"), rule).expect("written");
    let s = read_snapshot(scratch.path()).expect("a snapshot");
    let a = admit(&facts("a@fabrikam.com", None), &s, Date::parse("2026-11-22").expect("a date"));
    let text = spoofctl::render::admission::admission_text("snap\u{1b}]0;x\u{7}", &a, Default::default());
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{text}");
    assert!(text.contains(r"`Bypass\u{1b}[2J\u{1b}[32m paired`"), "{text}");
}
