//! The audit's judgement of mail flow rules as a table (single-factor or paired), and the property that no
//! finding ever recommends a replacement that is itself single-factor.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

use std::path::PathBuf;

use proptest::prelude::*;

use spoofctl::engine::audit::{Audit, KnownSide, Replacement, audit};
use spoofctl::engine::trust::{Trust, rule_trust};
use spoofctl::model::date::Date;
use spoofctl::model::finding::FindingCode;
use spoofctl::model::ip_range::IpRange;
use spoofctl::model::message::{Host, Sender};
use spoofctl::model::pair::{Infrastructure, Rule, Side, SpoofedUser};
use spoofctl::model::tenant::{
    AcceptedDomain, AntiPhishPolicy, ArcConfig, Checked, ConnectorType, DmarcQuarantineAction, DmarcRejectAction,
    DomainType, ExoPhishSimOverrideRule, HeaderWords, HostedConnectionFilterPolicy, HostedContentFilterPolicy,
    InboundConnector, MailboxJunkEmailConfiguration, PolicyRule, RecipientScope, RuleMode, RuleState,
    SenderAddressLocation, SenderConditions, SenderItem, Setting, Snapshot, SpoofItem, Timestamp, TransportRule,
};
use spoofctl::model::words::{Action, SpoofType};
use spoofctl::validate::pipeline::{Checked as CheckedList, check};

fn empty_snapshot() -> Snapshot {
    Snapshot::default()
}

fn rule(name: &str, conditions: SenderConditions, exceptions: SenderConditions) -> TransportRule {
    TransportRule {
        name: name.to_string(),
        state: Setting::Is(RuleState::Enabled),
        priority: Some(0),
        mode: Setting::Is(RuleMode::Enforce),
        set_scl: Some(-1),
        set_header_name: None,
        set_header_value: None,
        sender_address_location: Setting::Is(SenderAddressLocation::Header),
        conditions,
        exceptions,
        other_conditions: Vec::new(),
    }
}

fn run(snapshot: &Snapshot) -> Audit {
    audit(PathBuf::from("snapshot"), snapshot, None, Date::parse("2026-12-07").expect("a date"))
}

fn hosts(v: &[&str]) -> Vec<Host> {
    v.iter().map(|h| Host::parse(h).expect("a host")).collect()
}

fn ranges(v: &[&str]) -> Vec<IpRange> {
    v.iter().map(|r| IpRange::parse(r).expect("a range")).collect()
}

fn header(name: &str, values: &[&str]) -> Option<HeaderWords> {
    Some(HeaderWords { header: name.to_string(), values: values.iter().map(|v| v.to_string()).collect() })
}

