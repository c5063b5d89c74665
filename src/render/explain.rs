//! `explain`: what the service saw and decided about a message, and what the lists say, as text and JSON.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

use super::verdict::{OutcomeJson, outcome_json, outcome_text};
use super::{EntryJson, Style, diagnostic, diagnostic_json};
use crate::engine::explain::{
    BULK_THRESHOLD, Candidate, Explanation, Handling, ListView, NoEntry, NotSpoof, Suggestion, Trust, Warning, bcl,
    bypass_trust, scl,
};
use crate::model::characters::escaped;
use crate::model::header_codes;
use crate::model::message::Message;
use crate::read::headers::{PtrField, Stamps};
use crate::render::list_yaml::entry_yaml;

/// One labelled line. Values come from the message, so control characters (terminal escapes) are shown
/// escaped, never sent to the terminal.
fn field_line(out: &mut String, label: &str, value: &str) {
    let _ = writeln!(out, "  {label:<13}{}", crate::model::characters::escaped(value));
}

/// The stamps as labelled lines, each code with its meaning.
fn stamps_text(s: &Stamps, out: &mut String) {
    field_line(out, "From:", s.from_raw.as_deref().unwrap_or("(no From address)"));
    if s.from_addresses > 1 {
        field_line(
            out,
            "Warning:",
            &format!(
                "the From headers hold {} addresses; spoofctl uses the first, but mail clients may show another",
                s.from_addresses
            ),
        );
    }
    if s.results_from_exchange {
        field_line(
            out,
            "Auth:",
            "read from X-MS-Exchange-Authentication-Results (no Authentication-Results stamped by Microsoft 365)",
        );
    }
    if s.results.is_empty() {
        let why = if s.authentication_results == 0 {
            "no Authentication-Results header"
        } else {
            "no Authentication-Results stamped by Microsoft 365"
        };
        field_line(
            out,
            "Auth:",
            &format!("{why}: this message did not pass Exchange Online Protection, or its headers were cut"),
        );
    }
    if let Some(d) = s.result("dmarc") {
        let action =
            d.get("action").map_or(String::new(), |a| format!(", action={a}: {}", header_codes::dmarc_action(a)));
        field_line(out, "DMARC:", &format!("{}{action}", d.result));
    }
    if let Some(c) = s.result("compauth") {
        let reason =
            c.get("reason").map_or(String::new(), |r| format!(", reason {r}: {}", header_codes::compauth_reason(r)));
        field_line(out, "compauth:", &format!("{}{reason}", c.result));
    }
    if let Some(spf) = s.result("spf") {
        let from = spf.get("smtp.mailfrom").map_or(String::new(), |m| format!(" (smtp.mailfrom={m})"));
        field_line(out, "SPF:", &format!("{}{from}", spf.result));
    }
    for d in s.dkim() {
        let domain = d.get("header.d").filter(|h| *h != "none").map_or(String::new(), |h| format!(" (header.d={h})"));
        field_line(out, "DKIM:", &format!("{}{domain}", d.result));
    }
    if !s.antispam.is_empty() && !s.microsoft_hop() {
        field_line(
            out,
            "Antispam:",
            "not trusted: no Microsoft 365 hop stamped this message (no Microsoft authentication result, ARC set or Received line), and anyone can write that header",
        );
    } else {
        antispam_text(s, out);
    }
    if let Some(a) = &s.auth_as {
        let sign =
            if a.eq_ignore_ascii_case("Anonymous") { " (not sent by an authenticated user of the tenant)" } else { "" };
        field_line(out, "AuthAs:", &format!("{a}{sign}"));
    }
    if s.arc_results > 0 {
        let others = s.arc_results - s.arc_microsoft;
        let text = match (s.arc_microsoft, others) {
            (0, n) => format!("{n} ARC-Authentication-Results from other hops (not used)"),
            (m, 0) => format!("{m} ARC-Authentication-Results sealed by Microsoft 365 (mx.microsoft.com)"),
            (m, n) => format!("{m} ARC-Authentication-Results sealed by Microsoft 365, {n} from other hops (not used)"),
        };
        field_line(out, "ARC:", &text);
    }
}

/// The connecting IP as stamped, with what spoofctl uses of it.
fn cip_text(s: &Stamps) -> String {
    match (s.antispam("CIP"), s.connecting_ip()) {
        (Some(raw), ip) if raw.parse::<std::net::IpAddr>().ok() != ip => match ip {
            Some(ip) => format!("{raw} (no usable address; {ip} from the SPF result is used)"),
            None => format!("{raw} (no value: it names no host)"),
        },
        (Some(raw), _) => raw.to_string(),
        (None, Some(ip)) => ip.to_string(),
        (None, None) => "(not stamped)".to_string(),
    }
}

