//! `diff`: the review of a change between two versions of the lists, as text, Markdown (for a pull-request
//! comment) and JSON. Risky changes lead, then the lint warnings the change introduces, then the rest.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

use super::{CountJson, EntryJson, Style, diagnostic_json, markdown, plural, thousands};
use crate::engine::diff::{Change, ChangeKind, ListDiff, SettingChange};
use crate::engine::replay::{ChangedRow, Replay};
use crate::model::characters::escaped;

/// One tenant's review, with the traffic replay when observations were given.
pub struct TenantReview<'a> {
    /// The diff.
    pub diff: ListDiff<'a>,
    /// The replay.
    pub replay: Option<Replay>,
}

fn mark(kind: ChangeKind) -> char {
    match kind {
        ChangeKind::Added => '+',
        ChangeKind::Removed => '-',
        ChangeKind::ActionChanged | ChangeKind::MetadataChanged => '~',
    }
}

fn describe(c: &Change<'_>) -> String {
    match c {
        Change::ActionChanged { old, new, .. } => format!("{}: {} -> {}", new.label(), old.action(), new.action()),
        Change::MetadataChanged { new, .. } => {
            let fields: Vec<String> = c.fields().into_iter().map(|(f, a, b)| format!("{f} {a} -> {b}")).collect();
            format!("{}: {}", new.label(), crate::model::characters::printable(&fields.join("; ")))
        }
        Change::Added { entry, .. } | Change::Removed { entry, .. } => entry.label().to_string(),
    }
}

fn counts(d: &ListDiff<'_>) -> String {
    let n = |k: ChangeKind| d.changes.iter().filter(|c| c.kind() == k).count();
    let risky = d.changes.iter().filter(|c| c.risk().is_some()).count() + risky_settings(d);
    let settings = match d.settings.len() {
        0 => String::new(),
        1 => ", 1 setting changed".to_string(),
        k => format!(", {k} settings changed"),
    };
    format!(
        "{} added, {} removed, {} action changed, {} metadata changed{settings}; {} risky, {}",
        n(ChangeKind::Added),
        n(ChangeKind::Removed),
        n(ChangeKind::ActionChanged),
        n(ChangeKind::MetadataChanged),
        risky,
        plural(d.new_warnings.len(), "new finding")
    )
}

/// How many of a list's setting changes are risky.
fn risky_settings(d: &ListDiff<'_>) -> usize {
    d.settings.iter().filter(|s| s.risk.is_some()).count()
}

/// A setting change as one line of text: `policy: confusable-domain: warning -> off`.
fn setting_line(s: &SettingChange) -> String {
    format!("{}: {} -> {}", s.setting, s.old, s.new)
}

/// `1 message`, `1,240 messages`.
fn messages(n: u64) -> String {
    format!("{} {}", thousands(n), if n == 1 { "message" } else { "messages" })
}

/// The traffic sentence: "lets 1,240 messages from 3 pairs through that were not allowed before; ...".
pub fn traffic_sentence(r: &Replay) -> String {
    format!(
        "lets {} from {} through that were not allowed before; blocks {} that were not blocked; leaves {} undecided that the list decided ({} rows replayed)",
        messages(r.newly_allowed.messages),
        plural(r.pairs_let_through, "pair"),
        thousands(r.newly_blocked.messages),
        thousands(r.newly_undecided.messages),
        thousands(r.rows)
    )
}

