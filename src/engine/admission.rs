//! Admission: every mechanism of the tenant that let a message in, or would, read from a snapshot.
//!
//! Given what is known of a message ([`Facts`]: the connecting IP, the From and MAIL FROM addresses, the
//! passing DKIM domains, the recipients, the header fields, and the header trace of the service's decision)
//! and a [`Snapshot`], [`admit`] names each allow that matches, with the object and property that holds it,
//! whether it applies for certain or may apply (and why not certain), what it trusts ([`crate::engine::trust`]),
//! and whether the trace shows it (`IPV:CAL`, `SFV:SKA`, `SFV:SKN`, `SFV:SFE`: message-headers-eop-mdo.md in
//! MicrosoftDocs/defender-docs). The replacement offered for a single-factor path is one spoofed-sender entry,
//! the pair `explain` suggests ([`pair_for`]): never one factor.
//!
//! What is evaluated, and the model where Microsoft does not say:
//! - the IP Allow List: an entry that contains the connecting IP (`EnableSafeList` may apply to any IP: the
//!   list is Microsoft's and not in the snapshot);
//! - anti-spam allowed senders and domains: the From or the MAIL FROM address equals an allowed sender, or its
//!   domain equals an allowed domain (exact domain: subdomains are not documented as covered); a policy
//!   other than the default applies to the recipients its rule scopes, which is evaluated when the recipients
//!   are known and the rule names addresses or domains (groups cannot be resolved: "may apply");
//! - mail flow rules that set SCL -1, enabled and enforced: `SenderDomainIs` (the domain or a subdomain),
//!   `From` (addresses; a name cannot be resolved), `FromAddressContainsWords` (substring, any case),
//!   `FromAddressMatchesPatterns` and `HeaderMatchesPatterns` (the subset of patterns in [`pattern_matches`]),
//!   `SenderIpRanges`, `HeaderContainsWords`, on the address `SenderAddressLocation` names, and their `ExceptIf`
//!   forms; a rule with any other condition, or one that cannot be evaluated with what is known, "may apply";
//! - Safe Senders: a mailbox's `TrustedSendersAndDomains` holds the From or MAIL FROM address or its domain;
//!   when the recipients are known only their mailboxes count;
//! - TABL sender allows: an unexpired allow for the From address or domain ("may apply": Microsoft states
//!   ambiguously whether they override spoof detection, `tenant-allow-paths.md`);
//! - inbound connectors that treat messages as internal, for mail from their `SenderIPAddresses`;
//! - phishing simulation overrides: a domain (From, MAIL FROM or DKIM) and an IP both match.

use std::net::IpAddr;

use serde::Serialize;

use crate::engine::explain::{Basis, NoEntry, pair_for};
pub use crate::engine::trust::Mechanism;
use crate::engine::trust::{Trust, conditions_trust, is_bypass};
use crate::model::date::Date;
use crate::model::diagnostic::Span;
use crate::model::domain::Domain;
use crate::model::entry::spoof_type_for;
use crate::model::entry::{Entry, Metadata};
use crate::model::header_codes::Bypass;
use crate::model::message::{Host, Message, Sender};
use crate::model::pair::Rule;
use crate::model::tenant::{
    Checked, HeaderWords, RecipientScope, RuleState, SenderAddressLocation, SenderConditions, Setting, Snapshot,
    TransportRule, files,
};
use crate::model::words::{Action, SpoofType};
use crate::read::headers::{HeaderFields, Stamps};

/// What is known of one message.
#[derive(Debug, Clone)]
pub struct Facts {
    /// From, PTR, connecting IP and passing DKIM domains.
    pub message: Message,
    /// The 5321.MailFrom address, when known (`smtp.mailfrom`).
    pub mail_from: Option<Sender>,
    /// The recipients; empty when not known.
    pub recipients: Vec<Sender>,
    /// Every header field, `(name, value)`; `None` when the headers are not known (`match`).
    pub headers: Option<Vec<(String, String)>>,
    /// What the service stamped; empty when there is no header trace.
    pub trace: Trace,
}