/// The PTR field: a host, no name (empty or a placeholder), or not stamped at all.
fn ptr_text(s: &Stamps) -> String {
    match s.ptr() {
        PtrField::Host(h) => h.to_string(),
        PtrField::NoName("") => "(none: the connecting IP has no reverse DNS name)".to_string(),
        PtrField::NoName(p) => {
            format!("{p} (a placeholder, no host: the connecting IP has no usable reverse DNS name)")
        }
        PtrField::NotStamped if s.antispam.is_empty() => "(not stamped)".to_string(),
        PtrField::NotStamped => "(not stamped: the antispam report has no PTR field)".to_string(),
    }
}

/// The antispam report's fields, each code with its meaning, and the BCL.
fn antispam_text(s: &Stamps, out: &mut String) {
    field_line(out, "CIP:", &cip_text(s));
    field_line(out, "PTR:", &ptr_text(s));
    if let Some(scl) = scl(s) {
        field_line(out, "SCL:", &scl.to_string());
    }
    if let Some(bcl) = bcl(s) {
        field_line(out, "BCL:", &format!("{bcl} (the default bulk threshold is {BULK_THRESHOLD})"));
    }
    type Meaning = fn(&str) -> &'static str;
    let coded: [(&str, Meaning); 5] = [
        ("CAT", header_codes::cat),
        ("SFV", header_codes::sfv),
        ("IPV", header_codes::ipv),
        ("SFTY", header_codes::sfty),
        ("DIR", header_codes::dir),
    ];
    for (key, words) in coded {
        if let Some(v) = s.antispam(key) {
            field_line(out, &format!("{key}:"), &format!("{v}: {}", words(v)));
        }
    }
    if s.antispam.is_empty() {
        field_line(out, "Antispam:", "no X-Forefront-Antispam-Report header");
    }
}

/// How the service handled the message, in one sentence.
pub fn handling_words(h: &Handling) -> String {
    const NOTHING: &str = "a spoofed-sender entry would change nothing";
    match h {
        Handling::NotSeenByMicrosoft => format!(
            "unknown: no Microsoft 365 hop stamped this message, so nothing shows what the service decided; {NOTHING} that these headers could show"
        ),
        Handling::Outbound(sign) => {
            format!("sent or relayed by the tenant itself ({}): not an inbound spoof; {NOTHING}", sign.words())
        }
        Handling::LetIn(m) => {
            let trust = match bypass_trust(*m) {
                Trust::OneFactor(what) => format!("it trusts one factor alone: {what}"),
                Trust::RuleConditions => "it trusts whatever the rule's conditions name: a rule on the sender's domain alone trusts one factor".to_string(),
                Trust::NotAnAllow => "no allow was involved".to_string(),
            };
            format!("let in by {} ({}); {trust}; {NOTHING}", m.code(), m.words())
        }
        Handling::NotSpoof(NotSpoof::AuthPassed(r)) => {
            format!("not handled as spoof: composite authentication gave {r} (compauth={r}); {NOTHING}")
        }
        Handling::NotSpoof(NotSpoof::Category(c)) => format!(
            "not handled as spoof: the {} verdict (CAT:{c}) applied, decided by {}; {NOTHING}",
            header_codes::cat(c),
            header_codes::cat_decided_by(c)
        ),
        Handling::NotSpoof(NotSpoof::Bulk(bcl)) => {
            let seen = match bcl {
                Some(b) if *b >= BULK_THRESHOLD => {
                    format!("BCL {b} meets the default bulk threshold ({BULK_THRESHOLD})")
                }
                _ => "spam filtering identified it as bulk (SRV:BULK)".to_string(),
            };
            format!("bulk: {seen}; the bulk email threshold of the anti-spam policy decides, and {NOTHING}")
        }
        Handling::NotSpoof(NotSpoof::LetThrough) => format!(
            "not acted on as spoof: composite authentication failed, but spoof protection let the message through (CAT:NONE); {NOTHING}"
        ),
        Handling::NotSpoof(NotSpoof::NoSpoofSign) => {
            format!("not handled as spoof: no compauth=fail and no CAT:SPOOF in the headers; {NOTHING}")
        }
        Handling::Spoof => {
            "handled as spoof (CAT:SPOOF, or compauth=fail where no antispam report says more): spoof protection acted, and a spoofed-sender entry decides"
                .to_string()
        }
    }
}

