//! `audit`'s report in every format: text (a person's first read), Markdown (a ticket or a pull request),
//! JSON (other tools); HTML (one self-contained page) is `render::audit_html`'s.
//!
//! Every format is written from one [`AuditReport`], built once from the engine's [`Audit`]: the same
//! findings, groups, counts and words, so formats cannot disagree. Findings are grouped by mechanism, the
//! group with the worst finding first, and within a group worst first (the engine's order).

use std::fmt::Write as _;

use serde::Serialize;

use crate::engine::audit::{Audit, Finding, KnownSide, Replacement};
use crate::model::characters::escaped;
use crate::model::finding::{FindingCode, FindingSeverity, Mechanism, Source};
use crate::render::markdown::{code, text};
use crate::render::{Style, plural};

/// The JSON format's version: raised when a field changes meaning or goes away.
pub const REPORT_VERSION: u32 = 1;

/// The audit, as every format shows it.
#[derive(Debug, Serialize)]
pub struct AuditReport<'a> {
    /// [`REPORT_VERSION`].
    pub version: u32,
    /// The snapshot folder.
    pub snapshot: String,
    /// The list file, when given.
    pub list: Option<String>,
    /// The date exceptions were judged on.
    pub today: String,
    /// True when a finding above a warning is left uncovered, or a snapshot file could not be read (exit 1).
    pub fails: bool,
    /// Counts.
    pub summary: Summary,
    /// The mechanisms with findings, worst first, each with its findings.
    pub groups: Vec<Group<'a>>,
    /// Mechanisms checked with nothing found.
    pub clean: Vec<Mechanism>,
    /// What could not be checked, and why: never clean.
    pub not_checked: Vec<NotCheckedJson>,
}

super::json_display!(AuditReport);

/// How many findings of each kind.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// Critical findings no exception covers.
    pub critical: usize,
    /// High findings no exception covers.
    pub high: usize,
    /// Warnings no exception covers.
    pub warning: usize,
    /// Findings an exception covers.
    pub excepted: usize,
    /// Mechanisms not checked.
    pub not_checked: usize,
}

/// One mechanism's findings.
#[derive(Debug, Serialize)]
pub struct Group<'a> {
    /// The mechanism.
    pub mechanism: Mechanism,
    /// Its heading.
    pub title: &'static str,
    /// Its findings, worst first.
    pub findings: Vec<FindingJson<'a>>,
}

/// One finding, with the facts of its code.
#[derive(Debug, Serialize)]
pub struct FindingJson<'a> {
    /// The stable code.
    pub code: FindingCode,
    /// How much it matters.
    pub severity: FindingSeverity,
    /// The object (policy, rule, connector, mailbox, entry).
    pub object: &'a str,
    /// The property.
    pub property: &'static str,
    /// The value trusted.
    pub value: &'a str,
    /// What makes it worse or different.
    pub note: Option<&'a str>,
    /// Microsoft's words, and the page.
    pub microsoft: Option<Source>,
    /// Other scanners' ids for the same thing.
    pub controls: &'static [&'static str],
    /// What to put in its place.
    pub replacement: ReplacementJson<'a>,
    /// The exception that covers it.
    pub excepted_by: Option<ExceptedJson<'a>>,
}

/// A finding's replacement.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ReplacementJson<'a> {
    /// A spoofed-sender entry, one side known from the snapshot (or neither); the other from a message.
    SpoofEntry {
        /// The spoofed user, when known.
        spoofed: Option<String>,
        /// The infrastructure, when known.
        infrastructure: Option<String>,
        /// What to do, in words.
        how: String,
    },
    /// A condition to add to the mail flow rule.
    RuleCondition {
        /// The header it reads.
        header: &'a str,
        /// The patterns it looks for.
        patterns: &'a [String],
        /// What to do, in words.
        how: String,
    },
    /// A setting to change.
    Setting {
        /// The property.
        property: &'static str,
        /// Its Standard preset value.
        value: &'static str,
        /// What to do, in words.
        how: String,
    },
    /// Words only.
    Advice {
        /// What to do.
        how: &'static str,
    },
}

impl ReplacementJson<'_> {
    /// What to do, in words.
    pub fn how(&self) -> &str {
        match self {
            ReplacementJson::SpoofEntry { how, .. }
            | ReplacementJson::RuleCondition { how, .. }
            | ReplacementJson::Setting { how, .. } => how,
            ReplacementJson::Advice { how } => how,
        }
    }
}

/// The exception that covers a finding.
#[derive(Debug, Serialize)]
pub struct ExceptedJson<'a> {
    /// Why.
    pub reason: &'a str,
    /// Who answers for it.
    pub owner: &'a str,
    /// Until when.
    pub expires: Option<String>,
    /// Its line in the list file.
    pub line: usize,
}

/// A mechanism not checked.
#[derive(Debug, Serialize)]
pub struct NotCheckedJson {
    /// The mechanism.
    pub mechanism: Mechanism,
    /// Its heading.
    pub title: &'static str,
    /// The file it needs.
    pub file: String,
    /// Why it was not read.
    pub reason: String,
    /// The file is there but could not be read: the run fails.
    pub unreadable: bool,
}

