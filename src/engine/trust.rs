//! What an allow in the tenant trusts: one factor alone, or a pair. The one place that says so, for
//! `explain --tenant`, `match --tenant` and `audit`.
//!
//! spoofctl's promise is that neither the sender alone nor the infrastructure alone grants an allow. The
//! tenant's other mechanisms (`tenant-allow-paths.md`) mostly trust one factor: an anti-spam policy's allowed
//! senders and domains, Safe Senders and TABL sender allows trust the sender; the IP Allow List, a connector's
//! skip listing and a mail flow rule on `SenderIpRanges` alone trust an IP. A mail flow rule is judged on its
//! conditions (New-TransportRule.md): a sender condition (`SenderDomainIs`, `From`, `FromAddressContainsWords`,
//! `FromAddressMatchesPatterns`) together with `SenderIpRanges`, or with a header condition on
//! `Authentication-Results` that ties a passing result to a domain, is paired (ORCA 118-2's reading, in
//! cammurray/orca `check-ORCA118_2.ps1`, narrowed: see [`is_authentication_condition`]); a
//! sender condition alone, or an IP range alone, is one factor; a rule with neither trusts no sender factor at
//! all. spoofctl reads only conditions as pairing: an `ExceptIf` on `Authentication-Results` (which ORCA 118-2
//! also accepts) excludes messages whose header shows a failure, but lets in one that shows nothing, so it
//! does not pair the sender with anything.

use serde::Serialize;

use crate::model::header_codes::Bypass;
use crate::model::tenant::{HeaderWords, RuleMode, RuleState, SenderConditions, TransportRule, files};

/// The one factor an allow trusts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Factor {
    /// The sender's domain (From or MAIL FROM), whoever sends it.
    SenderDomain,
    /// The sender's address, whoever sends it.
    SenderAddress,
    /// The sender's address or domain, matched by words or patterns.
    SenderText,
    /// The connecting IP, whatever the sender says.
    Ip,
    /// A gateway: mail relayed by it is trusted, whatever its origin.
    Gateway,
    /// The domain of an ARC sealer: its earlier authentication result overrides the current one.
    Sealer,
    /// The recipient: mail to it is not filtered, whoever sends it.
    Recipient,
}

impl Factor {
    /// In words, for a sentence "trusts ... alone".
    pub fn words(self) -> &'static str {
        match self {
            Factor::SenderDomain => "the sender's domain",
            Factor::SenderAddress => "the sender's address",
            Factor::SenderText => "words or patterns in the sender's address",
            Factor::Ip => "the connecting IP",
            Factor::Gateway => "the gateway that relays the mail",
            Factor::Sealer => "the ARC sealer's domain",
            Factor::Recipient => "the recipient",
        }
    }
}

/// What an allow trusts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "factor")]
pub enum Trust {
    /// One factor alone: anyone who can present it gets in.
    SingleFactor(Factor),
    /// A domain and an IP each matched on its own, with no link between them (phishing simulation overrides:
    /// "no association between values is maintained", New-ExoPhishSimOverrideRule.md).
    Unlinked,
    /// No factor of the sender at all: any sender who meets the other conditions (a subject word, a
    /// recipient) gets in.
    NoSenderFactor,
    /// The sender paired with the infrastructure or an authentication result: what spoofctl advises.
    Paired,
}

impl Trust {
    /// True only for a pair: the one kind of allow spoofctl offers as a replacement.
    pub fn is_paired(self) -> bool {
        self == Trust::Paired
    }

    /// In words.
    pub fn words(self) -> String {
        match self {
            Trust::SingleFactor(f) => format!("single-factor: trusts {} alone", f.words()),
            Trust::Unlinked => "single-factor: trusts a domain and an IP with no link between them".to_string(),
            Trust::NoSenderFactor => "trusts no sender factor: any sender who meets its other conditions".to_string(),
            Trust::Paired => "paired: the sender together with its infrastructure or authentication".to_string(),
        }
    }
}

/// The header whose value pairs a sender condition (ORCA 118-2).
pub const AUTHENTICATION_RESULTS: &str = "Authentication-Results";

