//! `match` verdicts for one message, as text and JSON.

use std::fmt::Write as _;

use serde::Serialize;

use super::{EntryJson, Style};
use crate::engine::matcher::{Failed, NearMiss, Outcome, Verdict, Via};
use crate::model::entry::Entry;
use crate::model::message::Message;
use crate::model::words::WILDCARD;
use crate::model::words::Word;

fn place(entry: &Entry, outcome: &Outcome<'_>) -> String {
    format!(
        "{}:{}:{}",
        crate::model::characters::escaped(&outcome.list.path.display().to_string()),
        entry.span.line,
        entry.span.column
    )
}

/// The message as spoofctl read it, one line.
fn message_line(m: &Message) -> String {
    // Parsed values (an address, host names, an IP): no hidden character survives their parsers.
    let mut parts = vec![format!("From {}", m.from)];
    parts.push(m.ptr.as_ref().map_or("no PTR".to_string(), |p| format!("PTR {p}")));
    if let Some(ip) = m.ip {
        parts.push(format!("IP {ip}"));
    }
    if !m.dkim_pass.is_empty() {
        let d: Vec<String> = m.dkim_pass.iter().map(|h| h.to_string()).collect();
        parts.push(format!("DKIM pass {}", d.join(" ")));
    }
    parts.join(", ")
}

fn via_words(via: Via, entry: &Entry, message: &Message) -> String {
    let words = via.describe(message);
    match via.host(message) {
        Some(h) if h.as_str() != entry.rule.infrastructure().to_string() => {
            format!("{words} is under {}", entry.rule.infrastructure())
        }
        _ => words,
    }
}

fn miss_words(miss: &NearMiss<'_>, outcome: &Outcome<'_>, m: &Message) -> String {
    let e = miss.entry;
    match miss.failed {
        Failed::Infrastructure => {
            format!("the From matches, but the message did not come via {}", e.rule.infrastructure())
        }
        Failed::Spoofed => format!(
            "the infrastructure matches ({}), but the entry is for {}, not {}",
            miss.via.map_or(String::new(), |v| via_words(v, e, m)),
            e.rule.spoofed(),
            m.from
        ),
        Failed::Type => format!(
            "both sides match, but the entry is {} and the message is {}",
            e.spoof_type,
            outcome.spoof_type.map_or("of unknown type", |t| t.list_word())
        ),
    }
}

/// One list's verdict for a message: the deciding entry, overridden allows and near misses.
pub(super) fn outcome_text(o: &Outcome<'_>, message: &Message, style: Style) -> String {
    let mut out = String::new();
    let kind = o.spoof_type.map_or(String::new(), |t| format!(" ({t} spoof)"));
    let verdict = match &o.verdict {
        Verdict::Block(_) => style.paint("1;31", "block"),
        Verdict::Allow(_) => style.paint("1;32", "allow"),
        Verdict::None => "none".to_string(),
    };
    let _ = writeln!(out, "{}: {verdict}{kind}", crate::model::characters::escaped(&o.list.path.display().to_string()));
    match o.verdict.decision() {
        Some(d) => {
            let e = d.entry();
            let _ = writeln!(out, "  entry: {}", e.label());
            let _ = writeln!(out, "    --> {}", place(e, o));
            let _ = writeln!(
                out,
                "    = matched: From {} matches {}; {}",
                message.from,
                e.rule.spoofed(),
                via_words(d.via(), e, message)
            );
        }
        None => {
            let _ = writeln!(
                out,
                "  no entry matches both the From and the infrastructure: spoof intelligence and the anti-phishing policy decide"
            );
        }
    }
    for e in &o.overridden {
        let _ = writeln!(out, "  overridden: {}", e.label());
        let _ = writeln!(out, "    --> {}", place(e, o));
        let _ = writeln!(out, "    = this allow matches too, but a matching block wins over any allow");
    }
    if !o.near_misses.is_empty() {
        let _ = writeln!(out, "  near misses:");
        for miss in &o.near_misses {
            let _ = writeln!(out, "  - {}", miss.entry.label());
            let _ = writeln!(out, "    --> {}", place(miss.entry, o));
            let _ = writeln!(out, "    = {} did not match: {}", miss.failed.word(), miss_words(miss, o, message));
        }
    }
    out
}

