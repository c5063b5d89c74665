//! Matching: a list's verdict for a message, the entry that decides it, and the near misses.
//!
//! A [`Matcher`] indexes a validated list once: by spoofed address, spoofed domain, infrastructure domain and
//! /24. Every entry has at least one concrete side (a double wildcard cannot be built), so every entry is
//! reachable from a concrete value of the message; the candidates for a message are the entries that name its
//! From or one of its infrastructures, never a scan of the list. Each candidate is then checked on both
//! sides by [`check`], and [`Decision`] can only be made from a check in which both sides matched: that is
//! the only road to an `allow`.
//!
//! Rules (product spec, "Matching model"; README, "Matching model"): an entry matches when both sides match
//! and its type equals the message's type where known; block beats allow (TABL-ABOUT).

use std::collections::HashMap;
use std::fmt;

use crate::domain::is_self_or_parent;
use crate::entry::{Entry, TenantList, spoof_type_for};
use crate::ipv4::Ipv4Slash24;
use crate::message::{Host, Message};
use crate::pair::{Action, Infrastructure, Side, SpoofType, SpoofedUser};

/// A validated list, indexed for matching. Built once; cannot change.
#[derive(Debug)]
pub struct Matcher<'a> {
    list: &'a TenantList,
    by_address: HashMap<String, Vec<u32>>,
    by_domain: HashMap<String, Vec<u32>>,
    by_infrastructure: HashMap<String, Vec<u32>>,
    by_range: HashMap<Ipv4Slash24, Vec<u32>>,
}

/// How the infrastructure side of an entry matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// The PTR host is the entry's domain or below it.
    Ptr(Host),
    /// A passing DKIM signature's domain is the entry's domain or below it.
    Dkim(Host),
    /// The connecting IP is inside the entry's /24.
    Ip(Ipv4Slash24),
    /// The entry's infrastructure is `*` (blocks only).
    Any,
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Via::Ptr(h) => write!(f, "PTR {h}"),
            Via::Dkim(h) => write!(f, "passing DKIM d={h}"),
            Via::Ip(r) => write!(f, "connecting IP in {r}"),
            Via::Any => f.write_str("any infrastructure (*)"),
        }
    }
}

/// Both sides of one entry checked against one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The spoofed side matched.
    pub spoofed: bool,
    /// The infrastructure side matched, and how.
    pub infrastructure: Option<Via>,
    /// The entry's type equals the message's type (true when the message's type is unknown).
    pub spoof_type: bool,
}

/// Checks both sides of `entry` against `message`, whose spoof type is `message_type` (if known).
pub fn check(entry: &Entry, message: &Message, message_type: Option<SpoofType>) -> Check {
    let spoofed = match entry.rule.spoofed() {
        Side::Any => true,
        Side::Is(user) => message.from.matches(user),
    };
    let infrastructure = match entry.rule.infrastructure() {
        Side::Any => Some(Via::Any),
        Side::Is(Infrastructure::Range(r)) => message.range().filter(|m| m == r).map(Via::Ip),
        Side::Is(Infrastructure::Domain(d)) => {
            let under = |h: &Host| is_self_or_parent(d.as_str(), h.as_str());
            match message.ptr.as_ref().filter(|h| under(h)) {
                Some(h) => Some(Via::Ptr(h.clone())),
                None => message.dkim_pass.iter().find(|h| under(h)).map(|h| Via::Dkim(h.clone())),
            }
        }
    };
    Check { spoofed, infrastructure, spoof_type: message_type.is_none_or(|t| t == entry.spoof_type) }
}

/// The entry that decides a verdict, with how its infrastructure matched. Only made from a [`Check`] in which
/// the spoofed side, the infrastructure side and the type all matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision<'a> {
    entry: &'a Entry,
    via: Via,
}

impl<'a> Decision<'a> {
    fn from_full_match(entry: &'a Entry, check: Check) -> Option<Decision<'a>> {
        match check {
            Check { spoofed: true, infrastructure: Some(via), spoof_type: true } => Some(Decision { entry, via }),
            _ => None,
        }
    }

    /// The deciding entry.
    pub fn entry(&self) -> &'a Entry {
        self.entry
    }

    /// How its infrastructure matched.
    pub fn via(&self) -> &Via {
        &self.via
    }
}

/// The list's verdict for a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict<'a> {
    /// A block matched (block beats allow).
    Block(Decision<'a>),
    /// An allow matched, and no block.
    Allow(Decision<'a>),
    /// No entry matched: the list does not decide; spoof intelligence and the anti-phishing policy do.
    None,
}

impl Verdict<'_> {
    /// `allow`, `block` or `none`.
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Block(_) => "block",
            Verdict::Allow(_) => "allow",
            Verdict::None => "none",
        }
    }

    /// The deciding entry, if any.
    pub fn decision(&self) -> Option<&Decision<'_>> {
        match self {
            Verdict::Block(d) | Verdict::Allow(d) => Some(d),
            Verdict::None => None,
        }
    }
}

/// Which part of a near miss failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failed {
    /// The infrastructure matched; the spoofed user did not.
    Spoofed,
    /// The spoofed user matched; the infrastructure did not.
    Infrastructure,
    /// Both sides matched, but the entry is for the other spoof type.
    Type,
}

