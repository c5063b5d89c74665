//! Explaining a message: what the service saw and decided, what the lists say, and the entry that would
//! allow it.

use crate::engine::matcher::{Matcher, Outcome, Verdict};
use crate::model::date::Date;
use crate::model::diagnostic::{Diagnostic, Span, ValueError};
use crate::model::domain::Domain;
use crate::model::entry::{Entry, Metadata};
use crate::model::ipv4::Ipv4Slash24;
use crate::model::message::{Host, Message, Sender};
use crate::model::pair::{Infrastructure, Pair, Rule, SpoofedUser};
use crate::model::words::{Action, SpoofType};
use crate::read::headers::Stamps;
use crate::validate::lint::lint;

/// Where a suggested entry's infrastructure comes from, in order of preference: a passing DKIM domain is
/// verified and survives relays; the PTR's organizational domain is what Microsoft advises; the /24 is the
/// fallback for hosts without PTR (TABL-SPOOF, "Domain pair syntax").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// The `header.d` of a passing DKIM signature.
    Dkim,
    /// The organizational domain of the PTR host.
    Ptr,
    /// The /24 of the connecting IPv4 address.
    Range,
}

impl Basis {
    /// In words.
    pub fn words(self) -> &'static str {
        match self {
            Basis::Dkim => "the domain of a passing DKIM signature",
            Basis::Ptr => "the organizational domain of the PTR host",
            Basis::Range => "the /24 of the connecting IP (no PTR, no passing DKIM)",
        }
    }
}

/// An allow entry that would let this message through, with the lints it would raise in the list.
#[derive(Debug, Clone)]
pub struct SuggestedEntry {
    /// The entry: always a concrete pair, never a wildcard.
    pub entry: Entry,
    /// Where its infrastructure comes from.
    pub basis: Basis,
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
    /// The From domain cannot be a list value (say, a bare top-level domain).
    FromNotADomain(ValueError),
    /// The headers show no infrastructure to name: no passing DKIM signature, no PTR and no IPv4 connecting
    /// IP.
    NoInfrastructure,
    /// The list already has the pair this entry would name (with another action, or overridden by a block):
    /// that entry is the one to change, rather than adding another.
    AlreadyListed(&'a Entry),
}

/// What one list says about the message.
#[derive(Debug, Clone)]
pub struct ListView<'a> {
    /// The verdict and near misses.
    pub outcome: Outcome<'a>,
    /// The entry that would allow the message, or why there is none.
    pub suggestion: Suggestion<'a>,
}

/// Everything `explain` reports about one message.
#[derive(Debug, Clone)]
pub struct Explanation<'a> {
    /// What the headers say.
    pub stamps: Stamps,
    /// The message as matching sees it; `None` when the headers name no usable From address.
    pub message: Option<Message>,
    /// One view per list.
    pub lists: Vec<ListView<'a>>,
}

/// The message the stamps describe: From, PTR and CIP from the antispam report (CIP from SPF's comment or
/// `Received-SPF` when missing), and the domains of passing DKIM signatures only.
pub fn message_of(stamps: &Stamps) -> Option<Message> {
    let from = Sender::parse(stamps.from.as_deref()?).ok().filter(|s| s.address().is_some())?;
    let mut m = Message::from(from);
    m.ptr = stamps.antispam("PTR").and_then(|p| Host::parse(p).ok());
    m.ip = stamps.connecting_ip();
    m.dkim_pass =
        stamps.dkim().filter(|r| r.result == "pass").filter_map(|r| Host::parse(r.get("header.d")?).ok()).collect();
    Some(m)
}

/// Builds the explanation of one message against the lists' matchers, as of `today` (for lints).
pub fn explain<'a>(stamps: Stamps, matchers: &[Matcher<'a>], today: Date) -> Explanation<'a> {
    let message = message_of(&stamps);
    let lists = match &message {
        None => Vec::new(),
        Some(m) => matchers
            .iter()
            .map(|matcher| {
                let outcome = matcher.evaluate(m);
                let suggestion = match outcome.verdict {
                    Verdict::Allow(_) => Suggestion::Nothing(NoEntry::AlreadyAllowed),
                    _ => suggest(matcher, m, &stamps, today),
                };
                ListView { outcome, suggestion }
            })
            .collect(),
    };
    Explanation { stamps, message, lists }
}

/// The allow entry for this message's pair: never a wildcard; infrastructure preferring a passing DKIM
/// domain, then the PTR's organizational domain, then the /24.
fn suggest<'a>(matcher: &Matcher<'a>, m: &Message, stamps: &Stamps, today: Date) -> Suggestion<'a> {
    let (pair, basis) = match pair_for(m) {
        Ok(p) => p,
        Err(why) => return Suggestion::Nothing(why),
    };
    let spoof_type = matcher.spoof_type_of(m).unwrap_or(match stamps.antispam("SFTY") {
        Some("9.11") => SpoofType::Internal,
        _ => SpoofType::External,
    });
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
    Suggestion::Entry(SuggestedEntry { entry, basis, lints })
}

/// The pair a spoofed-sender entry for this message names: the From domain, and the infrastructure preferring
/// a passing DKIM domain, then the PTR's organizational domain, then the /24. Both sides concrete: a pair, never
/// one factor. `explain`'s suggestion, and the replacement `explain --tenant` offers for a single-factor allow.
pub fn pair_for(m: &Message) -> Result<(Pair, Basis), NoEntry<'static>> {
    let spoofed = Domain::parse(m.from.domain()).map_err(NoEntry::FromNotADomain)?;
    let dkim = m
        .dkim_pass
        .iter()
        .find_map(|h| Domain::parse(h.as_str()).ok())
        .map(|d| (Infrastructure::Domain(d), Basis::Dkim));
    let ptr = || {
        m.ptr
            .as_ref()
            .and_then(|h| Domain::parse(h.organizational()).ok())
            .map(|d| (Infrastructure::Domain(d), Basis::Ptr))
    };
    let range = || m.range().map(|r: Ipv4Slash24| (Infrastructure::Range(r), Basis::Range));
    let (infrastructure, basis) = dkim.or_else(ptr).or_else(range).ok_or(NoEntry::NoInfrastructure)?;
    Ok((Pair { spoofed: SpoofedUser::Domain(spoofed), infrastructure }, basis))
}
