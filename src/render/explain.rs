//! `explain`: what the service saw and decided about a message, and what the lists say, as text and JSON.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

use super::verdict::{OutcomeJson, outcome_json, outcome_text};
use super::{EntryJson, Style, diagnostic, diagnostic_json};
use crate::engine::explain::{Explanation, ListView, NoEntry, Suggestion};
use crate::model::header_codes;
use crate::model::message::Message;
use crate::read::headers::Stamps;
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
    let cip = match (s.antispam("CIP"), s.connecting_ip()) {
        (Some(raw), Some(ip)) if raw.parse::<std::net::IpAddr>().is_err() => {
            format!("{raw} (not an IP address; {ip} from the SPF result is used)")
        }
        (Some(raw), _) => raw.to_string(),
        (None, Some(ip)) => ip.to_string(),
        (None, None) => "(not stamped)".to_string(),
    };
    field_line(out, "CIP:", &cip);
    let no_ptr =
        if s.antispam.is_empty() { "(not stamped)" } else { "(none: the connecting IP has no reverse DNS name)" };
    field_line(out, "PTR:", s.antispam("PTR").unwrap_or(no_ptr));
    type Meaning = fn(&str) -> &'static str;
    let coded: [(&str, Meaning); 4] = [
        ("CAT", header_codes::cat),
        ("SFV", header_codes::sfv),
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
    if let Some(a) = &s.auth_as {
        let sign =
            if a.eq_ignore_ascii_case("Anonymous") { " (not sent by an authenticated user of the tenant)" } else { "" };
        field_line(out, "AuthAs:", &format!("{a}{sign}"));
    }
    if s.arc_results > 0 {
        field_line(out, "ARC:", &format!("{} ARC-Authentication-Results from other hops (not used)", s.arc_results));
    }
}

fn view_text(view: &ListView<'_>, e: &Explanation<'_>, style: Style, out: &mut String) {
    if let Some(m) = &e.message {
        out.push_str(&outcome_text(&view.outcome, m, style));
    }
    match &view.suggestion {
        Suggestion::Entry(s) => {
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
            let _ = writeln!(out, "  no suggested entry: {}", crate::model::characters::escaped(&no_entry(why)));
        }
    }
}

/// Why a list has no suggested entry, in words.
pub(super) fn no_entry(why: &NoEntry<'_>) -> String {
    match why {
        NoEntry::AlreadyAllowed => "the message is already allowed".to_string(),
        NoEntry::FromNotADomain(e) => format!("the From domain cannot be an entry: {e}"),
        NoEntry::NoInfrastructure => {
            "the headers show no infrastructure to name: no passing DKIM signature, no PTR and no IPv4 connecting IP"
                .to_string()
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
    let mut out = format!("{}\n", crate::model::characters::escaped(source));
    stamps_text(&e.stamps, &mut out);
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
    cip: Option<String>,
    ptr: Option<&'a str>,
    cat: Option<Coded<'a>>,
    sfv: Option<Coded<'a>>,
    sfty: Option<Coded<'a>>,
    dir: Option<Coded<'a>>,
    auth_as: Option<&'a str>,
    arc_results: usize,
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
    let code =
        |key: &str, words: fn(&str) -> &'static str| s.antispam(key).map(|v| Coded { value: v, meaning: words(v) });
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
        cip: s.connecting_ip().map(|ip| ip.to_string()),
        ptr: s.antispam("PTR"),
        cat: code("CAT", header_codes::cat),
        sfv: code("SFV", header_codes::sfv),
        sfty: code("SFTY", header_codes::sfty),
        dir: code("DIR", header_codes::dir),
        auth_as: s.auth_as.as_deref(),
        arc_results: s.arc_results,
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
    suggestion: SuggestionJson,
}

/// The suggested entry, or `{"none": why}`.
#[derive(Serialize)]
#[serde(untagged)]
enum SuggestionJson {
    Entry { entry: EntryJson, basis: &'static str, yaml: String, lints: Vec<Value> },
    Nothing { none: String },
}

/// `explain`'s JSON report for one message ([`explain_json`]).
#[derive(Serialize)]
pub struct ExplainReport<'a> {
    source: &'a str,
    headers: StampsJson<'a>,
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
                suggestion: match &v.suggestion {
                    Suggestion::Entry(s) => SuggestionJson::Entry {
                        entry: s.entry.label().into(),
                        basis: s.basis.words(),
                        yaml: entry_yaml(&s.entry),
                        lints: s.lints.iter().map(diagnostic_json).collect(),
                    },
                    Suggestion::Nothing(why) => SuggestionJson::Nothing { none: no_entry(why) },
                },
            })
            .collect(),
    }
}