/// Each row: a rule's conditions (and exceptions) that set SCL -1, and the finding the audit gives (none
/// when the rule pairs its sender with an IP range or with the sender's authentication).
#[test]
fn rule_conditions_single_factor_or_paired() {
    let auth = || header("Authentication-Results", &["dmarc=pass"]);
    let none = SenderConditions::default;
    let cases: Vec<(&str, SenderConditions, SenderConditions, Option<FindingCode>)> = vec![
        (
            "sender domain alone",
            SenderConditions { sender_domain_is: hosts(&["partner.example"]), ..none() },
            none(),
            Some(FindingCode::RuleTrustsSender),
        ),
        (
            "From address alone",
            SenderConditions { from: vec!["ceo@partner.example".into()], ..none() },
            none(),
            Some(FindingCode::RuleTrustsSender),
        ),
        (
            "From words alone",
            SenderConditions { from_address_contains_words: vec!["partner.example".into()], ..none() },
            none(),
            Some(FindingCode::RuleTrustsSender),
        ),
        (
            "From patterns alone",
            SenderConditions { from_address_matches_patterns: vec!["@partner\\.example$".into()], ..none() },
            none(),
            Some(FindingCode::RuleTrustsSender),
        ),
        (
            "IP alone",
            SenderConditions { sender_ip_ranges: ranges(&["192.0.2.0/24"]), ..none() },
            none(),
            Some(FindingCode::RuleTrustsIp),
        ),
        (
            "a header the sender writes",
            SenderConditions { header_contains: header("X-Partner", &["yes"]), ..none() },
            none(),
            Some(FindingCode::RuleTrustsOther),
        ),
        (
            "sender domain and a header the sender writes",
            SenderConditions {
                sender_domain_is: hosts(&["partner.example"]),
                header_contains: header("X-Partner", &["yes"]),
                ..none()
            },
            none(),
            Some(FindingCode::RuleTrustsSender),
        ),
        (
            "Authentication-Results named with no words",
            SenderConditions {
                sender_domain_is: hosts(&["partner.example"]),
                header_matches: header("Authentication-Results", &[]),
                ..none()
            },
            none(),
            Some(FindingCode::RuleTrustsSender),
        ),
        ("no condition at all", none(), none(), Some(FindingCode::RuleTrustsOther)),
        (
            "sender domain with its IP range",
            SenderConditions {
                sender_domain_is: hosts(&["partner.example"]),
                sender_ip_ranges: ranges(&["192.0.2.0/24"]),
                ..none()
            },
            none(),
            None,
        ),
        (
            "sender domain with an authentication result",
            SenderConditions { sender_domain_is: hosts(&["partner.example"]), header_matches: auth(), ..none() },
            none(),
            None,
        ),
        (
            "authentication result (header words, any case of the name)",
            SenderConditions { header_contains: header("authentication-results", &["dmarc=pass"]), ..none() },
            none(),
            None,
        ),
        (
            "sender domain with a bare dkim=pass (any domain's signature passes it)",
            SenderConditions {
                sender_domain_is: hosts(&["partner.example"]),
                header_contains: header("Authentication-Results", &["dkim=pass"]),
                ..none()
            },
            none(),
            Some(FindingCode::RuleTrustsSender),
        ),
        (
            "sender domain, authentication failures excepted (a message with no result still gets in)",
            SenderConditions { sender_domain_is: hosts(&["partner.example"]), ..none() },
            SenderConditions { header_matches: header("Authentication-Results", &["dmarc=fail"]), ..none() },
            Some(FindingCode::RuleTrustsSender),
        ),
        (
            "IP with an authentication result",
            SenderConditions { sender_ip_ranges: ranges(&["192.0.2.0/24"]), header_matches: auth(), ..none() },
            none(),
            None,
        ),
    ];
    for (what, conditions, exceptions, expected) in cases {
        let mut snapshot = empty_snapshot();
        snapshot.transport_rules = Checked::Read(vec![rule(what, conditions, exceptions)]);
        let codes: Vec<FindingCode> = run(&snapshot).findings.iter().map(|f| f.code).collect();
        assert_eq!(codes, expected.into_iter().collect::<Vec<_>>(), "{what}");
    }
}

/// A rule that would bypass filtering but does not act is not a finding: disabled, or in an audit mode.
#[test]
fn rules_that_take_no_action_are_not_findings() {
    let sender = || SenderConditions { sender_domain_is: hosts(&["partner.example"]), ..Default::default() };
    let disabled =
        TransportRule { state: Setting::Is(RuleState::Disabled), ..rule("off", sender(), Default::default()) };
    let audit_mode =
        TransportRule { mode: Setting::Is(RuleMode::Audit), ..rule("audit", sender(), Default::default()) };
    let scl_five = TransportRule { set_scl: Some(5), ..rule("scl 5", sender(), Default::default()) };
    let unknown_state =
        TransportRule { state: Setting::Unknown("Paused".into()), ..rule("unknown", sender(), Default::default()) };
    let mut snapshot = empty_snapshot();
    snapshot.transport_rules = Checked::Read(vec![disabled, audit_mode, scl_five, unknown_state]);
    let objects: Vec<String> = run(&snapshot).findings.iter().map(|f| f.object.clone()).collect();
    assert_eq!(objects, ["unknown"], "an unknown state counts as on, never as off");
}

fn conditions() -> impl Strategy<Value = SenderConditions> {
    let domain = prop::sample::select(vec!["partner.example", "contoso.com", "mail.fabrikam.example"]);
    let range = prop::sample::select(vec!["192.0.2.0/24", "198.51.100.7", "203.0.113.1-203.0.113.9"]);
    let head = prop::option::of((
        prop::sample::select(vec!["Authentication-Results", "X-Partner", "Received"]),
        prop::collection::vec(prop::sample::select(vec!["dmarc=pass", "yes", ""]), 0..2),
    ));
    (
        prop::collection::vec(domain, 0..2),
        prop::collection::vec(prop::sample::select(vec!["a@partner.example", "Partner"]), 0..2),
        prop::collection::vec(range, 0..2),
        head.clone(),
        head,
    )
        .prop_map(|(domains, from, ips, contains, matches)| {
            let h = |h: Option<(&str, Vec<&str>)>| h.and_then(|(n, v)| header(n, &v));
            SenderConditions {
                sender_domain_is: hosts(&domains),
                from: from.into_iter().map(String::from).collect(),
                sender_ip_ranges: ranges(&ips),
                header_contains: h(contains),
                header_matches: h(matches),
                ..Default::default()
            }
        })
}