/// The review as text.
pub fn diff_text(reviews: &[TenantReview<'_>], style: Style) -> String {
    let mut out = String::new();
    for r in reviews {
        let d = &r.diff;
        let _ = writeln!(out, "{}", style.paint("1", &format!("== {}", escaped(&d.name))));
        let (risky, rest): (Vec<&Change<'_>>, Vec<&Change<'_>>) = d.changes.iter().partition(|c| c.risk().is_some());
        if !risky.is_empty() {
            let _ = writeln!(out, "{}", style.paint("1;31", "risky:"));
            for c in risky {
                let why = c.risk().map(|r| r.words()).unwrap_or_default();
                let _ = writeln!(
                    out,
                    "  {} {:<16} {}  {}",
                    mark(c.kind()),
                    c.kind().word(),
                    escaped(&describe(c)),
                    style.paint("31", &format!("[{}]", escaped(&why)))
                );
            }
        }
        if !d.settings.is_empty() {
            let _ = writeln!(out, "settings:");
            for st in &d.settings {
                let why = st.risk.map_or(String::new(), |r| format!("  {}", style.paint("31", &format!("[{r}]"))));
                let _ = writeln!(out, "  ~ {}{why}", escaped(&setting_line(st)));
            }
        }
        if !d.new_warnings.is_empty() {
            let _ = writeln!(out, "{}", style.paint("1;33", "new findings:"));
            for w in &d.new_warnings {
                let entry = w.entry.as_ref().map(|e| format!(" ({})", escaped(&e.to_string()))).unwrap_or_default();
                let _ = writeln!(out, "  {}[{}]: {}{entry}", w.severity, w.code, escaped(&w.message));
            }
        }
        if !rest.is_empty() {
            let _ = writeln!(out, "other changes:");
            for c in rest {
                let _ = writeln!(out, "  {} {:<16} {}", mark(c.kind()), c.kind().word(), escaped(&describe(c)));
            }
        }
        let _ = writeln!(out, "{}: {}", escaped(&d.name), counts(d));
        if let Some(replay) = &r.replay {
            let _ = writeln!(out, "traffic: this change {}", traffic_sentence(replay));
            for row in &replay.shown {
                let _ = writeln!(
                    out,
                    "  row {}: {} ({} messages): {} -> {}",
                    row.row,
                    escaped(&row.pair),
                    thousands(row.messages),
                    row.from,
                    row.to
                );
            }
        }
    }
    if reviews.len() > 1 {
        let Totals { tenants, changes, risky } = totals(reviews);
        out.push_str(&diff_text_total(changes, tenants, risky));
    }
    out
}

/// The last line of the text review of several tenants.
pub fn diff_text_total(changes: usize, tenants: usize, risky: usize) -> String {
    format!("Total: {} in {}, {risky} risky\n", plural(changes, "change"), plural(tenants, "tenant"))
}

/// The head of the Markdown review: its title and totals.
pub fn diff_markdown_head(changes: usize, tenants: usize, risky: usize) -> String {
    format!(
        "### spoofctl diff\n\n**{} in {}, {risky} risky.**\n\n",
        plural(changes, "change"),
        plural(tenants, "tenant")
    )
}

/// The review as Markdown for a pull-request comment.
pub fn diff_markdown(reviews: &[TenantReview<'_>]) -> String {
    let Totals { tenants, changes, risky } = totals(reviews);
    let mut out = diff_markdown_head(changes, tenants, risky);
    for r in reviews {
        let d = &r.diff;
        let _ = writeln!(out, "#### {}\n\n{}\n", markdown::text(&d.name), counts(d));
        if let Some(replay) = &r.replay {
            let _ = writeln!(out, "**Traffic:** this change {}.\n", traffic_sentence(replay));
        }
        let risky: Vec<&Change<'_>> = d.changes.iter().filter(|c| c.risk().is_some()).collect();
        if !risky.is_empty() {
            let _ = writeln!(out, "| risky | change | entry |\n| --- | --- | --- |");
            for c in risky {
                let _ = writeln!(
                    out,
                    "| **{}** | {} | {} |",
                    markdown::text(&c.risk().map(|r| r.words()).unwrap_or_default()),
                    c.kind().word(),
                    markdown::code(&describe(c))
                );
            }
            out.push('\n');
        }
        if !d.settings.is_empty() {
            let _ = writeln!(out, "| setting | old | new | risk |\n| --- | --- | --- | --- |");
            for st in &d.settings {
                let risk = st.risk.map_or(String::new(), |r| format!("**{}**", markdown::text(r)));
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {risk} |",
                    markdown::code(&st.setting),
                    markdown::code(&st.old),
                    markdown::code(&st.new)
                );
            }
            out.push('\n');
        }
        if !d.new_warnings.is_empty() {
            for w in &d.new_warnings {
                let _ = writeln!(out, "- {} `{}`: {}", w.severity, w.code, markdown::text(&w.message));
            }
            out.push('\n');
        }
        // A table per kind of change, the risky rows marked (they also lead the review above).
        for kind in [ChangeKind::Added, ChangeKind::Removed, ChangeKind::ActionChanged, ChangeKind::MetadataChanged] {
            let rows: Vec<&Change<'_>> = d.changes.iter().filter(|c| c.kind() == kind).collect();
            if !rows.is_empty() {
                let _ = writeln!(out, "**{}** ({})\n\n| entry | risk |\n| --- | --- |", kind.word(), rows.len());
                for c in rows {
                    let risk = c.risk().map_or(String::new(), |r| format!("**{}**", markdown::text(&r.words())));
                    let _ = writeln!(out, "| {} | {risk} |", markdown::code(&describe(c)));
                }
                out.push('\n');
            }
        }
    }
    out
}

/// How many tenants, changes and risky changes a review holds.
#[derive(Serialize)]
struct Totals {
    tenants: usize,
    changes: usize,
    risky: usize,
}

fn totals(reviews: &[TenantReview<'_>]) -> Totals {
    let (changes, risky) = reviews.iter().map(|r| change_counts(&r.diff)).fold((0, 0), |(c, r), (a, b)| (c + a, r + b));
    Totals { tenants: reviews.len(), changes, risky }
}

/// How many changes one tenant's review counts (entries and settings) and how many of them are risky: the
/// numbers of its heading and of the totals.
pub fn change_counts(d: &ListDiff<'_>) -> (usize, usize) {
    let risky = d.changes.iter().filter(|c| c.risk().is_some()).count() + risky_settings(d);
    (d.changes.len() + d.settings.len(), risky)
}

/// One changed entry, in JSON.
#[derive(Serialize)]
struct ChangeJson {
    kind: &'static str,
    risk: Option<String>,
    old: Option<EntryJson>,
    new: Option<EntryJson>,
    fields: Vec<FieldJson>,
}

/// A metadata field that differs.
#[derive(Serialize)]
struct FieldJson {
    field: &'static str,
    old: String,
    new: String,
}

/// The rows newly allowed, and the pairs they are.
#[derive(Serialize)]
struct LetThrough {
    rows: u64,
    messages: u64,
    pairs: usize,
}

/// What the change does to the observed traffic.
#[derive(Serialize)]
struct TrafficJson<'a> {
    rows: u64,
    newly_allowed: LetThrough,
    newly_blocked: CountJson,
    newly_undecided: CountJson,
    rows_shown: &'a [ChangedRow],
}

/// One tenant's review, in JSON.
#[derive(Serialize)]
struct TenantJson<'a> {
    name: &'a str,
    changes: Vec<ChangeJson>,
    /// Only when some setting changed, so that reports without one keep their shape.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    settings: Vec<SettingJson<'a>>,
    new_warnings: Vec<Value>,
    traffic: Option<TrafficJson<'a>>,
}

