//! Lints: risks in a valid list (warnings by default), and the `policy:` levels that apply to them.
//!
//! The platform and freemail lists are data files in `data/`, compiled in, so that adding a platform is a
//! one-line change reviewed like any other.

use std::net::Ipv4Addr;
use std::sync::LazyLock;

use foldhash::HashMap;
use foldhash::HashMapExt;

use crate::model::date::Date;
use crate::model::diagnostic::{Code, Diagnostic};
use crate::model::domain::Domain;
use crate::model::entry::{Entry, TenantList};
use crate::model::ipv4::Ipv4Slash24;
use crate::model::pair::{Infrastructure, Rule, Side, SpoofedUser};
use crate::model::policy::Policy;
use crate::model::words::{Action, SpoofType};
use crate::validate::list::MAX_ENTRIES;

static SHARED: LazyLock<Vec<(Domain, String)>> = LazyLock::new(|| {
    data_lines(include_str!("../../data/shared-infrastructure.txt"))
        .filter_map(|line| {
            let (domain, name) = line.split_once(char::is_whitespace)?;
            Some((Domain::parse(domain).ok()?, name.trim().to_string()))
        })
        .collect()
});

static FREEMAIL: LazyLock<Vec<Domain>> = LazyLock::new(|| {
    data_lines(include_str!("../../data/freemail.txt")).filter_map(|l| Domain::parse(l).ok()).collect()
});

fn data_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The shared sending platform that `domain` belongs to, if any (`eu-west-1.amazonses.com` -> Amazon SES), from
/// the platforms shipped in `data/shared-infrastructure.txt`.
pub fn shared_platform(domain: &Domain) -> Option<&'static str> {
    SHARED.iter().find(|(d, _)| d.is_self_or_parent_of(domain)).map(|(_, name)| name.as_str())
}

/// What a list's own `policy: {shared-infrastructure: [...]}` platforms are called in findings.
pub const POLICY_PLATFORM: &str = "a platform this list's `policy:` names as shared";

/// The shared sending platform that `domain` belongs to in one list: a shipped one ([`shared_platform`]), or
/// one the list's `policy:` adds ([`POLICY_PLATFORM`]).
pub fn shared_platform_in(policy: &Policy, domain: &Domain) -> Option<&'static str> {
    shared_platform(domain).or_else(|| {
        policy.shared_infrastructure().iter().any(|d| d.is_self_or_parent_of(domain)).then_some(POLICY_PLATFORM)
    })
}

/// Microsoft 365's own outbound ranges (Exchange Online Protection), from which every tenant's mail leaves: the
/// IPv4 ranges of `*.mail.protection.outlook.com`, TCP 25, on "Microsoft 365 URLs and IP address ranges"
/// (learn.microsoft.com/microsoft-365/enterprise/urls-and-ip-address-ranges, Exchange Online, ID 10; source
/// MicrosoftDocs/microsoft-365-docs `microsoft-365/includes/office-365-worldwide-endpoints.md`), the same as the
/// `ip4:` terms of `spf.protection.outlook.com`.
pub const MICROSOFT_OUTBOUND: &[(Ipv4Addr, u32)] = &[
    (Ipv4Addr::new(40, 92, 0, 0), 15),
    (Ipv4Addr::new(40, 107, 0, 0), 16),
    (Ipv4Addr::new(52, 100, 0, 0), 14),
    (Ipv4Addr::new(104, 47, 0, 0), 17),
];

/// The Microsoft 365 outbound range that `range` lies in, if any ([`MICROSOFT_OUTBOUND`]).
pub fn microsoft_outbound(range: Ipv4Slash24) -> Option<(Ipv4Addr, u32)> {
    MICROSOFT_OUTBOUND.iter().copied().find(|&(network, prefix)| range.is_within(network, prefix))
}

/// True when `domain` is a consumer mail domain.
pub fn is_freemail(domain: &Domain) -> bool {
    FREEMAIL.contains(domain)
}

/// Runs every lint over a valid list, as of `today`, and applies the list's policy (levels, `off`).
pub fn lint(list: &TenantList, today: Date) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for entry in &list.entries {
        confusable_lints(list, entry, &mut found);
        if let Rule::Allow(pair) = &entry.rule {
            allow_lints(list, entry, &pair.spoofed, &pair.infrastructure, &mut found);
        }
        if let Some(expires) = entry.meta.expires
            && expires < today
        {
            found.push(
                on(list, entry, Code::Expired, format!("the entry's review date {expires} has passed (today is {today}); the service never expires it, so it is still in force"))
                    .with_hint("review it: set a new `expires`, or remove the entry"),
            );
        }
    }
    // Pairwise lints compare every two entries; past the service's limit the list is already an error.
    if list.entries.len() <= MAX_ENTRIES {
        cover_lints(list, &mut found);
    }
    found
        .into_iter()
        .filter_map(|mut d| {
            d.severity = list.policy.severity(d.code)?;
            Some(d)
        })
        .collect()
}

