//! `Message`: what spoofctl knows about one message, the input to matching.
//!
//! Built from `match` flags, from headers (`explain`) or from an observation row. Values are normalized the
//! same way as list values (lowercase, no trailing dot, punycode), but more leniently: a message's PTR may
//! be any host name, and a public suffix is not an error here, merely something no entry will name.

use std::fmt;
use std::net::IpAddr;

use crate::model::address::Address;
use crate::model::characters::{bad_char_error, first_bad_domain_char, printable};
use crate::model::diagnostic::{Code, ValueError};
use crate::model::domain::{Domain, mapped_char};
use crate::model::ipv4::Ipv4Slash24;
use crate::model::pair::SpoofedUser;
use crate::model::words::SpoofType;

/// A host name in normal form (lowercase ASCII, no trailing dot), for the message side of matching.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Host(String);

impl Host {
    /// Normalizes a host name: PTR hosts, DKIM `d=` domains, From domains.
    pub fn parse(raw: &str) -> Result<Host, ValueError> {
        let mut host = Host::empty();
        host.set(raw)?;
        Ok(host)
    }

    /// A host with no text, to read into with [`Host::set`].
    pub(crate) fn empty() -> Host {
        Host(String::new())
    }

    /// Normalizes `raw` into this host, reusing its buffer (observation files parse millions of hosts).
    /// On error the host is left empty.
    pub fn set(&mut self, raw: &str) -> Result<(), ValueError> {
        self.0.clear();
        normalize_host_into(raw, &mut self.0)
    }

    /// The host in normal form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The host's parent domains of two labels or more and the host itself, each with its number of labels,
    /// shortest first: `(2, "c.com")`, `(3, "b.c.com")`, `(4, "a.b.c.com")` (a top-level label alone is never
    /// an entry). Found from the right, one dot at a time: this runs for every host of every observation row.
    pub fn domains(&self) -> impl Iterator<Item = (usize, &str)> {
        let name = self.0.as_str();
        let last_dot = |s: &str| s.bytes().rposition(|b| b == b'.');
        // The dot before the domain to come: none once the whole host was given.
        let (mut before, mut labels) = (last_dot(name), 1);
        std::iter::from_fn(move || {
            let dot = before?;
            before = last_dot(&name[..dot]);
            labels += 1;
            Some((labels, &name[before.map_or(0, |d| d + 1)..]))
        })
    }

    /// The organizational domain (Public Suffix List): what Microsoft advises entering for a PTR host
    /// (TABL-SPOOF, "Domain pair syntax").
    pub fn organizational(&self) -> &str {
        // The domain is the host's tail (a host in normal form has no trailing dot): taken from the `str`
        // rather than checked as UTF-8 again, which `psl::domain_str` does for every uncovered row.
        let tail =
            |d: psl::Domain<'_>| self.0.len().checked_sub(d.as_bytes().len()).and_then(|start| self.0.get(start..));
        psl::domain(self.0.as_bytes()).and_then(tail).unwrap_or(&self.0)
    }
}

/// What a byte is in a plain ASCII host name, as bits: [`PLAIN`] (a lowercase letter, digit, `-` or `_`),
/// [`UPPER`] (an uppercase letter), [`DOT`], or [`BAD`] (anything else).
#[expect(clippy::cast_possible_truncation, reason = "b runs over 0..256, every value a u8")]
const HOST_CLASS: [u8; 256] = {
    let mut t = [BAD; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c == b'.' {
            t[b] = DOT;
        } else if c.is_ascii_uppercase() {
            t[b] = UPPER;
        } else if c.is_ascii_alphanumeric() || c == b'-' || c == b'_' {
            t[b] = PLAIN;
        }
        b += 1;
    }
    t
};
/// What a byte is in the local part of an address, as bits: [`UPPER`] (an uppercase letter), [`NON_ASCII`], or
/// [`BAD`] (ASCII white space, a control or `"`); 0 for the rest.
#[expect(clippy::cast_possible_truncation, reason = "b runs over 0..256, every value a u8")]
const LOCAL_CLASS: [u8; 256] = {
    let mut t = [0; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c <= b' ' || c == 0x7f || c == b'"' {
            BAD
        } else if c >= 0x80 {
            NON_ASCII
        } else if c.is_ascii_uppercase() {
            UPPER
        } else {
            0
        };
        b += 1;
    }
    t
};
const NON_ASCII: u8 = 0x40;
const PLAIN: u8 = 0x01;
const DOT: u8 = 0x02;
const UPPER: u8 = 0x04;
/// A dot right after a dot: an empty label (set while scanning, never in the table).
const DOT_DOT: u8 = 0x08;
const BAD: u8 = 0x80;

/// The classes of a plain host's bytes, or'ed together, with [`DOT_DOT`] for a dot after a dot (or a leading
/// or trailing one); `None` when the host needs the full path.
///
/// Plain hosts and From addresses read in this one pass save matching 40% of its instructions (BENCHMARKS.md).
fn plain_ascii_host(bytes: &[u8]) -> Option<u8> {
    // `previous` starts as a dot, so that a leading dot counts as an empty label.
    let (mut seen, mut previous) = (0u8, DOT);
    for &b in bytes {
        let class = HOST_CLASS[b as usize];
        seen |= class | ((class & previous & DOT) << 2);
        previous = class;
    }
    // No bytes, no label: the caller reports an empty host its own way.
    let trailing = if !bytes.is_empty() && previous == DOT { DOT_DOT } else { 0 };
    (seen & BAD == 0).then_some(seen | trailing)
}