/// A warning in words.
fn warning_words(w: &Warning, m: Option<&Message>) -> String {
    match w {
        Warning::HeaderFromDiffers { header_from } => format!(
            "DMARC's header.from is {header_from}, not {}, the From address's domain used for the pair: check which From header mail clients show",
            m.map_or("", |m| m.from.domain())
        ),
        Warning::ViaOwnServers => "this inbound message came over the hybrid connector from the tenant's own servers (X-MS-Exchange-CrossTenant-FromEntityHeader: HybridOnPrem): unless Enhanced Filtering for Connectors is on, the service likely sees those servers as the source, so the CIP and PTR above are theirs, and the Honor DMARC policy setting is not applied".to_string(),
        Warning::IntraOrgButExternal { reason } => format!(
            "compauth reason {reason} says the From domain is one of the tenant's own, but this list's accepted-domains call it external: check accepted-domains"
        ),
    }
}

/// A candidate infrastructure in words.
fn candidate_words(c: &Candidate) -> String {
    let mut text = format!("{}: {}", c.infrastructure, c.basis.words());
    if let Some(p) = c.platform {
        let _ = write!(text, "; {p}, shared by many customers");
    }
    if c.generic_ptr {
        text.push_str("; a generic PTR name that spells the IP address (a residential line or a cloud server): whoever rents a neighbouring address shares it");
    }
    text
}

fn view_text(view: &ListView<'_>, e: &Explanation<'_>, style: Style, out: &mut String) {
    if let Some(m) = &e.message {
        out.push_str(&outcome_text(&view.outcome, m, style));
    }
    for w in &view.warnings {
        let _ = writeln!(out, "  warning: {}", escaped(&warning_words(w, e.message.as_ref())));
    }
    match &view.suggestion {
        Suggestion::Entry(s) => {
            let _ = writeln!(out, "  infrastructure candidates, least shared first (the first is suggested):");
            for c in &s.candidates {
                let _ = writeln!(out, "  - {}", escaped(&candidate_words(c)));
            }
            let _ = writeln!(out, "  suggested entry (infrastructure: {}):", s.basis.words());
            for line in entry_yaml(&s.entry).lines() {
                let _ = writeln!(out, "  {line}");
            }
            if let Some(block) =
                view.outcome.verdict.decision().filter(|d| d.entry().action() == crate::model::pair::Action::Block)
            {
                let _ = writeln!(
                    out,
                    "  note: the block at line {} matches this message too; block beats allow, so this allow lets nothing through until that block changes",
                    block.entry().span.line
                );
            }
            if !s.lints.is_empty() {
                let _ = writeln!(out, "  it would raise:");
                for d in &s.lints {
                    let first = diagnostic(d, style);
                    let _ = writeln!(out, "    {}", first.lines().next().unwrap_or_default());
                }
            }
        }
        Suggestion::Nothing(why) => {
            let _ = writeln!(out, "  no suggested entry: {}", escaped(&no_entry(why)));
        }
    }
}

/// Why a list has no suggested entry, in words.
pub(super) fn no_entry(why: &NoEntry<'_>) -> String {
    match why {
        NoEntry::AlreadyAllowed => "the message is already allowed".to_string(),
        NoEntry::NotHandledAsSpoof => {
            "the service did not handle this message as an inbound spoof (see Handling)".to_string()
        }
        NoEntry::FromNotADomain(e) => format!("the From domain cannot be an entry: {e}"),
        NoEntry::NoInfrastructure => {
            "the headers show no infrastructure to name: no passing DKIM signature, no PTR and no IPv4 connecting IP"
                .to_string()
        }
        NoEntry::InfrastructureRefused(e) => {
            format!("the only infrastructure the headers show cannot be an entry: {e}")
        }
        NoEntry::AlreadyListed(same) => format!(
            "the list already has this pair as a {} (line {}): change that entry's action rather than adding another",
            same.action(),
            same.span.line
        ),
    }
}

/// The first passing DKIM domain, when it is another infrastructure than the one the service reports (not
/// when the PTR's organizational domain is that same domain).
fn dkim_alternative(m: &Message) -> Option<&str> {
    let reported = m.service_infrastructure().map(|i| i.to_string());
    m.dkim_pass.first().map(|d| d.as_str()).filter(|d| reported.as_deref() != Some(*d))
}

