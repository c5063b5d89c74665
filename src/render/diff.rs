//! `diff`: the review of a change between two versions of the lists, as text, Markdown (for a pull-request
//! comment) and JSON. Risky changes lead, then the lint warnings the change introduces, then the rest.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{Style, diagnostic_json, entry_json, plural, thousands};
use crate::engine::diff::{Change, ChangeKind, ListDiff};
use crate::engine::replay::Replay;

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
    match (c.kind, c.old, c.new) {
        (ChangeKind::ActionChanged, Some(o), Some(n)) => format!("{}: {} -> {}", n.label(), o.action(), n.action()),
        (ChangeKind::MetadataChanged, _, Some(n)) => {
            let fields: Vec<String> = c.fields().into_iter().map(|(f, a, b)| format!("{f} {a} -> {b}")).collect();
            format!("{}: {}", n.label(), crate::model::characters::printable(&fields.join("; ")))
        }
        _ => c.entry().label().to_string(),
    }
}

fn counts(d: &ListDiff<'_>) -> String {
    let n = |k: ChangeKind| d.changes.iter().filter(|c| c.kind == k).count();
    let risky = d.changes.iter().filter(|c| c.risk.is_some()).count();
    format!(
        "{} added, {} removed, {} action changed, {} metadata changed; {} risky, {}",
        n(ChangeKind::Added),
        n(ChangeKind::Removed),
        n(ChangeKind::ActionChanged),
        n(ChangeKind::MetadataChanged),
        risky,
        plural(d.new_warnings.len(), "new finding")
    )
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
        let _ = writeln!(out, "{}", style.paint("1", &format!("== {}", d.name)));
        let (risky, rest): (Vec<&Change<'_>>, Vec<&Change<'_>>) = d.changes.iter().partition(|c| c.risk.is_some());
        if !risky.is_empty() {
            let _ = writeln!(out, "{}", style.paint("1;31", "risky:"));
            for c in risky {
                let why = c.risk.as_ref().map(|r| r.words()).unwrap_or_default();
                let _ = writeln!(
                    out,
                    "  {} {:<16} {}  {}",
                    mark(c.kind),
                    c.kind.word(),
                    describe(c),
                    style.paint("31", &format!("[{why}]"))
                );
            }
        }
        if !d.new_warnings.is_empty() {
            let _ = writeln!(out, "{}", style.paint("1;33", "new findings:"));
            for w in &d.new_warnings {
                let entry = w.entry.as_ref().map(|e| format!(" ({e})")).unwrap_or_default();
                let _ = writeln!(out, "  {}[{}]: {}{entry}", w.severity, w.code, w.message);
            }
        }
        if !rest.is_empty() {
            let _ = writeln!(out, "other changes:");
            for c in rest {
                let _ = writeln!(out, "  {} {:<16} {}", mark(c.kind), c.kind.word(), describe(c));
            }
        }
        let _ = writeln!(out, "{}: {}", d.name, counts(d));
        if let Some(replay) = &r.replay {
            let _ = writeln!(out, "traffic: this change {}", traffic_sentence(replay));
            for row in &replay.shown {
                let _ = writeln!(
                    out,
                    "  row {}: {} ({} messages): {} -> {}",
                    row.row,
                    row.pair,
                    thousands(row.messages),
                    row.from,
                    row.to
                );
            }
        }
    }
    if reviews.len() > 1 {
        let changes: usize = reviews.iter().map(|r| r.diff.changes.len()).sum();
        let risky: usize = reviews.iter().map(|r| r.diff.changes.iter().filter(|c| c.risk.is_some()).count()).sum();
        out.push_str(&diff_text_total(changes, reviews.len(), risky));
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
    let changes: usize = reviews.iter().map(|r| r.diff.changes.len()).sum();
    let risky: usize = reviews.iter().map(|r| r.diff.changes.iter().filter(|c| c.risk.is_some()).count()).sum();
    let mut out = diff_markdown_head(changes, reviews.len(), risky);
    for r in reviews {
        let d = &r.diff;
        let _ = writeln!(out, "#### {}\n\n{}\n", d.name, counts(d));
        if let Some(replay) = &r.replay {
            let _ = writeln!(out, "**Traffic:** this change {}.\n", traffic_sentence(replay));
        }
        let risky: Vec<&Change<'_>> = d.changes.iter().filter(|c| c.risk.is_some()).collect();
        if !risky.is_empty() {
            let _ = writeln!(out, "| risky | change | entry |\n| --- | --- | --- |");
            for c in risky {
                let _ = writeln!(
                    out,
                    "| **{}** | {} | `{}` |",
                    c.risk.as_ref().map(|r| r.words()).unwrap_or_default(),
                    c.kind.word(),
                    describe(c).replace('|', "\\|")
                );
            }
            out.push('\n');
        }
        if !d.new_warnings.is_empty() {
            for w in &d.new_warnings {
                let _ = writeln!(out, "- {} `{}`: {}", w.severity, w.code, w.message.replace('|', "\\|"));
            }
            out.push('\n');
        }
        // A table per kind of change, the risky rows marked (they also lead the review above).
        for kind in [ChangeKind::Added, ChangeKind::Removed, ChangeKind::ActionChanged, ChangeKind::MetadataChanged] {
            let rows: Vec<&Change<'_>> = d.changes.iter().filter(|c| c.kind == kind).collect();
            if !rows.is_empty() {
                let _ = writeln!(out, "**{}** ({})\n\n| entry | risk |\n| --- | --- |", kind.word(), rows.len());
                for c in rows {
                    let risk = c.risk.as_ref().map_or(String::new(), |r| format!("**{}**", r.words()));
                    let _ = writeln!(out, "| `{}` | {risk} |", describe(c).replace('|', "\\|"));
                }
                out.push('\n');
            }
        }
    }
    out
}

/// The review as JSON.
pub fn diff_json(reviews: &[TenantReview<'_>]) -> Value {
    let total = |f: &dyn Fn(&Change<'_>) -> bool| {
        reviews.iter().map(|r| r.diff.changes.iter().filter(|c| f(c)).count()).sum::<usize>()
    };
    json!({
        "version": 1,
        "total": {"tenants": reviews.len(), "changes": total(&|_| true), "risky": total(&|c| c.risk.is_some())},
        "tenants": reviews.iter().map(|r| json!({
            "name": r.diff.name,
            "changes": r.diff.changes.iter().map(|c| json!({
                "kind": c.kind.word(),
                "risk": c.risk.as_ref().map(|r| r.words()),
                "old": c.old.map(|e| entry_json(&e.label())),
                "new": c.new.map(|e| entry_json(&e.label())),
                "fields": c.fields().into_iter().map(|(f, a, b)| json!({"field": f, "old": a, "new": b})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "new_warnings": r.diff.new_warnings.iter().map(|d| diagnostic_json(d)).collect::<Vec<_>>(),
            "traffic": r.replay.as_ref().map(|t| json!({
                "rows": t.rows,
                "newly_allowed": {"rows": t.newly_allowed.rows, "messages": t.newly_allowed.messages, "pairs": t.pairs_let_through},
                "newly_blocked": {"rows": t.newly_blocked.rows, "messages": t.newly_blocked.messages},
                "newly_undecided": {"rows": t.newly_undecided.rows, "messages": t.newly_undecided.messages},
                "rows_shown": t.shown.iter().map(|s| json!({"row": s.row, "pair": s.pair, "messages": s.messages, "from": s.from, "to": s.to})).collect::<Vec<_>>(),
            })),
        })).collect::<Vec<_>>(),
    })
}