/// Builds the report every format is written from.
pub fn audit_report(a: &Audit) -> AuditReport<'_> {
    let mut groups: Vec<Group<'_>> = Vec::new();
    for f in &a.findings {
        let mechanism = f.code.mechanism();
        let at = match groups.iter().position(|g| g.mechanism == mechanism) {
            Some(i) => i,
            None => {
                groups.push(Group { mechanism, title: mechanism.title(), findings: Vec::new() });
                groups.len() - 1
            }
        };
        groups[at].findings.push(finding_json(f));
    }
    let uncovered =
        |s: FindingSeverity| a.findings.iter().filter(|f| f.excepted_by.is_none() && f.code.severity() == s).count();
    // Clean: checked, nothing found, and no part of it left unchecked.
    let clean = a
        .checked
        .iter()
        .copied()
        .filter(|m| !groups.iter().any(|g| g.mechanism == *m) && !a.not_checked.iter().any(|n| n.mechanism == *m))
        .collect();
    let not_checked: Vec<NotCheckedJson> = a
        .not_checked
        .iter()
        .map(|n| NotCheckedJson {
            mechanism: n.mechanism,
            title: n.mechanism.title(),
            file: n.file.clone(),
            reason: n.reason.clone(),
            unreadable: n.unreadable,
        })
        .collect();
    AuditReport {
        version: REPORT_VERSION,
        snapshot: a.snapshot.display().to_string(),
        list: a.list.as_ref().map(|l| l.display().to_string()),
        today: a.today.to_string(),
        fails: a.fails(),
        summary: Summary {
            critical: uncovered(FindingSeverity::Critical),
            high: uncovered(FindingSeverity::High),
            warning: uncovered(FindingSeverity::Warning),
            excepted: a.findings.iter().filter(|f| f.excepted_by.is_some()).count(),
            not_checked: not_checked.len(),
        },
        groups,
        clean,
        not_checked,
    }
}

fn finding_json(f: &Finding) -> FindingJson<'_> {
    FindingJson {
        code: f.code,
        severity: f.code.severity(),
        object: &f.object,
        property: f.property,
        value: &f.value,
        note: f.note.as_deref(),
        microsoft: f.code.source(),
        controls: f.code.controls(),
        replacement: replacement_json(&f.replacement),
        excepted_by: f.excepted_by.as_ref().map(|e| ExceptedJson {
            reason: &e.reason,
            owner: &e.owner,
            expires: e.expires.map(|d| d.to_string()),
            line: e.line,
        }),
    }
}

fn replacement_json(r: &Replacement) -> ReplacementJson<'_> {
    match r {
        Replacement::SpoofEntry(known) => {
            let (spoofed, infrastructure) = match known {
                KnownSide::Spoofed(s) => (Some(s.to_string()), None),
                KnownSide::Infrastructure(i) => (None, Some(i.to_string())),
                KnownSide::Neither => (None, None),
            };
            let how = match (&spoofed, &infrastructure) {
                (Some(s), _) => format!(
                    "pair it: a spoofed-sender entry for {s} via the infrastructure its mail comes from (PTR or DKIM \
                     domain, or /24); `spoofctl explain --list LIST MESSAGE` on one of its messages suggests it"
                ),
                (_, Some(i)) => format!(
                    "pair it: a spoofed-sender entry for each sender that legitimately sends via {i}; `spoofctl explain \
                     --list LIST MESSAGE` on one of their messages suggests it"
                ),
                _ => {
                    "pair it: a spoofed-sender entry for each legitimate sender and the infrastructure it sends from; \
                      `spoofctl explain --list LIST MESSAGE` on one of its messages suggests it"
                        .to_string()
                }
            };
            ReplacementJson::SpoofEntry { spoofed, infrastructure, how }
        }
        Replacement::RuleCondition(h) => ReplacementJson::RuleCondition {
            header: &h.header,
            patterns: &h.values,
            how: format!(
                "add the condition: the header {} matches {} (a spoofed message never has it)",
                h.header,
                h.values.join(" or ")
            ),
        },
        Replacement::Setting { property, value } => {
            ReplacementJson::Setting { property, value, how: format!("set {property} to {value}") }
        }
        Replacement::Advice(how) => ReplacementJson::Advice { how },
    }
}

/// The one-line summary every format starts with.
pub fn summary_line(r: &AuditReport<'_>) -> String {
    let s = &r.summary;
    let mut line = format!("{} critical, {} high, {} warning", s.critical, s.high, s.warning);
    if s.excepted > 0 {
        let _ = write!(line, "; {} excepted", s.excepted);
    }
    if s.not_checked > 0 {
        let _ = write!(line, "; {} not checked", plural(s.not_checked, "mechanism"));
    }
    let unreadable = r.not_checked.iter().filter(|n| n.unreadable).count();
    if unreadable > 0 {
        let _ = write!(line, "; {} could not be read", plural(unreadable, "snapshot file"));
    }
    line
}

