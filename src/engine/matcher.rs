//! Matching: a list's verdict for a message, the entry that decides it, and the near misses.
//!
//! A [`Matcher`] indexes a validated list once: by spoofed address, spoofed domain, infrastructure domain and
//! /24. Every entry has at least one concrete side (a double wildcard cannot be built), so every entry is
//! reachable from a concrete value of the message; the candidates for a message are the entries that name its
//! From or one of its infrastructures, never a scan of the list. For a verdict alone (no near misses), the
//! infrastructure is looked up only among the entries whose spoofed user is `*`: any other entry can decide
//! only if it names the From, which finds it. Each candidate is then checked on both sides by [`check`], and
//! [`Decision`] can only be made from a check in which both sides matched: that is the only road to an
//! `allow`.
//!
//! Rules (product spec, "Matching model"; README, "Matching model"): an entry matches when both sides match
//! and its type equals the message's type where known; block beats allow (TABL-ABOUT).

use std::hash::{BuildHasher, Hash, Hasher};

use foldhash::HashMap;
use foldhash::fast::FixedState;

use crate::model::domain::is_self_or_parent;
use crate::model::entry::{Entry, TenantList, spoof_type_for};
use crate::model::ipv4::Ipv4Slash24;
use crate::model::message::{Host, Message};
use crate::model::pair::{Infrastructure, Side, SpoofedUser};
use crate::model::words::{Action, SpoofType};

/// A validated list, indexed for matching. Built once; cannot change.
///
/// An index maps a 64-bit hash of each name (spoofed address, spoofed domain, infrastructure domain, /24)
/// to the entries that name it. A hash collision only adds a candidate: every candidate is then checked on
/// both sides by [`check`], the only road to a verdict.
#[derive(Debug)]
pub struct Matcher<'a> {
    list: &'a TenantList,
    hasher: FixedState,
    /// Every entry, by the names on both sides.
    all: Names,
    /// The entries whose spoofed user is `*`, by their infrastructure: for a verdict alone, any other entry
    /// is found by the From. Saves 6% of matching's instructions (BENCHMARKS.md).
    any_spoofed: Names,
    /// Entries narrower than an observed pair on a side ([`Key::Below`], [`Key::AddressIn`]), by hash: for
    /// [`Outcome::partly`].
    narrower: HashMap<u64, Vec<u32>>,
}

/// One index of names to entries, with what kinds of names it holds.
#[derive(Debug, Default)]
struct Names {
    index: HashMap<u64, Postings>,
    postings: Vec<u32>,
    /// Bit `n` is set when an entry's infrastructure is a domain of `n` labels (63 for 63 or more): a host's
    /// parents of other lengths are not looked up. With `addresses` and `ranges`, saves 4.5% of matching's
    /// instructions (BENCHMARKS.md).
    infrastructure_labels: u64,
    /// Some entry's spoofed user is an address: otherwise the From address is not looked up.
    addresses: bool,
    /// Some entry's infrastructure is a /24: otherwise the connecting IP is not looked up.
    ranges: bool,
}

/// The bit of [`Names::infrastructure_labels`] for a domain of `labels` labels.
fn labels_bit(labels: usize) -> u64 {
    1 << labels.min(63)
}

