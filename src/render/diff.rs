//! `diff`: the review of a change between two versions of the lists, as text, Markdown (for a pull-request
//! comment) and JSON. Risky changes lead, then the lint warnings the change introduces, then the rest.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

use super::{CountJson, EntryJson, Style, diagnostic, diagnostic_json, markdown, plural, thousands};
use crate::engine::diff::{Change, ChangeKind, ListDiff, SettingChange};
use crate::engine::replay::{ChangedPair, Replay};
use crate::engine::tally::Count;
use crate::model::characters::escaped;
use crate::model::diagnostic::Diagnostic;
use crate::model::words::Action;

/// How many pairs whose verdict the change alters are shown, the most messages first; the rest are counted.
pub const SHOWN_PAIRS: usize = 20;

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

/// An added or changed allow's reason, owner, ticket and expiry, what an approver weighs (`(none)` for a
/// field left out); nothing for other changes.
fn allow_details(c: &Change<'_>) -> Option<[(&'static str, String); 4]> {
    let entry = c.after().filter(|e| e.action() == Action::Allow)?;
    let show = |v: Option<String>| v.unwrap_or_else(|| "(none)".to_string());
    let m = &entry.meta;
    Some([
        ("reason", show(m.reason.clone())),
        ("owner", show(m.owner.clone())),
        ("ticket", show(m.ticket.clone())),
        ("expires", show(m.expires.map(|d| d.to_string()))),
    ])
}

/// The pairs shown in a review, and what the others add up to: how many, their rows and messages (pairs
/// past the replay's bound included).
fn shown_pairs(r: &Replay) -> (Vec<ChangedPair>, usize, Count) {
    let mut pairs = r.changed_pairs();
    let rest = pairs.split_off(pairs.len().min(SHOWN_PAIRS));
    let mut more = r.ungrouped;
    for p in &rest {
        more.rows += p.rows;
        more.messages = more.messages.saturating_add(p.messages);
    }
    (pairs, rest.len(), more)
}

/// The line after the shown pairs: `and 12 more pairs (340 messages)`; pairs past the replay's bound are
/// counted by their messages only (`more than`).
fn more_pairs(hidden: usize, more: Count, ungrouped: bool) -> String {
    let pairs = if ungrouped { format!("{hidden}+ more pairs") } else { plural(hidden, "more pair") };
    format!("and {pairs} ({})", plural(more.messages, "message"))
}

/// A changed pair as a line of text: `gmail.com via tms.mx.com: none -> allow, 412 messages (1 row)`.
fn pair_line(p: &ChangedPair) -> String {
    format!(
        "{}: {} -> {}, {} ({})",
        escaped(&p.pair),
        p.from,
        p.to,
        plural(p.messages, "message"),
        plural(p.rows, "row")
    )
}