/// The verdict of each list for one message.
pub fn outcomes_text(message: &Message, outcomes: &[Outcome<'_>], style: Style) -> String {
    let mut out = format!("message: {}\n", message_line(message));
    for o in outcomes {
        out.push_str(&outcome_text(o, message, style));
    }
    out
}

/// How a deciding entry's infrastructure matched: `{kind, value}`.
#[derive(Serialize)]
struct ViaJson {
    kind: &'static str,
    value: String,
}

fn via_json(via: Via, message: &Message) -> ViaJson {
    let kind = match via {
        Via::Ptr => "ptr",
        Via::Dkim(_) => "dkim",
        Via::Ip(_) => "ip",
        Via::Any => "any",
    };
    let value = match via {
        Via::Ip(r) => r.to_string(),
        Via::Any => WILDCARD.to_string(),
        _ => via.host(message).map(|h| h.to_string()).unwrap_or_default(),
    };
    ViaJson { kind, value }
}

/// An entry with its place: `{spoofed, infrastructure, type, action, file, line, column}`.
#[derive(Serialize)]
struct LocatedEntry {
    #[serde(flatten)]
    entry: EntryJson,
    file: String,
    line: usize,
    column: usize,
}

fn located_entry(entry: &Entry, o: &Outcome<'_>) -> LocatedEntry {
    LocatedEntry {
        entry: entry.label().into(),
        file: o.list.path.display().to_string(),
        line: entry.span.line,
        column: entry.span.column,
    }
}

/// The deciding entry, and how its infrastructure matched.
#[derive(Serialize)]
struct DecidingEntry {
    #[serde(flatten)]
    entry: LocatedEntry,
    via: ViaJson,
}

/// A near miss, and which side did not match.
#[derive(Serialize)]
struct MissedEntry {
    #[serde(flatten)]
    entry: LocatedEntry,
    failed: &'static str,
}

/// One list's verdict for a message, in JSON.
#[derive(Serialize)]
pub(super) struct OutcomeJson<'a> {
    list: String,
    tenant: Option<&'a str>,
    spoof_type: Option<&'static str>,
    verdict: &'static str,
    entry: Option<DecidingEntry>,
    overridden: Vec<LocatedEntry>,
    near_misses: Vec<MissedEntry>,
}

pub(super) fn outcome_json<'a>(o: &'a Outcome<'_>, message: &Message) -> OutcomeJson<'a> {
    OutcomeJson {
        list: o.list.path.display().to_string(),
        tenant: o.list.tenant.as_deref(),
        spoof_type: o.spoof_type.map(|t| t.list_word()),
        verdict: o.verdict.word(),
        entry: o
            .verdict
            .decision()
            .map(|d| DecidingEntry { entry: located_entry(d.entry(), o), via: via_json(d.via(), message) }),
        overridden: o.overridden.iter().map(|e| located_entry(e, o)).collect(),
        near_misses: o
            .near_misses
            .iter()
            .map(|m| MissedEntry { entry: located_entry(m.entry, o), failed: m.failed.word() })
            .collect(),
    }
}

/// The message as spoofctl read it, in JSON.
#[derive(Serialize)]
struct MessageJson<'a> {
    from: String,
    ptr: Option<&'a str>,
    ip: Option<String>,
    dkim: Vec<&'a str>,
}

fn message_json(m: &Message) -> MessageJson<'_> {
    MessageJson {
        from: m.from.to_string(),
        ptr: m.ptr.as_ref().map(|h| h.as_str()),
        ip: m.ip.map(|i| i.to_string()),
        dkim: m.dkim_pass.iter().map(|h| h.as_str()).collect(),
    }
}

/// `match`'s JSON report for one message ([`outcomes_json`]).
#[derive(Serialize)]
pub struct VerdictReport<'a> {
    version: u32,
    message: MessageJson<'a>,
    #[serde(flatten)]
    lists: Verdicts<'a>,
}

/// One list's verdict at the top of the document, or several in `results`.
#[derive(Serialize)]
#[serde(untagged)]
enum Verdicts<'a> {
    One(Box<OutcomeJson<'a>>),
    Many { results: Vec<OutcomeJson<'a>> },
}

super::json_display!(VerdictReport);

/// The verdicts as one JSON document: the product spec's shape for one list (`verdict`, `entry`,
/// `near_misses` at the top), and a `results` array of that shape for several.
pub fn outcomes_json<'a>(message: &'a Message, outcomes: &'a [Outcome<'_>]) -> VerdictReport<'a> {
    let lists = match outcomes {
        [one] => Verdicts::One(Box::new(outcome_json(one, message))),
        many => Verdicts::Many { results: many.iter().map(|o| outcome_json(o, message)).collect() },
    };
    VerdictReport { version: 1, message: message_json(message), lists }
}
