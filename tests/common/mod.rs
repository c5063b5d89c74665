//! Shared by the property tests of the pair invariant (`tests/properties.rs`, `tests/matching_properties.rs`,
//! `tests/import_properties.rs`, `tests/revision_properties.rs`): generators of list YAML with every
//! spelling of `*`, a naive reference matcher written from the README's matching model, and the pair
//! invariant itself, checked on a list whatever it was read from.
//!
//! Generators build strings from integers and picks rather than from regex strategies: in a debug build
//! (what CI runs) proptest's regex strategies cost more than the check they feed, and the pair invariant
//! runs at least 10,000 cases a property.

// Each test file uses its own part of this module.
#![allow(dead_code)]

pub mod git;
pub mod inert;

use std::net::{IpAddr, Ipv4Addr};

use proptest::prelude::*;
use proptest::test_runner::RngAlgorithm;
use spoofctl::entry::{Entry, TenantList};
use spoofctl::matcher::{Matcher, Verdict};
use spoofctl::message::{Host, Message, Sender};
use spoofctl::pair::{Action, Infrastructure, Rule, Side, SpoofType, SpoofedUser};
use spoofctl::yaml::scalar;

// ---------- values ----------

/// `n` read as `len` characters of `alphabet` (little-endian digits).
fn spell(mut n: u64, len: usize, alphabet: &[u8]) -> String {
    (0..len)
        .map(|_| {
            let c = alphabet[(n % alphabet.len() as u64) as usize] as char;
            n /= alphabet.len() as u64;
            c
        })
        .collect()
}

/// A label ending in a digit and not starting `xn--`: never a real public suffix nor broken punycode.
pub fn label() -> impl Strategy<Value = String> {
    (0usize..25, any::<u64>(), 0usize..=6, 0u8..10).prop_map(|(first, middle, len, last)| {
        // The first letter is never `x`, so no label starts `xn--`.
        let first = b"abcdefghijklmnopqrstuvwyz"[first] as char;
        format!("{first}{}{last}", spell(middle, len, b"abcdefghijklmnopqrstuvwxyz0123456789-"))
    })
}

/// A registrable domain, sometimes Unicode, sometimes with a subdomain, in random case.
pub fn domain() -> impl Strategy<Value = String> {
    let tld = prop::sample::select(vec!["com", "net", "org", "example", "co.uk", "de"]);
    (prop::option::of(label()), prop_oneof![4 => label(), 1 => Just("bücher".to_string())], tld, any::<bool>())
        .prop_map(|(sub, name, tld, upper)| {
            let d = match sub {
                Some(s) => format!("{s}.{name}.{tld}"),
                None => format!("{name}.{tld}"),
            };
            if upper { d.to_uppercase() } else { d }
        })
}

/// An address: a plain local part (sometimes with a dotted suffix) at a domain.
pub fn address() -> impl Strategy<Value = String> {
    (0usize..26, any::<u64>(), 0usize..=6, prop::option::of((any::<u16>(), 1usize..=3)), domain()).prop_map(
        |(first, middle, len, suffix, d)| {
            let first = (b'a' + first as u8) as char;
            let local = format!("{first}{}", spell(middle, len, b"abcdefghijklmnopqrstuvwxyz0123456789_+-"));
            match suffix {
                Some((n, len)) => {
                    format!("{local}.{}@{d}", spell(u64::from(n), len, b"abcdefghijklmnopqrstuvwxyz0123456789"))
                }
                None => format!("{local}@{d}"),
            }
        },
    )
}

/// An IPv4 /24, written with or without host bits.
pub fn range() -> impl Strategy<Value = String> {
    // Ranges mail can come from, outside Microsoft 365's own: a special-purpose range is refused, and an allow
    // via Microsoft's is an error (tested in their own tables).
    any::<[u8; 4]>().prop_map(|o| format!("{}.{}.{}.{}/24", o[0], o[1], o[2], o[3])).prop_filter(
        "a public range outside Microsoft 365's outbound ranges",
        |r| {
            spoofctl::ipv4::Ipv4Slash24::parse(r)
                .is_ok_and(|r| r.special_use().is_none() && spoofctl::lint::microsoft_outbound(r).is_none())
        },
    )
}

