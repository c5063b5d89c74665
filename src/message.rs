//! `Message`: what spoofctl knows about one message, the input to matching.
//!
//! Built from `match` flags, from headers (`explain`) or from an observation row. Values are normalized the
//! same way as list values (lowercase, no trailing dot, punycode), but more leniently: a message's PTR may
//! be any host name, and a public suffix is not an error here, merely something no entry will name.

use std::fmt;
use std::net::IpAddr;

use crate::address::Address;
use crate::diagnostic::{Code, ValueError};
use crate::domain::Domain;
use crate::ipv4::Ipv4Slash24;
use crate::pair::{SpoofType, SpoofedUser};
use crate::text::{bad_char_error, first_bad_domain_char, printable};

/// A host name in normal form (lowercase ASCII, no trailing dot), for the message side of matching.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Host(String);

impl Host {
    /// Normalizes a host name: PTR hosts, DKIM `d=` domains, From domains.
    pub fn parse(raw: &str) -> Result<Host, ValueError> {
        let trimmed = raw.strip_suffix('.').unwrap_or(raw);
        if trimmed.is_empty() {
            return Err(ValueError::new(Code::InvalidDomain, "the host name is empty", "give a host name such as `mail.contoso.com`"));
        }
        if let Some(c) = first_bad_domain_char(trimmed) {
            return Err(bad_char_error(raw, c, "host name"));
        }
        let ascii = if trimmed.is_ascii() {
            trimmed.to_ascii_lowercase()
        } else {
            idna::domain_to_ascii(trimmed).map_err(|_| {
                ValueError::new(Code::InvalidDomain, format!("`{}` is not a valid host name", printable(raw)), "check the spelling")
            })?
        };
        if ascii.split('.').any(str::is_empty) {
            return Err(ValueError::new(Code::InvalidDomain, format!("`{}` has an empty label", printable(raw)), "check the spelling"));
        }
        Ok(Host(ascii))
    }

    /// The host in normal form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The host and each parent domain, longest first: `a.b.c.com`, `b.c.com`, `c.com`, `com`.
    pub fn self_and_parents(&self) -> impl Iterator<Item = &str> {
        let s = self.0.as_str();
        std::iter::once(s).chain(s.match_indices('.').map(move |(i, _)| &s[i + 1..]))
    }

    /// The organizational domain (Public Suffix List): what Microsoft advises entering for a PTR host
    /// (TABL-SPOOF, "Domain pair syntax").
    pub fn organizational(&self) -> &str {
        psl::domain_str(&self.0).unwrap_or(&self.0)
    }
}

impl From<&Domain> for Host {
    fn from(d: &Domain) -> Host {
        Host(d.as_str().to_string())
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The 5322.From sender of a message: an address, or only a domain when that is all a source says (the spoof
/// intelligence insight reports domains).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Sender {
    /// A full address: address entries and domain entries can match.
    Address {
        /// `local@domain`, lowercase.
        address: String,
        /// The domain part.
        domain: Host,
    },
    /// Only the domain is known: only domain entries can match.
    Domain(Host),
}

impl Sender {
    /// Reads an address (`local@domain`) or a bare domain.
    pub fn parse(raw: &str) -> Result<Sender, ValueError> {
        match raw.rsplit_once('@') {
            Some((local, domain)) => {
                if local.is_empty() || local.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"') {
                    return Err(ValueError::new(
                        Code::InvalidAddress,
                        format!("`{}` is not an address", printable(raw)),
                        "give the From address, e.g. `payroll@contoso.com`",
                    ));
                }
                let domain = Host::parse(domain).map_err(|e| ValueError { code: Code::InvalidAddress, ..e })?;
                Ok(Sender::Address { address: format!("{}@{}", local.to_ascii_lowercase(), domain), domain })
            }
            None => Host::parse(raw).map(Sender::Domain),
        }
    }

    /// The domain.
    pub fn domain(&self) -> &Host {
        match self {
            Sender::Address { domain, .. } | Sender::Domain(domain) => domain,
        }
    }

    /// The address, when known.
    pub fn address(&self) -> Option<&str> {
        match self {
            Sender::Address { address, .. } => Some(address),
            Sender::Domain(_) => None,
        }
    }

    /// True when a list's spoofed user matches this sender: an address equals the address; a domain equals
    /// the domain, not its subdomains (spoofctl's model; the service does not document it).
    pub fn matches(&self, user: &SpoofedUser) -> bool {
        match user {
            SpoofedUser::Domain(d) => self.domain().as_str() == d.as_str(),
            SpoofedUser::Address(a) => self.address().is_some_and(|s| same_address(s, a)),
        }
    }
}

fn same_address(s: &str, a: &Address) -> bool {
    s.len() == a.local().len() + 1 + a.domain().as_str().len()
        && s.starts_with(a.local())
        && s[a.local().len()..].strip_prefix('@') == Some(a.domain().as_str())
}

impl fmt::Display for Sender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Sender::Address { address, .. } => f.write_str(address),
            Sender::Domain(d) => d.fmt(f),
        }
    }
}

/// One message, as matching sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The 5322.From sender.
    pub from: Sender,
    /// The PTR host of the connecting IP, if it has one (or the organizational domain an observation reports).
    pub ptr: Option<Host>,
    /// The connecting IP. Only IPv4 can match an entry: spoof entries are IPv4 /24 ranges.
    pub ip: Option<IpAddr>,
    /// The domains of DKIM signatures that passed. Failed signatures are never listed here.
    pub dkim_pass: Vec<Host>,
    /// The spoof type, when the source says it; otherwise the tenant's accepted domains decide.
    pub spoof_type: Option<SpoofType>,
    /// True when `ptr` is already the organizational domain the service reported (an observation's sending
    /// infrastructure), not a host name.
    pub ptr_is_organizational: bool,
}

impl Message {
    /// A message from `from` with no infrastructure known yet.
    pub fn from(from: Sender) -> Message {
        Message { from, ptr: None, ip: None, dkim_pass: Vec::new(), spoof_type: None, ptr_is_organizational: false }
    }

    /// The /24 of the connecting IP, when it is IPv4.
    pub fn range(&self) -> Option<Ipv4Slash24> {
        match self.ip {
            Some(IpAddr::V4(ip)) => Some(Ipv4Slash24::of(ip)),
            _ => None,
        }
    }
}

impl Message {
    /// The pair the service sees for this message, as spoof intelligence reports it: the From domain, and as
    /// infrastructure the PTR's organizational domain, else the connecting IP's /24 (TABL-SPOOF, "Domain pair
    /// syntax"; Get-SpoofMailReport's "True Sender"). `None` when the message shows no infrastructure.
    pub fn service_pair(&self) -> Option<(&str, String)> {
        let infra = match (&self.ptr, self.range()) {
            (Some(ptr), _) if self.ptr_is_organizational => ptr.to_string(),
            (Some(ptr), _) => ptr.organizational().to_string(),
            (None, Some(r)) => r.to_string(),
            (None, None) => return None,
        };
        Some((self.from.domain().as_str(), infra))
    }
}
