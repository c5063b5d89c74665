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
    Checked, ConnectorType, HeaderWords, HostedConnectionFilterPolicy, HostedContentFilterPolicy, InboundConnector,
    PolicyRule, RecipientScope, RuleMode, RuleState, SenderAddressLocation, SenderConditions, Setting, Snapshot,
    TransportRule,
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

fn missing_snapshot() -> Snapshot {
    Snapshot::default()
}

fn today() -> Date {
    Date::parse("2026-11-22").unwrap_or_else(|e| panic!("{e}"))
}

/// "yes", "may" or nothing: whether a mechanism's path applies.
fn applies(a: &spoofctl::engine::admission::Admission<'_>, m: Mechanism) -> Vec<&'static str> {
    a.paths.iter().filter(|p| p.mechanism == m).map(|p| if p.applies == Applies::Yes { "yes" } else { "may" }).collect()
}

/// Each row: an anti-spam policy's allowed domain (fabrikam.com), the rule that scopes the policy (or none),
/// the message's recipients, and whether the allow applies. The default policy applies to everyone; another
/// policy only through an enabled rule whose recipients take in the message's.
#[test]
fn anti_spam_policy_scope() {
    let scope = RecipientScope::default;
    let domains = |d: &[&str]| d.iter().map(|d| host(d)).collect::<Vec<_>>();
    let to = |r: &[&str]| r.iter().map(|r| Sender::parse(r).unwrap_or_else(|e| panic!("{e}"))).collect::<Vec<_>>();
    let enabled = |scope: RecipientScope| Some((RuleState::Enabled, scope));
    // What, the policy is the default, its rule (state and scope; not read, or none), recipients, applies.
    type Case = (&'static str, bool, Checked<Option<(RuleState, RecipientScope)>>, Vec<Sender>, Vec<&'static str>);
    let cases: Vec<Case> = vec![
        ("the default policy, rules not read", true, Checked::Missing, to(&["a@contoso.com"]), vec!["yes"]),
        ("another policy, rules not read", false, Checked::Missing, to(&["a@contoso.com"]), vec!["may"]),
        ("another policy, no rule", false, Checked::Read(None), to(&["a@contoso.com"]), vec![]),
        ("a disabled rule", false, Checked::Read(Some((RuleState::Disabled, scope()))), to(&["a@contoso.com"]), vec![]),
        ("recipients not known", false, Checked::Read(enabled(scope())), vec![], vec!["may"]),
        (
            "a rule with no recipient condition",
            false,
            Checked::Read(enabled(scope())),
            to(&["a@contoso.com"]),
            vec!["yes"],
        ),
        (
            "a recipient in its domain's subdomain",
            false,
            Checked::Read(enabled(RecipientScope { recipient_domain_is: domains(&["contoso.com"]), ..scope() })),
            to(&["a@eu.contoso.com"]),
            vec!["yes"],
        ),
        (
            "a recipient of a look-alike domain",
            false,
            Checked::Read(enabled(RecipientScope { recipient_domain_is: domains(&["contoso.com"]), ..scope() })),
            to(&["a@xcontoso.com"]),
            vec![],
        ),
        (
            "a named recipient, any case",
            false,
            Checked::Read(enabled(RecipientScope { sent_to: vec!["Adele@contoso.com".into()], ..scope() })),
            to(&["x@contoso.com", "adele@contoso.com"]),
            vec!["yes"],
        ),
        (
            "a named recipient, excepted",
            false,
            Checked::Read(enabled(RecipientScope {
                sent_to: vec!["adele@contoso.com".into()],
                except_if_sent_to: vec!["adele@contoso.com".into()],
                ..scope()
            })),
            to(&["adele@contoso.com"]),
            vec![],
        ),
        (
            "a recipient domain excepted",
            false,
            Checked::Read(enabled(RecipientScope {
                except_if_recipient_domain_is: domains(&["contoso.com"]),
                ..scope()
            })),
            to(&["adele@contoso.com"]),
            vec![],
        ),
        (
            "a group the snapshot cannot resolve",
            false,
            Checked::Read(enabled(RecipientScope { sent_to_member_of: vec!["Finance".into()], ..scope() })),
            to(&["adele@contoso.com"]),
            vec!["may"],
        ),
        (
            "an excepted group the snapshot cannot resolve",
            false,
            Checked::Read(enabled(RecipientScope { except_if_sent_to_member_of: vec!["Finance".into()], ..scope() })),
            to(&["adele@contoso.com"]),
            vec!["may"],
        ),
    ];
    for (what, is_default, rule, recipients, want) in cases {
        let mut s = missing_snapshot();
        s.content_filter_policies = Checked::Read(vec![HostedContentFilterPolicy {
            name: "Custom".into(),
            is_default,
            allowed_senders: Vec::new(),
            allowed_sender_domains: domains(&["fabrikam.com"]),
        }]);
        s.content_filter_rules = match rule {
            Checked::Read(r) => Checked::Read(
                r.into_iter()
                    .map(|(state, scope)| PolicyRule {
                        name: "Custom rule".into(),
                        policy: "custom".into(),
                        state: Setting::Is(state),
                        priority: Some(0),
                        scope,
                    })
                    .collect(),
            ),
            _ => Checked::Missing,
        };
        let mut f = facts("a@fabrikam.com", None);
        f.recipients = recipients;
        assert_eq!(applies(&admit(&f, &s, today()), Mechanism::AllowedSenderDomains), want, "{what}");
    }
}

/// The MAIL FROM is a sender too when it differs from the From; the same address is not looked at twice.
#[test]
fn mail_from_is_a_sender() {
    let s = fixture();
    let mut f = facts("x@unknown.example", None);
    f.mail_from = Some(Sender::parse("bounce@fabrikam.com").unwrap_or_else(|e| panic!("{e}")));
    let matched: Vec<String> = admit(&f, &s, today())
        .paths
        .into_iter()
        .filter(|p| p.mechanism == Mechanism::AllowedSenderDomains)
        .map(|p| p.matched)
        .collect();
    assert_eq!(matched, ["the MAIL FROM domain fabrikam.com"]);
    let mut same = facts("a@fabrikam.com", None);
    same.mail_from = Some(Sender::parse("a@fabrikam.com").unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(applies(&admit(&same, &s, today()), Mechanism::AllowedSenderDomains), ["yes"]);
}

/// A trace code marks the paths of the mechanism that stamps it, and a code no path explains is reported;
/// the IP Allow List explains `SFV:SKN` too, not `SFV:SKA`.
#[test]
fn trace_codes_and_paths() {
    let s = fixture();
    let trace = |ipv: Option<&str>, sfv: Option<&str>| Trace { ipv: ipv.map(String::from), sfv: sfv.map(String::from) };
    let mut both = facts("a@fabrikam.com", Some("203.0.113.20"));
    both.trace = trace(Some("CAL"), None);
    let shown: Vec<(Mechanism, bool)> = admit(&both, &s, today())
        .paths
        .iter()
        .filter(|p| p.object != "Secure subject bypass")
        .map(|p| (p.mechanism, p.shown))
        .collect();
    assert_eq!(
        shown,
        [(Mechanism::IpAllowList, true), (Mechanism::AllowedSenderDomains, false), (Mechanism::MailFlowRule, false)]
    );
    both.trace = trace(None, Some("ska"));
    let shown: Vec<bool> = admit(&both, &s, today())
        .paths
        .iter()
        .filter(|p| p.object != "Secure subject bypass")
        .map(|p| p.shown)
        .collect();
    assert_eq!(shown, [false, true, false]);
    let mut ip_allow = missing_snapshot();
    ip_allow.connection_filter_policies = Checked::Read(vec![HostedConnectionFilterPolicy {
        name: "Default".into(),
        ip_allow_list: vec![range("203.0.113.0/24")],
        enable_safe_list: false,
    }]);
    for (sfv, explained) in [("SKN", true), ("SKA", false)] {
        let mut ip_only = facts("x@unknown.example", Some("203.0.113.20"));
        ip_only.trace = trace(None, Some(sfv));
        let a = admit(&ip_only, &ip_allow, today());
        assert_eq!(a.paths.iter().map(|p| p.mechanism).collect::<Vec<_>>(), [Mechanism::IpAllowList], "{sfv}");
        assert_eq!(a.unexplained.is_empty(), explained, "{sfv}: {:?}", a.unexplained);
    }
}

/// A snapshot without its files: each file is reported once, never as clean.
#[test]
fn files_not_read_are_reported_once() {
    let s = missing_snapshot();
    let a = admit(&facts("a@fabrikam.com", Some("192.0.2.1")), &s, today());
    assert!(a.paths.is_empty());
    let files: Vec<&str> = a.not_checked.iter().map(|(m, _)| m.file()).collect();
    let mut unique = files.clone();
    unique.dedup();
    assert_eq!(files, unique);
    assert_eq!(files.len(), 7, "{files:?}");
}

/// A mail flow rule's exception that holds keeps the message out; one that does not leaves the rule acting.
#[test]
fn mail_flow_rule_exceptions() {
    for (ip, want) in [("192.0.2.10", vec![]), ("198.51.100.1", vec!["yes"])] {
        let mut r = rule(SenderConditions { sender_domain_is: vec![host("fabrikam.com")], ..Default::default() });
        r.exceptions.sender_ip_ranges = vec![range("192.0.2.0/24")];
        let mut s = missing_snapshot();
        s.transport_rules = Checked::Read(vec![r]);
        let a = admit(&facts("a@fabrikam.com", Some(ip)), &s, today());
        assert_eq!(applies(&a, Mechanism::MailFlowRule), want, "{ip}");
    }
}

/// Safe Senders: with no recipient known, each mailbox's may apply; a disabled junk rule may not act; with
/// recipients known, only theirs count. A TABL sender allow still applies on its expiration day. An inbound
/// connector admits by IP only when enabled and treating mail as internal.
#[test]
fn safe_senders_tabl_expiry_and_connectors() {
    let s = fixture();
    let safe = |f: &Facts| applies(&admit(f, &s, today()), Mechanism::SafeSenders);
    assert_eq!(safe(&facts("news@fabrikam.com", None)), ["may"], "recipients not known");
    let mut to_other = facts("news@fabrikam.com", None);
    to_other.recipients = vec![Sender::parse("someone.else@contoso.com").unwrap_or_else(|e| panic!("{e}"))];
    assert!(safe(&to_other).is_empty(), "another mailbox's list");
    let expiry = Date::parse("2026-12-22").unwrap_or_else(|e| panic!("{e}"));
    let tabl = admit(&facts("billing@tailspintoys.com", None), &s, expiry);
    assert_eq!(applies(&tabl, Mechanism::TablSenderAllow), ["may"], "on its expiration day");

    let connector = |enabled, internal| InboundConnector {
        name: "gateway".into(),
        enabled,
        connector_type: Setting::Is(ConnectorType::OnPremises),
        sender_ip_addresses: vec![range("192.0.2.0/24")],
        sender_domains: Vec::new(),
        restrict_domains_to_ip_addresses: false,
        restrict_domains_to_certificate: false,
        tls_sender_certificate_name: None,
        ef_skip_last_ip: false,
        ef_skip_ips: Vec::new(),
        ef_users: Vec::new(),
        treat_messages_as_internal: internal,
        cloud_services_mail_enabled: false,
    };
    for (enabled, internal, ip, want) in [
        (true, true, "192.0.2.9", vec!["yes"]),
        (true, true, "198.51.100.9", vec![]),
        (false, true, "192.0.2.9", vec![]),
        (true, false, "192.0.2.9", vec![]),
    ] {
        let mut snapshot = missing_snapshot();
        snapshot.inbound_connectors = Checked::Read(vec![connector(enabled, internal)]);
        let a = admit(&facts("a@fabrikam.com", Some(ip)), &snapshot, today());
        assert_eq!(applies(&a, Mechanism::InboundConnector), want, "{enabled} {internal} {ip}");
    }
}
