//! Explaining a message: how the service handled it, what the lists say, and the entry that would allow it.
//!
//! Explain judges before it suggests: a spoofed-sender entry changes only what spoof protection decided, so a
//! message the service did not handle as spoof (authentication passed, another verdict, bulk), a message
//! another mechanism already let in, mail the tenant sent itself, or a message no Microsoft 365 hop stamped,
//! gets no suggestion, and a sentence on where its fate was decided instead.
//!
//! Sources: HEADERS (learn.microsoft.com/defender-office-365/message-headers-eop-mdo), ANTIPHISH
//! (anti-phishing-policies-about, "Spoof protection and sender DMARC policies"), BCL
//! (anti-spam-bulk-complaint-level-bcl-about), TABL-SPOOF (tenant-allow-block-list-email-spoof-configure,
//! "Domain pair syntax for spoofed sender entries") and CMDLETS (new-tenantallowblocklistspoofitems).

use std::net::{IpAddr, Ipv4Addr};

use crate::engine::matcher::{Matcher, Outcome, Verdict};
use crate::model::address::Address;
use crate::model::date::Date;
use crate::model::diagnostic::{Diagnostic, Span, ValueError};
use crate::model::domain::Domain;
use crate::model::entry::{Entry, Metadata};
use crate::model::header_codes::Bypass;
use crate::model::ipv4::Ipv4Slash24;
use crate::model::message::{Host, Message, Sender};
use crate::model::pair::{Infrastructure, Pair, Rule, SpoofedUser};
use crate::model::words::{Action, SpoofType};
use crate::read::headers::{PtrField, Stamps};
use crate::validate::lint::{lint, shared_platform};

/// What a mechanism trusts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    /// One factor alone, named: anyone who can show it gets in.
    OneFactor(&'static str),
    /// Whatever the mail flow rule's conditions say.
    RuleConditions,
    /// Not an allow at all.
    NotAnAllow,
}

/// The mechanism the antispam report names, if any: the IP Allow List first (connection filtering runs before
/// spam filtering), then the spam filtering verdict.
pub fn bypass(stamps: &Stamps) -> Option<Bypass> {
    ["IPV", "SFV"].into_iter().find_map(|field| stamps.antispam(field).and_then(|value| Bypass::of(field, value)))
}

/// What the mechanism a bypass code names trusts.
pub fn bypass_trust(b: Bypass) -> Trust {
    match b {
        Bypass::AntiSpamAllowedList | Bypass::SafeSenders => {
            Trust::OneFactor("the sender's address or domain alone, which anyone can write in a From header")
        }
        Bypass::IpAllowList => Trust::OneFactor("the connecting IP alone, whatever domain the mail claims"),
        Bypass::MailFlowRule => Trust::RuleConditions,
        Bypass::SkippedOther => Trust::NotAnAllow,
    }
}

/// A sign that the tenant itself sent or relayed the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboundSign {
    /// `DIR:OUT` in the antispam report.
    DirOut,
    /// `X-MS-Exchange-Organization-AuthAs: Internal`: sent by an authenticated user or server of the tenant.
    AuthAsInternal,
    /// `X-MS-Exchange-CrossTenant-FromEntityHeader: HybridOnPrem`: came in over the hybrid connector from the
    /// tenant's own on-premises servers.
    HybridConnector,
}

impl OutboundSign {
    /// The header that shows it.
    pub fn words(self) -> &'static str {
        match self {
            OutboundSign::DirOut => "DIR:OUT: the antispam report marks it outbound",
            OutboundSign::AuthAsInternal => {
                "X-MS-Exchange-Organization-AuthAs: Internal: an authenticated user or server of the tenant sent it"
            }
            OutboundSign::HybridConnector => {
                "X-MS-Exchange-CrossTenant-FromEntityHeader: HybridOnPrem: it came over the hybrid connector from the tenant's own servers"
            }
        }
    }
}

/// Why a message was not handled as spoof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotSpoof {
    /// Composite authentication passed or soft-passed (the value).
    AuthPassed(String),
    /// Another protection's category was applied (the `CAT` value).
    Category(String),
    /// Spam filtering identified the message as bulk (`SRV:BULK`), or its bulk complaint level meets the
    /// default bulk threshold (the BCL, when stamped).
    Bulk(Option<u8>),
    /// Composite authentication failed, but the antispam report's category is `NONE`: spoof protection let
    /// the message through ("Despite a compauth failure, the message might still be allowed", HEADERS).
    LetThrough,
    /// Nothing in the headers says spoof protection acted: no `compauth=fail`, no `CAT:SPOOF`.
    NoSpoofSign,
}