impl Names {
    /// Indexes `entries` (each with its place in the list) by their infrastructure, and by their spoofed user
    /// when `by_spoofed`.
    #[expect(
        clippy::cast_possible_truncation,
        reason = "an index holds at most a few entries per name of a list of at most 1024 entries (100,000 in benchmarks): far below u32::MAX"
    )]
    fn new<'e>(hasher: &FixedState, entries: impl Iterator<Item = (u32, &'e Entry)>, by_spoofed: bool) -> Names {
        let mut names = Names::default();
        let mut keyed: Vec<(u64, u32)> = Vec::new();
        for (i, entry) in entries {
            let spoofed = match entry.rule.spoofed() {
                _ if !by_spoofed => None,
                Side::Is(SpoofedUser::Address(a)) => {
                    names.addresses = true;
                    Some(hasher.hash_one(Key::Address(&a.to_string())))
                }
                Side::Is(SpoofedUser::Domain(d)) => Some(hasher.hash_one(Key::Domain(d.as_str()))),
                Side::Any => None,
            };
            let infrastructure = match entry.rule.infrastructure() {
                Side::Is(Infrastructure::Domain(d)) => {
                    names.infrastructure_labels |= labels_bit(d.as_str().split('.').count());
                    Some(hasher.hash_one(Key::Infrastructure(d.as_str())))
                }
                Side::Is(Infrastructure::Range(r)) => {
                    names.ranges = true;
                    Some(hasher.hash_one(Key::Range(*r)))
                }
                Side::Any => None,
            };
            keyed.extend(spoofed.into_iter().chain(infrastructure).map(|h| (h, i)));
        }
        keyed.sort_unstable();
        keyed.dedup();
        names.index = HashMap::with_capacity_and_hasher(keyed.len(), Default::default());
        names.postings = keyed.iter().map(|(_, i)| *i).collect();
        for (at, (hash, _)) in keyed.iter().enumerate() {
            names.index.entry(*hash).and_modify(|p| p.len += 1).or_insert(Postings { start: at as u32, len: 1 });
        }
        names
    }

    /// Adds the entries that name `key` to `out`.
    #[inline(always)]
    fn look_up(&self, hasher: &FixedState, key: Key<'_>, out: &mut Vec<u32>) {
        if let Some(p) = self.index.get(&hasher.hash_one(key)) {
            out.extend_from_slice(&self.postings[p.start as usize..(p.start + p.len) as usize]);
        }
    }

    /// Adds the entries that name one of the message's infrastructures to `out`.
    fn look_up_infrastructure(&self, hasher: &FixedState, message: &Message, out: &mut Vec<u32>) {
        for host in message.ptr.iter().chain(&message.dkim_pass) {
            // Shortest first, and only as long as some entry's domain is: a parent with a number of labels no
            // entry's domain has is not looked up.
            for (labels, parent) in host.domains() {
                let bit = labels_bit(labels);
                if self.infrastructure_labels & bit != 0 {
                    self.look_up(hasher, Key::Infrastructure(parent), out);
                } else if self.infrastructure_labels < bit {
                    break;
                }
            }
        }
        if let Some(r) = message.range().filter(|_| self.ranges) {
            self.look_up(hasher, Key::Range(r), out);
        }
    }
}

/// Where the entries naming one key sit in `postings`.
#[derive(Debug, Clone, Copy)]
struct Postings {
    start: u32,
    len: u32,
}