impl Facts {
    /// What a message's headers say: the message `explain` reads from them, MAIL FROM from SPF's
    /// `smtp.mailfrom`, the `To` and `Cc` recipients, every header field, and the `SFV` and `IPV` trace.
    pub fn from_headers(message: Message, stamps: &Stamps, headers: HeaderFields) -> Facts {
        let mail_from = stamps.result("spf").and_then(|r| r.get("smtp.mailfrom")).and_then(|m| Sender::parse(m).ok());
        Facts {
            message,
            mail_from: mail_from.filter(|m| m.address().is_some()),
            recipients: headers.recipients.iter().filter_map(|r| Sender::parse(r).ok()).collect(),
            headers: Some(headers.fields),
            trace: Trace {
                sfv: stamps.antispam("SFV").map(str::to_string),
                ipv: stamps.antispam("IPV").map(str::to_string),
            },
        }
    }
}

/// The header trace of the service's decision: the `SFV` and `IPV` fields of `X-Forefront-Antispam-Report`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trace {
    /// `SFV` (`SKA`, `SKN`, `SFE`...).
    pub sfv: Option<String>,
    /// `IPV` (`CAL`...).
    pub ipv: Option<String>,
}

impl Trace {
    /// The trace code a mechanism leaves, when it leaves one.
    fn shows(&self, m: Mechanism) -> bool {
        let is = |v: &Option<String>, code: &str| v.as_deref().is_some_and(|v| v.eq_ignore_ascii_case(code));
        m.trace().is_some_and(|b| match b.field_value() {
            ("IPV", code) => is(&self.ipv, code),
            (_, code) => is(&self.sfv, code),
        })
    }

    /// The bypass codes the trace holds that an allow of the tenant leaves, as `SFV:SKA`.
    pub fn codes(&self) -> Vec<String> {
        let left_by_an_allow = |b: Bypass| Mechanism::ALL.iter().any(|m| m.trace() == Some(b));
        [("IPV", &self.ipv), ("SFV", &self.sfv)]
            .into_iter()
            .filter_map(|(field, value)| {
                let value = value.as_deref()?;
                Bypass::of(field, value).filter(|b| left_by_an_allow(*b)).map(|_| format!("{field}:{value}"))
            })
            .collect()
    }
}

/// Whether a path applies to the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "because")]
pub enum Applies {
    /// For certain.
    Yes,
    /// Perhaps: this is what spoofctl could not tell.
    May(String),
}

/// One mechanism's allow that matches the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path<'s> {
    /// The mechanism.
    pub mechanism: Mechanism,
    /// The policy, rule, mailbox or connector that holds the allow.
    pub object: &'s str,
    /// The property that holds it.
    pub property: &'static str,
    /// The allow as written (the entry, or the rule's conditions).
    pub value: String,
    /// What of the message it matched.
    pub matched: String,
    /// Whether it applies for certain.
    pub applies: Applies,
    /// What it trusts.
    pub trust: Trust,
    /// True when the header trace shows this mechanism's stamp.
    pub shown: bool,
}

/// The spoofed-sender entry that would let the same message in as a pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    /// The allow entry: its rule is [`crate::model::pair::Rule::Allow`] of a concrete pair.
    pub entry: Entry,
    /// Where its infrastructure comes from.
    pub basis: Basis,
    /// False when the snapshot's accepted domains were not read: the spoof type is then `external`, assumed.
    pub type_known: bool,
}

/// Every way into the tenant this message has.
#[derive(Debug, Clone)]
pub struct Admission<'s> {
    /// The bypass codes the headers show (`IPV:CAL`, `SFV:SKN`...), empty without a header trace.
    pub trace: Vec<String>,
    /// The paths, in [`Mechanism::ALL`] order, then as the snapshot lists them.
    pub paths: Vec<Path<'s>>,
    /// Trace codes shown for which no path was found, with what was looked at.
    pub unexplained: Vec<String>,
    /// Mechanisms not checked, and why.
    pub not_checked: Vec<(Mechanism, String)>,
    /// The paired entry that would replace a single-factor path, or why there is none.
    pub replacement: Result<Replacement, NoEntry<'static>>,
}