/// One message's explanation as text.
pub fn explain_text(source: &str, e: &Explanation<'_>, style: Style) -> String {
    let mut out = format!("{}\n", escaped(source));
    stamps_text(&e.stamps, &mut out);
    for w in &e.warnings {
        field_line(&mut out, "Warning:", &warning_words(w, e.message.as_ref()));
    }
    field_line(&mut out, "Handling:", &handling_words(&e.handling));
    match &e.message {
        Some(m) => {
            let mut seen = String::new();
            m.push_service_pair(&mut seen);
            let dkim = dkim_alternative(m).map_or(String::new(), |d| format!("; or via passing DKIM domain {d}"));
            field_line(&mut out, "Pair:", &format!("{seen}{dkim}"));
        }
        None => field_line(&mut out, "Pair:", "unknown: the headers have no usable From address"),
    }
    for view in &e.lists {
        view_text(view, e, style, &mut out);
    }
    out
}

/// What the headers say, in JSON: each code with its meaning.
#[derive(Serialize)]
struct StampsJson<'a> {
    from: Option<&'a str>,
    from_addresses: usize,
    dmarc: Option<DmarcJson<'a>>,
    compauth: Option<CompauthJson<'a>>,
    spf: Option<SpfJson<'a>>,
    dkim: Vec<DkimJson<'a>>,
    /// True when the results come from `X-MS-Exchange-Authentication-Results`.
    results_from_exchange: bool,
    /// False when no Microsoft 365 hop stamped the message: then the antispam fields below are not read.
    antispam_trusted: bool,
    cip: Option<String>,
    ptr: Option<&'a str>,
    /// `host`, `no-name` (empty or a placeholder) or `not-stamped`.
    ptr_field: &'static str,
    scl: Option<i8>,
    bcl: Option<u8>,
    cat: Option<Coded<'a>>,
    sfv: Option<Coded<'a>>,
    ipv: Option<Coded<'a>>,
    sfty: Option<Coded<'a>>,
    dir: Option<Coded<'a>>,
    auth_as: Option<&'a str>,
    arc_results: usize,
    arc_microsoft: usize,
}

#[derive(Serialize)]
struct DmarcJson<'a> {
    result: &'a str,
    action: Option<&'a str>,
    action_meaning: Option<&'static str>,
    header_from: Option<&'a str>,
}

#[derive(Serialize)]
struct CompauthJson<'a> {
    result: &'a str,
    reason: Option<&'a str>,
    reason_meaning: Option<&'static str>,
}

#[derive(Serialize)]
struct SpfJson<'a> {
    result: &'a str,
    smtp_mailfrom: Option<&'a str>,
}

#[derive(Serialize)]
struct DkimJson<'a> {
    result: &'a str,
    domain: Option<&'a str>,
}

/// An antispam code and what it means.
#[derive(Serialize)]
struct Coded<'a> {
    value: &'a str,
    meaning: &'static str,
}

fn stamps_json(s: &Stamps) -> StampsJson<'_> {
    let trusted = s.microsoft_hop();
    let code = |key: &str, words: fn(&str) -> &'static str| {
        s.antispam(key).filter(|_| trusted).map(|v| Coded { value: v, meaning: words(v) })
    };
    StampsJson {
        from: s.from.as_deref(),
        from_addresses: s.from_addresses,
        dmarc: s.result("dmarc").map(|d| DmarcJson {
            result: &d.result,
            action: d.get("action"),
            action_meaning: d.get("action").map(header_codes::dmarc_action),
            header_from: d.get("header.from"),
        }),
        compauth: s.result("compauth").map(|c| CompauthJson {
            result: &c.result,
            reason: c.get("reason"),
            reason_meaning: c.get("reason").map(header_codes::compauth_reason),
        }),
        spf: s.result("spf").map(|r| SpfJson { result: &r.result, smtp_mailfrom: r.get("smtp.mailfrom") }),
        dkim: s.dkim().map(|r| DkimJson { result: &r.result, domain: r.get("header.d") }).collect(),
        results_from_exchange: s.results_from_exchange,
        antispam_trusted: trusted,
        cip: s.connecting_ip().filter(|_| trusted).map(|ip| ip.to_string()),
        ptr: match s.ptr() {
            PtrField::Host(h) if trusted => Some(h),
            _ => None,
        },
        ptr_field: match s.ptr() {
            PtrField::Host(_) => "host",
            PtrField::NoName(_) => "no-name",
            PtrField::NotStamped => "not-stamped",
        },
        scl: scl(s).filter(|_| trusted),
        bcl: bcl(s).filter(|_| trusted),
        cat: code("CAT", header_codes::cat),
        sfv: code("SFV", header_codes::sfv),
        ipv: code("IPV", header_codes::ipv),
        sfty: code("SFTY", header_codes::sfty),
        dir: code("DIR", header_codes::dir),
        auth_as: s.auth_as.as_deref(),
        arc_results: s.arc_results,
        arc_microsoft: s.arc_microsoft,
    }
}

