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
    Checked, HeaderWords, HostedConnectionFilterPolicy, HostedContentFilterPolicy, RuleMode, RuleState,
    SenderAddressLocation, SenderConditions, Setting, Snapshot, SpoofItem, TransportRule,
};
use spoofctl::model::words::{Action, SpoofType};

fn empty_snapshot() -> Snapshot {
    Snapshot {
        manifest: Checked::Missing,
        spoof_items: Checked::Missing,
        sender_items: Checked::Missing,
        content_filter_policies: Checked::Missing,
        content_filter_rules: Checked::Missing,
        connection_filter_policies: Checked::Missing,
        transport_rules: Checked::Missing,
        anti_phish_policies: Checked::Missing,
        anti_phish_rules: Checked::Missing,
        inbound_connectors: Checked::Missing,
        phish_sim_override_rules: Checked::Missing,
        arc_config: Checked::Missing,
        accepted_domains: Checked::Missing,
        organization_config: Checked::Missing,
        junk_email_configurations: Checked::Missing,
    }
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