/// Every mechanism of the snapshot that lets the message in, or would, as of `today` (TABL expirations).
pub fn admit<'s>(facts: &Facts, snapshot: &'s Snapshot, today: Date) -> Admission<'s> {
    let mut paths = Vec::new();
    let mut not_checked = Vec::new();
    for mechanism in Mechanism::ALL {
        if let Some(why) = not_checked_because(snapshot, mechanism) {
            if !not_checked.iter().any(|(m, _): &(Mechanism, String)| m.file() == mechanism.file()) {
                not_checked.push((mechanism, why));
            }
            continue;
        }
        let before = paths.len();
        match mechanism {
            Mechanism::IpAllowList | Mechanism::SafeList => connection_filter(facts, snapshot, mechanism, &mut paths),
            Mechanism::AllowedSenders | Mechanism::AllowedSenderDomains => {
                content_filter(facts, snapshot, mechanism, &mut paths);
            }
            Mechanism::MailFlowRule => mail_flow_rules(facts, snapshot, &mut paths),
            Mechanism::SafeSenders => safe_senders(facts, snapshot, &mut paths),
            Mechanism::TablSenderAllow => tabl_senders(facts, snapshot, today, &mut paths),
            Mechanism::InboundConnector => connectors(facts, snapshot, &mut paths),
            Mechanism::PhishSimOverride => phish_sim(facts, snapshot, &mut paths),
        }
        for path in &mut paths[before..] {
            path.shown = facts.trace.shows(mechanism);
        }
    }
    let codes = facts.trace.codes();
    // A connection filter allow also skips spam filtering, so it explains `SFV:SKN` as well as `IPV:CAL`.
    let explains = |p: &Path<'_>, code: &str| {
        let own = p.mechanism.trace().is_some_and(|b| b.code().eq_ignore_ascii_case(code));
        let allow_list = matches!(p.mechanism, Mechanism::IpAllowList | Mechanism::SafeList);
        own || (allow_list && code.eq_ignore_ascii_case("SFV:SKN"))
    };
    let unexplained = codes
        .iter()
        .filter(|code| !paths.iter().any(|p| explains(p, code)))
        .map(|code| unexplained_words(code, &not_checked))
        .collect();
    let spoof_type = snapshot.accepted_domains.read().map(|accepted| {
        let domains: Vec<Domain> = accepted.iter().filter_map(|a| Domain::parse(a.domain_name.as_str()).ok()).collect();
        spoof_type_for(&domains, facts.message.from.domain())
    });
    let replacement = pair_for(&facts.message, spoof_type.unwrap_or(SpoofType::External)).map(|(pair, basis)| {
        let entry = Entry {
            rule: Rule::Allow(pair),
            spoof_type: spoof_type.unwrap_or(SpoofType::External),
            type_written: true,
            meta: Metadata::default(),
            span: Span::new(0, 0),
        };
        Replacement { entry, basis, type_known: spoof_type.is_some() }
    });
    Admission { trace: codes, paths, unexplained, not_checked, replacement }
}

fn not_checked_because(snapshot: &Snapshot, mechanism: Mechanism) -> Option<String> {
    fn why<T>(file: &str, c: &Checked<T>) -> Option<String> {
        match c {
            Checked::Read(_) => None,
            Checked::Unreadable(p) => Some(p.to_string()),
            other => other.not_checked_because().map(|w| format!("{file}.json: {w}")),
        }
    }
    let file = mechanism.file();
    match file {
        files::CONNECTION_FILTER_POLICIES => why(file, &snapshot.connection_filter_policies),
        files::CONTENT_FILTER_POLICIES => why(file, &snapshot.content_filter_policies),
        files::TRANSPORT_RULES => why(file, &snapshot.transport_rules),
        files::JUNK_EMAIL_CONFIGURATIONS => why(file, &snapshot.junk_email_configurations),
        files::SENDER_ITEMS => why(file, &snapshot.sender_items),
        files::INBOUND_CONNECTORS => why(file, &snapshot.inbound_connectors),
        _ => why(file, &snapshot.phish_sim_override_rules),
    }
}