/// The default BCL threshold of the default anti-spam policy: "Messages that meet or exceed the configured BCL
/// threshold" are bulk (BCL: 7 for the default and new policies, 6 for Standard, 5 for Strict).
pub const BULK_THRESHOLD: u8 = 7;

/// How the service handled the message, judged from its stamps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handling {
    /// No Microsoft 365 hop stamped the message: its antispam report is not trusted, and nothing shows what the
    /// service decided.
    NotSeenByMicrosoft,
    /// The tenant sent or relayed it: not an inbound spoof.
    Outbound(OutboundSign),
    /// Another mechanism let it in before spoof protection could matter.
    LetIn(Bypass),
    /// It was not handled as spoof.
    NotSpoof(NotSpoof),
    /// It was handled as spoof: a spoofed-sender entry is what decides.
    Spoof,
}

impl Handling {
    /// Judges the stamps, in the order the service decides: who sent it, what let it in, then the verdicts.
    pub fn of(stamps: &Stamps) -> Handling {
        if !stamps.microsoft_hop() {
            return Handling::NotSeenByMicrosoft;
        }
        if stamps.antispam("DIR").is_some_and(|d| d.eq_ignore_ascii_case("OUT")) {
            return Handling::Outbound(OutboundSign::DirOut);
        }
        if stamps.auth_as.as_deref().is_some_and(|a| a.eq_ignore_ascii_case("Internal")) {
            return Handling::Outbound(OutboundSign::AuthAsInternal);
        }
        // Internet mail that the tenant's MX (its own servers) relays in over the hybrid connector carries the
        // same header with DIR:INB: that is inbound, with a warning (`Warning::ViaOwnServers`).
        if came_over_hybrid_connector(stamps) && !inbound(stamps) {
            return Handling::Outbound(OutboundSign::HybridConnector);
        }
        if let Some(m) = bypass(stamps) {
            return Handling::LetIn(m);
        }
        let compauth = stamps.result("compauth").map(|c| c.result.as_str());
        if let Some(pass @ ("pass" | "softpass")) = compauth {
            return Handling::NotSpoof(NotSpoof::AuthPassed(pass.to_string()));
        }
        let cat = stamps.antispam("CAT").map(str::to_ascii_uppercase);
        if let Some(cat) = cat.as_deref().filter(|c| !matches!(*c, "SPOOF" | "NONE")) {
            return Handling::NotSpoof(NotSpoof::Category(cat.to_string()));
        }
        // HEADERS: "SRV:BULK: The message was identified as bulk email by spam filtering and the bulk complaint
        // level (BCL) threshold"; a spoof allow skips the spoof filters only, so the bulk verdict stands.
        let bcl = bcl(stamps);
        if stamps.antispam("SRV").is_some_and(|v| v.eq_ignore_ascii_case("BULK"))
            || bcl.is_some_and(|b| b >= BULK_THRESHOLD)
        {
            return Handling::NotSpoof(NotSpoof::Bulk(bcl));
        }
        // The category says what was applied; without an antispam report, a composite authentication failure
        // is the best sign there is.
        match (cat.as_deref(), compauth) {
            (Some("SPOOF"), _) | (None, Some("fail")) => Handling::Spoof,
            (Some(_), Some("fail")) => Handling::NotSpoof(NotSpoof::LetThrough),
            _ => Handling::NotSpoof(NotSpoof::NoSpoofSign),
        }
    }
}

/// `X-MS-Exchange-CrossTenant-FromEntityHeader: HybridOnPrem`: the message came over the hybrid connector.
fn came_over_hybrid_connector(stamps: &Stamps) -> bool {
    stamps.from_entity.as_deref().is_some_and(|e| e.eq_ignore_ascii_case("HybridOnPrem"))
}

/// `DIR:INB` in the antispam report.
fn inbound(stamps: &Stamps) -> bool {
    stamps.antispam("DIR").is_some_and(|d| d.eq_ignore_ascii_case("INB"))
}