impl Failed {
    /// The failed side, as a word for output.
    pub fn word(self) -> &'static str {
        match self {
            Failed::Spoofed => "spoofed",
            Failed::Infrastructure => "infrastructure",
            Failed::Type => "type",
        }
    }
}

/// An entry that resembles the message on one named side only (or on both, for the other type). A `*` side
/// matches anything and is no resemblance, so `gmail.com via *` is not a near miss of mail from elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NearMiss<'a> {
    /// The entry.
    pub entry: &'a Entry,
    /// What did not match.
    pub failed: Failed,
    /// How the infrastructure matched, when it did.
    pub via: Option<Via>,
}

/// The full result for one message against one list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome<'a> {
    /// The list.
    pub list: &'a TenantList,
    /// The message's spoof type, as given or inferred from the accepted domains (`None` when unknown).
    pub spoof_type: Option<SpoofType>,
    /// The verdict and its entry.
    pub verdict: Verdict<'a>,
    /// Entries where exactly one side matched, in file order.
    pub near_misses: Vec<NearMiss<'a>>,
    /// Allows that matched fully but lost to the deciding block (block beats allow), in file order.
    pub overridden: Vec<&'a Entry>,
}

impl<'a> Matcher<'a> {
    /// Indexes a validated list.
    pub fn new(list: &'a TenantList) -> Matcher<'a> {
        let mut m = Matcher {
            list,
            by_address: HashMap::new(),
            by_domain: HashMap::new(),
            by_infrastructure: HashMap::new(),
            by_range: HashMap::new(),
        };
        for (i, entry) in list.entries.iter().enumerate() {
            let i = i as u32;
            match entry.rule.spoofed() {
                Side::Is(SpoofedUser::Address(a)) => m.by_address.entry(a.to_string()).or_default().push(i),
                Side::Is(SpoofedUser::Domain(d)) => m.by_domain.entry(d.to_string()).or_default().push(i),
                Side::Any => {}
            }
            match entry.rule.infrastructure() {
                Side::Is(Infrastructure::Domain(d)) => m.by_infrastructure.entry(d.to_string()).or_default().push(i),
                Side::Is(Infrastructure::Range(r)) => m.by_range.entry(*r).or_default().push(i),
                Side::Any => {}
            }
        }
        m
    }

    /// The list this matcher was built from.
    pub fn list(&self) -> &'a TenantList {
        self.list
    }

    /// The message's spoof type: as the message says, else inferred from the list's accepted domains.
    pub fn spoof_type_of(&self, message: &Message) -> Option<SpoofType> {
        message.spoof_type.or_else(|| {
            (!self.list.accepted_domains.is_empty()).then(|| spoof_type_for(&self.list.accepted_domains, message.from.domain().as_str()))
        })
    }

    /// The entries that name the message's From or one of its infrastructures, each once, in file order.
    fn candidates(&self, message: &Message, out: &mut Vec<u32>) {
        out.clear();
        let mut add = |hits: Option<&Vec<u32>>| out.extend(hits.into_iter().flatten());
        if let Some(a) = message.from.address() {
            add(self.by_address.get(a));
        }
        add(self.by_domain.get(message.from.domain().as_str()));
        for host in message.ptr.iter().chain(&message.dkim_pass) {
            for parent in host.self_and_parents() {
                add(self.by_infrastructure.get(parent));
            }
        }
        if let Some(r) = message.range() {
            add(self.by_range.get(&r));
        }
        out.sort_unstable();
        out.dedup();
    }

    /// The verdict for one message, with near misses.
    pub fn evaluate(&self, message: &Message) -> Outcome<'a> {
        let mut scratch = Vec::new();
        self.evaluate_with(message, &mut scratch, true)
    }

    /// The verdict, reusing `scratch` between calls; near misses only when `near_misses` is true (observation
    /// files do not report them, and skip their cost).
    pub fn evaluate_with(&self, message: &Message, scratch: &mut Vec<u32>, near_misses: bool) -> Outcome<'a> {
        let spoof_type = self.spoof_type_of(message);
        self.candidates(message, scratch);
        let (mut block, mut allows, mut misses) = (None, Vec::new(), Vec::new());
        for &i in scratch.iter() {
            let entry = &self.list.entries[i as usize];
            let c = check(entry, message, spoof_type);
            let failed = match (c.spoofed, c.infrastructure.is_some(), c.spoof_type) {
                (true, true, true) => None,
                (true, true, false) => Some(Failed::Type),
                (true, false, _) => Some(Failed::Infrastructure),
                (false, true, _) => Some(Failed::Spoofed),
                (false, false, _) => continue,
            };
            if let Some(failed) = failed {
                if near_misses {
                    misses.push(NearMiss { entry, failed, via: c.infrastructure });
                }
                continue;
            }
            match entry.action() {
                Action::Block if block.is_none() => block = Decision::from_full_match(entry, c),
                Action::Block => {}
                Action::Allow => allows.extend(Decision::from_full_match(entry, c)),
            }
        }
        let mut allows = allows.into_iter();
        let (verdict, overridden) = match block {
            Some(b) => (Verdict::Block(b), allows.map(|d| d.entry).collect()),
            None => (allows.next().map_or(Verdict::None, Verdict::Allow), Vec::new()),
        };
        Outcome { list: self.list, spoof_type, verdict, near_misses: misses, overridden }
    }
}