/// Appends the normal form of host name `raw` to `out`: lowercase ASCII (punycode for Unicode), no trailing dot.
fn normalize_host_into(raw: &str, out: &mut String) -> Result<(), ValueError> {
    let trimmed = raw.strip_suffix('.').unwrap_or(raw);
    if trimmed.is_empty() {
        return Err(ValueError::new(
            Code::InvalidDomain,
            "the host name is empty",
            "give a host name such as `mail.contoso.com`",
        ));
    }
    if let Some(seen) = plain_ascii_host(trimmed.as_bytes()) {
        // The common case, in one pass over the bytes: plain ASCII letters, digits, `-`, `.`, `_`.
        if seen & DOT_DOT != 0 {
            return Err(ValueError::new(
                Code::InvalidDomain,
                format!("`{}` has an empty label", printable(raw)),
                "check the spelling",
            ));
        }
        let start = out.len();
        out.push_str(trimmed);
        if seen & UPPER != 0 {
            out[start..].make_ascii_lowercase();
        }
        return Ok(());
    }
    if let Some(c) = first_bad_domain_char(trimmed) {
        return Err(bad_char_error(raw, c, "host name"));
    }
    let start = out.len();
    if trimmed.is_ascii() {
        out.extend(trimmed.bytes().map(|b| b.to_ascii_lowercase() as char));
    } else {
        let ascii = idna::domain_to_ascii(trimmed).map_err(|_| {
            ValueError::new(
                Code::InvalidDomain,
                format!("`{}` is not a valid host name", printable(raw)),
                "check the spelling",
            )
        })?;
        // IDNA maps full-width characters (`＄`, `＊`) to ASCII ones: check the result like plain input, and
        // refuse what IDNA2008 disallows, as a list's domains do (one rule: `domain::mapped_char`).
        if plain_ascii_host(ascii.as_bytes()).is_none_or(|seen| seen & DOT_DOT != 0) || mapped_char(trimmed).is_some() {
            return Err(ValueError::new(
                Code::InvalidCharacters,
                format!("`{}` is not a valid host name", printable(raw)),
                "check the spelling",
            ));
        }
        out.push_str(&ascii);
    }
    if out[start..].split('.').any(str::is_empty) {
        out.truncate(start);
        return Err(ValueError::new(
            Code::InvalidDomain,
            format!("`{}` has an empty label", printable(raw)),
            "check the spelling",
        ));
    }
    Ok(())
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
/// intelligence insight reports domains). Held as one normalized string, `local@domain` or `domain`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sender {
    text: String,
    /// Where the domain starts in `text` (0 when there is no local part).
    domain_at: usize,
}

impl Sender {
    /// Reads an address (`local@domain`) or a bare domain.
    pub fn parse(raw: &str) -> Result<Sender, ValueError> {
        let mut s = Sender::empty();
        s.set(raw)?;
        Ok(s)
    }

    /// A sender with no text, to read into with [`Sender::set`].
    pub fn empty() -> Sender {
        Sender { text: String::new(), domain_at: 0 }
    }

    /// Reads `raw` into this sender, reusing its buffer.
    pub fn set(&mut self, raw: &str) -> Result<(), ValueError> {
        self.text.clear();
        self.domain_at = 0;
        // The last `@` (this runs for every observation row).
        let Some(at) = memchr::memrchr(b'@', raw.as_bytes()) else {
            return normalize_host_into(raw, &mut self.text);
        };
        let (local, domain) = (&raw[..at], &raw[at + 1..]);
        // White space, controls and `"`: ASCII ones by their bytes, in one pass that also notes uppercase and
        // non-ASCII bytes; the rest by their characters.
        let seen = local.bytes().fold(0, |seen, b| seen | LOCAL_CLASS[b as usize]);
        let bad = |c: char| c.is_whitespace() || c.is_control() || c == '"';
        if local.is_empty() || seen & BAD != 0 || (seen & NON_ASCII != 0 && local.chars().any(bad)) {
            return Err(ValueError::new(
                Code::InvalidAddress,
                format!("`{}` is not an address", printable(raw)),
                "give the From address, e.g. `payroll@contoso.com`",
            ));
        }
        // The common case, a plain ASCII domain without a trailing dot: the address as it is, in one copy.
        if let Some(domain_seen) =
            plain_ascii_host(domain.as_bytes()).filter(|seen| seen & DOT_DOT == 0 && !domain.is_empty())
        {
            self.text.push_str(raw);
            if (seen | domain_seen) & UPPER != 0 {
                self.text.make_ascii_lowercase();
            }
            self.domain_at = at + 1;
            return Ok(());
        }
        self.text.push_str(local);
        if seen & UPPER != 0 {
            self.text.make_ascii_lowercase();
        }
        self.text.push('@');
        self.domain_at = self.text.len();
        normalize_host_into(domain, &mut self.text).map_err(|e| ValueError { code: Code::InvalidAddress, ..e })
    }