/// The bulk complaint level, 0 to 9.
pub fn bcl(stamps: &Stamps) -> Option<u8> {
    stamps.microsoft_antispam("BCL")?.parse().ok().filter(|b| *b <= 9)
}

/// The spam confidence level, -1 to 9.
pub fn scl(stamps: &Stamps) -> Option<i8> {
    stamps.antispam("SCL")?.parse().ok().filter(|s| (-1..=9).contains(s))
}

/// Where a candidate infrastructure comes from, least shared first: the order in which one is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Basis {
    /// A passing DKIM domain of the sender's own organizational domain: verified, and the sender's.
    SenderDkim,
    /// The organizational domain of the PTR host, not a shared platform: what Microsoft advises (TABL-SPOOF:
    /// "We also recommend using the PTR Organization Domain").
    Ptr,
    /// A passing DKIM domain of another organization that is not a shared platform (how the service compares
    /// DKIM domains is undocumented, so it comes after the PTR).
    OtherDkim,
    /// The /24 of the connecting IPv4 address, when there is no PTR (TABL-SPOOF).
    Range,
    /// The PTR host itself, when its organizational domain is a shared platform or a provider's pool of
    /// generic names: never broader than the host the message came from.
    SharedPtrHost,
    /// A passing DKIM domain of a shared platform: only when nothing else is on offer.
    SharedDkim,
}

impl Basis {
    /// In words.
    pub fn words(self) -> &'static str {
        match self {
            Basis::SenderDkim => "a passing DKIM domain of the sender's own domain",
            Basis::Ptr => "the organizational domain of the PTR host",
            Basis::OtherDkim => "a passing DKIM domain of another organization",
            Basis::Range => "the /24 of the connecting IP (no PTR)",
            Basis::SharedPtrHost => {
                "the PTR host itself (its organizational domain is a shared platform or a pool of generic names)"
            }
            Basis::SharedDkim => "a passing DKIM domain of a shared platform",
        }
    }
}

/// One infrastructure the message offers for an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The value an entry would name.
    pub infrastructure: Infrastructure,
    /// Where it comes from; candidates are ordered by it.
    pub basis: Basis,
    /// The shared platform it belongs to, if any.
    pub platform: Option<&'static str>,
    /// The PTR host is a generic name built from the IP address (a residential line or a cloud server), not a
    /// mail server's name: whoever rents the next address shares it.
    pub generic_ptr: bool,
}

/// The infrastructures a message offers, least shared first (the first is the one suggested).
///
/// `ptr` is the stamped PTR host, `dkim` the domains of passing DKIM signatures, `ip` the connecting IPv4
/// address.
pub fn candidates(from: &Sender, ptr: Option<&Host>, ip: Option<Ipv4Addr>, dkim: &[Host]) -> Vec<Candidate> {
    let mut found: Vec<Candidate> = Vec::new();
    let from_org = Host::parse(from.domain()).ok().map(|h| h.organizational().to_string());
    for host in dkim {
        let Ok(domain) = Domain::parse(host.as_str()) else { continue };
        let platform = shared_platform(&domain);
        let basis = if from_org.as_deref() == Some(host.organizational()) {
            Basis::SenderDkim
        } else if platform.is_some() {
            Basis::SharedDkim
        } else {
            Basis::OtherDkim
        };
        found.push(Candidate { infrastructure: Infrastructure::Domain(domain), basis, platform, generic_ptr: false });
    }
    if let Some(host) = ptr {
        let generic_ptr = ip.is_some_and(|ip| names_the_address(host, ip));
        let platform = Domain::parse(host.as_str()).ok().and_then(|d| shared_platform(&d));
        // A shared platform's or a provider's pool's organizational domain names all its customers: the
        // host itself, never broader.
        let (value, basis) = if platform.is_none() && !generic_ptr {
            (host.organizational(), Basis::Ptr)
        } else {
            (host.as_str(), Basis::SharedPtrHost)
        };
        if let Ok(domain) = Domain::parse(value) {
            found.push(Candidate { infrastructure: Infrastructure::Domain(domain), basis, platform, generic_ptr });
        }
    } else if let Some(ip) = ip {
        let infrastructure = Infrastructure::Range(Ipv4Slash24::of(ip));
        found.push(Candidate { infrastructure, basis: Basis::Range, platform: None, generic_ptr: false });
    }
    // Stable: among equals (two DKIM domains of one kind), the order the headers gave.
    found.sort_by_key(|c| c.basis);
    found.dedup_by(|a, b| a.infrastructure == b.infrastructure);
    found
}