/// `expires-soon` for each entry whose `expires` falls within `days` days of `today` (today included;
/// `validate --expiring-within`), at the level the list's policy gives it. A date already past is `expired`.
pub fn expiring(list: &TenantList, today: Date, days: u32) -> Vec<Diagnostic> {
    let Some(severity) = list.policy.severity(Code::ExpiresSoon) else { return Vec::new() };
    let mut found = Vec::new();
    for entry in &list.entries {
        let Some(expires) = entry.meta.expires else { continue };
        let left = today.days_until(expires);
        if !(0..=i64::from(days)).contains(&left) {
            continue;
        }
        let when = match left {
            0 => "today".to_string(),
            1 => "tomorrow".to_string(),
            n => format!("in {n} days"),
        };
        let mut d = on(
            list,
            entry,
            Code::ExpiresSoon,
            format!("the entry's review date {expires} is {when} (today is {today})"),
        )
        .with_hint("review it before then: set a new `expires`, or remove the entry");
        d.severity = severity;
        found.push(d);
    }
    found
}

fn on(list: &TenantList, entry: &Entry, code: Code, message: String) -> Diagnostic {
    Diagnostic::new(code, &list.path, Some(entry.span), message).with_entry(entry.label())
}

/// `confusable-domain` for each domain of an entry (the spoofed user's and the infrastructure's) that reads as
/// another.
fn confusable_lints(list: &TenantList, entry: &Entry, found: &mut Vec<Diagnostic>) {
    let spoofed = match entry.rule.spoofed() {
        Side::Is(s) => Some(s.domain()),
        Side::Any => None,
    };
    let infrastructure = match entry.rule.infrastructure() {
        Side::Is(Infrastructure::Domain(d)) => Some(d),
        _ => None,
    };
    for domain in spoofed.into_iter().chain(infrastructure) {
        let Some(why) = confusable(domain) else { continue };
        found.push(
            on(list, entry, Code::ConfusableDomain, format!("`{domain}` reads as `{}`, {why}", domain.to_unicode()))
                .with_hint(
                    "check it letter by letter against the real domain; if it is the one you mean, set \
                     `confusable-domain: off` in `policy:`",
                ),
        );
    }
}

/// The scripts whose letters pass for Latin ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Greek,
    Cyrillic,
    Armenian,
}

impl Script {
    fn of(c: char) -> Option<Script> {
        match c {
            'a'..='z' | '\u{C0}'..='\u{24F}' | '\u{1E00}'..='\u{1EFF}' => Some(Script::Latin),
            '\u{370}'..='\u{3FF}' | '\u{1F00}'..='\u{1FFF}' => Some(Script::Greek),
            '\u{400}'..='\u{52F}' | '\u{1C80}'..='\u{1C8F}' | '\u{2DE0}'..='\u{2DFF}' | '\u{A640}'..='\u{A69F}' => {
                Some(Script::Cyrillic)
            }
            '\u{530}'..='\u{58F}' => Some(Script::Armenian),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Script::Latin => "Latin",
            Script::Greek => "Greek",
            Script::Cyrillic => "Cyrillic",
            Script::Armenian => "Armenian",
        }
    }
}

/// Lowercase letters of Greek, Cyrillic and Armenian that most fonts draw like a Latin letter (from
/// Unicode's confusables data for the Latin alphabet).
const LATIN_LOOKALIKES: &str = "αικνορυχ\
    аеорсухкіјѕһԁԛԝӏү\
    օսհոզց";

/// Why `domain` can pass for another, if it can: a label mixes Latin with Greek, Cyrillic or Armenian letters,
/// or is written wholly in letters of one of those that look Latin (`аррӏе`).
fn confusable(domain: &Domain) -> Option<String> {
    if !domain.as_str().contains("xn--") {
        return None;
    }
    for label in domain.to_unicode().split('.') {
        let scripts: Vec<Script> = label.chars().filter_map(Script::of).fold(Vec::new(), |mut seen, s| {
            if !seen.contains(&s) {
                seen.push(s);
            }
            seen
        });
        if scripts.len() > 1 {
            let names: Vec<&str> = scripts.iter().map(|s| s.name()).collect();
            return Some(format!(
                "which mixes {} letters in one label: it can pass for another domain",
                names.join(" and ")
            ));
        }
        if let [script] = scripts[..]
            && script != Script::Latin
            && label.chars().filter(|c| c.is_alphabetic()).all(|c| LATIN_LOOKALIKES.contains(c))
        {
            return Some(format!(
                "whose {} letters all look like Latin ones: it can pass for another domain",
                script.name()
            ));
        }
    }
    None
}