    /// The address (or the domain alone), in normal form.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The domain, in normal form.
    pub fn domain(&self) -> &str {
        &self.text[self.domain_at..]
    }

    /// The address, when known.
    pub fn address(&self) -> Option<&str> {
        (self.domain_at > 0).then_some(self.text.as_str())
    }

    /// True when a list's spoofed user matches this sender: an address equals the address; a domain equals
    /// the domain, not its subdomains (spoofctl's model; the service does not document it).
    pub fn matches(&self, user: &SpoofedUser) -> bool {
        match user {
            SpoofedUser::Domain(d) => self.domain() == d.as_str(),
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
        f.write_str(&self.text)
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

    /// The /24 of the connecting IP, when it is IPv4, including an IPv4 address written in IPv6 form
    /// (`::ffff:203.0.113.5`): otherwise writing an address that way would slip past a /24 block.
    pub fn range(&self) -> Option<Ipv4Slash24> {
        match self.ip {
            Some(IpAddr::V4(ip)) => Some(Ipv4Slash24::of(ip)),
            Some(IpAddr::V6(ip)) => ip.to_ipv4_mapped().map(Ipv4Slash24::of),
            None => None,
        }
    }
}

/// A message's infrastructure as the service reports it in a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceInfrastructure<'m> {
    /// The PTR's organizational domain (or the one an observation reported).
    Domain(&'m str),
    /// The /24 of the connecting IPv4 address, when there is no PTR.
    Range(Ipv4Slash24),
}

impl fmt::Display for ServiceInfrastructure<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServiceInfrastructure::Domain(d) => f.write_str(d),
            ServiceInfrastructure::Range(r) => r.fmt(f),
        }
    }
}

impl Message {
    /// The infrastructure of the pair the service sees for this message: the PTR's organizational domain,
    /// else the connecting IP's /24 (TABL-SPOOF, "Domain pair syntax"; Get-SpoofMailReport's "True
    /// Sender"). `None` when the message shows neither.
    pub fn service_infrastructure(&self) -> Option<ServiceInfrastructure<'_>> {
        match (&self.ptr, self.range()) {
            (Some(ptr), _) if self.ptr_is_organizational => Some(ServiceInfrastructure::Domain(ptr.as_str())),
            (Some(ptr), _) => Some(ServiceInfrastructure::Domain(ptr.organizational())),
            (None, Some(r)) => Some(ServiceInfrastructure::Range(r)),
            (None, None) => None,
        }
    }

    /// Appends `spoofed via infrastructure` as the service would report it to `out`, without allocating: the
    /// tally does this for every uncovered row, and a batch of rows keeps its pairs one after the other.
    pub fn push_service_pair(&self, out: &mut String) {
        use std::fmt::Write as _;
        out.push_str(self.from.domain());
        out.push_str(" via ");
        match self.service_infrastructure() {
            Some(ServiceInfrastructure::Domain(d)) => out.push_str(d),
            Some(ServiceInfrastructure::Range(r)) => drop(write!(out, "{r}")),
            None => out.push_str("(no infrastructure)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names of a host looked up in the index: itself and its parents, never a top-level label alone.
    #[test]
    fn domains_of_a_host() {
        let cases: &[(&str, &[(usize, &str)])] = &[
            ("mail.tms.mx.com", &[(2, "mx.com"), (3, "tms.mx.com"), (4, "mail.tms.mx.com")]),
            ("contoso.com", &[(2, "contoso.com")]),
            ("localhost", &[]),
        ];
        for (host, want) in cases {
            let host = Host::parse(host).expect("host");
            let got: Vec<(usize, &str)> = host.domains().collect();
            assert_eq!(&got, want, "{host}");
        }
    }

    /// Uppercase is noted only for uppercase letters, so that a lowercase host is not lowercased again.
    #[test]
    fn uppercase_is_noted_only_for_uppercase_letters() {
        for (host, upper) in
            [("mail.contoso.com", false), ("a-1_b.c9", false), ("Mail.contoso.com", true), ("mail.contosO", true)]
        {
            assert_eq!(plain_ascii_host(host.as_bytes()).map(|seen| seen & UPPER != 0), Some(upper), "{host}");
        }
    }

    /// The one-pass check of plain hosts: what is plain, and where a label is empty.
    #[test]
    fn plain_hosts_and_empty_labels() {
        let cases: &[(&str, Option<bool>)] = &[
            ("mail.contoso.com", Some(false)),
            ("MX-1_a.Contoso.com", Some(false)),
            ("a..b", Some(true)),
            (".a.b", Some(true)),
            ("a.b.", Some(true)),
            ("", Some(false)),
            ("a b.com", None),
            ("bücher.de", None),
            ("a*.com", None),
        ];
        for (host, want) in cases {
            assert_eq!(plain_ascii_host(host.as_bytes()).map(|seen| seen & DOT_DOT != 0), *want, "{host}");
        }
    }
}