/// Which index a name is looked up in: the same text means different things on each side.
#[derive(Debug, Clone, Copy)]
enum Key<'s> {
    Address(&'s str),
    Domain(&'s str),
    Infrastructure(&'s str),
    Range(Ipv4Slash24),
    /// A parent of an entry's infrastructure domain, the entry's domain itself left out (`mx.com` for
    /// `tms.mx.com`): an observed organizational domain finds the entries below it.
    Below(&'s str),
    /// The domain of an entry's spoofed address: an observed domain finds the address entries in it.
    AddressIn(&'s str),
}

impl Hash for Key<'_> {
    /// The name, then its kind: one write fewer than a derived hash, which writes the kind first and then an
    /// end marker after the text. (Equal hashes of different names only add a candidate: see [`Matcher`].)
    fn hash<H: Hasher>(&self, state: &mut H) {
        let (text, kind) = match self {
            Key::Address(s) => (s, 0),
            Key::Domain(s) => (s, 1),
            Key::Infrastructure(s) => (s, 2),
            Key::Below(s) => (s, 3),
            Key::AddressIn(s) => (s, 4),
            Key::Range(r) => return r.hash(state),
        };
        state.write(text.as_bytes());
        state.write_u8(kind);
    }
}

/// How the infrastructure side of an entry matched. Refers into the message rather than copying from it:
/// matching runs for every row of large files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The PTR host is the entry's domain or below it.
    Ptr,
    /// The passing DKIM signature at this index of `dkim_pass` is for the entry's domain or below it.
    Dkim(usize),
    /// The connecting IP is inside the entry's /24.
    Ip(Ipv4Slash24),
    /// The entry's infrastructure is `*` (blocks only).
    Any,
}

impl Via {
    /// In words, naming the message's host or range: `PTR mail.tms.mx.com`.
    pub fn describe(self, message: &Message) -> String {
        match self {
            Via::Ptr => format!("PTR {}", message.ptr.as_ref().map_or("?", |h| h.as_str())),
            Via::Dkim(i) => format!("passing DKIM d={}", message.dkim_pass.get(i).map_or("?", |h| h.as_str())),
            Via::Ip(r) => format!("connecting IP in {r}"),
            Via::Any => "any infrastructure (*)".to_string(),
        }
    }

    /// The message's host that matched, for `Ptr` and `Dkim`.
    pub fn host(self, message: &Message) -> Option<&Host> {
        match self {
            Via::Ptr => message.ptr.as_ref(),
            Via::Dkim(i) => message.dkim_pass.get(i),
            Via::Ip(_) | Via::Any => None,
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
            if message.ptr.as_ref().is_some_and(under) {
                Some(Via::Ptr)
            } else {
                message.dkim_pass.iter().position(under).map(Via::Dkim)
            }
        }
    };
    Check { spoofed, infrastructure, spoof_type: message_type.is_none_or(|t| t == entry.spoof_type) }
}

/// True when `entry` matches part of `message`, an observed pair: on each side it matches as for a verdict,
/// or is narrower than the pair's side (an address in its spoofed domain; a domain below its organizational
/// domain), and narrower on one side at least. See [`Matcher::partly`].
fn partly_matches(entry: &Entry, message: &Message, spoof_type: Option<SpoofType>) -> bool {
    let full = check(entry, message, spoof_type);
    let spoofed = match entry.rule.spoofed() {
        _ if full.spoofed => Some(false),
        Side::Is(SpoofedUser::Address(a)) => (message.from.address().is_none()
            && a.domain().as_str().eq_ignore_ascii_case(message.from.domain()))
        .then_some(true),
        _ => None,
    };
    let infrastructure = match (entry.rule.infrastructure(), &message.ptr) {
        _ if full.infrastructure.is_some() => Some(false),
        (Side::Is(Infrastructure::Domain(d)), Some(ptr)) => (message.ptr_is_organizational
            && is_self_or_parent(ptr.as_str(), d.as_str())
            && !ptr.as_str().eq_ignore_ascii_case(d.as_str()))
        .then_some(true),
        _ => None,
    };
    full.spoof_type && matches!((spoofed, infrastructure), (Some(a), Some(b)) if a || b)
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
    pub fn via(&self) -> Via {
        self.via
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
    /// With no verdict, for an observed pair coarser than an entry: the first entry that matches part of it
    /// ([`Matcher::partly`]). Never an allow: the verdict stays `None`.
    pub partly: Option<&'a Entry>,
}

impl Outcome<'_> {
    /// `allow`, `block`, `none`, or `partly` for a `None` verdict with an entry that matches part of the pair.
    pub fn word(&self) -> &'static str {
        match (&self.verdict, self.partly) {
            (Verdict::None, Some(_)) => "partly",
            (verdict, _) => verdict.word(),
        }
    }
}

impl<'a> Matcher<'a> {
    /// Indexes a validated list.
    #[expect(
        clippy::cast_possible_truncation,
        reason = "a list holds at most a few hundred thousand entries: far below u32::MAX"
    )]
    pub fn new(list: &'a TenantList) -> Matcher<'a> {
        let hasher = FixedState::with_seed(0x5b00_fc71);
        let numbered = || list.entries.iter().enumerate().map(|(i, e)| (i as u32, e));
        let all = Names::new(&hasher, numbered(), true);
        let any_spoofed = Names::new(&hasher, numbered().filter(|(_, e)| matches!(e.rule.spoofed(), Side::Any)), false);
        let mut narrower: HashMap<u64, Vec<u32>> = HashMap::default();
        for (i, entry) in numbered() {
            if let Side::Is(SpoofedUser::Address(a)) = entry.rule.spoofed() {
                narrower.entry(hasher.hash_one(Key::AddressIn(a.domain().as_str()))).or_default().push(i);
            }
            if let Side::Is(Infrastructure::Domain(d)) = entry.rule.infrastructure() {
                let d = d.as_str();
                // Each parent of two labels or more: a report's organizational domain is never a bare TLD.
                for (at, _) in d.match_indices('.').filter(|(at, _)| d[at + 1..].contains('.')) {
                    narrower.entry(hasher.hash_one(Key::Below(&d[at + 1..]))).or_default().push(i);
                }
            }
        }
        Matcher { list, hasher, all, any_spoofed, narrower }
    }

    /// The first entry (in file order) that matches part of an observed pair whose side is coarser than the
    /// entry's: an organizational domain `mx.com` with an entry via `tms.mx.com`, a spoofed domain with an entry
    /// for one of its addresses. The other side must match as it would for a verdict, and the type too. Never
    /// a verdict: what part of the pair the entry covers is unknown.
    fn partly(&self, message: &Message, spoof_type: Option<SpoofType>, scratch: &mut Vec<u32>) -> Option<&'a Entry> {
        let organizational = message.ptr.as_ref().filter(|_| message.ptr_is_organizational);
        let domain_only = message.from.address().is_none();
        if self.narrower.is_empty() || (organizational.is_none() && !domain_only) {
            return None;
        }
        scratch.clear();
        let keys = organizational.map(|h| Key::Below(h.as_str())).into_iter();
        for key in keys.chain(domain_only.then(|| Key::AddressIn(message.from.domain()))) {
            scratch.extend(self.narrower.get(&self.hasher.hash_one(key)).into_iter().flatten());
        }
        scratch.sort_unstable();
        scratch.iter().map(|&i| &self.list.entries[i as usize]).find(|e| partly_matches(e, message, spoof_type))
    }

    /// The list this matcher was built from.
    pub fn list(&self) -> &'a TenantList {
        self.list
    }

    /// The message's spoof type: as the message says, else inferred from the list's accepted domains.
    pub fn spoof_type_of(&self, message: &Message) -> Option<SpoofType> {
        message.spoof_type.or_else(|| {
            (!self.list.accepted_domains.is_empty())
                .then(|| spoof_type_for(&self.list.accepted_domains, message.from.domain()))
        })
    }

    /// The entries that name the message's From, and those that name one of its infrastructures (only those
    /// whose spoofed user is `*` unless `near_misses`), each once, in file order.
    fn candidates(&self, message: &Message, out: &mut Vec<u32>, near_misses: bool) {
        out.clear();
        let all = &self.all;
        if let Some(a) = message.from.address().filter(|_| all.addresses) {
            all.look_up(&self.hasher, Key::Address(a), out);
        }
        all.look_up(&self.hasher, Key::Domain(message.from.domain()), out);
        let by_infrastructure = if near_misses { all } else { &self.any_spoofed };
        if !by_infrastructure.postings.is_empty() {
            by_infrastructure.look_up_infrastructure(&self.hasher, message, out);
        }
        if out.len() > 1 {
            out.sort_unstable();
            out.dedup();
        }
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
        self.candidates(message, scratch, near_misses);
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
        let partly = match verdict {
            Verdict::None => self.partly(message, spoof_type, scratch),
            _ => None,
        };
        Outcome { list: self.list, spoof_type, verdict, near_misses: misses, overridden, partly }
    }
}
