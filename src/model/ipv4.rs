//! `Ipv4Slash24`: the only IP form a spoofed-sender entry takes.
//!
//! The service documents `<source IP>/24` for infrastructure without a PTR record, and /24 as the only subnet
//! depth accepted (TABL-SPOOF; New-TenantAllowBlockListSpoofItems, `-SendingInfrastructure`). IPv6 is never
//! mentioned for spoof entries, so spoofctl refuses it.

use std::fmt;
use std::net::Ipv4Addr;

use crate::model::characters::printable;
use crate::model::diagnostic::{Code, ValueError};

/// An IPv4 /24 network, kept as its network address (`203.0.113.0/24`). `203.0.113.25/24` reads as the same
/// network: the service's handling of host bits is undocumented, and spoofctl treats them as the same entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ipv4Slash24 {
    network: u32,
}

impl Ipv4Slash24 {
    /// Parses `a.b.c.d/24`.
    pub fn parse(raw: &str) -> Result<Ipv4Slash24, ValueError> {
        if raw.contains(':') {
            return Err(ValueError::new(
                Code::Ipv6,
                format!(
                    "`{}` is IPv6: the service documents spoofed-sender entries for IPv4 /24 ranges only",
                    printable(raw)
                ),
                "use the sender's PTR domain or DKIM domain instead",
            ));
        }
        let (addr, prefix) = match raw.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (raw, None),
        };
        let ip = parse_dotted(addr).ok_or_else(|| {
            ValueError::new(
                Code::InvalidIp,
                format!(
                    "`{}` is not an IPv4 range: `{}` is not four numbers from 0 to 255",
                    printable(raw),
                    printable(addr)
                ),
                "write the range as `203.0.113.0/24`",
            )
        })?;
        let network = u32::from(ip) & 0xFFFF_FF00;
        let fix = Ipv4Addr::from(network);
        match prefix {
            Some("24") => Ok(Ipv4Slash24 { network }),
            None => Err(ValueError::new(
                Code::IpNotSlash24,
                format!("`{}` is a single IP: the service takes IP infrastructure only as a /24 range", printable(raw)),
                format!("write `{fix}/24`"),
            )),
            Some(p) => Err(ValueError::new(
                Code::IpNotSlash24,
                format!("`{}` has prefix length /{}: the service accepts /24 only", printable(raw), printable(p)),
                format!("write `{fix}/24`"),
            )),
        }
    }

    /// True when the range holds `ip`.
    pub fn contains(&self, ip: Ipv4Addr) -> bool {
        u32::from(ip) & 0xFFFF_FF00 == self.network
    }

    /// The /24 holding `ip`.
    pub fn of(ip: Ipv4Addr) -> Ipv4Slash24 {
        Ipv4Slash24 { network: u32::from(ip) & 0xFFFF_FF00 }
    }

    /// True when the range lies inside `network/prefix` (`prefix` at most 24).
    pub fn is_within(self, network: Ipv4Addr, prefix: u32) -> bool {
        let mask = u32::MAX.checked_shl(32 - prefix.min(24)).unwrap_or(0);
        self.network & mask == u32::from(network) & mask
    }

    /// The special-purpose block the range lies in, if any, with what it is for: addresses that never reach
    /// the service from outside, so that no message is ever seen from them ([`SPECIAL_USE`]).
    pub fn special_use(self) -> Option<&'static SpecialUse> {
        SPECIAL_USE.iter().find(|s| self.is_within(s.network, s.prefix))
    }

    /// True when `raw` is shaped like an IP value rather than a domain: digits, dots and a `/` (IPv4), or
    /// hex digits with colons (IPv6).
    pub fn looks_like_ip(raw: &str) -> bool {
        let v4 = raw.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'/');
        let v6 = raw.contains(':') && raw.bytes().all(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.' | b'/'));
        !raw.is_empty() && (v4 || v6)
    }
}

/// A special-purpose IPv4 block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecialUse {
    /// The block's network address.
    pub network: Ipv4Addr,
    /// The block's prefix length.
    pub prefix: u32,
    /// What it is for, and where that is defined.
    pub name: &'static str,
}