/// True when a header condition requires `Authentication-Results` to show that the sender's domain passed:
/// every word (or pattern) it looks for names a passing result tied to a domain, `dmarc=pass` or
/// `compauth=pass` (both judge the From domain), or a `=pass` with the domain it verified (`header.d=`,
/// `header.from=`, `smtp.mailfrom=`). A bare `dkim=pass` or `spf=pass` is not: any domain's signature passes it,
/// the attacker's own included. The condition matches when any one word is found, so one loose word loosens
/// the whole condition.
pub fn is_authentication_condition(h: &HeaderWords) -> bool {
    let ties = |word: &String| {
        // A pattern escapes its dots (`header\.d=`): read it without the escapes.
        let w = word.replace('\\', "").to_ascii_lowercase();
        w.contains("dmarc=pass")
            || w.contains("compauth=pass")
            || (w.contains("=pass") && ["header.d=", "header.from=", "smtp.mailfrom="].iter().any(|k| w.contains(k)))
    };
    h.header.trim().eq_ignore_ascii_case(AUTHENTICATION_RESULTS) && !h.values.is_empty() && h.values.iter().all(ties)
}

/// True when a `HeaderMatchesPatterns` pattern requires its text as written: no alternation, group, optional
/// part, repetition count or character class (other than `[^;]`, "up to the next result"), any of which
/// can let the pattern match without the `=pass` it spells (`dmarc=pass|x`, `(dmarc=pass)*`,
/// `[dmarc=pass]` each match a header that passes nothing).
/// An escaped character (`\(`, `\.`) is literal.
fn is_plain_pattern(pattern: &str) -> bool {
    let mut unescaped = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            chars.next();
        } else {
            unescaped.push(c);
        }
    }
    !unescaped.replace("[^;]", "").contains(['|', '(', ')', '?', '{', '}', '[', ']'])
}

/// What a mail flow rule's conditions trust (its exceptions narrow it but pair nothing; see the module).
pub fn rule_trust(rule: &TransportRule) -> Trust {
    conditions_trust(&rule.conditions)
}

/// What a set of mail flow rule conditions trusts.
pub fn conditions_trust(c: &SenderConditions) -> Trust {
    let address = !c.from.is_empty();
    let domain = !c.sender_domain_is.is_empty();
    let text = !(c.from_address_contains_words.is_empty() && c.from_address_matches_patterns.is_empty());
    let ip = !c.sender_ip_ranges.is_empty();
    let authenticated = c.header_contains.iter().any(is_authentication_condition)
        || c.header_matches
            .iter()
            .any(|h| is_authentication_condition(h) && h.values.iter().all(|p| is_plain_pattern(p)));
    let sender = address || domain || text;
    match (sender, ip, authenticated) {
        (true, true, _) | (true, _, true) => Trust::Paired,
        // An authentication result names the domain it verified (`header.d=`, `header.from=`): the
        // condition pairs the domain with proof that it sent the message.
        (false, _, true) => Trust::Paired,
        (true, false, false) if domain => Trust::SingleFactor(Factor::SenderDomain),
        (true, false, false) if address => Trust::SingleFactor(Factor::SenderAddress),
        (true, false, false) => Trust::SingleFactor(Factor::SenderText),
        (false, true, false) => Trust::SingleFactor(Factor::Ip),
        (false, false, false) => Trust::NoSenderFactor,
    }
}

/// True when a mail flow rule lets mail skip spam filtering: it sets SCL -1 ("The value -1 requests a bypass
/// from most spam filtering", New-TransportRule.md `-SetSCL`), and it acts: not `Disabled`, and not in `Audit`
/// or `AuditAndNotify` mode ("no action that affects message delivery is taken", `-Mode`). A `State` or `Mode`
/// spoofctl does not know counts as acting: it may.
pub fn is_bypass(rule: &TransportRule) -> bool {
    let disabled = rule.state.is(RuleState::Disabled);
    let testing = rule.mode.is(RuleMode::Audit) || rule.mode.is(RuleMode::AuditAndNotify);
    rule.set_scl == Some(-1) && !disabled && !testing
}

