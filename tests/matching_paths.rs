//! The verdict alone (`evaluate_with(.., false)`, as observation files are matched: the infrastructure is
//! looked up only among `*` senders) against the full outcome (`evaluate()`) and against a naive scan of
//! every entry, over bigger random lists than `matching_properties.rs` builds: entries of every kind, domains
//! of 2 to 120 labels (past the matcher's 63-label cap), hosts of one label and of over a hundred, IPv4 in
//! IPv6 form, lists of only `*` senders and empty ones.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

mod common;

use std::net::IpAddr;
use std::path::Path;

use common::Rng;
use spoofctl::diagnostic::Span;
use spoofctl::domain::Domain;
use spoofctl::entry::{Entry, Metadata, TenantList};
use spoofctl::matcher::{Matcher, Verdict, Via};
use spoofctl::message::{Host, Message, Sender};
use spoofctl::pair::{Action, Infrastructure, Rule, Side, SpoofType, SpoofedUser};

const LABELS: &[&str] = &["a", "b", "mx", "mail"];
const TLDS: &[&str] = &["com", "net"];

/// A domain of `n` labels (n >= 2): random labels then a TLD.
fn domain_of(rng: &mut Rng, n: usize) -> String {
    let mut labels: Vec<&str> = (0..n - 1).map(|_| rng.pick(LABELS)).collect();
    labels.push(rng.pick(TLDS));
    labels.join(".")
}

/// Label counts: mostly short, with gaps, sometimes around 63 and beyond (up to 120 labels of 1 character).
fn label_count(rng: &mut Rng) -> usize {
    match rng.below(10) {
        0 => 60 + rng.below(61) as usize,
        1 => 2 + rng.below(12) as usize,
        _ => rng.pick(&[2, 3, 5, 7]),
    }
}

/// A long base of single-character labels that long entries and long hosts share.
fn long_domain(n: usize) -> String {
    let mut labels: Vec<&str> = (0..n - 1).map(|i| if i % 3 == 0 { "b" } else { "a" }).collect();
    labels.push("com");
    labels.join(".")
}

fn infra_domain(rng: &mut Rng) -> String {
    let n = label_count(rng);
    if n >= 20 || rng.below(4) == 0 { long_domain(n) } else { domain_of(rng, n) }
}

/// A host: sometimes under a domain an entry may name, sometimes 1 label, sometimes very long.
fn host(rng: &mut Rng) -> String {
    match rng.below(8) {
        0 => "localhost".to_string(),
        1 => long_domain(55 + rng.below(70) as usize),
        2 => {
            let base = infra_domain(rng);
            let extra: Vec<&str> = (0..rng.below(4)).map(|_| rng.pick(LABELS)).collect();
            if extra.is_empty() { base } else { format!("{}.{base}", extra.join(".")) }
        }
        _ => {
            let n = 2 + rng.below(8) as usize;
            domain_of(rng, n)
        }
    }
}

const SPOOFED_DOMAINS: &[&str] = &["a.com", "b.com", "sub.a.com", "c.net"];
const LOCALS: &[&str] = &["x", "y"];
const RANGES: &[&str] = &["203.0.113.0/24", "198.51.100.0/24", "192.0.2.0/24"];
const IPS: &[&str] =
    &["203.0.113.5", "::ffff:198.51.100.7", "192.0.3.1", "2001:db8::1", "192.0.2.200", "::ffff:192.0.2.1"];