fn senders() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        prop::sample::select(vec!["contoso.com", "partner.example", "ceo@partner.example", "com"]),
        0..3,
    )
    .prop_map(|v| v.into_iter().map(String::from).collect())
}

fn spoof_items() -> impl Strategy<Value = Vec<SpoofItem>> {
    let side = |values: Vec<&'static str>| prop::sample::select(values);
    prop::collection::vec(
        (side(vec!["*", "adatum.com", "ceo@adatum.com"]), side(vec!["*", "tms.mx.com", "192.0.2.0/24"]), any::<bool>()),
        0..4,
    )
    .prop_map(|items| {
        items
            .into_iter()
            .filter(|(s, i, _)| !(*s == "*" && *i == "*"))
            .map(|(s, i, allow)| SpoofItem {
                identity: None,
                spoofed: Side::parse_spoofed(s).expect("a side"),
                infrastructure: Side::parse_infrastructure(i).expect("a side"),
                spoof_type: SpoofType::External,
                action: if allow { Action::Allow } else { Action::Block },
            })
            .collect()
    })
}

proptest! {
    /// Whatever the tenant holds, no finding's replacement trusts one factor alone: a rule condition makes
    /// the rule paired by the one classification (`engine::trust::rule_trust`); a spoofed-sender entry is a pair,
    /// which the pair types cannot build from the known side alone; a setting only turns protection on.
    #[test]
    fn no_replacement_is_single_factor(
        rules in prop::collection::vec((conditions(), conditions()), 0..4),
        domains in senders(),
        allowed in senders(),
        ips in prop::collection::vec(prop::sample::select(vec!["192.0.2.10", "198.51.100.0/24", "203.0.112.0/22"]), 0..3),
        items in spoof_items(),
    ) {
        let mut snapshot = empty_snapshot();
        let rules: Vec<TransportRule> =
            rules.into_iter().enumerate().map(|(n, (c, e))| rule(&format!("rule {n}"), c, e)).collect();
        snapshot.transport_rules = Checked::Read(rules.clone());
        snapshot.content_filter_policies = Checked::Read(vec![HostedContentFilterPolicy {
            name: "Default".into(),
            is_default: true,
            allowed_senders: allowed.iter().filter_map(|s| Sender::parse(s).ok()).collect(),
            allowed_sender_domains: domains.iter().filter_map(|d| Host::parse(d).ok()).collect(),
        }]);
        snapshot.connection_filter_policies = Checked::Read(vec![HostedConnectionFilterPolicy {
            name: "Default".into(),
            ip_allow_list: ips.iter().map(|r| IpRange::parse(r).expect("a range")).collect(),
            enable_safe_list: true,
        }]);
        snapshot.spoof_items = Checked::Read(items);
        for finding in run(&snapshot).findings {
            match &finding.replacement {
                Replacement::RuleCondition(h) => {
                    let before = rules.iter().find(|r| r.name == finding.object).expect("the rule");
                    prop_assert_ne!(rule_trust(before), Trust::Paired, "a paired rule was reported");
                    let mut after = before.clone();
                    after.conditions.header_matches = Some(h.clone());
                    prop_assert_eq!(rule_trust(&after), Trust::Paired, "{}: the condition leaves it single-factor", finding.object);
                }
                Replacement::SpoofEntry(known) => {
                    // The known side alone is no allow: only the pair with the other side is.
                    let (spoofed, infrastructure) = match known {
                        KnownSide::Spoofed(s) => (Side::Is(s.clone()), Side::Any),
                        KnownSide::Infrastructure(i) => (Side::Any, Side::Is(i.clone())),
                        KnownSide::Neither => (Side::Any, Side::Any),
                    };
                    prop_assert!(Rule::new(Action::Allow, spoofed, infrastructure).is_err());
                    let paired = Rule::new(
                        Action::Allow,
                        Side::Is(match known {
                            KnownSide::Spoofed(s) => s.clone(),
                            _ => SpoofedUser::parse("sender.example").expect("a sender"),
                        }),
                        Side::Is(match known {
                            KnownSide::Infrastructure(i) => i.clone(),
                            _ => Infrastructure::parse("relay.example").expect("an infrastructure"),
                        }),
                    );
                    prop_assert!(paired.is_ok());
                }
                Replacement::Setting { property, value } => {
                    let protective = matches!(
                        (*property, *value),
                        ("EnableSafeList" | "TreatMessagesAsInternal", "False")
                            | ("EnableSpoofIntelligence" | "HonorDmarcPolicy" | "EnableUnauthenticatedSender" | "EnableViaTag", "True")
                            | ("DmarcRejectAction", "Reject")
                            | ("DmarcQuarantineAction", "Quarantine")
                    );
                    prop_assert!(protective, "{} = {} is not protection", property, value);
                }
                Replacement::Advice(_) => {}
            }
        }
    }
}