fn severity_tag(f: &FindingJson<'_>, style: Style) -> String {
    let tag = format!("{}[{}]", f.severity, f.code);
    match f.severity {
        FindingSeverity::Critical => style.paint("1;35", &tag),
        FindingSeverity::High => style.paint("1;31", &tag),
        FindingSeverity::Warning => style.paint("1;33", &tag),
    }
}

/// The distinct codes of a group, in the order they first appear.
pub fn codes(g: &Group<'_>) -> Vec<FindingCode> {
    let mut seen = Vec::new();
    for f in &g.findings {
        if !seen.contains(&f.code) {
            seen.push(f.code);
        }
    }
    seen
}

/// The report as text for a terminal: grouped by mechanism, worst first; every value escaped.
pub fn audit_text(r: &AuditReport<'_>, style: Style) -> String {
    let mut out = String::new();
    let list = r.list.as_deref().map_or_else(String::new, |l| format!(" with list {}", escaped(l)));
    let _ = writeln!(out, "audit of {}{list}, as of {}", escaped(&r.snapshot), r.today);
    let _ = writeln!(out, "summary: {}", summary_line(r));
    if !r.not_checked.is_empty() {
        let _ = writeln!(out, "\nnot checked (never read as clean):");
        for n in &r.not_checked {
            let _ = writeln!(out, "  {}: {}", n.title, escaped(&n.reason));
        }
    }
    for g in &r.groups {
        let _ = writeln!(out, "\n{}", style.paint("1", g.title));
        for f in &g.findings {
            let _ = writeln!(
                out,
                "  {}: {}, {} = {}",
                severity_tag(f, style),
                escaped(f.object),
                f.property,
                escaped(f.value)
            );
            if let Some(note) = f.note {
                let _ = writeln!(out, "    = note: {}", escaped(note));
            }
            if let Some(e) = &f.excepted_by {
                let until = e.expires.as_deref().map_or_else(String::new, |d| format!(", until {d}"));
                let _ = writeln!(
                    out,
                    "    = excepted (list line {}): {} (owner {}{until})",
                    e.line,
                    escaped(e.reason),
                    escaped(e.owner)
                );
            }
            let _ = writeln!(out, "    = replace: {}", escaped(f.replacement.how()));
        }
        for c in codes(g) {
            if let Some(m) = c.source() {
                let _ = writeln!(out, "  {c}: Microsoft: \"{}\" ({})", m.words, m.page);
            }
            if !c.controls().is_empty() {
                let _ = writeln!(out, "  {c}: also reported as {}", c.controls().join(", "));
            }
        }
    }
    if !r.clean.is_empty() {
        let titles: Vec<&str> = r.clean.iter().map(|m| m.title()).collect();
        let _ = writeln!(out, "\nchecked, nothing found: {}", titles.join("; "));
    }
    out
}

/// The report as Markdown for a ticket or a pull request: every value through [`code`] or [`text`].
pub fn audit_markdown(r: &AuditReport<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## spoofctl audit\n");
    let _ = write!(out, "Snapshot {}", code(&r.snapshot));
    if let Some(l) = &r.list {
        let _ = write!(out, ", list {}", code(l));
    }
    let _ = writeln!(out, ", as of {}.\n", r.today);
    let _ = writeln!(out, "**{}**\n", summary_line(r));
    if !r.not_checked.is_empty() {
        let _ = writeln!(out, "### Not checked\n");
        for n in &r.not_checked {
            let _ = writeln!(out, "- {}: {}", n.title, text(&n.reason));
        }
        out.push('\n');
    }
    for g in &r.groups {
        let _ = writeln!(out, "### {}\n", g.title);
        let _ = writeln!(out, "| severity | code | object | property | value | note | replacement |");
        let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- | --- |");
        for f in &g.findings {
            let mut notes: Vec<String> = f.note.map(text).into_iter().collect();
            let severity = match &f.excepted_by {
                Some(e) => {
                    notes.push(format!("excepted (list line {}): {}, owner {}", e.line, text(e.reason), text(e.owner)));
                    format!("{} (excepted)", f.severity)
                }
                None => f.severity.to_string(),
            };
            let _ = writeln!(
                out,
                "| {severity} | {} | {} | {} | {} | {} | {} |",
                code(f.code.name()),
                code(f.object),
                code(f.property),
                code(f.value),
                notes.join("; "),
                text(f.replacement.how())
            );
        }
        out.push('\n');
        let mut any = false;
        for c in codes(g) {
            let mut facts = Vec::new();
            if let Some(m) = c.source() {
                facts.push(format!("Microsoft: \u{201c}{}\u{201d} ({})", text(m.words), m.page));
            }
            if !c.controls().is_empty() {
                facts.push(format!("also reported as {}", c.controls().join(", ")));
            }
            if !facts.is_empty() {
                let _ = writeln!(out, "- {}: {}", code(c.name()), facts.join("; "));
                any = true;
            }
        }
        if any {
            out.push('\n');
        }
    }
    if !r.clean.is_empty() {
        let titles: Vec<&str> = r.clean.iter().map(|m| m.title()).collect();
        let _ = writeln!(out, "Checked, nothing found: {}.", titles.join("; "));
    }
    out
}