/// True when the host's name spells the address it stands for, forwards or backwards, in decimal
/// (`ec2-203-0-113-25.compute-1.amazonaws.com`, `25.113.0.203.dsl.example.net`): a generic name that a
/// provider gives every address of a pool, such as residential lines and cloud servers.
fn names_the_address(host: &Host, ip: Ipv4Addr) -> bool {
    let numbers: Vec<u32> = host.as_str().split(|c: char| !c.is_ascii_digit()).filter_map(|s| s.parse().ok()).collect();
    let octets = ip.octets().map(u32::from);
    let mut backwards = octets;
    backwards.reverse();
    numbers.windows(4).any(|w| w == octets || w == backwards)
}

/// An allow entry that would let this message through, with the lints it would raise in the list.
#[derive(Debug, Clone)]
pub struct SuggestedEntry {
    /// The entry: always a concrete pair, never a wildcard.
    pub entry: Entry,
    /// Where its infrastructure comes from.
    pub basis: Basis,
    /// The candidates considered, least shared first; the entry names the first.
    pub candidates: Vec<Candidate>,
    /// What `validate` would say about it in this list.
    pub lints: Vec<Diagnostic>,
}

/// What one list would take to let the message through: an entry to add, or why there is none.
#[derive(Debug, Clone)]
pub enum Suggestion<'a> {
    /// This allow entry would.
    Entry(SuggestedEntry),
    /// No entry is suggested, for this reason.
    Nothing(NoEntry<'a>),
}

/// Why no entry is suggested.
#[derive(Debug, Clone)]
pub enum NoEntry<'a> {
    /// The list already allows the message.
    AlreadyAllowed,
    /// The service did not handle the message as an inbound spoof (see [`Explanation::handling`]): a
    /// spoofed-sender entry would change nothing.
    NotHandledAsSpoof,
    /// The From domain cannot be a list value (say, a bare top-level domain).
    FromNotADomain(ValueError),
    /// The headers show no infrastructure to name: no passing DKIM signature, no PTR and no IPv4 connecting
    /// IP.
    NoInfrastructure,
    /// The only infrastructure the headers show cannot be an entry (a connecting IP in a private range).
    InfrastructureRefused(ValueError),
    /// The list already has the pair this entry would name (with another action, or overridden by a block):
    /// that entry is the one to change, rather than adding another.
    AlreadyListed(&'a Entry),
}

/// Something in the headers or the list that the reader should know before acting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// The DMARC result's `header.from` is not the From domain the pair uses.
    HeaderFromDiffers {
        /// `header.from`.
        header_from: String,
    },
    /// Inbound mail that came in over the hybrid connector from the tenant's own servers (MX pointing
    /// elsewhere): unless Enhanced Filtering for Connectors is on, the service sees those servers as the
    /// source, and the Honor DMARC policy setting is not applied (ANTIPHISH; DMARC, "DMARC for inbound mail").
    ViaOwnServers,
    /// compauth says the From domain is one of the tenant's own (reason 6xx or 010), but the list's accepted
    /// domains call it external.
    IntraOrgButExternal {
        /// The compauth reason code.
        reason: String,
    },
}

/// What one list says about the message.
#[derive(Debug, Clone)]
pub struct ListView<'a> {
    /// The verdict and near misses.
    pub outcome: Outcome<'a>,
    /// The entry that would allow the message, or why there is none.
    pub suggestion: Suggestion<'a>,
    /// What the reader should know about this list and message.
    pub warnings: Vec<Warning>,
}

/// Everything `explain` reports about one message.
#[derive(Debug, Clone)]
pub struct Explanation<'a> {
    /// What the headers say.
    pub stamps: Stamps,
    /// How the service handled the message.
    pub handling: Handling,
    /// The message as matching sees it; `None` when the headers name no usable From address.
    pub message: Option<Message>,
    /// What the reader should know about the message, whatever the list.
    pub warnings: Vec<Warning>,
    /// One view per list.
    pub lists: Vec<ListView<'a>>,
}