/// One finding as a user reads it: code, object, property, value.
fn rows(a: &Audit) -> Vec<(FindingCode, String, &'static str, String)> {
    let mut v: Vec<_> = a.findings.iter().map(|f| (f.code, f.object.clone(), f.property, f.value.clone())).collect();
    v.sort();
    v
}

fn row(
    code: FindingCode,
    object: &str,
    property: &'static str,
    value: &str,
) -> (FindingCode, String, &'static str, String) {
    (code, object.to_string(), property, value.to_string())
}

fn today() -> Date {
    Date::parse("2026-12-07").expect("a date")
}

fn list(text: &str) -> CheckedList {
    check(std::path::Path::new("spoof.yaml"), text, today())
}

fn ip_allow(ip: &str, safe_list: bool) -> Snapshot {
    let mut snapshot = empty_snapshot();
    snapshot.connection_filter_policies = Checked::Read(vec![HostedConnectionFilterPolicy {
        name: "Default".into(),
        ip_allow_list: ranges(&[ip]),
        enable_safe_list: safe_list,
    }]);
    snapshot
}

/// Each row: an exception in the list, the findings it leaves (each with whether an exception covers it),
/// and whether the run fails. Above a warning fails unless covered; an exception covers through its
/// `expires` day, an expired or unused one is a warning of its own and the finding comes back.
#[test]
fn exceptions_cover_expire_and_go_unused() {
    let exception = |value: &str, expires: &str| {
        format!(
            "version: 1\nentries: []\nexceptions:\n  - finding: ip-allow-list\n    object: default\n    value: {value}\n    \
             reason: the scanner relay\n    owner: network team\n{expires}"
        )
    };
    // What, the list's text, each finding's code and whether an exception covers it, whether the run fails.
    type Case = (&'static str, Option<String>, Vec<(FindingCode, bool)>, bool);
    let cases: Vec<Case> = vec![
        ("no list", None, vec![(FindingCode::IpAllowList, false)], true),
        ("no exception", Some("version: 1\nentries: []\n".into()), vec![(FindingCode::IpAllowList, false)], true),
        ("covered until removed", Some(exception("192.0.2.10", "")), vec![(FindingCode::IpAllowList, true)], false),
        (
            "covered on its expires day",
            Some(exception("192.0.2.10", "    expires: 2026-12-07\n")),
            vec![(FindingCode::IpAllowList, true)],
            false,
        ),
        (
            "expired the day before",
            Some(exception("192.0.2.10", "    expires: 2026-12-06\n")),
            vec![(FindingCode::IpAllowList, false), (FindingCode::ExceptionExpired, false)],
            true,
        ),
        (
            "names another value",
            Some(exception("192.0.2.11", "")),
            vec![(FindingCode::IpAllowList, false), (FindingCode::ExceptionUnused, false)],
            true,
        ),
    ];
    for (what, text, expected, fails) in cases {
        let checked = text.as_deref().map(list);
        let a = audit(PathBuf::from("snapshot"), &ip_allow("192.0.2.10", false), checked.as_ref(), today());
        let got: Vec<(FindingCode, bool)> = a.findings.iter().map(|f| (f.code, f.excepted_by.is_some())).collect();
        assert_eq!(got, expected, "{what}");
        assert_eq!(a.fails(), fails, "{what}");
        assert_eq!(
            a.findings.iter().map(|f| f.fails()).collect::<Vec<_>>(),
            expected
                .iter()
                .map(|(c, covered)| { c.severity() > spoofctl::model::finding::FindingSeverity::Warning && !covered })
                .collect::<Vec<_>>(),
            "{what}"
        );
    }
}

/// A warning never fails a run; a high finding does; a critical one does.
#[test]
fn only_findings_above_a_warning_fail_the_run() {
    let safe_list_only = ip_allow("192.0.2.10", true);
    let mut safe_list_only = safe_list_only;
    safe_list_only.connection_filter_policies = Checked::Read(vec![HostedConnectionFilterPolicy {
        name: "Default".into(),
        ip_allow_list: Vec::new(),
        enable_safe_list: true,
    }]);
    let mut wildcard = empty_snapshot();
    wildcard.spoof_items = Checked::Read(vec![spoof_item("*", "tms.mx.com", Action::Allow)]);
    let cases = [
        ("a warning", safe_list_only, false),
        ("high", ip_allow("192.0.2.10", false), true),
        ("critical", wildcard, true),
    ];
    for (what, snapshot, fails) in cases {
        let a = run(&snapshot);
        assert!(!a.findings.is_empty(), "{what}");
        assert_eq!(a.fails(), fails, "{what}");
        assert!(a.findings.iter().all(|f| f.fails() == fails), "{what}");
    }
}

fn spoof_item(spoofed: &str, infrastructure: &str, action: Action) -> SpoofItem {
    SpoofItem {
        identity: None,
        spoofed: Side::parse_spoofed(spoofed).expect("a side"),
        infrastructure: Side::parse_infrastructure(infrastructure).expect("a side"),
        spoof_type: SpoofType::External,
        action,
    }
}

/// A live spoofed-sender allow with `*` on one side is a finding on the `*` side; a pair or a block is not.
#[test]
fn wildcard_spoof_allows() {
    let cases = [
        ("*", "tms.mx.com", Action::Allow, Some("SpoofedUser")),
        ("adatum.com", "*", Action::Allow, Some("SendingInfrastructure")),
        ("*", "tms.mx.com", Action::Block, None),
        ("adatum.com", "*", Action::Block, None),
        ("adatum.com", "tms.mx.com", Action::Allow, None),
    ];
    for (spoofed, infrastructure, action, property) in cases {
        let mut snapshot = empty_snapshot();
        snapshot.spoof_items = Checked::Read(vec![spoof_item(spoofed, infrastructure, action)]);
        let got: Vec<&str> = run(&snapshot).findings.iter().map(|f| f.property).collect();
        assert_eq!(got, property.into_iter().collect::<Vec<_>>(), "{spoofed} via {infrastructure} {action:?}");
    }
}

/// An IP Allow List entry within one /24 is replaced by a pair with that /24; a wider range names no
/// infrastructure spoofctl can pair. The safe list is a finding only when on.
#[test]
fn ip_allow_list_and_safe_list() {
    let slash24 = |r: &str| KnownSide::Infrastructure(Infrastructure::parse(r).expect("a /24"));
    let cases = [
        ("192.0.2.10", slash24("192.0.2.0/24")),
        ("192.0.2.0/24", slash24("192.0.2.0/24")),
        ("192.0.2.0/23", KnownSide::Neither),
        ("192.0.2.250-192.0.3.5", KnownSide::Neither),
    ];
    for (range, known) in cases {
        let a = run(&ip_allow(range, false));
        let got: Vec<_> = a.findings.iter().map(|f| (f.code, f.replacement.clone())).collect();
        assert_eq!(got, [(FindingCode::IpAllowList, Replacement::SpoofEntry(known))], "{range}");
    }
    let codes = |a: Audit| a.findings.iter().map(|f| f.code).collect::<Vec<_>>();
    assert_eq!(codes(run(&ip_allow("192.0.2.10", true))), [FindingCode::IpAllowList, FindingCode::ConnectionSafeList]);
}

/// The tenant's own domains (the snapshot's accepted domains, and the list's `accepted-domains`, with their
/// subdomains) in an allowed-domains list are critical; another domain is high.
#[test]
fn allowed_domains_own_or_not() {
    let mut snapshot = empty_snapshot();
    snapshot.accepted_domains = Checked::Read(vec![AcceptedDomain {
        domain_name: Host::parse("contoso.com").expect("a host"),
        domain_type: Setting::Is(DomainType::Authoritative),
        default: true,
        match_subdomains: false,
    }]);
    snapshot.content_filter_policies = Checked::Read(vec![HostedContentFilterPolicy {
        name: "Default".into(),
        is_default: true,
        allowed_senders: vec![Sender::parse("ceo@contoso.com").expect("a sender")],
        allowed_sender_domains: hosts(&["contoso.com", "mail.contoso.com", "fabrikam.example", "contoso.com.example"]),
    }]);
    let with_list = list("version: 1\naccepted-domains: [fabrikam.example]\nentries: []\n");
    let cases = [
        (
            None,
            [
                FindingCode::AllowedOwnDomain,
                FindingCode::AllowedOwnDomain,
                FindingCode::AllowedSenderDomain,
                FindingCode::AllowedSenderDomain,
            ],
        ),
        (
            Some(&with_list),
            [
                FindingCode::AllowedOwnDomain,
                FindingCode::AllowedOwnDomain,
                FindingCode::AllowedOwnDomain,
                FindingCode::AllowedSenderDomain,
            ],
        ),
    ];
    for (checked, expected) in cases {
        let a = audit(PathBuf::from("snapshot"), &snapshot, checked, today());
        let by_value =
            |v: &str| a.findings.iter().find(|f| f.value == v && f.property == "AllowedSenderDomains").map(|f| f.code);
        let got = ["contoso.com", "mail.contoso.com", "fabrikam.example", "contoso.com.example"].map(by_value);
        assert_eq!(got, expected.map(Some), "list given: {}", checked.is_some());
        let address = a.findings.iter().find(|f| f.property == "AllowedSenders").expect("the address");
        assert_eq!((address.code, address.note.is_some()), (FindingCode::AllowedSenderAddress, true));
    }
}

/// A single-factor rule's finding names the condition a user looks for in the rule.
#[test]
fn rule_finding_names_the_condition() {
    let none = SenderConditions::default;
    let cases = [
        (
            SenderConditions {
                sender_domain_is: hosts(&["partner.example"]),
                from: vec!["a@b.example".into()],
                ..none()
            },
            "SenderDomainIs",
            "partner.example",
        ),
        (
            SenderConditions {
                from: vec!["ceo@partner.example".into()],
                from_address_contains_words: vec!["x".into()],
                ..none()
            },
            "From",
            "ceo@partner.example",
        ),
        (
            SenderConditions {
                from_address_contains_words: vec!["partner".into()],
                from_address_matches_patterns: vec!["p".into()],
                ..none()
            },
            "FromAddressContainsWords",
            "partner",
        ),
        (
            SenderConditions { from_address_matches_patterns: vec!["@partner\\.example$".into()], ..none() },
            "FromAddressMatchesPatterns",
            "@partner\\.example$",
        ),
        (
            SenderConditions { sender_ip_ranges: ranges(&["192.0.2.0/24", "198.51.100.7"]), ..none() },
            "SenderIpRanges",
            "192.0.2.0/24, 198.51.100.7",
        ),
        (none(), "Conditions", "no condition"),
    ];
    for (conditions, property, value) in cases {
        let mut snapshot = empty_snapshot();
        snapshot.transport_rules = Checked::Read(vec![rule("r", conditions, SenderConditions::default())]);
        let got: Vec<(&str, String)> = run(&snapshot).findings.iter().map(|f| (f.property, f.value.clone())).collect();
        assert_eq!(got, [(property, value.to_string())], "{property}");
    }
}

/// A sender allow in the Tenant Allow/Block List is a finding until its expiration date passes; a block is not.
#[test]
fn tabl_sender_allows() {
    let day = |d: &str| Some(Timestamp(Date::parse(d).expect("a date").days_since_epoch() * 86_400_000));
    let cases = [
        (Action::Allow, None, true),
        (Action::Allow, day("2026-12-07"), true),
        (Action::Allow, day("2026-12-08"), true),
        (Action::Allow, day("2026-12-06"), false),
        (Action::Block, None, false),
    ];
    for (action, expiration_date, found) in cases {
        let mut snapshot = empty_snapshot();
        snapshot.sender_items = Checked::Read(vec![SenderItem {
            identity: None,
            value: Sender::parse("partner.example").expect("a sender"),
            action,
            expiration_date,
            notes: None,
            last_modified: None,
        }]);
        let got = run(&snapshot).findings.iter().filter(|f| f.code == FindingCode::TablSenderAllow).count();
        assert_eq!(got, usize::from(found), "{action:?} {expiration_date:?}");
    }
}

/// A phishing-simulation override with one domain and one IP is a pair; more of either is not.
#[test]
fn phish_simulation_overrides() {
    let cases: [(&[&str], &[&str], bool); 5] = [
        (&["sim.example"], &["192.0.2.1"], false),
        (&["sim.example", "sim2.example"], &["192.0.2.1"], true),
        (&["sim.example"], &["192.0.2.1", "198.51.100.1"], true),
        (&[], &["192.0.2.1", "198.51.100.1"], false),
        (&["sim.example", "sim2.example"], &[], false),
    ];
    for (domains, ips, found) in cases {
        let mut snapshot = empty_snapshot();
        snapshot.phish_sim_override_rules = Checked::Read(vec![ExoPhishSimOverrideRule {
            name: "sim".into(),
            policy: None,
            domains: hosts(domains),
            sender_ip_ranges: ranges(ips),
        }]);
        let codes: Vec<FindingCode> = run(&snapshot).findings.iter().map(|f| f.code).collect();
        assert_eq!(codes, if found { vec![FindingCode::PhishSimUnlinked] } else { vec![] }, "{domains:?} {ips:?}");
    }
}

/// An enabled inbound connector that treats mail as internal or skip-lists a gateway; a disabled one is not a finding.
#[test]
fn inbound_connectors() {
    let connector = |enabled, internal, skip_last, skip_ips: &[&str]| InboundConnector {
        name: "gateway".into(),
        enabled,
        connector_type: Setting::Is(ConnectorType::Partner),
        sender_ip_addresses: Vec::new(),
        sender_domains: Vec::new(),
        restrict_domains_to_ip_addresses: false,
        restrict_domains_to_certificate: false,
        tls_sender_certificate_name: None,
        ef_skip_last_ip: skip_last,
        ef_skip_ips: ranges(skip_ips),
        ef_users: Vec::new(),
        treat_messages_as_internal: internal,
        cloud_services_mail_enabled: false,
    };
    let cases = [
        (
            connector(true, true, false, &[]),
            vec![row(FindingCode::ConnectorInternal, "gateway", "TreatMessagesAsInternal", "True")],
        ),
        (connector(false, true, true, &["192.0.2.1"]), vec![]),
        (connector(true, false, false, &[]), vec![]),
        (
            connector(true, false, true, &[]),
            vec![row(FindingCode::ConnectorSkipListing, "gateway", "EFSkipLastIP", "the last hop")],
        ),
        (
            connector(true, false, false, &["192.0.2.1"]),
            vec![row(FindingCode::ConnectorSkipListing, "gateway", "EFSkipIPs", "192.0.2.1")],
        ),
        (
            connector(true, false, true, &["192.0.2.1"]),
            vec![row(FindingCode::ConnectorSkipListing, "gateway", "EFSkipLastIP", "the last hop, 192.0.2.1")],
        ),
    ];
    for (c, expected) in cases {
        let mut snapshot = empty_snapshot();
        snapshot.inbound_connectors = Checked::Read(vec![c.clone()]);
        assert_eq!(rows(&run(&snapshot)), expected, "{c:?}");
    }
}

/// Every trusted ARC sealer is a finding.
#[test]
fn arc_sealers() {
    let mut snapshot = empty_snapshot();
    snapshot.arc_config =
        Checked::Read(ArcConfig { arc_trusted_sealers: hosts(&["lists.example", "gateway.example"]) });
    assert_eq!(
        rows(&run(&snapshot)),
        [
            row(FindingCode::ArcTrustedSealer, "ArcConfig", "ArcTrustedSealers", "gateway.example"),
            row(FindingCode::ArcTrustedSealer, "ArcConfig", "ArcTrustedSealers", "lists.example"),
        ]
    );
}

fn anti_phish(enabled: Option<bool>) -> AntiPhishPolicy {
    AntiPhishPolicy {
        name: "Office365 AntiPhish Default".into(),
        is_default: true,
        enabled,
        enable_spoof_intelligence: Some(true),
        honor_dmarc_policy: Some(true),
        dmarc_reject_action: Some(Setting::Is(DmarcRejectAction::Reject)),
        dmarc_quarantine_action: Some(Setting::Is(DmarcQuarantineAction::Quarantine)),
        authentication_fail_action: None,
        spoof_quarantine_tag: None,
        enable_unauthenticated_sender: Some(true),
        enable_via_tag: Some(true),
    }
}

/// Each row: an anti-phishing policy's spoof settings and the findings; the Standard preset's values and a
/// value the snapshot does not hold are not findings, nor is a disabled policy.
#[test]
fn anti_phishing_policy_settings() {
    let name = "Office365 AntiPhish Default";
    let standard = anti_phish;
    let cases = [
        ("the Standard preset", standard(None), vec![]),
        ("enabled, the Standard preset", standard(Some(true)), vec![]),
        (
            "spoof intelligence off",
            AntiPhishPolicy { enable_spoof_intelligence: Some(false), ..standard(None) },
            vec![row(FindingCode::SpoofIntelligenceOff, name, "EnableSpoofIntelligence", "False")],
        ),
        (
            "spoof intelligence off, policy disabled",
            AntiPhishPolicy { enable_spoof_intelligence: Some(false), ..standard(Some(false)) },
            vec![],
        ),
        (
            "not in the snapshot",
            AntiPhishPolicy {
                enable_spoof_intelligence: None,
                honor_dmarc_policy: None,
                dmarc_reject_action: None,
                dmarc_quarantine_action: None,
                ..standard(None)
            },
            vec![],
        ),
        (
            "DMARC reject only quarantines",
            AntiPhishPolicy { dmarc_reject_action: Some(Setting::Is(DmarcRejectAction::Quarantine)), ..standard(None) },
            vec![row(FindingCode::DmarcActionWeak, name, "DmarcRejectAction", "Quarantine")],
        ),
        (
            "DMARC quarantine goes to Junk",
            AntiPhishPolicy {
                dmarc_quarantine_action: Some(Setting::Is(DmarcQuarantineAction::MoveToJmf)),
                ..standard(None)
            },
            vec![row(FindingCode::DmarcActionWeak, name, "DmarcQuarantineAction", "MoveToJmf")],
        ),
        (
            "via tag off",
            AntiPhishPolicy { enable_via_tag: Some(false), ..standard(None) },
            vec![row(FindingCode::UnauthenticatedSenderOff, name, "EnableViaTag", "False")],
        ),
    ];
    for (what, policy, expected) in cases {
        let mut snapshot = empty_snapshot();
        snapshot.anti_phish_policies = Checked::Read(vec![policy]);
        assert_eq!(rows(&run(&snapshot)), expected, "{what}");
    }
}

/// An anti-phishing rule that exempts recipients is a finding while the rule is on.
#[test]
fn anti_phishing_rules_that_exempt() {
    let rule = |state, except: &[&str]| PolicyRule {
        name: "Standard".into(),
        policy: "Standard Policy".into(),
        state: Setting::Is(state),
        priority: Some(0),
        scope: RecipientScope {
            except_if_sent_to: except.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        },
    };
    let cases = [
        (
            rule(RuleState::Enabled, &["ceo@contoso.com"]),
            vec![row(FindingCode::AntiPhishRuleExempts, "Standard", "ExceptIf", "ceo@contoso.com")],
        ),
        (rule(RuleState::Disabled, &["ceo@contoso.com"]), vec![]),
        (rule(RuleState::Enabled, &[]), vec![]),
    ];
    for (r, expected) in cases {
        let mut snapshot = empty_snapshot();
        snapshot.anti_phish_rules = Checked::Read(vec![r.clone()]);
        assert_eq!(rows(&run(&snapshot)), expected, "{r:?}");
    }
}

/// The list's drift from the live entries, and its errors (a warning of the list is not a finding).
#[test]
fn list_drift_and_errors() {
    let entry = "  - spoofed: adatum.com\n    infrastructure: tms.mx.com\n    type: external\n    action: allow\n    \
                 reason: payroll vendor\n    owner: hr@contoso.com\n";
    let text = format!("version: 1\nentries:\n{entry}");
    let cases = [
        ("not applied", text.clone(), vec![], vec![FindingCode::DriftNotApplied]),
        ("applied", text.clone(), vec![spoof_item("adatum.com", "tms.mx.com", Action::Allow)], vec![]),
        (
            "another action",
            text.clone(),
            vec![spoof_item("adatum.com", "tms.mx.com", Action::Block)],
            vec![FindingCode::DriftAction],
        ),
        (
            "unmanaged",
            "version: 1\nentries: []\n".to_string(),
            vec![spoof_item("adatum.com", "tms.mx.com", Action::Allow), spoof_item("*", "bulk.example", Action::Block)],
            vec![FindingCode::DriftUnmanagedAllow, FindingCode::DriftUnmanagedBlock],
        ),
        ("an error", "version: 1\nentries: 7\n".to_string(), vec![], vec![FindingCode::ListError]),
        (
            "a warning only (no reason)",
            format!("version: 1\nentries:\n{}", entry.replace("    reason: payroll vendor\n", "")),
            vec![spoof_item("adatum.com", "tms.mx.com", Action::Allow)],
            vec![],
        ),
    ];
    for (what, text, live, expected) in cases {
        let checked = list(&text);
        let mut snapshot = empty_snapshot();
        snapshot.spoof_items = Checked::Read(live);
        let a = audit(PathBuf::from("snapshot"), &snapshot, Some(&checked), today());
        let mut codes: Vec<FindingCode> = a
            .findings
            .iter()
            .map(|f| f.code)
            .filter(|c| c.mechanism() == spoofctl::model::finding::Mechanism::ListFile)
            .collect();
        codes.sort();
        assert_eq!(codes, expected, "{what}: {:?}", checked.diagnostics);
    }
}

/// Each Outlook Safe Sender of a mailbox is a warning.
#[test]
fn outlook_safe_senders() {
    let mut snapshot = empty_snapshot();
    snapshot.junk_email_configurations = Checked::Read(vec![MailboxJunkEmailConfiguration {
        identity: "ceo".into(),
        enabled: true,
        trusted_senders_and_domains: vec![Sender::parse("partner.example").expect("a sender")],
        contacts_trusted: false,
        trusted_lists_only: false,
    }]);
    assert_eq!(
        rows(&run(&snapshot)),
        [row(FindingCode::SafeSender, "ceo", "TrustedSendersAndDomains", "partner.example")]
    );
}