/// A domain or an address.
pub fn concrete_spoofed() -> impl Strategy<Value = String> {
    prop_oneof![domain(), address()]
}

/// A domain or a /24.
pub fn concrete_infrastructure() -> impl Strategy<Value = String> {
    prop_oneof![domain(), range()]
}

/// Spellings of a wildcard other than a bare `*`, and a value that only IDNA mapping makes hostile.
pub const WILDCARD_SPELLINGS: &[&str] = &[
    "**",
    " *",
    "* ",
    "*.contoso.com",
    "*@contoso.com",
    "\\*",
    "'*'",
    "%2A",
    "＊",
    "＊.tms.mx.com",
    "＊@contoso.com",
    "ｘ＄ｙ.com",
];

/// Values for either side, valid or not, with every spelling of a wildcard.
pub fn any_side_value() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just("*".to_string()),
        1 => prop::sample::select(WILDCARD_SPELLINGS).prop_map(str::to_string),
        4 => concrete_spoofed(),
        4 => concrete_infrastructure(),
        // Any characters but control characters (those only make the whole file unreadable).
        1 => prop::collection::vec(any::<char>().prop_map(|c| if c.is_control() { '?' } else { c }), 0..12)
            .prop_map(String::from_iter),
    ]
}

/// `action` as people write it, valid or not.
pub fn action_word() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["allow", "Allow", "ALLOW", "block", "Block", "aLLow", "allow ", "permit"])
        .prop_map(str::to_string)
}

// ---------- list YAML ----------

/// A YAML scalar written in one of several styles (plain when safe, double- or single-quoted).
pub fn styled(value: &str, style: u8) -> String {
    match style % 4 {
        0 => scalar(value),
        1 | 3 => format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\"")),
        _ => format!("'{}'", value.replace('\'', "''")),
    }
}

/// One entry as someone might write it: any values on either side, any action word.
#[derive(Debug, Clone)]
pub struct GenEntry {
    pub spoofed: String,
    pub infrastructure: String,
    pub action: String,
    pub spoof_type: Option<&'static str>,
    pub styles: (u8, u8),
    pub flow: bool,
}

impl GenEntry {
    /// Written as an allow with a bare `*` on a side: a list must refuse it.
    pub fn is_wildcard_allow(&self) -> bool {
        self.action.eq_ignore_ascii_case("allow") && (self.spoofed == "*" || self.infrastructure == "*")
    }
}

pub fn gen_entry() -> impl Strategy<Value = GenEntry> {
    (
        any_side_value(),
        any_side_value(),
        action_word(),
        prop::option::of(prop::sample::select(vec!["internal", "external"])),
        any::<(u8, u8)>(),
        any::<bool>(),
    )
        .prop_map(|(spoofed, infrastructure, action, spoof_type, styles, flow)| GenEntry {
            spoofed,
            infrastructure,
            action,
            spoof_type,
            styles,
            flow,
        })
}

/// The entry in block style or flow style, values quoted or not.
pub fn entry_yaml(e: &GenEntry) -> String {
    // Plain scalars in a flow mapping may not hold flow indicators; quote those.
    let style = |v: &str, st: u8| if e.flow && v.contains(['[', ']', '{', '}', ',']) { st | 1 } else { st };
    let s = styled(&e.spoofed, style(&e.spoofed, e.styles.0));
    let i = styled(&e.infrastructure, style(&e.infrastructure, e.styles.1));
    let t = e.spoof_type.map(|t| format!("type: {t}")).unwrap_or_default();
    if e.flow {
        let t = if t.is_empty() { t } else { format!(", {t}") };
        format!("  - {{spoofed: {s}, infrastructure: {i}, action: {}{t}}}\n", scalar(&e.action))
    } else {
        let t = if t.is_empty() { t } else { format!("    {t}\n") };
        format!("  - spoofed: {s}\n    infrastructure: {i}\n    action: {}\n{t}", scalar(&e.action))
    }
}