/// The message the stamps describe: From, PTR and CIP from the antispam report (CIP from SPF's comment or
/// `Received-SPF` when missing), and the domains of passing DKIM signatures only. A PTR placeholder or a CIP
/// that names no host is no value; an antispam report that no Microsoft 365 hop stamped is not read.
pub fn message_of(stamps: &Stamps) -> Option<Message> {
    let from = Sender::parse(stamps.from.as_deref()?).ok().filter(|s| s.address().is_some())?;
    let mut m = Message::from(from);
    if stamps.microsoft_hop() {
        m.ptr = match stamps.ptr() {
            PtrField::Host(p) => Host::parse(p).ok(),
            PtrField::NotStamped | PtrField::NoName(_) => None,
        };
        m.ip = stamps.connecting_ip();
    }
    m.dkim_pass =
        stamps.dkim().filter(|r| r.result == "pass").filter_map(|r| Host::parse(r.get("header.d")?).ok()).collect();
    Some(m)
}

/// The connecting IPv4 address, including one written in IPv6 form (`::ffff:203.0.113.5`).
fn ipv4(m: &Message) -> Option<Ipv4Addr> {
    match m.ip? {
        IpAddr::V4(ip) => Some(ip),
        IpAddr::V6(ip) => ip.to_ipv4_mapped(),
    }
}

/// The candidates for this message's infrastructure ([`candidates`]).
pub fn candidates_of(m: &Message) -> Vec<Candidate> {
    candidates(&m.from, m.ptr.as_ref(), ipv4(m), &m.dkim_pass)
}

/// The compauth reason, when it says the From domain is one of the tenant's own: `010` or `6xx` (HEADERS).
fn intra_org_reason(stamps: &Stamps) -> Option<&str> {
    stamps.result("compauth")?.get("reason").filter(|r| *r == "010" || (r.len() == 3 && r.starts_with('6')))
}

/// Builds the explanation of one message against the lists' matchers, as of `today` (for lints).
pub fn explain<'a>(stamps: Stamps, matchers: &[Matcher<'a>], today: Date) -> Explanation<'a> {
    let handling = Handling::of(&stamps);
    let message = message_of(&stamps);
    let mut warnings = Vec::new();
    if came_over_hybrid_connector(&stamps) && inbound(&stamps) {
        warnings.push(Warning::ViaOwnServers);
    }
    if let (Some(m), Some(header_from)) = (&message, stamps.result("dmarc").and_then(|d| d.get("header.from")))
        && !header_from.trim_end_matches('.').eq_ignore_ascii_case(m.from.domain())
    {
        warnings.push(Warning::HeaderFromDiffers { header_from: header_from.to_string() });
    }
    let lists = match &message {
        None => Vec::new(),
        Some(m) => matchers
            .iter()
            .map(|matcher| {
                let outcome = matcher.evaluate(m);
                let suggestion = match outcome.verdict {
                    Verdict::Allow(_) => Suggestion::Nothing(NoEntry::AlreadyAllowed),
                    _ if handling != Handling::Spoof => Suggestion::Nothing(NoEntry::NotHandledAsSpoof),
                    _ => suggest(matcher, m, &stamps, today),
                };
                let mut warnings = Vec::new();
                if let Some(reason) = intra_org_reason(&stamps)
                    && matcher.spoof_type_of(m) == Some(SpoofType::External)
                {
                    warnings.push(Warning::IntraOrgButExternal { reason: reason.to_string() });
                }
                ListView { outcome, suggestion, warnings }
            })
            .collect(),
    };
    Explanation { stamps, handling, message, warnings, lists }
}

/// The pair a spoofed-sender entry for this message of `spoof_type` names: an intra-org spoof's full From
/// address (Microsoft's advice, CMDLETS) or an external spoof's From domain, with the first of the message's
/// [`candidates`], least shared first. Both sides concrete: a pair, never one factor. `explain`'s suggestion,
/// and the replacement `explain --tenant` offers for a single-factor allow.
pub fn pair_for(m: &Message, spoof_type: SpoofType) -> Result<(Pair, Basis), NoEntry<'static>> {
    pair_among(m, spoof_type, &candidates_of(m))
}