/// A setting change, in JSON.
#[derive(Serialize)]
struct SettingJson<'a> {
    setting: &'a str,
    old: &'a str,
    new: &'a str,
    risk: Option<&'static str>,
}

/// `diff`'s JSON report ([`diff_json`]).
#[derive(Serialize)]
pub struct DiffReport<'a> {
    version: u32,
    total: Totals,
    tenants: Vec<TenantJson<'a>>,
}

super::json_display!(DiffReport);

/// The review as JSON.
pub fn diff_json<'a>(reviews: &'a [TenantReview<'_>]) -> DiffReport<'a> {
    let change = |c: &Change<'_>| ChangeJson {
        kind: c.kind().word(),
        risk: c.risk().map(|r| r.words()),
        old: c.before().map(|e| e.label().into()),
        new: c.after().map(|e| e.label().into()),
        fields: c.fields().into_iter().map(|(field, old, new)| FieldJson { field, old, new }).collect(),
    };
    let traffic = |t: &'a Replay| TrafficJson {
        rows: t.rows,
        newly_allowed: LetThrough {
            rows: t.newly_allowed.rows,
            messages: t.newly_allowed.messages,
            pairs: t.pairs_let_through,
        },
        newly_blocked: t.newly_blocked.into(),
        newly_undecided: t.newly_undecided.into(),
        rows_shown: &t.shown,
    };
    DiffReport {
        version: 1,
        total: totals(reviews),
        tenants: reviews
            .iter()
            .map(|r| TenantJson {
                name: &r.diff.name,
                changes: r.diff.changes.iter().map(change).collect(),
                settings: r
                    .diff
                    .settings
                    .iter()
                    .map(|s| SettingJson { setting: &s.setting, old: &s.old, new: &s.new, risk: s.risk })
                    .collect(),
                new_warnings: r.diff.new_warnings.iter().map(|d| diagnostic_json(d)).collect(),
                traffic: r.replay.as_ref().map(traffic),
            })
            .collect(),
    }
}