/// IPv4 blocks that mail from the internet never comes from: the IANA IPv4 Special-Purpose Address Registry
/// (RFC 6890) entries that are not globally reachable, with multicast (RFC 5771) and the reserved 240/4 block
/// (RFC 1112, `255.255.255.255` included). The documentation ranges of RFC 5737 (`192.0.2.0/24`,
/// `198.51.100.0/24`, `203.0.113.0/24`) are left out on purpose: they never reach the service either, but they
/// are the ranges examples and tests are written with.
pub const SPECIAL_USE: &[SpecialUse] = &[
    SpecialUse { network: Ipv4Addr::new(0, 0, 0, 0), prefix: 8, name: "\"this network\" (RFC 791)" },
    SpecialUse { network: Ipv4Addr::new(10, 0, 0, 0), prefix: 8, name: "private-use (RFC 1918)" },
    SpecialUse {
        network: Ipv4Addr::new(100, 64, 0, 0),
        prefix: 10,
        name: "shared address space, carrier-grade NAT (RFC 6598)",
    },
    SpecialUse { network: Ipv4Addr::new(127, 0, 0, 0), prefix: 8, name: "loopback (RFC 1122)" },
    SpecialUse { network: Ipv4Addr::new(169, 254, 0, 0), prefix: 16, name: "link-local (RFC 3927)" },
    SpecialUse { network: Ipv4Addr::new(172, 16, 0, 0), prefix: 12, name: "private-use (RFC 1918)" },
    SpecialUse { network: Ipv4Addr::new(192, 0, 0, 0), prefix: 24, name: "IETF protocol assignments (RFC 6890)" },
    SpecialUse { network: Ipv4Addr::new(192, 168, 0, 0), prefix: 16, name: "private-use (RFC 1918)" },
    SpecialUse { network: Ipv4Addr::new(198, 18, 0, 0), prefix: 15, name: "benchmarking (RFC 2544)" },
    SpecialUse { network: Ipv4Addr::new(224, 0, 0, 0), prefix: 4, name: "multicast (RFC 5771)" },
    SpecialUse {
        network: Ipv4Addr::new(240, 0, 0, 0),
        prefix: 4,
        name: "reserved, and limited broadcast (RFC 1112, RFC 919)",
    },
];

/// Strict dotted quad: four decimal numbers 0..=255 without leading zeros (which some tools read as octal).
fn parse_dotted(s: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = s.split('.');
    for octet in &mut octets {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) || (p.len() > 1 && p.starts_with('0'))
        {
            return None;
        }
        *octet = p.parse().ok()?;
    }
    parts.next().is_none().then(|| Ipv4Addr::from(octets))
}

impl fmt::Display for Ipv4Slash24 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/24", Ipv4Addr::from(self.network))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each special-purpose block, at its edges and just outside them; the documentation ranges are not special.
    #[test]
    fn special_use_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("0.0.0.0/24", Some("0.0.0.0/8")),
            ("0.255.255.0/24", Some("0.0.0.0/8")),
            ("1.0.0.0/24", None),
            ("9.255.255.0/24", None),
            ("10.0.0.0/24", Some("10.0.0.0/8")),
            ("10.255.255.0/24", Some("10.0.0.0/8")),
            ("11.0.0.0/24", None),
            ("100.63.255.0/24", None),
            ("100.64.0.0/24", Some("100.64.0.0/10")),
            ("100.127.255.0/24", Some("100.64.0.0/10")),
            ("100.128.0.0/24", None),
            ("127.0.0.0/24", Some("127.0.0.0/8")),
            ("127.255.255.0/24", Some("127.0.0.0/8")),
            ("169.253.255.0/24", None),
            ("169.254.0.0/24", Some("169.254.0.0/16")),
            ("169.254.255.0/24", Some("169.254.0.0/16")),
            ("169.255.0.0/24", None),
            ("172.15.255.0/24", None),
            ("172.16.0.0/24", Some("172.16.0.0/12")),
            ("172.31.255.0/24", Some("172.16.0.0/12")),
            ("172.32.0.0/24", None),
            ("192.0.0.0/24", Some("192.0.0.0/24")),
            ("192.0.1.0/24", None),
            ("192.0.2.0/24", None),
            ("198.51.100.0/24", None),
            ("203.0.113.0/24", None),
            ("192.167.255.0/24", None),
            ("192.168.0.0/24", Some("192.168.0.0/16")),
            ("192.168.255.0/24", Some("192.168.0.0/16")),
            ("192.169.0.0/24", None),
            ("198.17.255.0/24", None),
            ("198.18.0.0/24", Some("198.18.0.0/15")),
            ("198.19.255.0/24", Some("198.18.0.0/15")),
            ("198.20.0.0/24", None),
            ("223.255.255.0/24", None),
            ("224.0.0.0/24", Some("224.0.0.0/4")),
            ("239.255.255.0/24", Some("224.0.0.0/4")),
            ("240.0.0.0/24", Some("240.0.0.0/4")),
            ("255.255.255.0/24", Some("240.0.0.0/4")),
        ];
        for (range, block) in cases {
            let parsed = Ipv4Slash24::parse(range).unwrap_or_else(|e| panic!("{range}: {e:?}"));
            let found = parsed.special_use().map(|s| format!("{}/{}", s.network, s.prefix));
            assert_eq!(found.as_deref(), *block, "{range}");
        }
    }

    /// Every block's network address is its own first address: a typo in the table would silently shift it.
    #[test]
    fn special_use_blocks_are_networks() {
        for s in SPECIAL_USE {
            let mask = u32::MAX << (32 - s.prefix);
            assert_eq!(u32::from(s.network) & mask, u32::from(s.network), "{}/{}", s.network, s.prefix);
        }
    }
}