fn unexplained_words(code: &str, not_checked: &[(Mechanism, String)]) -> String {
    let mechanism = Mechanism::ALL.into_iter().find(|m| m.trace().is_some_and(|b| b.code().eq_ignore_ascii_case(code)));
    match mechanism.and_then(|m| not_checked.iter().find(|(n, _)| n.file() == m.file())) {
        Some((m, why)) => format!("{code}: the {} were not checked ({why})", m.words()),
        None => format!(
            "{code}: no {} in the snapshot matches what is known of the message",
            mechanism.map_or("mechanism", Mechanism::words)
        ),
    }
}

/// The message's sender addresses, each with its name: the From, and the MAIL FROM when known and different.
fn senders(facts: &Facts) -> Vec<(&'static str, &Sender)> {
    let mut out = vec![("From", &facts.message.from)];
    if let Some(mf) = facts.mail_from.as_ref().filter(|mf| mf.as_str() != facts.message.from.as_str()) {
        out.push(("MAIL FROM", mf));
    }
    out
}

/// `the From address a@b.example` or `the MAIL FROM domain b.example`.
fn sender_words(which: &str, sender: &Sender, address: bool) -> String {
    if address {
        format!("the {which} address {}", sender.as_str())
    } else {
        format!("the {which} domain {}", sender.domain())
    }
}

/// True when `domain` is `parent` or a subdomain of it.
fn within(domain: &str, parent: &str) -> bool {
    domain == parent || domain.strip_suffix(parent).is_some_and(|rest| rest.ends_with('.'))
}

/// A sender list entry (address or domain) that matches an address: the address itself, or its domain.
fn entry_matches(entry: &Sender, sender: &Sender) -> bool {
    match entry.address() {
        Some(a) => sender.address() == Some(a),
        None => sender.domain() == entry.domain(),
    }
}

fn path<'s>(mechanism: Mechanism, object: &'s str, property: &'static str, value: String, matched: String) -> Path<'s> {
    Path { mechanism, object, property, value, matched, applies: Applies::Yes, trust: Trust::Paired, shown: false }
}

fn connection_filter<'s>(facts: &Facts, snapshot: &'s Snapshot, mechanism: Mechanism, out: &mut Vec<Path<'s>>) {
    let Some(policies) = snapshot.connection_filter_policies.read() else { return };
    for policy in policies {
        if mechanism == Mechanism::SafeList {
            if policy.enable_safe_list {
                let mut p = path(mechanism, &policy.name, "EnableSafeList", "true".into(), "any connecting IP".into());
                p.applies = Applies::May("Microsoft's safe list is not in the snapshot: any IP may be on it".into());
                p.trust = mechanism.trust(false);
                out.push(p);
            }
            continue;
        }
        let Some(ip) = facts.message.ip else { continue };
        for range in policy.ip_allow_list.iter().filter(|r| r.contains(ip)) {
            let mut p =
                path(mechanism, &policy.name, "IPAllowList", range.to_string(), format!("the connecting IP {ip}"));
            p.trust = mechanism.trust(false);
            out.push(p);
        }
    }
}

fn content_filter<'s>(facts: &Facts, snapshot: &'s Snapshot, mechanism: Mechanism, out: &mut Vec<Path<'s>>) {
    let Some(policies) = snapshot.content_filter_policies.read() else { return };
    let rules = snapshot.content_filter_rules.read();
    for policy in policies {
        let applies = if policy.is_default {
            Applies::Yes
        } else {
            match rules.and_then(|r| r.iter().find(|r| r.policy.eq_ignore_ascii_case(&policy.name))) {
                None if rules.is_none() => Applies::May(format!(
                    "the policy's rule ({}.json) was not read: its scope is not known",
                    files::CONTENT_FILTER_RULES
                )),
                // A policy without a rule applies to no one.
                None => continue,
                Some(rule) if rule.state.is(RuleState::Disabled) => continue,
                Some(rule) => match scope_applies(&rule.scope, &facts.recipients, &rule.name) {
                    Some(a) => a,
                    None => continue,
                },
            }
        };
        for (which, sender) in senders(facts) {
            let matches: Vec<(String, &'static str)> = if mechanism == Mechanism::AllowedSenders {
                let addr = sender.address();
                policy
                    .allowed_senders
                    .iter()
                    .filter(|a| a.address().is_some() && a.address() == addr)
                    .map(|a| (a.to_string(), "AllowedSenders"))
                    .collect()
            } else {
                policy
                    .allowed_sender_domains
                    .iter()
                    .filter(|d| d.as_str() == sender.domain())
                    .map(|d| (d.to_string(), "AllowedSenderDomains"))
                    .collect()
            };
            for (value, property) in matches {
                let address = mechanism == Mechanism::AllowedSenders;
                let mut p = path(mechanism, &policy.name, property, value, sender_words(which, sender, address));
                p.applies = applies.clone();
                p.trust = mechanism.trust(address);
                out.push(p);
            }
        }
    }
}