/// A list file holding `entries`, with `accepted-domains` when `accepted`.
pub fn list_yaml(entries: &[GenEntry], accepted: bool) -> String {
    let mut text = String::from("version: 1\n");
    if accepted {
        text.push_str("accepted-domains: [contoso.com]\n");
    }
    text.push_str("entries:\n");
    for e in entries {
        text.push_str(&entry_yaml(e));
    }
    text
}

// ---------- a deterministic generator ----------

/// Xorshift64: the same numbers on every run, for tests that build many inputs without proptest.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// One of `xs`.
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
}

// ---------- the reference matcher ----------

/// Whether the spoofed side and the infrastructure side of `e` match `m`, written out naively from the
/// README's matching model.
pub fn naive_sides(e: &Entry, m: &Message) -> (bool, bool) {
    let from = m.from.to_string();
    let from_domain = from.rsplit('@').next().unwrap_or_default().to_string();
    let spoofed = match e.rule.spoofed() {
        Side::Any => true,
        Side::Is(SpoofedUser::Domain(d)) => from_domain == d.as_str(),
        Side::Is(SpoofedUser::Address(a)) => from.contains('@') && from == a.to_string(),
    };
    let under = |d: &str, h: &str| h == d || h.ends_with(&format!(".{d}"));
    let infrastructure = match e.rule.infrastructure() {
        Side::Any => true,
        Side::Is(Infrastructure::Domain(d)) => m.ptr.iter().chain(&m.dkim_pass).any(|h| under(d.as_str(), h.as_str())),
        Side::Is(Infrastructure::Range(r)) => match m.ip {
            Some(IpAddr::V4(ip)) => ip.octets()[..3] == network(r).octets()[..3],
            _ => false,
        },
    };
    (spoofed, infrastructure)
}

/// The network address of a /24, from its text.
fn network(r: &spoofctl::ipv4::Ipv4Slash24) -> Ipv4Addr {
    r.to_string().trim_end_matches("/24").parse().expect("a /24 prints as a.b.c.0/24")
}

/// The message's spoof type: as given, else internal when the From domain is an accepted domain or below one.
pub fn naive_type(list: &TenantList, m: &Message) -> SpoofType {
    m.spoof_type.unwrap_or_else(|| {
        let d = m.from.domain();
        if list.accepted_domains.iter().any(|a| d == a.as_str() || d.ends_with(&format!(".{}", a.as_str()))) {
            SpoofType::Internal
        } else {
            SpoofType::External
        }
    })
}

// ---------- the pair invariant on a list ----------

/// A From that no entry of any generator names, and an infrastructure no entry names: an IPv6 address
/// (entries are IPv4 /24s) and a host under the reserved `.invalid`.
pub const NOBODY: &str = "nobody@unrelated.invalid";
pub const NOWHERE: &str = "mta.unrelated.invalid";
pub const NOWHERE_IP: &str = "2001:db8::7";

/// A sender the spoofed side names: the address itself, or someone at the domain.
pub fn sender_named_by(user: &SpoofedUser) -> Sender {
    let text = match user {
        SpoofedUser::Address(a) => a.to_string(),
        SpoofedUser::Domain(d) => format!("someone@{}", d.as_str()),
    };
    Sender::parse(&text).expect("an entry's spoofed user is a valid sender")
}

/// Sets the message's infrastructure to one the entry's side names: a host below the domain, or an IP in the /24.
pub fn put_infrastructure(m: &mut Message, infrastructure: &Infrastructure) {
    match infrastructure {
        Infrastructure::Domain(d) => {
            m.ptr = Some(Host::parse(&format!("mail.{}", d.as_str())).expect("a host below a domain"))
        }
        Infrastructure::Range(r) => {
            let [a, b, c, _] = network(r).octets();
            m.ip = Some(IpAddr::V4(Ipv4Addr::new(a, b, c, 7)));
        }
    }
}

