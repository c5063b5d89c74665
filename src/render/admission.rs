//! `explain --tenant` and `match --tenant`: the tenant's mechanisms that let a message in, as text and JSON.

use std::fmt::Write as _;

use serde::Serialize;

use crate::engine::admission::{Admission, Applies, Mechanism, Path};
use crate::engine::trust::Trust;
use crate::model::characters::escaped;
use crate::render::list_yaml::entry_yaml;
use crate::render::{EntryJson, Style, noun};

/// The admission as text: a heading line naming the snapshot, then one block per path, the replacement, and
/// what was not checked. Every value from the snapshot or the message is escaped.
pub fn admission_text(snapshot: &str, a: &Admission<'_>, style: Style) -> String {
    let mut out = String::new();
    let single = a.paths.iter().filter(|p| !p.trust.is_paired()).count();
    let certain = a.paths.iter().filter(|p| p.applies == Applies::Yes).count();
    let summary = match a.paths.len() {
        0 if a.not_checked.is_empty() => "no tenant mechanism admits this message".to_string(),
        0 => "no mechanism among those checked admits this message".to_string(),
        n => format!("{n} {} in ({certain} certain, {} may apply), {single} not paired", noun(n, "way"), n - certain),
    };
    let _ = writeln!(out, "{}: {summary}", escaped(snapshot));
    if !a.trace.is_empty() {
        let _ = writeln!(out, "  the headers show: {}", a.trace.join(", "));
    } else {
        let _ = writeln!(out, "  no header trace: these are the mechanisms that would admit it");
    }
    for p in &a.paths {
        path_text(p, style, &mut out);
    }
    for u in &a.unexplained {
        let _ = writeln!(out, "  {} {}", style.paint("33", "unexplained:"), escaped(u));
    }
    if single > 0 {
        match &a.replacement {
            Ok(r) => {
                let assumed =
                    if r.type_known { "" } else { "; type external assumed: Get-AcceptedDomain.json was not read" };
                let _ = writeln!(
                    out,
                    "  replace each single-factor allow with the paired spoofed-sender entry {} (infrastructure: {}{assumed})",
                    escaped(&r.entry.label().to_string()),
                    r.basis.words()
                );
            }
            Err(why) => {
                let _ = writeln!(out, "  no paired entry to offer: {}", escaped(&super::explain::no_entry(why)));
            }
        }
    }
    for (m, why) in &a.not_checked {
        let _ = writeln!(out, "  not checked: {} ({})", m.words(), escaped(why));
    }
    out
}

fn path_text(p: &Path<'_>, style: Style, out: &mut String) {
    let code = p.mechanism.trace().filter(|_| p.shown).map(|b| format!("{} ", b.code())).unwrap_or_default();
    let trust =
        if p.trust.is_paired() { style.paint("32", &p.trust.words()) } else { style.paint("31", &p.trust.words()) };
    let _ =
        writeln!(out, "  {code}{} `{}`: {} {}", p.mechanism.words(), escaped(p.object), p.property, escaped(&p.value));
    let _ = writeln!(out, "    = matched: {}", escaped(&p.matched));
    if let Applies::May(why) = &p.applies {
        let _ = writeln!(out, "    = may apply: {}", escaped(why));
    }
    let _ = writeln!(out, "    = {trust}");
}

/// The admission in JSON (the `admission` member of `explain`'s and `match`'s documents).
#[derive(Serialize)]
pub struct AdmissionReport<'a> {
    snapshot: &'a str,
    trace: &'a [String],
    paths: Vec<PathJson<'a>>,
    unexplained: &'a [String],
    replacement: ReplacementJson,
    not_checked: Vec<NotCheckedJson<'a>>,
}

super::json_display!(AdmissionReport);

#[derive(Serialize)]
struct PathJson<'a> {
    mechanism: Mechanism,
    trace: Option<String>,
    shown: bool,
    object: &'a str,
    property: &'static str,
    value: &'a str,
    matched: &'a str,
    applies: &'a Applies,
    trust: Trust,
    paired: bool,
}

#[derive(Serialize)]
#[serde(untagged)]
enum ReplacementJson {
    Entry { entry: EntryJson, basis: &'static str, type_known: bool, yaml: String },
    Nothing { none: String },
}

#[derive(Serialize)]
struct NotCheckedJson<'a> {
    mechanism: Mechanism,
    because: &'a str,
}

/// The admission as a JSON report.
pub fn admission_json<'a>(snapshot: &'a str, a: &'a Admission<'_>) -> AdmissionReport<'a> {
    AdmissionReport {
        snapshot,
        trace: &a.trace,
        paths: a
            .paths
            .iter()
            .map(|p| PathJson {
                mechanism: p.mechanism,
                trace: p.mechanism.trace().map(|b| b.code().to_string()),
                shown: p.shown,
                object: p.object,
                property: p.property,
                value: &p.value,
                matched: &p.matched,
                applies: &p.applies,
                trust: p.trust,
                paired: p.trust.is_paired(),
            })
            .collect(),
        unexplained: &a.unexplained,
        replacement: match &a.replacement {
            Ok(r) => ReplacementJson::Entry {
                entry: r.entry.label().into(),
                basis: r.basis.words(),
                type_known: r.type_known,
                yaml: entry_yaml(&r.entry),
            },
            Err(why) => ReplacementJson::Nothing { none: super::explain::no_entry(why) },
        },
        not_checked: a.not_checked.iter().map(|(m, why)| NotCheckedJson { mechanism: *m, because: why }).collect(),
    }
}