/// Whether an anti-spam or anti-phishing rule's recipient scope takes in the message's recipients: `None`
/// when it certainly does not.
fn scope_applies(scope: &RecipientScope, recipients: &[Sender], rule: &str) -> Option<Applies> {
    if recipients.is_empty() {
        return Some(Applies::May(format!("the recipients are not known; the rule `{rule}` scopes the policy")));
    }
    let named =
        |list: &[String], r: &Sender| list.iter().any(|n| r.address().is_some_and(|a| n.eq_ignore_ascii_case(a)));
    let in_domains = |list: &[Host], r: &Sender| list.iter().any(|d| within(r.domain(), d.as_str()));
    let mut unsure = None;
    for r in recipients {
        let conditions =
            !(scope.sent_to.is_empty() && scope.recipient_domain_is.is_empty() && scope.sent_to_member_of.is_empty());
        let included = !conditions || named(&scope.sent_to, r) || in_domains(&scope.recipient_domain_is, r);
        let excluded = named(&scope.except_if_sent_to, r) || in_domains(&scope.except_if_recipient_domain_is, r);
        let groups = !scope.sent_to_member_of.is_empty() || !scope.except_if_sent_to_member_of.is_empty();
        if included && !excluded && !groups {
            return Some(Applies::Yes);
        }
        if !excluded && groups {
            unsure = Some(Applies::May(format!(
                "the rule `{rule}` scopes by group membership, which the snapshot does not hold"
            )));
        }
    }
    unsure
}

/// The outcome of one condition.
enum Holds {
    Yes,
    No,
    Unknown(String),
}

fn mail_flow_rules<'s>(facts: &Facts, snapshot: &'s Snapshot, out: &mut Vec<Path<'s>>) {
    let Some(rules) = snapshot.transport_rules.read() else { return };
    let mut sorted: Vec<&TransportRule> = rules.iter().filter(|r| is_bypass(r)).collect();
    sorted.sort_by_key(|r| r.priority.unwrap_or(i64::MAX));
    for rule in sorted {
        let mut unsure = Vec::new();
        // `is_bypass` left out the rules that certainly take no action; these may.
        if let Setting::Unknown(s) = &rule.state {
            unsure.push(format!("its State is `{s}`"));
        }
        if let Setting::Unknown(s) = &rule.mode {
            unsure.push(format!("its Mode is `{s}`"));
        }
        match evaluate(&rule.conditions, rule, facts) {
            Holds::No => continue,
            Holds::Unknown(why) => unsure.push(why),
            Holds::Yes => {}
        }
        if !rule.exceptions.is_empty() {
            match any_exception(&rule.exceptions, rule, facts) {
                Holds::Yes => continue,
                Holds::Unknown(why) => unsure.push(format!("an exception: {why}")),
                Holds::No => {}
            }
        }
        if !rule.other_conditions.is_empty() {
            unsure.push(format!("it has conditions spoofctl does not evaluate: {}", rule.other_conditions.join(", ")));
        }
        let mut p = path(
            Mechanism::MailFlowRule,
            &rule.name,
            "SetSCL",
            "-1".to_string(),
            format!("its conditions: {}", describe_conditions(&rule.conditions)),
        );
        p.applies = if unsure.is_empty() { Applies::Yes } else { Applies::May(unsure.join("; ")) };
        p.trust = conditions_trust(&rule.conditions);
        out.push(p);
    }
}