/// [`pair_for`] with the message's candidates already found.
fn pair_among(m: &Message, spoof_type: SpoofType, candidates: &[Candidate]) -> Result<(Pair, Basis), NoEntry<'static>> {
    let spoofed = match spoof_type {
        SpoofType::Internal => Address::parse(m.from.as_str()).map(SpoofedUser::Address),
        SpoofType::External => Domain::parse(m.from.domain()).map(SpoofedUser::Domain),
    }
    .map_err(NoEntry::FromNotADomain)?;
    let first = candidates.first().ok_or(NoEntry::NoInfrastructure)?;
    let infrastructure = first.infrastructure.clone();
    // Formed as any list value is, so that a range no mail comes from (a private CIP) is refused here too.
    if let Infrastructure::Range(r) = &infrastructure
        && let Err(e) = Infrastructure::parse(&r.to_string())
    {
        return Err(NoEntry::InfrastructureRefused(e));
    }
    Ok((Pair { spoofed, infrastructure }, first.basis))
}

/// The allow entry for this message's pair, never a wildcard: an intra-org spoof names the full From address,
/// as Microsoft advises ("For domains inside your organization (intra-org), use the full email address that
/// appears in the From field", CMDLETS); the infrastructure is the first of the message's [`candidates`].
fn suggest<'a>(matcher: &Matcher<'a>, m: &Message, stamps: &Stamps, today: Date) -> Suggestion<'a> {
    let spoof_type = matcher.spoof_type_of(m).unwrap_or_else(|| {
        let intra = stamps.antispam("SFTY") == Some("9.11") || intra_org_reason(stamps).is_some();
        if intra { SpoofType::Internal } else { SpoofType::External }
    });
    let candidates = candidates_of(m);
    let (pair, basis) = match pair_among(m, spoof_type, &candidates) {
        Ok(p) => p,
        Err(why) => return Suggestion::Nothing(why),
    };
    let list = matcher.list();
    // The suggestion's place: a line no entry has, so its lints can be told apart.
    let span = Span::new(0, 0);
    let entry = Entry { rule: Rule::Allow(pair), spoof_type, type_written: true, meta: Metadata::default(), span };
    if let Some(same) = list.entries.iter().find(|e| e.identity() == entry.identity()) {
        return Suggestion::Nothing(NoEntry::AlreadyListed(same));
    }
    let mut with = list.clone();
    with.entries.push(entry.clone());
    let lints = lint(&with, today).into_iter().filter(|d| d.span == Some(span)).collect();
    debug_assert_eq!(entry.action(), Action::Allow);
    Suggestion::Entry(SuggestedEntry { entry, basis, candidates, lints })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(names: &[&str]) -> Vec<Host> {
        names.iter().map(|n| Host::parse(n).expect("host")).collect()
    }

    /// The infrastructure a message offers, least shared first: (From, PTR, IP, passing DKIM) -> the
    /// candidates in order, as (value, basis).
    #[test]
    fn candidates_least_shared_first() {
        type Case<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a [&'a str], &'a [(&'a str, Basis)]);
        let cases: &[Case<'_>] = &[
            // A shared platform's DKIM pass and a PTR in the sender's own domain: the PTR's domain wins.
            (
                "a@woodgrovebank.com",
                Some("o1.mail.woodgrovebank.com"),
                Some("192.0.2.7"),
                &["sendgrid.net"],
                &[("woodgrovebank.com", Basis::Ptr), ("sendgrid.net", Basis::SharedDkim)],
            ),
            // The sender's own DKIM domain first, then the PTR's organizational domain.
            (
                "a@woodgrovebank.com",
                Some("mta.mailer.example"),
                Some("192.0.2.7"),
                &["news.woodgrovebank.com"],
                &[("news.woodgrovebank.com", Basis::SenderDkim), ("mailer.example", Basis::Ptr)],
            ),
            // Another organization's DKIM domain comes after the PTR.
            (
                "a@woodgrovebank.com",
                Some("o1.mailout.example.net"),
                None,
                &["crm.fabrikam.com"],
                &[("example.net", Basis::Ptr), ("crm.fabrikam.com", Basis::OtherDkim)],
            ),
            // No PTR: the /24, before a shared platform.
            (
                "a@woodgrovebank.com",
                None,
                Some("203.0.113.5"),
                &["sendgrid.net"],
                &[("203.0.113.0/24", Basis::Range), ("sendgrid.net", Basis::SharedDkim)],
            ),
            // A shared platform's PTR: the host itself, never the platform's whole domain.
            (
                "a@woodgrovebank.com",
                Some("o2.ptr1234.sendgrid.net"),
                Some("192.0.2.9"),
                &[],
                &[("o2.ptr1234.sendgrid.net", Basis::SharedPtrHost)],
            ),
            // A generic name that spells the address, backwards too: the host itself.
            (
                "a@proseware.com",
                Some("9.113.0.203.dsl.broadband.example"),
                Some("203.0.113.9"),
                &[],
                &[("9.113.0.203.dsl.broadband.example", Basis::SharedPtrHost)],
            ),
            // The PTR's domain that is also the passing DKIM domain is one candidate.
            (
                "a@northwindtraders.com",
                Some("o12.mta.lucernepublishing.example"),
                Some("198.51.100.77"),
                &["lucernepublishing.example"],
                &[("lucernepublishing.example", Basis::Ptr)],
            ),
            // Nothing on offer.
            ("a@woodgrovebank.com", None, None, &[], &[]),
        ];
        for (from, ptr, ip, dkim, want) in cases {
            let from = Sender::parse(from).expect("from");
            let ptr = ptr.map(|p| Host::parse(p).expect("ptr"));
            let ip = ip.map(|i| i.parse().expect("ip"));
            let got: Vec<(String, Basis)> = candidates(&from, ptr.as_ref(), ip, &hosts(dkim))
                .into_iter()
                .map(|c| (c.infrastructure.to_string(), c.basis))
                .collect();
            let want: Vec<(String, Basis)> = want.iter().map(|(v, b)| ((*v).to_string(), *b)).collect();
            assert_eq!(got, want, "{from} {ptr:?} {ip:?} {dkim:?}");
        }
    }

    /// Generic names spell all four numbers of the address, in order or reversed; a mail server's name
    /// with a number or two does not.
    #[test]
    fn generic_names_spell_the_address() {
        let ip: Ipv4Addr = "203.0.113.9".parse().expect("ip");
        for (host, generic) in [
            ("ec2-203-0-113-9.compute-1.cloud.example", true),
            ("9.113.0.203.dsl.broadband.example", true),
            ("host203-0-113-9.res.example", true),
            ("mail2.contoso.com", false),
            ("203-0-113-10.res.example", false),
            ("o1.mailout.example.net", false),
        ] {
            assert_eq!(names_the_address(&Host::parse(host).expect("host"), ip), generic, "{host}");
        }
    }

    /// How the service handled a message, from its antispam report and authentication results.
    #[test]
    fn handling_from_the_stamps() {
        let microsoft = "Received: from a.example (192.0.2.1) by BN8NAM11FT052.mail.protection.outlook.com with Microsoft SMTP Server; Mon, 23 Nov 2026 08:00:00 +0000\n";
        let cases: &[(&str, &str, Handling)] = &[
            ("compauth=fail reason=001", "CAT:SPOOF;DIR:INB", Handling::Spoof),
            ("compauth=fail reason=000", "CAT:NONE;DIR:INB", Handling::NotSpoof(NotSpoof::LetThrough)),
            ("compauth=fail reason=000", "DIR:INB", Handling::Spoof),
            ("compauth=none reason=905", "DIR:INB", Handling::NotSpoof(NotSpoof::NoSpoofSign)),
            ("compauth=pass reason=116", "CAT:NONE;DIR:INB", Handling::NotSpoof(NotSpoof::AuthPassed("pass".into()))),
            ("compauth=softpass reason=201", "CAT:NONE", Handling::NotSpoof(NotSpoof::AuthPassed("softpass".into()))),
            ("compauth=fail reason=001", "CAT:BULK", Handling::NotSpoof(NotSpoof::Category("BULK".into()))),
            ("compauth=fail reason=001", "CAT:HPHISH", Handling::NotSpoof(NotSpoof::Category("HPHISH".into()))),
            ("compauth=fail reason=001", "CAT:UIMP;SFTY:9.20", Handling::NotSpoof(NotSpoof::Category("UIMP".into()))),
            ("compauth=fail reason=001", "CAT:SPOOF;SRV:BULK", Handling::NotSpoof(NotSpoof::Bulk(None))),
            ("compauth=none reason=905", "CAT:NONE", Handling::NotSpoof(NotSpoof::NoSpoofSign)),
            ("compauth=fail reason=001", "CAT:SPOOF;SFV:SKA", Handling::LetIn(Bypass::AntiSpamAllowedList)),
            ("compauth=fail reason=001", "CAT:NONE;SFV:SKN", Handling::LetIn(Bypass::MailFlowRule)),
            ("compauth=fail reason=001", "CAT:NONE;SFV:SFE", Handling::LetIn(Bypass::SafeSenders)),
            ("compauth=fail reason=001", "CAT:NONE;SFV:SKI", Handling::LetIn(Bypass::SkippedOther)),
            ("compauth=fail reason=001", "IPV:CAL;SFV:SKN", Handling::LetIn(Bypass::IpAllowList)),
            ("compauth=fail reason=001", "CAT:SPOOF;DIR:OUT", Handling::Outbound(OutboundSign::DirOut)),
        ];
        for (results, report, want) in cases {
            let raw = format!(
                "{microsoft}Authentication-Results: spf=fail (sender IP is 192.0.2.1) smtp.mailfrom=a.example;dmarc=fail action=none header.from=contoso.com;{results}\nX-Forefront-Antispam-Report: CIP:192.0.2.1;{report};\nFrom: a@contoso.com\n\n"
            );
            let stamps = Stamps::parse(raw.as_bytes()).expect("headers");
            assert_eq!(&Handling::of(&stamps), want, "{results} {report}");
        }
        // A bulk complaint level at the default threshold, on a message handled as spoof.
        let raw = format!(
            "{microsoft}Authentication-Results: compauth=fail reason=001\nX-Microsoft-Antispam: BCL:7;\nX-Forefront-Antispam-Report: CAT:SPOOF;\nFrom: a@contoso.com\n\n"
        );
        let stamps = Stamps::parse(raw.as_bytes()).expect("headers");
        assert_eq!(Handling::of(&stamps), Handling::NotSpoof(NotSpoof::Bulk(Some(7))));
        // Outbound signs besides DIR:OUT.
        for (header, sign) in [
            ("X-MS-Exchange-Organization-AuthAs: Internal", OutboundSign::AuthAsInternal),
            ("X-MS-Exchange-CrossTenant-FromEntityHeader: HybridOnPrem", OutboundSign::HybridConnector),
        ] {
            let raw = format!("{microsoft}{header}\nX-Forefront-Antispam-Report: CAT:SPOOF;\nFrom: a@contoso.com\n\n");
            let stamps = Stamps::parse(raw.as_bytes()).expect("headers");
            assert_eq!(Handling::of(&stamps), Handling::Outbound(sign), "{header}");
        }
        // Internet mail relayed in by the tenant's own servers: inbound, handled as spoof.
        let raw = format!(
            "{microsoft}X-MS-Exchange-CrossTenant-FromEntityHeader: HybridOnPrem\nX-Forefront-Antispam-Report: CAT:SPOOF;DIR:INB;\nFrom: a@contoso.com\n\n"
        );
        let stamps = Stamps::parse(raw.as_bytes()).expect("headers");
        assert_eq!(Handling::of(&stamps), Handling::Spoof);
        // No Microsoft hop: whatever the report says, nothing is known.
        let raw = "X-Forefront-Antispam-Report: CAT:SPOOF;SFV:SKA;\nFrom: a@contoso.com\n\n";
        let stamps = Stamps::parse(raw.as_bytes()).expect("headers");
        assert_eq!(Handling::of(&stamps), Handling::NotSeenByMicrosoft);
        assert_eq!(message_of(&stamps).and_then(|m| m.ip), None);
    }

    /// What each mechanism trusts: the allow lists and the IP Allow List trust one factor.
    #[test]
    fn mechanisms_and_what_they_trust() {
        for (m, one_factor) in [
            (Bypass::AntiSpamAllowedList, true),
            (Bypass::SafeSenders, true),
            (Bypass::IpAllowList, true),
            (Bypass::MailFlowRule, false),
            (Bypass::SkippedOther, false),
        ] {
            assert_eq!(matches!(bypass_trust(m), Trust::OneFactor(_)), one_factor, "{}", m.code());
        }
    }
}
