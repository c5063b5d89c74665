//! The pair: a spoofed user and a sending infrastructure, and the rule that allows or blocks it.
//!
//! This module is where the promise lives: an [`Rule::Allow`] holds a [`Pair`], and a `Pair` holds a concrete
//! [`SpoofedUser`] and a concrete [`Infrastructure`]. There is no wildcard in either type, so an allow with `*`
//! on either side cannot be built. Wildcards exist only inside [`Block`], and never on both sides.
//! Source: TABL-SPOOF, "Domain pair syntax for spoofed sender entries"; spoofctl forbids the wildcard allows
//! that the service would accept (see `tabl-spoof-facts.md`).

use std::cmp::Ordering;
use std::fmt;

use crate::model::address::Address;
use crate::model::characters::printable;
use crate::model::diagnostic::{Code, ValueError};
use crate::model::domain::Domain;
use crate::model::ipv4::Ipv4Slash24;
pub use crate::model::words::{Action, SpoofType, WILDCARD, Word};

/// The 5322.From sender an entry is about: a whole domain or one address. Never a wildcard.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SpoofedUser {
    /// Every address of exactly this domain (not its subdomains).
    Domain(Domain),
    /// One address.
    Address(Address),
}

impl SpoofedUser {
    /// Parses a domain or an address (`*` is not a spoofed user: see [`Side::parse_spoofed`]).
    pub fn parse(raw: &str) -> Result<SpoofedUser, ValueError> {
        if raw.contains('@') {
            return Address::parse(raw).map(SpoofedUser::Address);
        }
        if Ipv4Slash24::looks_like_ip(raw) {
            return Err(ValueError::new(
                Code::InvalidDomain,
                format!("`{}` is an IP: the spoofed user is the From domain or address", printable(raw)),
                "put the IP range in `infrastructure`, and the From domain in `spoofed`",
            ));
        }
        Domain::parse(raw).map(SpoofedUser::Domain)
    }

    /// The domain: the entry's domain, or the address's domain.
    pub fn domain(&self) -> &Domain {
        match self {
            SpoofedUser::Domain(d) => d,
            SpoofedUser::Address(a) => a.domain(),
        }
    }

    /// True when every message this spoofed user matches is also matched by `self`: equal, or `self` is the
    /// domain of the address `other`.
    pub fn covers(&self, other: &SpoofedUser) -> bool {
        match (self, other) {
            (SpoofedUser::Domain(d), SpoofedUser::Address(a)) => a.domain() == d,
            _ => self == other,
        }
    }

    fn sort_key(&self) -> (&Domain, Option<&str>) {
        match self {
            SpoofedUser::Domain(d) => (d, None),
            SpoofedUser::Address(a) => (a.domain(), Some(a.local())),
        }
    }
}

/// Canonical order groups by domain: a domain entry, then its addresses.
impl Ord for SpoofedUser {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for SpoofedUser {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for SpoofedUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpoofedUser::Domain(d) => d.fmt(f),
            SpoofedUser::Address(a) => a.fmt(f),
        }
    }
}

/// The sending infrastructure: a PTR or DKIM domain, or an IPv4 /24. Never a wildcard.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Infrastructure {
    /// A PTR organizational domain or a verified DKIM domain (TABL-SPOOF). Covers hosts below it.
    Domain(Domain),
    /// The /24 of the connecting IP, for senders without a PTR record (TABL-SPOOF).
    Range(Ipv4Slash24),
}

impl Infrastructure {
    /// Parses a domain or an IPv4 /24 (`*` is not an infrastructure: see [`Side::parse_infrastructure`]).
    pub fn parse(raw: &str) -> Result<Infrastructure, ValueError> {
        if raw.contains('@') {
            return Err(ValueError::new(
                Code::InvalidDomain,
                format!(
                    "`{}` is an address: the infrastructure is a PTR domain, a DKIM domain or an IPv4 /24",
                    printable(raw)
                ),
                "put the address in `spoofed`, and the sending host's domain in `infrastructure`",
            ));
        }
        if Ipv4Slash24::looks_like_ip(raw) {
            let range = Ipv4Slash24::parse(raw)?;
            return match range.special_use() {
                None => Ok(Infrastructure::Range(range)),
                Some(special) => Err(ValueError::new(
                    Code::SpecialIpRange,
                    format!(
                        "{range} is inside {}/{}, {}: mail from the internet never comes from it",
                        special.network, special.prefix, special.name
                    ),
                    "use the public address the sender's mail reaches Microsoft 365 from (the CIP of its antispam report), \
                     or its PTR or DKIM domain",
                )),
            };
        }
        Domain::parse(raw).map(Infrastructure::Domain)
    }

    /// True when every message `other` matches is also matched by `self`: a domain covers its subdomains, a
    /// range covers itself.
    pub fn covers(&self, other: &Infrastructure) -> bool {
        match (self, other) {
            (Infrastructure::Domain(a), Infrastructure::Domain(b)) => a.is_self_or_parent_of(b),
            _ => self == other,
        }
    }
}

impl fmt::Display for Infrastructure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Infrastructure::Domain(d) => d.fmt(f),
            Infrastructure::Range(r) => r.fmt(f),
        }
    }
}