/// The rule's sender conditions as written, for the report.
pub fn describe_conditions(c: &SenderConditions) -> String {
    let mut parts = Vec::new();
    let mut add = |name: &str, values: Vec<String>| {
        if !values.is_empty() {
            parts.push(format!("{name} {}", values.join(", ")));
        }
    };
    add("SenderDomainIs", c.sender_domain_is.iter().map(ToString::to_string).collect());
    add("From", c.from.clone());
    add("FromAddressContainsWords", c.from_address_contains_words.clone());
    add("FromAddressMatchesPatterns", c.from_address_matches_patterns.clone());
    add("SenderIpRanges", c.sender_ip_ranges.iter().map(ToString::to_string).collect());
    for (name, h) in [("HeaderContainsWords", &c.header_contains), ("HeaderMatchesPatterns", &c.header_matches)] {
        if let Some(h) = h {
            add(&format!("{name} ({})", h.header), h.values.clone());
        }
    }
    if parts.is_empty() { "no sender condition".to_string() } else { parts.join("; ") }
}

/// The addresses a rule's sender conditions look at (New-TransportRule.md `-SenderAddressLocation`).
fn rule_addresses<'f>(rule: &TransportRule, facts: &'f Facts) -> Result<Vec<&'f Sender>, String> {
    let from = &facts.message.from;
    match (&rule.sender_address_location, &facts.mail_from) {
        (Setting::Is(SenderAddressLocation::Header), _) => Ok(vec![from]),
        (Setting::Is(SenderAddressLocation::Envelope), Some(mf)) => Ok(vec![mf]),
        (Setting::Is(SenderAddressLocation::HeaderOrEnvelope), Some(mf)) => Ok(vec![from, mf]),
        (Setting::Is(_), None) => Err("the rule looks at the MAIL FROM address, which is not known".to_string()),
        (Setting::Unknown(s), _) => Err(format!("its SenderAddressLocation is `{s}`")),
    }
}

/// All the conditions hold.
fn evaluate(c: &SenderConditions, rule: &TransportRule, facts: &Facts) -> Holds {
    let mut unknown = Vec::new();
    for holds in checks(c, rule, facts) {
        match holds {
            Holds::No => return Holds::No,
            Holds::Unknown(why) => unknown.push(why),
            Holds::Yes => {}
        }
    }
    if unknown.is_empty() { Holds::Yes } else { Holds::Unknown(unknown.join("; ")) }
}

/// Any one of the exceptions holds.
fn any_exception(c: &SenderConditions, rule: &TransportRule, facts: &Facts) -> Holds {
    let mut unknown = Vec::new();
    for holds in checks(c, rule, facts) {
        match holds {
            Holds::Yes => return Holds::Yes,
            Holds::Unknown(why) => unknown.push(why),
            Holds::No => {}
        }
    }
    if unknown.is_empty() { Holds::No } else { Holds::Unknown(unknown.join("; ")) }
}

/// One outcome for each condition that is set.
fn checks(c: &SenderConditions, rule: &TransportRule, facts: &Facts) -> Vec<Holds> {
    let addresses = rule_addresses(rule, facts);
    let on_address = |test: &dyn Fn(&Sender) -> Holds| match &addresses {
        Err(why) => Holds::Unknown(why.clone()),
        Ok(list) => any_holds(list.iter().map(|s| test(s))),
    };
    let mut out = Vec::new();
    if !c.sender_domain_is.is_empty() {
        out.push(on_address(&|s| yes_if(c.sender_domain_is.iter().any(|d| within(s.domain(), d.as_str())))));
    }
    if !c.from.is_empty() {
        out.push(on_address(&|s| {
            any_holds(c.from.iter().map(|f| match (f.contains('@'), s.address()) {
                (true, Some(a)) => yes_if(f.eq_ignore_ascii_case(a)),
                (true, None) => Holds::No,
                (false, _) => {
                    Holds::Unknown(format!("From names `{f}`, which the snapshot cannot resolve to an address"))
                }
            }))
        }));
    }
    if !c.from_address_contains_words.is_empty() {
        out.push(on_address(&|s| {
            yes_if(c.from_address_contains_words.iter().any(|w| s.as_str().contains(&w.to_lowercase())))
        }));
    }
    if !c.from_address_matches_patterns.is_empty() {
        out.push(on_address(&|s| {
            any_holds(c.from_address_matches_patterns.iter().map(|p| pattern_holds(p, s.as_str())))
        }));
    }
    if !c.sender_ip_ranges.is_empty() {
        out.push(match facts.message.ip {
            Some(ip) => yes_if(c.sender_ip_ranges.iter().any(|r| r.contains(ip))),
            None => Holds::Unknown("the connecting IP is not known".to_string()),
        });
    }
    for (h, patterns) in [(&c.header_contains, false), (&c.header_matches, true)] {
        if let Some(h) = h {
            out.push(header_holds(h, patterns, facts));
        }
    }
    out
}

