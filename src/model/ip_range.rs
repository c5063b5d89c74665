//! `IpRange`: an IP address range as the tenant's settings write one: a single address (`192.0.2.10`), a
//! CIDR range (`192.0.2.0/24`) or a first-last range (`192.0.2.1-192.0.2.254`).
//!
//! The three forms are the ones `Set-HostedConnectionFilterPolicy -IPAllowList` and `New-TransportRule
//! -SenderIpRanges` document ("Single IP address", "IP address range", "Classless InterDomain Routing (CIDR) IP
//! address range"), as do `New-InboundConnector -SenderIPAddresses` and `New-ExoPhishSimOverrideRule
//! -SenderIpRanges`. The IP Allow List takes IPv4 only, CIDR /24 to /32 and ranges of up to 256 addresses; the
//! service enforces those limits, so a snapshot is read as written and spoofctl does not re-check them.
//! Transport rules and connectors also take IPv6, so both families are read.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::model::characters::printable;
use crate::model::diagnostic::{Code, ValueError};

/// A contiguous range of addresses of one family, first and last included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IpRange {
    first: IpAddr,
    last: IpAddr,
    /// How it was written: the display keeps the admin's form.
    form: Form,
}

/// How a range was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Form {
    Single,
    Cidr(u8),
    Span,
}

impl IpRange {
    /// Parses `a.b.c.d`, `a.b.c.d/n` or `a.b.c.d-e.f.g.h` (and the IPv6 forms of each).
    pub fn parse(raw: &str) -> Result<IpRange, ValueError> {
        let bad = |why: &str| {
            ValueError::new(
                Code::InvalidIp,
                format!("`{}` is not an IP address or range: {why}", printable(raw)),
                "write a single address (192.0.2.10), a CIDR range (192.0.2.0/24) or a range (192.0.2.1-192.0.2.20)",
            )
        };
        let text = raw.trim();
        let ip =
            |s: &str| s.trim().parse::<IpAddr>().map_err(|_| bad(&format!("`{}` is not an IP address", printable(s))));
        if let Some((a, b)) = text.split_once('-') {
            let (first, last) = (ip(a)?, ip(b)?);
            if first.is_ipv4() != last.is_ipv4() {
                return Err(bad("the two ends are of different families (IPv4 and IPv6)"));
            }
            if bits(first) > bits(last) {
                return Err(bad("the first address is above the last"));
            }
            return Ok(IpRange { first, last, form: Form::Span });
        }
        if let Some((a, n)) = text.split_once('/') {
            let addr = ip(a)?;
            let width: u8 = if addr.is_ipv4() { 32 } else { 128 };
            let prefix = n
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= width && n.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| bad(&format!("`/{}` is not a prefix length from 0 to {width}", printable(n))))?;
            let host_bits = u32::from(width - prefix);
            let mask = u128::MAX.checked_shl(host_bits).unwrap_or(0);
            let network = bits(addr) & mask;
            let top = network | !mask & ones(addr);
            return Ok(IpRange {
                first: from_bits(addr, network),
                last: from_bits(addr, top),
                form: Form::Cidr(prefix),
            });
        }
        let addr = text.parse::<IpAddr>().map_err(|_| {
            bad("expected a single address (192.0.2.10), a CIDR range (192.0.2.0/24) or a range (192.0.2.1-192.0.2.20)")
        })?;
        Ok(IpRange { first: addr, last: addr, form: Form::Single })
    }

    /// True when the range holds `ip` (an IPv4-mapped IPv6 address counts as its IPv4 address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        ip.is_ipv4() == self.first.is_ipv4() && (bits(self.first)..=bits(self.last)).contains(&bits(ip))
    }

    /// The first address.
    pub fn first(&self) -> IpAddr {
        self.first
    }

    /// The last address.
    pub fn last(&self) -> IpAddr {
        self.last
    }

    /// How many addresses the range holds (saturating at `u128::MAX`).
    pub fn size(&self) -> u128 {
        (bits(self.last) - bits(self.first)).saturating_add(1)
    }
}

fn bits(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

/// All ones over the address's width.
fn ones(ip: IpAddr) -> u128 {
    if ip.is_ipv4() { u128::from(u32::MAX) } else { u128::MAX }
}

#[expect(clippy::cast_possible_truncation, reason = "an IPv4 value was masked to 32 bits by `ones`")]
fn from_bits(like: IpAddr, value: u128) -> IpAddr {
    match like {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::from((value & ones(like)) as u32)),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::from(value)),
    }
}

impl fmt::Display for IpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.form {
            Form::Single => write!(f, "{}", self.first),
            Form::Cidr(p) => write!(f, "{}/{p}", self.first),
            Form::Span => write!(f, "{}-{}", self.first, self.last),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each written form reads as the range it names; what is not a range says why.
    #[test]
    fn forms() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        for (raw, shown, inside, outside) in [
            ("192.0.2.10", "192.0.2.10", "192.0.2.10", "192.0.2.11"),
            ("198.51.100.77/24", "198.51.100.0/24", "198.51.100.255", "198.51.101.0"),
            ("203.0.113.0/32", "203.0.113.0/32", "203.0.113.0", "203.0.113.1"),
            ("203.0.113.1-203.0.113.20", "203.0.113.1-203.0.113.20", "203.0.113.20", "203.0.113.21"),
            ("0.0.0.0/0", "0.0.0.0/0", "255.255.255.255", "2001:db8::1"),
            ("2001:db8::/32", "2001:db8::/32", "2001:db8:ffff::1", "2001:db9::"),
        ] {
            let r = IpRange::parse(raw).map_err(|e| e.message);
            assert_eq!(r.as_ref().map(ToString::to_string), Ok(shown.to_string()), "{raw}");
            assert!(r.as_ref().is_ok_and(|r| r.contains(ip(inside))), "{raw} holds {inside}");
            assert!(r.as_ref().is_ok_and(|r| !r.contains(ip(outside))), "{raw} does not hold {outside}");
        }
        assert!(IpRange::parse("192.0.2.0/24").is_ok_and(|r| r.contains(ip("::ffff:192.0.2.9")) && r.size() == 256));
        for (raw, why) in [
            ("192.0.2.300", "`192.0.2.300` is not an IP address or range: expected a single address"),
            ("192.0.2.1-192.0.2.256", "`192.0.2.256` is not an IP address"),
            ("192.0.2.0/33", "`/33` is not a prefix length from 0 to 32"),
            ("192.0.2.9-192.0.2.1", "the first address is above the last"),
            ("192.0.2.1-2001:db8::1", "different families"),
            ("contoso.com", "`contoso.com` is not an IP address or range"),
        ] {
            let e = IpRange::parse(raw).err().map(|e| e.message).unwrap_or_default();
            assert!(e.contains(why), "{raw}: {e}");
        }
    }
}