fn entry(rng: &mut Rng, line: usize) -> Option<Entry> {
    let spoofed = match rng.below(6) {
        0 | 1 => Side::Any,
        2 | 3 => Side::Is(SpoofedUser::Domain(Domain::parse(rng.pick(SPOOFED_DOMAINS)).ok()?)),
        _ => Side::Is(SpoofedUser::parse(&format!("{}@{}", rng.pick(LOCALS), rng.pick(SPOOFED_DOMAINS))).ok()?),
    };
    let infrastructure = match rng.below(6) {
        0 => Side::Any,
        1 => Side::Is(Infrastructure::parse(rng.pick(RANGES)).ok()?),
        _ => Side::Is(Infrastructure::parse(&infra_domain(rng)).unwrap_or_else(|e| panic!("{e:?}"))),
    };
    let action = if rng.below(3) == 0 { Action::Block } else { Action::Allow };
    let rule = Rule::new(action, spoofed, infrastructure).ok()?;
    let spoof_type = if rng.below(4) == 0 { SpoofType::Internal } else { SpoofType::External };
    Some(Entry::new(rule, spoof_type, Metadata::default(), Span::new(line, 5)))
}

fn message(rng: &mut Rng) -> Message {
    let d = rng.pick(SPOOFED_DOMAINS);
    let from = match rng.below(4) {
        0 => d.to_string(),
        1 => format!("{}@{}", rng.pick(LOCALS), d.to_uppercase()),
        2 => format!("z@{d}"),
        _ => format!("{}@{d}", rng.pick(LOCALS)),
    };
    let mut m = Message::from(Sender::parse(&from).expect("from"));
    if rng.below(4) != 0 {
        m.ptr = Some(Host::parse(&host(rng)).expect("host"));
    }
    m.dkim_pass = (0..rng.below(4)).map(|_| Host::parse(&host(rng)).expect("host")).collect();
    if rng.below(3) != 0 {
        m.ip = Some(rng.pick(IPS).parse::<IpAddr>().expect("ip"));
    }
    m.spoof_type = match rng.below(3) {
        0 => Some(SpoofType::Internal),
        1 => Some(SpoofType::External),
        _ => None,
    };
    m
}

/// The naive verdict: every entry checked, from the README's model.
fn naive<'a>(list: &'a TenantList, m: &Message) -> (Option<(Action, &'a Entry, Via)>, Vec<&'a Entry>) {
    // Unknown (no type given, no accepted domains): any entry's type.
    let t = m.spoof_type.or_else(|| {
        let d = m.from.domain();
        (!list.accepted_domains.is_empty()).then(|| {
            if list.accepted_domains.iter().any(|a| d == a.as_str() || d.ends_with(&format!(".{}", a.as_str()))) {
                SpoofType::Internal
            } else {
                SpoofType::External
            }
        })
    });
    let under = |d: &str, h: &Host| h.as_str() == d || h.as_str().ends_with(&format!(".{d}"));
    let mut full = Vec::new();
    for e in &list.entries {
        let spoofed = match e.rule.spoofed() {
            Side::Any => true,
            Side::Is(SpoofedUser::Domain(d)) => m.from.domain() == d.as_str(),
            Side::Is(SpoofedUser::Address(a)) => m.from.address() == Some(a.to_string().as_str()),
        };
        let via = match e.rule.infrastructure() {
            Side::Any => Some(Via::Any),
            Side::Is(Infrastructure::Range(r)) => m.range().filter(|x| x == r).map(Via::Ip),
            Side::Is(Infrastructure::Domain(d)) => {
                if m.ptr.as_ref().is_some_and(|h| under(d.as_str(), h)) {
                    Some(Via::Ptr)
                } else {
                    m.dkim_pass.iter().position(|h| under(d.as_str(), h)).map(Via::Dkim)
                }
            }
        };
        if let (true, Some(via), true) = (spoofed, via, t.is_none_or(|t| e.spoof_type == t)) {
            full.push((e, via));
        }
    }
    let block = full.iter().find(|(e, _)| e.action() == Action::Block).map(|&(e, v)| (Action::Block, e, v));
    let allows: Vec<&Entry> = full.iter().filter(|(e, _)| e.action() == Action::Allow).map(|(e, _)| *e).collect();
    match block {
        Some(b) => (Some(b), allows),
        None => {
            (full.iter().find(|(e, _)| e.action() == Action::Allow).map(|&(e, v)| (Action::Allow, e, v)), Vec::new())
        }
    }
}

fn summary<'a>(v: &Verdict<'a>) -> Option<(Action, *const Entry, Via)> {
    match v {
        Verdict::Block(d) => Some((Action::Block, d.entry() as *const Entry, d.via())),
        Verdict::Allow(d) => Some((Action::Allow, d.entry() as *const Entry, d.via())),
        Verdict::None => None,
    }
}