fn yes_if(b: bool) -> Holds {
    if b { Holds::Yes } else { Holds::No }
}

/// Yes when any is yes; else unknown when any is unknown; else no.
fn any_holds(all: impl Iterator<Item = Holds>) -> Holds {
    let mut unknown = None;
    for h in all {
        match h {
            Holds::Yes => return Holds::Yes,
            Holds::Unknown(why) => unknown = Some(why),
            Holds::No => {}
        }
    }
    unknown.map_or(Holds::No, Holds::Unknown)
}

fn header_holds(h: &HeaderWords, patterns: bool, facts: &Facts) -> Holds {
    let Some(headers) = &facts.headers else {
        return Holds::Unknown(format!("it looks in the {} header, which is not known", h.header));
    };
    let values = headers.iter().filter(|(name, _)| name.eq_ignore_ascii_case(h.header.trim())).map(|(_, v)| v);
    any_holds(values.flat_map(|v| {
        h.values.iter().map(move |w| {
            if patterns { pattern_holds(w, v) } else { yes_if(v.to_lowercase().contains(&w.to_lowercase())) }
        })
    }))
}

fn pattern_holds(pattern: &str, text: &str) -> Holds {
    match pattern_matches(pattern, text) {
        Some(b) => yes_if(b),
        None => Holds::Unknown(format!(
            "the pattern `{pattern}` uses regular expression features spoofctl does not evaluate"
        )),
    }
}

/// The subset of the service's regular expressions spoofctl evaluates, case-insensitively: literal text,
/// metacharacters escaped with `\` (`\.`, `\-`, `\@`), `.*` for any text, and `^` and `$` anchors; without
/// anchors the pattern may match anywhere, as a regular expression search does. `None` for a pattern with
/// any other feature (`[...]`, `+`, `?`, `|`, groups, a lone `.`, classes like `\d`).
pub fn pattern_matches(pattern: &str, text: &str) -> Option<bool> {
    let (start, rest) = pattern.strip_prefix('^').map_or((false, pattern), |r| (true, r));
    let (end, body) = rest.strip_suffix('$').filter(|b| !b.ends_with('\\')).map_or((false, rest), |b| (true, b));
    let mut parts = vec![String::new()];
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e) if !e.is_ascii_alphanumeric() => parts.last_mut()?.push(e),
                _ => return None,
            },
            '.' if chars.peek() == Some(&'*') => {
                chars.next();
                parts.push(String::new());
            }
            '.' | '*' | '+' | '?' | '|' | '(' | ')' | '[' | ']' | '{' | '}' | '^' | '$' => return None,
            c => parts.last_mut()?.extend(c.to_lowercase()),
        }
    }
    let text = text.to_lowercase();
    let n = parts.len();
    let (first, last) = (parts.first()?.as_str(), parts.last()?.as_str());
    if n == 1 {
        return Some(match (start, end) {
            (true, true) => text == first,
            (true, false) => text.starts_with(first),
            (false, true) => text.ends_with(first),
            (false, false) => text.contains(first),
        });
    }
    let (mut lo, mut hi) = (0, text.len());
    if start {
        if !text.starts_with(first) {
            return Some(false);
        }
        lo = first.len();
    }
    if end {
        if !text.ends_with(last) || text.len() - last.len() < lo {
            return Some(false);
        }
        hi = text.len() - last.len();
    }
    let middle = &parts[usize::from(start)..n - usize::from(end)];
    for part in middle {
        let Some(found) = text[lo..hi].find(part.as_str()) else { return Some(false) };
        lo += found + part.len();
    }
    Some(true)
}