fn counts(d: &ListDiff<'_>) -> String {
    let n = |k: ChangeKind| d.changes.iter().filter(|c| c.kind() == k).count();
    let risky = d.changes.iter().filter(|c| c.risk().is_some()).count() + risky_settings(d);
    let settings = match d.settings.len() {
        0 => String::new(),
        k => format!(", {} changed", plural(k, "setting")),
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

/// The traffic sentence: "lets 1,240 messages from 3 pairs through that were not allowed before; ...".
pub fn traffic_sentence(r: &Replay) -> String {
    format!(
        "lets {} from {} through that were not allowed before; blocks {} that were not blocked; leaves {} undecided that the list decided ({} replayed)",
        plural(r.newly_allowed.messages, "message"),
        plural(r.pairs_let_through, "pair"),
        thousands(r.newly_blocked.messages),
        thousands(r.newly_undecided.messages),
        plural(r.rows, "row")
    )
}

/// The review as text.
pub fn diff_text(reviews: &[TenantReview<'_>], style: Style) -> String {
    let mut out = String::new();
    for r in reviews {
        let d = &r.diff;
        let _ = writeln!(out, "{}", style.paint("1", &format!("== {}", escaped(&d.name))));
        let errors = [
            ("errors this change introduces:", &d.new_errors),
            ("errors already on the base (not counted against this change):", &d.base_errors),
        ];
        for (title, found) in errors.into_iter().filter(|(_, found)| !found.is_empty()) {
            let _ = writeln!(out, "{}", style.paint("1;31", title));
            for e in found {
                for line in diagnostic(e, style).lines() {
                    let _ = writeln!(out, "  {line}");
                }
            }
        }
        let (risky, rest): (Vec<&Change<'_>>, Vec<&Change<'_>>) = d.changes.iter().partition(|c| c.risk().is_some());
        let change_line = |out: &mut String, c: &Change<'_>, why: String| {
            let _ = writeln!(out, "  {} {:<16} {}{why}", mark(c.kind()), c.kind().word(), escaped(&describe(c)));
            if let Some(details) = allow_details(c) {
                let fields: Vec<String> = details.iter().map(|(f, v)| format!("{f}: {}", escaped(v))).collect();
                let _ = writeln!(out, "      {}", fields.join("; "));
            }
        };
        if !risky.is_empty() {
            let _ = writeln!(out, "{}", style.paint("1;31", "risky:"));
            for c in risky {
                let why = c.risk().map(|r| r.words()).unwrap_or_default();
                change_line(&mut out, c, format!("  {}", style.paint("31", &format!("[{}]", escaped(&why)))));
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
                change_line(&mut out, c, String::new());
            }
        }
        let _ = writeln!(out, "{}: {}", escaped(&d.name), counts(d));
        if let Some(replay) = &r.replay {
            let _ = writeln!(out, "traffic: this change {}", traffic_sentence(replay));
            let (pairs, hidden, more) = shown_pairs(replay);
            for p in &pairs {
                let _ = writeln!(out, "  {}", pair_line(p));
            }
            if more.rows > 0 {
                let _ = writeln!(out, "  {}", more_pairs(hidden, more, replay.ungrouped.rows > 0));
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

/// A finding as a Markdown list item that names its entry and place: ``- error `code` on `entry`: message
/// (`file:line`)``.
fn finding_item(d: &Diagnostic) -> String {
    let entry = d.entry.as_ref().map_or(String::new(), |e| format!(" on {}", markdown::code(&e.to_string())));
    let place = match d.span {
        Some(s) => format!("{}:{}", d.file.display(), s.line),
        None => d.file.display().to_string(),
    };
    format!("- {} `{}`{entry}: {} ({})\n", d.severity, d.code, markdown::text(&d.message), markdown::code(&place))
}

/// A change's cells: its kind, its entry, and an allow's reason, owner, ticket and expiry (empty otherwise).
fn change_cells(c: &Change<'_>) -> String {
    let details = allow_details(c)
        .map(|d| d.iter().map(|(_, v)| markdown::text(v)).collect::<Vec<_>>().join(" | "))
        .unwrap_or_else(|| ["", "", "", ""].join(" | "));
    format!("{} | {} | {details}", c.kind().word(), markdown::code(&describe(c)))
}

/// The review as Markdown for a pull-request comment.
pub fn diff_markdown(reviews: &[TenantReview<'_>]) -> String {
    let Totals { tenants, changes, risky } = totals(reviews);
    let mut out = diff_markdown_head(changes, tenants, risky);
    for r in reviews {
        let d = &r.diff;
        let _ = writeln!(out, "#### {}\n\n{}\n", markdown::text(&d.name), counts(d));
        let errors = [
            ("**Errors this change introduces:**", &d.new_errors),
            ("**Errors already on the base** (not counted against this change):", &d.base_errors),
        ];
        for (title, found) in errors.into_iter().filter(|(_, found)| !found.is_empty()) {
            let _ = writeln!(out, "{title}\n");
            found.iter().for_each(|e| out.push_str(&finding_item(e)));
            out.push('\n');
        }
        if let Some(replay) = &r.replay {
            let _ = writeln!(out, "**Traffic:** this change {}.\n", traffic_sentence(replay));
            let (pairs, hidden, more) = shown_pairs(replay);
            if !pairs.is_empty() {
                let _ = writeln!(out, "| pair | verdict | messages | rows |\n| --- | --- | ---: | ---: |");
                for p in &pairs {
                    let _ = writeln!(
                        out,
                        "| {} | {} -> {} | {} | {} |",
                        markdown::code(&p.pair),
                        p.from,
                        p.to,
                        thousands(p.messages),
                        thousands(p.rows)
                    );
                }
                out.push('\n');
            }
            if more.rows > 0 {
                let _ = writeln!(out, "{}.\n", more_pairs(hidden, more, replay.ungrouped.rows > 0));
            }
        }
        let (risky, rest): (Vec<&Change<'_>>, Vec<&Change<'_>>) = d.changes.iter().partition(|c| c.risk().is_some());
        if !risky.is_empty() {
            let _ = writeln!(
                out,
                "| risky | change | entry | reason | owner | ticket | expires |\n| --- | --- | --- | --- | --- | --- | --- |"
            );
            for c in risky {
                let why = markdown::text(&c.risk().map(|r| r.words()).unwrap_or_default());
                let _ = writeln!(out, "| **{why}** | {} |", change_cells(c));
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
            let _ = writeln!(out, "**New findings:**\n");
            d.new_warnings.iter().for_each(|w| out.push_str(&finding_item(w)));
            out.push('\n');
        }
        if !rest.is_empty() {
            let _ = writeln!(
                out,
                "**Other changes** ({})\n\n| change | entry | reason | owner | ticket | expires |\n| --- | --- | --- | --- | --- | --- |",
                rest.len()
            );
            for c in rest {
                let _ = writeln!(out, "| {} |", change_cells(c));
            }
            out.push('\n');
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
    /// An added or changed allow's reason, owner, ticket and expiry, as the text and Markdown show them.
    #[serde(skip_serializing_if = "Option::is_none")]
    allow: Option<AllowJson>,
}

/// What an approver weighs about an allow: `(none)` for a field left out, as the text shows it.
#[derive(Serialize)]
struct AllowJson {
    reason: String,
    owner: String,
    ticket: String,
    expires: String,
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

/// The changed pairs past the shown ones: how many (at least, when `more_than`), and their rows and messages.
#[derive(Serialize)]
struct MorePairsJson {
    pairs: usize,
    more_than: bool,
    rows: u64,
    messages: u64,
}

/// What the change does to the observed traffic.
#[derive(Serialize)]
struct TrafficJson {
    rows: u64,
    newly_allowed: LetThrough,
    newly_blocked: CountJson,
    newly_undecided: CountJson,
    /// The pairs whose verdict changes, the most messages first (the first [`SHOWN_PAIRS`]).
    changed_pairs: Vec<ChangedPair>,
    more_pairs: MorePairsJson,
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
    /// The errors the change introduces (they count against it).
    new_errors: Vec<Value>,
    /// The errors the base already has (they do not).
    base_errors: Vec<Value>,
    traffic: Option<TrafficJson>,
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
        allow: allow_details(c).map(|[(_, reason), (_, owner), (_, ticket), (_, expires)]| AllowJson {
            reason,
            owner,
            ticket,
            expires,
        }),
    };
    let traffic = |t: &Replay| {
        let (changed_pairs, hidden, more) = shown_pairs(t);
        TrafficJson {
            rows: t.rows,
            newly_allowed: LetThrough {
                rows: t.newly_allowed.rows,
                messages: t.newly_allowed.messages,
                pairs: t.pairs_let_through,
            },
            newly_blocked: t.newly_blocked.into(),
            newly_undecided: t.newly_undecided.into(),
            changed_pairs,
            more_pairs: MorePairsJson {
                pairs: hidden,
                more_than: t.ungrouped.rows > 0,
                rows: more.rows,
                messages: more.messages,
            },
        }
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
                new_errors: r.diff.new_errors.iter().map(|d| diagnostic_json(d)).collect(),
                base_errors: r.diff.base_errors.iter().map(|d| diagnostic_json(d)).collect(),
                traffic: r.replay.as_ref().map(traffic),
            })
            .collect(),
    }
}