fn allow_lints(
    list: &TenantList,
    entry: &Entry,
    spoofed: &SpoofedUser,
    infrastructure: &Infrastructure,
    found: &mut Vec<Diagnostic>,
) {
    if entry.spoof_type == SpoofType::Internal {
        found.push(
            on(
                list,
                entry,
                Code::AllowOwnDomain,
                match spoofed {
                    SpoofedUser::Domain(_) => {
                        format!("this allow lets {infrastructure} send as {spoofed}, one of the tenant's own domains")
                    }
                    SpoofedUser::Address(_) => format!(
                        "this allow lets {infrastructure} send as {spoofed}, an address in one of the tenant's own domains"
                    ),
                },
            )
            .with_hint(format!(
                "prefer authenticating the sender: add it to the SPF record of {}, or have it sign with DKIM for it",
                spoofed.domain()
            )),
        );
        // CMDLETS (new-tenantallowblocklistspoofitems, -SpoofedUser): "For domains inside your organization
        // (intra-org), use the full email address that appears in the From field."
        if let SpoofedUser::Domain(d) = spoofed {
            found.push(
                on(
                    list,
                    entry,
                    Code::InternalAllowWholeDomain,
                    format!("this internal allow lets {infrastructure} send as any address of {d}"),
                )
                .with_hint(format!(
                    "Microsoft advises the full From address for intra-org spoofing: name the one address it sends as (`name@{d}`)"
                )),
            );
        }
    }
    match infrastructure {
        Infrastructure::Domain(d) => {
            if let Some(platform) = shared_platform_in(&list.policy, d) {
                found.push(
                    on(
                        list,
                        entry,
                        Code::AllowSharedInfrastructure,
                        format!("{d} is {platform}, shared by many customers: any of them could send as {spoofed}"),
                    )
                    .with_hint("prefer the sender's own verified DKIM domain (the `header.d` of its signature) as the infrastructure"),
                );
            }
        }
        Infrastructure::Range(r) => {
            found.push(
                on(
                    list,
                    entry,
                    Code::AllowIpRange,
                    format!("this allow trusts all 256 addresses of {r} to send as {spoofed}"),
                )
                .with_hint(
                    "prefer the sender's DKIM domain or PTR domain; a /24 is the fallback for hosts without a PTR record",
                ),
            );
            if let Some((network, prefix)) = microsoft_outbound(*r) {
                found.push(
                    on(
                        list,
                        entry,
                        Code::AllowMicrosoftOutbound,
                        format!(
                            "{r} is inside {network}/{prefix}, Microsoft 365's own outbound range: every tenant's mail \
                             leaves from it, so any Microsoft 365 customer could send as {spoofed}"
                        ),
                    )
                    .with_hint(
                        "mail relayed by Microsoft 365 is matched by its DKIM signature: allow the sender's own DKIM \
                         domain (the `header.d` of its signature) instead",
                    ),
                );
            }
        }
    }
    if let SpoofedUser::Domain(d) = spoofed
        && is_freemail(d)
    {
        found.push(
            on(
                list,
                entry,
                Code::AllowFreemail,
                format!("{d} is a consumer mail domain: {infrastructure} may now send as any of its users"),
            )
            .with_hint(format!("name the one address the sender uses (`name@{d}`) instead of the whole domain")),
        );
    }
    for (code, key, value) in
        [(Code::MissingReason, "reason", &entry.meta.reason), (Code::MissingOwner, "owner", &entry.meta.owner)]
    {
        if value.is_none() {
            found.push(on(list, entry, code, format!("this allow has no `{key}`")).with_hint(match key {
                "reason" => "add `reason:` saying why this sender may send as the spoofed user",
                _ => "add `owner:` naming who answers for this allow",
            }));
        }
    }
}