fn safe_senders<'s>(facts: &Facts, snapshot: &'s Snapshot, out: &mut Vec<Path<'s>>) {
    let Some(mailboxes) = snapshot.junk_email_configurations.read() else { return };
    for mailbox in mailboxes {
        let recipient =
            facts.recipients.iter().any(|r| r.address().is_some_and(|a| a.eq_ignore_ascii_case(&mailbox.identity)));
        if !facts.recipients.is_empty() && !recipient {
            continue;
        }
        for (which, sender) in senders(facts) {
            for entry in mailbox.trusted_senders_and_domains.iter().filter(|e| entry_matches(e, sender)) {
                let address = entry.address().is_some();
                let matched = sender_words(which, sender, address);
                let mut p = path(
                    Mechanism::SafeSenders,
                    &mailbox.identity,
                    "TrustedSendersAndDomains",
                    entry.to_string(),
                    matched,
                );
                p.trust = Mechanism::SafeSenders.trust(address);
                p.applies = match (recipient, mailbox.enabled) {
                    (true, true) => Applies::Yes,
                    (_, false) => Applies::May("the mailbox's junk email rule is off".to_string()),
                    (false, true) => Applies::May(format!("only for mail to {}", mailbox.identity)),
                };
                out.push(p);
            }
        }
    }
}

fn tabl_senders<'s>(facts: &Facts, snapshot: &'s Snapshot, today: Date, out: &mut Vec<Path<'s>>) {
    let Some(items) = snapshot.sender_items.read() else { return };
    let from = &facts.message.from;
    for item in items.iter().filter(|i| i.action == Action::Allow && entry_matches(&i.value, from)) {
        if item.expiration_date.is_some_and(|e| e.date() < today) {
            continue;
        }
        let address = item.value.address().is_some();
        let matched = sender_words("From", from, address);
        let expires = item.expiration_date.map_or_else(|| "never".to_string(), |e| e.date().to_string());
        let mut p = path(Mechanism::TablSenderAllow, item.value.as_str(), "ExpirationDate", expires, matched);
        p.trust = Mechanism::TablSenderAllow.trust(address);
        p.applies = Applies::May(
            "Microsoft states ambiguously whether sender allows override spoof detection (tenant-allow-paths.md)"
                .to_string(),
        );
        out.push(p);
    }
}

fn connectors<'s>(facts: &Facts, snapshot: &'s Snapshot, out: &mut Vec<Path<'s>>) {
    let (Some(connectors), Some(ip)) = (snapshot.inbound_connectors.read(), facts.message.ip) else { return };
    for c in connectors.iter().filter(|c| c.enabled && c.treat_messages_as_internal) {
        for range in c.sender_ip_addresses.iter().filter(|r| r.contains(ip)) {
            let mut p = path(
                Mechanism::InboundConnector,
                &c.name,
                "SenderIPAddresses",
                range.to_string(),
                format!("the connecting IP {ip}"),
            );
            p.trust = Mechanism::InboundConnector.trust(false);
            out.push(p);
        }
    }
}

fn phish_sim<'s>(facts: &Facts, snapshot: &'s Snapshot, out: &mut Vec<Path<'s>>) {
    let Some(rules) = snapshot.phish_sim_override_rules.read() else { return };
    let mut domains: Vec<&str> = senders(facts).iter().map(|(_, s)| s.domain()).collect();
    domains.extend(facts.message.dkim_pass.iter().map(Host::as_str));
    for rule in rules {
        let Some(domain) = rule.domains.iter().find(|d| domains.iter().any(|m| within(m, d.as_str()))) else {
            continue;
        };
        let ip: Option<IpAddr> = facts.message.ip;
        let range = ip.and_then(|ip| rule.sender_ip_ranges.iter().find(|r| r.contains(ip)));
        if ip.is_some() && range.is_none() {
            continue;
        }
        let value = format!(
            "Domains {domain}; SenderIpRanges {}",
            range.map_or_else(|| "(any)".to_string(), ToString::to_string)
        );
        let mut p = path(Mechanism::PhishSimOverride, &rule.name, "Domains", value, format!("the domain {domain}"));
        p.trust = Mechanism::PhishSimOverride.trust(false);
        if ip.is_none() {
            p.applies = Applies::May("the connecting IP is not known".to_string());
        }
        out.push(p);
    }
}