/// A message with this From, no matching infrastructure, and the given type.
fn message(from: Sender, spoof_type: SpoofType) -> Message {
    let mut m = Message::from(from);
    m.ptr = Some(Host::parse(NOWHERE).expect("host"));
    m.ip = Some(NOWHERE_IP.parse().expect("ip"));
    m.spoof_type = Some(spoof_type);
    m
}

/// The pair invariant on one list, whatever it was read from:
/// - every allow names a concrete spoofed user and a concrete infrastructure;
/// - for every allow, a message whose From and infrastructure it names is decided by the list (allowed, or
///   blocked by a matching block), and a message with its From alone, or its infrastructure alone, is never
///   allowed;
/// - the From of one allow with the infrastructure of the next (a pair no entry may name) is allowed only by
///   an entry that names both;
/// - every allow verdict names an allow entry whose both sides and type match the message.
pub fn check_pair_invariant(list: &TenantList) -> Result<(), TestCaseError> {
    let allows: Vec<&Entry> = list.entries.iter().filter(|e| e.action() == Action::Allow).collect();
    for e in &allows {
        let Rule::Allow(pair) = &e.rule else {
            return Err(TestCaseError::fail(format!("an allow without a pair: {e:?}")));
        };
        prop_assert!(
            matches!(e.rule.spoofed(), Side::Is(_)) && matches!(e.rule.infrastructure(), Side::Is(_)),
            "{e:?}"
        );
        prop_assert_ne!(pair.spoofed.to_string(), "*");
        prop_assert_ne!(pair.infrastructure.to_string(), "*");
    }
    let matcher = Matcher::new(list);
    let verdict_ok = |m: &Message| -> Result<&'static str, TestCaseError> {
        let outcome = matcher.evaluate(m);
        if let Some(d) = outcome.verdict.decision() {
            let t = naive_type(list, m);
            prop_assert_eq!(
                naive_sides(d.entry(), m),
                (true, true),
                "{} decided by {:?} for {:?}",
                outcome.verdict.word(),
                d.entry(),
                m
            );
            prop_assert_eq!(d.entry().spoof_type, t);
        }
        if let Verdict::Allow(d) = &outcome.verdict {
            prop_assert_eq!(d.entry().action(), Action::Allow);
        }
        Ok(outcome.verdict.word())
    };
    for (n, e) in allows.iter().enumerate() {
        let Rule::Allow(pair) = &e.rule else { unreachable!("checked above") };
        let mut both = message(sender_named_by(&pair.spoofed), e.spoof_type);
        put_infrastructure(&mut both, &pair.infrastructure);
        prop_assert_ne!(verdict_ok(&both)?, "none", "the allow {:?} does not decide {:?}", e, both);

        let from_alone = message(sender_named_by(&pair.spoofed), e.spoof_type);
        prop_assert_ne!(verdict_ok(&from_alone)?, "allow", "the From alone was allowed: {:?}", from_alone);

        let mut infrastructure_alone = message(Sender::parse(NOBODY).expect("sender"), e.spoof_type);
        put_infrastructure(&mut infrastructure_alone, &pair.infrastructure);
        prop_assert_ne!(
            verdict_ok(&infrastructure_alone)?,
            "allow",
            "the infrastructure alone was allowed: {:?}",
            infrastructure_alone
        );

        // The From of this allow with the infrastructure of the next one.
        let Rule::Allow(next) = &allows[(n + 1) % allows.len()].rule else { unreachable!("checked above") };
        let mut crossed = message(sender_named_by(&pair.spoofed), e.spoof_type);
        put_infrastructure(&mut crossed, &next.infrastructure);
        verdict_ok(&crossed)?;
    }
    Ok(())
}

// ---------- running ----------

/// The proptest configuration of these properties: `cases` cases, no regression files, and the XorShift
/// generator. proptest's default (ChaCha) is built without optimisation in `cargo test` and then costs more
/// than generating and checking a list; XorShift is plenty random for picking test values.
pub fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::XorShift,
        ..ProptestConfig::default()
    }
}