/// One side of an entry as written: a concrete value or the wildcard `*` (which matches anything).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side<T> {
    /// `*`. Sorts first.
    Any,
    /// A concrete value.
    Is(T),
}

impl Side<SpoofedUser> {
    /// Parses `*` or a spoofed user.
    pub fn parse_spoofed(raw: &str) -> Result<Self, ValueError> {
        if raw == WILDCARD { Ok(Side::Any) } else { SpoofedUser::parse(raw).map(Side::Is) }
    }
}

impl Side<Infrastructure> {
    /// Parses `*` or an infrastructure.
    pub fn parse_infrastructure(raw: &str) -> Result<Self, ValueError> {
        if raw == WILDCARD { Ok(Side::Any) } else { Infrastructure::parse(raw).map(Side::Is) }
    }
}

impl<T> Side<T> {
    /// The concrete value, if any.
    pub fn concrete(&self) -> Option<&T> {
        match self {
            Side::Any => None,
            Side::Is(t) => Some(t),
        }
    }
}

impl<T: fmt::Display> fmt::Display for Side<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Side::Any => f.write_str(WILDCARD),
            Side::Is(t) => t.fmt(f),
        }
    }
}

/// A concrete pair: both sides named. The only thing an allow can hold.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pair {
    /// The From sender.
    pub spoofed: SpoofedUser,
    /// The sending infrastructure.
    pub infrastructure: Infrastructure,
}

/// What a block entry covers: a concrete pair, or a wildcard on one side (never both).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Block {
    /// Both sides named.
    Pair(Pair),
    /// `*` as the spoofed user: every sender via this infrastructure.
    AnySpoofed(Infrastructure),
    /// `*` as the infrastructure: this sender via any infrastructure.
    AnyInfrastructure(SpoofedUser),
}

/// An entry's rule: an allow of a concrete pair, or a block.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Rule {
    /// Let this exact pair through.
    Allow(Pair),
    /// Block what this covers.
    Block(Block),
}

/// Why a rule cannot be built from two sides and an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// An allow with `*` on either side: the domain alone or the infrastructure alone would grant delivery.
    #[error("an allow needs a concrete spoofed user and infrastructure")]
    AllowWildcard,
    /// `*` on both sides: the service refuses it, and it would block all mail.
    #[error("an entry cannot have `*` on both sides")]
    WildcardBothSides,
}

impl Rule {
    /// Builds a rule from two sides: the one way in from parsed input.
    pub fn new(
        action: Action,
        spoofed: Side<SpoofedUser>,
        infrastructure: Side<Infrastructure>,
    ) -> Result<Rule, RuleError> {
        match (action, spoofed, infrastructure) {
            (_, Side::Any, Side::Any) => Err(RuleError::WildcardBothSides),
            (Action::Allow, Side::Is(spoofed), Side::Is(infrastructure)) => {
                Ok(Rule::Allow(Pair { spoofed, infrastructure }))
            }
            (Action::Allow, _, _) => Err(RuleError::AllowWildcard),
            (Action::Block, Side::Is(spoofed), Side::Is(infrastructure)) => {
                Ok(Rule::Block(Block::Pair(Pair { spoofed, infrastructure })))
            }
            (Action::Block, Side::Any, Side::Is(i)) => Ok(Rule::Block(Block::AnySpoofed(i))),
            (Action::Block, Side::Is(s), Side::Any) => Ok(Rule::Block(Block::AnyInfrastructure(s))),
        }
    }

    /// Allow or block.
    pub fn action(&self) -> Action {
        match self {
            Rule::Allow(_) => Action::Allow,
            Rule::Block(_) => Action::Block,
        }
    }

    /// The spoofed side as written.
    pub fn spoofed(&self) -> Side<&SpoofedUser> {
        match self {
            Rule::Allow(p) | Rule::Block(Block::Pair(p)) => Side::Is(&p.spoofed),
            Rule::Block(Block::AnyInfrastructure(s)) => Side::Is(s),
            Rule::Block(Block::AnySpoofed(_)) => Side::Any,
        }
    }

    /// The infrastructure side as written.
    pub fn infrastructure(&self) -> Side<&Infrastructure> {
        match self {
            Rule::Allow(p) | Rule::Block(Block::Pair(p)) => Side::Is(&p.infrastructure),
            Rule::Block(Block::AnySpoofed(i)) => Side::Is(i),
            Rule::Block(Block::AnyInfrastructure(_)) => Side::Any,
        }
    }

    /// True when every message `other` matches is also matched by `self` (ignoring type and action).
    pub fn covers(&self, other: &Rule) -> bool {
        let spoofed = match (self.spoofed(), other.spoofed()) {
            (Side::Any, _) => true,
            (Side::Is(a), Side::Is(b)) => a.covers(b),
            (Side::Is(_), Side::Any) => false,
        };
        let infrastructure = match (self.infrastructure(), other.infrastructure()) {
            (Side::Any, _) => true,
            (Side::Is(a), Side::Is(b)) => a.covers(b),
            (Side::Is(_), Side::Any) => false,
        };
        spoofed && infrastructure
    }
}