/// `shadowed` and `redundant`: an entry whose every message another entry of the same type also matches.
fn cover_lints(list: &TenantList, found: &mut Vec<Diagnostic>) {
    let index = CoverIndex::new(&list.entries);
    for (i, entry) in list.entries.iter().enumerate() {
        // The first entry in file order that covers this one, as a scan of every entry would find it.
        let coverer = |action: Action| index.first_covering(&list.entries, i, action);
        if entry.action() == Action::Allow
            && let Some(block) = coverer(Action::Block)
        {
            found.push(
                on(
                    list,
                    entry,
                    Code::Shadowed,
                    format!(
                        "this allow can never take effect: the block `{}` matches every message it matches, and block beats allow",
                        block.label()
                    ),
                )
                .with_hint("remove the allow, or narrow the block")
                .with_related(block.span, "the block is written here"),
            );
        } else if let Some(wider) = coverer(entry.action()) {
            let what = match (entry.rule.spoofed(), wider.rule.spoofed()) {
                (Side::Is(SpoofedUser::Address(_)), Side::Is(SpoofedUser::Domain(_))) => "its domain",
                _ => "a wider entry",
            };
            found.push(
                on(
                    list,
                    entry,
                    Code::Redundant,
                    format!("{what} `{}` already covers this entry with the same action", wider.label()),
                )
                .with_hint("remove this entry, or narrow the wider one if this is the only sender you meant")
                .with_related(wider.span, "the wider entry is written here"),
            );
        }
    }
}

/// What an entry's sides are looked up by in a [`CoverIndex`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key<'a> {
    Any,
    Domain(&'a str),
    Address(&'a str, &'a str),
    Range(Ipv4Slash24),
}

fn spoofed_key(side: Side<&SpoofedUser>) -> Key<'_> {
    match side {
        Side::Any => Key::Any,
        Side::Is(SpoofedUser::Domain(d)) => Key::Domain(d.as_str()),
        Side::Is(SpoofedUser::Address(a)) => Key::Address(a.domain().as_str(), a.local()),
    }
}

fn infrastructure_key(side: Side<&Infrastructure>) -> Key<'_> {
    match side {
        Side::Any => Key::Any,
        Side::Is(Infrastructure::Domain(d)) => Key::Domain(d.as_str()),
        Side::Is(Infrastructure::Range(r)) => Key::Range(*r),
    }
}

/// The entries of a list by their two sides, so that the entries covering one are found by looking up the
/// few values that could ([`Rule::covers`]): a spoofed user `*`, the same, or the address's domain; an
/// infrastructure `*`, the same, or a parent domain. Comparing every two entries took most of `validate`'s
/// time on a full tenant.
struct CoverIndex<'a> {
    /// Entry numbers, in file order, by (spoofed user, infrastructure).
    by_sides: HashMap<(Key<'a>, Key<'a>), Vec<usize>>,
}

impl<'a> CoverIndex<'a> {
    fn new(entries: &'a [Entry]) -> CoverIndex<'a> {
        let mut by_sides: HashMap<(Key<'a>, Key<'a>), Vec<usize>> = HashMap::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            by_sides
                .entry((spoofed_key(e.rule.spoofed()), infrastructure_key(e.rule.infrastructure())))
                .or_default()
                .push(i);
        }
        CoverIndex { by_sides }
    }