/// Random lists built, each matched against 60 random messages.
const LISTS: usize = 1_000;

#[test]
fn a_verdict_alone_is_the_full_outcomes_and_a_naive_scans() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut lists, mut messages, mut decided, mut overridden, mut long_hits, mut any_spoofed_blocks) =
        (0, 0, 0, 0, 0, 0);
    for case in 0..LISTS {
        let n = match case % 5 {
            0 => 0,
            1 => rng.below(5) as usize,
            2 => rng.below(40) as usize,
            _ => rng.below(400) as usize,
        };
        let mut entries: Vec<Entry> = (0..n).filter_map(|i| entry(&mut rng, i + 1)).collect();
        if case % 17 == 0 {
            // Only `*`-spoofed entries.
            entries.retain(|e| e.rule.spoofed() == Side::Any);
        }
        let accepted = if case % 2 == 0 { vec![Domain::parse("a.com").expect("d")] } else { Vec::new() };
        let list = TenantList::new(Path::new("r.yaml"), accepted, entries);
        let matcher = Matcher::new(&list);
        lists += 1;
        let mut scratch = Vec::new();
        for _ in 0..60 {
            let m = message(&mut rng);
            messages += 1;
            let full = matcher.evaluate(&m);
            let quick = matcher.evaluate_with(&m, &mut scratch, false);
            let (want, want_over) = naive(&list, &m);
            let want_sum = want.map(|(a, e, v)| (a, e as *const Entry, v));
            assert_eq!(summary(&full.verdict), want_sum, "full path vs naive: {m:?}");
            assert_eq!(summary(&quick.verdict), want_sum, "quick path vs naive: {m:?}\n{:?}", list.entries);
            assert_eq!(quick.verdict, full.verdict);
            let p = |v: &[&Entry]| v.iter().map(|e| *e as *const Entry).collect::<Vec<_>>();
            assert_eq!(p(&quick.overridden), p(&want_over));
            assert_eq!(p(&full.overridden), p(&want_over));
            assert!(quick.near_misses.is_empty());
            if let Some((_, e, _)) = want {
                decided += 1;
                if let Side::Is(Infrastructure::Domain(d)) = e.rule.infrastructure()
                    && d.as_str().split('.').count() >= 63
                {
                    long_hits += 1;
                }
                if e.rule.spoofed() == Side::Any {
                    any_spoofed_blocks += 1;
                }
            }
            overridden += usize::from(!want_over.is_empty());
        }
    }
    eprintln!(
        "lists {lists}, messages {messages}, decided {decided}, with overridden allows {overridden}, decided by a domain of 63+ labels \
         {long_hits}, decided by a `*`-spoofed block {any_spoofed_blocks}"
    );
    // Each path the comparison is for was taken.
    assert!(long_hits > 0, "no verdict came from a domain of 63 labels or more");
    assert!(any_spoofed_blocks > 0, "no verdict came from a `*`-spoofed block");
    assert!(overridden > 0, "no block overrode an allow");
}

/// `Host::domains` gives every suffix of two labels or more, shortest first, with its number of labels, for
/// hosts of 1 to 130 labels.
#[test]
fn host_domains_are_every_suffix() {
    for n in 1..=130 {
        let name = long_domain(n.max(2));
        let name = if n == 1 { "localhost".to_string() } else { name };
        let host = Host::parse(&name).expect("host");
        let labels: Vec<&str> = name.split('.').collect();
        let want: Vec<(usize, String)> =
            (2..=labels.len()).map(|k| (k, labels[labels.len() - k..].join("."))).collect();
        let got: Vec<(usize, String)> = host.domains().map(|(k, s)| (k, s.to_string())).collect();
        assert_eq!(got, want, "{n} labels");
    }
}