/// A mechanism that lets mail in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mechanism {
    /// The connection filter's IP Allow List.
    IpAllowList,
    /// The connection filter's Microsoft-managed safe list.
    SafeList,
    /// An anti-spam policy's allowed senders.
    AllowedSenders,
    /// An anti-spam policy's allowed sender domains.
    AllowedSenderDomains,
    /// A mail flow rule that sets SCL -1.
    MailFlowRule,
    /// A mailbox's Safe Senders.
    SafeSenders,
    /// A sender allow in the Tenant Allow/Block List.
    TablSenderAllow,
    /// An inbound connector that treats messages as internal.
    InboundConnector,
    /// A third-party phishing simulation override.
    PhishSimOverride,
}

impl Mechanism {
    /// Every mechanism, in the order they are reported.
    pub const ALL: [Mechanism; 9] = [
        Mechanism::IpAllowList,
        Mechanism::SafeList,
        Mechanism::AllowedSenders,
        Mechanism::AllowedSenderDomains,
        Mechanism::MailFlowRule,
        Mechanism::SafeSenders,
        Mechanism::TablSenderAllow,
        Mechanism::InboundConnector,
        Mechanism::PhishSimOverride,
    ];

    /// In words.
    pub fn words(self) -> &'static str {
        match self {
            Mechanism::IpAllowList => "IP Allow List (connection filter policy)",
            Mechanism::SafeList => "Microsoft's safe list (connection filter policy)",
            Mechanism::AllowedSenders => "allowed senders (anti-spam policy)",
            Mechanism::AllowedSenderDomains => "allowed sender domains (anti-spam policy)",
            Mechanism::MailFlowRule => "mail flow rule",
            Mechanism::SafeSenders => "Safe Senders (mailbox junk email settings)",
            Mechanism::TablSenderAllow => "sender allow (Tenant Allow/Block List)",
            Mechanism::InboundConnector => "inbound connector treating messages as internal",
            Mechanism::PhishSimOverride => "phishing simulation override (advanced delivery)",
        }
    }

    /// The `X-Forefront-Antispam-Report` code it stamps (message-headers-eop-mdo.md).
    pub fn trace(self) -> Option<Bypass> {
        match self {
            Mechanism::IpAllowList | Mechanism::SafeList => Some(Bypass::IpAllowList),
            Mechanism::AllowedSenders | Mechanism::AllowedSenderDomains => Some(Bypass::AntiSpamAllowedList),
            Mechanism::MailFlowRule => Some(Bypass::MailFlowRule),
            Mechanism::SafeSenders => Some(Bypass::SafeSenders),
            _ => None,
        }
    }

    /// The snapshot file it is read from.
    pub fn file(self) -> &'static str {
        match self {
            Mechanism::IpAllowList | Mechanism::SafeList => files::CONNECTION_FILTER_POLICIES,
            Mechanism::AllowedSenders | Mechanism::AllowedSenderDomains => files::CONTENT_FILTER_POLICIES,
            Mechanism::MailFlowRule => files::TRANSPORT_RULES,
            Mechanism::SafeSenders => files::JUNK_EMAIL_CONFIGURATIONS,
            Mechanism::TablSenderAllow => files::SENDER_ITEMS,
            Mechanism::InboundConnector => files::INBOUND_CONNECTORS,
            Mechanism::PhishSimOverride => files::PHISH_SIM_OVERRIDE_RULES,
        }
    }

    /// What the mechanism trusts, for every mechanism but mail flow rules (judged on their conditions:
    /// [`rule_trust`]). `address` says whether the allow names an address rather than a domain; only the
    /// sender lists (allowed senders and domains, Safe Senders, TABL sender allows) look at it.
    pub fn trust(self, address: bool) -> Trust {
        match self {
            Mechanism::IpAllowList | Mechanism::SafeList => Trust::SingleFactor(Factor::Ip),
            Mechanism::InboundConnector => Trust::SingleFactor(Factor::Gateway),
            Mechanism::PhishSimOverride => Trust::Unlinked,
            _ if address => Trust::SingleFactor(Factor::SenderAddress),
            _ => Trust::SingleFactor(Factor::SenderDomain),
        }
    }
}