    /// The first entry (in file order) other than `entries[i]`, of its type and of `action`, that covers it.
    fn first_covering<'e>(&self, entries: &'e [Entry], i: usize, action: Action) -> Option<&'e Entry> {
        let entry = &entries[i];
        let spoofed = match spoofed_key(entry.rule.spoofed()) {
            Key::Address(domain, local) => vec![Key::Any, Key::Domain(domain), Key::Address(domain, local)],
            Key::Any => vec![Key::Any],
            other => vec![Key::Any, other],
        };
        let mut infrastructure = vec![Key::Any];
        match infrastructure_key(entry.rule.infrastructure()) {
            Key::Domain(d) => {
                infrastructure.push(Key::Domain(d));
                infrastructure.extend(d.match_indices('.').map(|(at, _)| Key::Domain(&d[at + 1..])));
            }
            Key::Any => {}
            other => infrastructure.push(other),
        }
        let mut first: Option<usize> = None;
        for s in &spoofed {
            for n in &infrastructure {
                let Some(candidates) = self.by_sides.get(&(*s, *n)) else { continue };
                let found = candidates
                    .iter()
                    .copied()
                    .find(|&j| j != i && entries[j].spoof_type == entry.spoof_type && entries[j].action() == action);
                if let Some(j) = found {
                    first = Some(first.map_or(j, |f| f.min(j)));
                }
            }
        }
        first.map(|j| &entries[j])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line of the data files parses; a typo there would silently drop a platform.
    #[test]
    fn data_files_parse() {
        let shared = data_lines(include_str!("../../data/shared-infrastructure.txt")).count();
        assert_eq!(SHARED.len(), shared);
        assert_eq!(FREEMAIL.len(), data_lines(include_str!("../../data/freemail.txt")).count());
    }

    /// Microsoft 365's outbound ranges, inside and at their edges, and just outside.
    #[test]
    fn microsoft_outbound_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("40.91.255.0/24", None),
            ("40.92.0.0/24", Some("40.92.0.0/15")),
            ("40.93.255.0/24", Some("40.92.0.0/15")),
            ("40.94.0.0/24", None),
            ("40.106.255.0/24", None),
            ("40.107.0.0/24", Some("40.107.0.0/16")),
            ("40.107.255.0/24", Some("40.107.0.0/16")),
            ("40.108.0.0/24", None),
            ("52.99.255.0/24", None),
            ("52.100.0.0/24", Some("52.100.0.0/14")),
            ("52.103.255.0/24", Some("52.100.0.0/14")),
            ("52.104.0.0/24", None),
            ("104.46.255.0/24", None),
            ("104.47.0.0/24", Some("104.47.0.0/17")),
            ("104.47.127.0/24", Some("104.47.0.0/17")),
            ("104.47.128.0/24", None),
            ("203.0.113.0/24", None),
        ];
        for (range, block) in cases {
            let parsed = Ipv4Slash24::parse(range).unwrap_or_else(|e| panic!("{range}: {e:?}"));
            let found = microsoft_outbound(parsed).map(|(n, p)| format!("{n}/{p}"));
            assert_eq!(found.as_deref(), *block, "{range}");
        }
    }

    /// A list's own platforms count as shared, with their subdomains, beside the shipped ones; other lists'
    /// do not.
    #[test]
    fn policy_platforms_are_shared() {
        let domain = |d: &str| Domain::parse(d).unwrap_or_else(|e| panic!("{d}: {e:?}"));
        let mut policy = Policy::default();
        policy.add_shared_infrastructure(domain("example-esp.net"));
        let cases = [
            ("example-esp.net", Some(POLICY_PLATFORM)),
            ("eu.mail.example-esp.net", Some(POLICY_PLATFORM)),
            ("example-esp.org", None),
            ("notexample-esp.net", None),
            ("eu-west-1.amazonses.com", Some("Amazon SES")),
            ("o1.klaviyomail.com", Some("Klaviyo")),
        ];
        for (d, want) in cases {
            assert_eq!(shared_platform_in(&policy, &domain(d)), want, "{d}");
        }
        assert_eq!(shared_platform_in(&Policy::default(), &domain("example-esp.net")), None);
    }

    /// The index finds, for every entry and action, the entry a scan of every entry in file order finds:
    /// over random lists drawn from a few values, so that entries cover each other in every way (`*`, an
    /// address's domain, parent domains, equal ranges, other types and actions).
    #[test]
    fn the_index_finds_what_a_scan_finds() {
        let spoofed = ["*", "a.example", "b.a.example", "x@a.example", "y@a.example", "x@b.a.example"];
        let infrastructure = ["*", "example.net", "mx.example.net", "a.mx.example.net", "192.0.2.0/24", "mx.example"];
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state % n as u64).unwrap_or(0)
        };
        let mut coverings = 0;
        for _ in 0..300 {
            let mut entries = Vec::new();
            for line in 0..next(40) {
                let action = if next(2) == 0 { Action::Allow } else { Action::Block };
                let (s, n) = (spoofed[next(spoofed.len())], infrastructure[next(infrastructure.len())]);
                let sides = (Side::parse_spoofed(s), Side::parse_infrastructure(n));
                let (Ok(s), Ok(n)) = sides else { panic!("{s} {n}: the test's values parse") };
                let Ok(rule) = Rule::new(action, s, n) else { continue };
                let spoof_type = if next(4) == 0 { SpoofType::Internal } else { SpoofType::External };
                let meta = Default::default();
                let span = crate::model::diagnostic::Span::new(line + 1, 5);
                entries.push(Entry { rule, spoof_type, type_written: true, meta, span });
            }
            let index = CoverIndex::new(&entries);
            for (i, entry) in entries.iter().enumerate() {
                for action in [Action::Allow, Action::Block] {
                    let scanned = entries.iter().position(|o| {
                        !std::ptr::eq(o, entry)
                            && o.spoof_type == entry.spoof_type
                            && o.action() == action
                            && o.rule.covers(&entry.rule)
                    });
                    let indexed = index
                        .first_covering(&entries, i, action)
                        .and_then(|found| entries.iter().position(|o| std::ptr::eq(o, found)));
                    assert_eq!(indexed, scanned, "entry {i} ({}), {action:?}, in {entries:#?}", entry.label());
                    coverings += usize::from(scanned.is_some());
                }
            }
        }
        assert!(coverings > 1000, "the random lists hardly cover: {coverings}");
    }
}