/// The pair the service saw.
#[derive(Serialize)]
struct PairJson<'a> {
    spoofed: &'a str,
    infrastructure: Option<String>,
}

/// One list's verdict, with the entry that would allow the message or why there is none.
#[derive(Serialize)]
struct ExplainedList<'a> {
    #[serde(flatten)]
    outcome: OutcomeJson<'a>,
    warnings: Vec<String>,
    suggestion: SuggestionJson,
}

/// The suggested entry, or `{"none": why}`.
#[derive(Serialize)]
#[serde(untagged)]
enum SuggestionJson {
    Entry { entry: EntryJson, basis: &'static str, candidates: Vec<CandidateJson>, yaml: String, lints: Vec<Value> },
    Nothing { none: String },
}

/// An infrastructure the message offers, in the order considered (the first is suggested).
#[derive(Serialize)]
struct CandidateJson {
    infrastructure: String,
    basis: &'static str,
    platform: Option<&'static str>,
    generic_ptr: bool,
}

/// How the service handled the message.
#[derive(Serialize)]
struct HandlingJson {
    /// `spoof`, `not-spoof`, `let-in`, `outbound` or `not-seen-by-microsoft`.
    kind: &'static str,
    /// The header value that names the mechanism, for `let-in`.
    mechanism: Option<&'static str>,
    /// True when that mechanism trusts one factor alone.
    one_factor: Option<bool>,
    words: String,
}

fn handling_json(h: &Handling) -> HandlingJson {
    let (kind, mechanism) = match h {
        Handling::NotSeenByMicrosoft => ("not-seen-by-microsoft", None),
        Handling::Outbound(_) => ("outbound", None),
        Handling::LetIn(m) => ("let-in", Some(*m)),
        Handling::NotSpoof(_) => ("not-spoof", None),
        Handling::Spoof => ("spoof", None),
    };
    HandlingJson {
        kind,
        mechanism: mechanism.map(|m| m.code()),
        one_factor: mechanism.map(|m| matches!(bypass_trust(m), Trust::OneFactor(_))),
        words: handling_words(h),
    }
}

/// `explain`'s JSON report for one message ([`explain_json`]).
#[derive(Serialize)]
pub struct ExplainReport<'a> {
    source: &'a str,
    headers: StampsJson<'a>,
    handling: HandlingJson,
    warnings: Vec<String>,
    pair: Option<PairJson<'a>>,
    dkim_alternative: Option<&'a str>,
    lists: Vec<ExplainedList<'a>>,
}

super::json_display!(ExplainReport);

/// One message's explanation as JSON.
pub fn explain_json<'a>(source: &'a str, e: &'a Explanation<'_>) -> ExplainReport<'a> {
    ExplainReport {
        source,
        headers: stamps_json(&e.stamps),
        handling: handling_json(&e.handling),
        warnings: e.warnings.iter().map(|w| warning_words(w, e.message.as_ref())).collect(),
        pair: e.message.as_ref().map(|m| PairJson {
            spoofed: m.from.domain(),
            infrastructure: m.service_infrastructure().map(|i| i.to_string()),
        }),
        dkim_alternative: e.message.as_ref().and_then(dkim_alternative),
        lists: e
            .lists
            .iter()
            .filter_map(|v| Some((v, e.message.as_ref()?)))
            .map(|(v, m)| ExplainedList {
                outcome: outcome_json(&v.outcome, m),
                warnings: v.warnings.iter().map(|w| warning_words(w, Some(m))).collect(),
                suggestion: match &v.suggestion {
                    Suggestion::Entry(s) => SuggestionJson::Entry {
                        entry: s.entry.label().into(),
                        basis: s.basis.words(),
                        candidates: s
                            .candidates
                            .iter()
                            .map(|c| CandidateJson {
                                infrastructure: c.infrastructure.to_string(),
                                basis: c.basis.words(),
                                platform: c.platform,
                                generic_ptr: c.generic_ptr,
                            })
                            .collect(),
                        yaml: entry_yaml(&s.entry),
                        lints: s.lints.iter().map(diagnostic_json).collect(),
                    },
                    Suggestion::Nothing(why) => SuggestionJson::Nothing { none: no_entry(why) },
                },
            })
            .collect(),
    }
}
