//! `plan`: what must change in the tenant, as text, Markdown (for a pull request), JSON, or the PowerShell
//! that applies it. Risky changes are named: a new allow, a block turned into an allow, a block removed, and
//! a wildcard allow the tenant holds.

use std::fmt::Write as _;

use serde::Serialize;

use crate::engine::plan::{LiveItem, Plan, Refusal};
use crate::model::characters::escaped;
use crate::model::entry::Entry;
use crate::model::words::{Action, SpoofType, Word};
use crate::render::export::new_command;
use crate::render::powershell::{PREAMBLE, command};
use crate::render::{EntryJson, Style, markdown};

/// Why a create is risky, if it is.
fn create_risk(e: &Entry) -> Option<&'static str> {
    (e.action() == Action::Allow).then_some("new allow")
}

/// Why a change is risky, if it is.
fn change_risk(to: Action) -> Option<&'static str> {
    (to == Action::Allow).then_some("block turned into an allow")
}

/// Why a removal or an unmanaged entry is risky, if it is.
fn live_risk(item: &LiveItem, removed: bool) -> Option<&'static str> {
    if item.is_wildcard_allow() {
        Some("an allow with a wildcard: the domain alone or the infrastructure alone lets mail through")
    } else if removed && item.action == Action::Block {
        Some("block removed")
    } else if !removed && item.action == Action::Allow && item.spoof_type == SpoofType::Internal {
        // The allow-own-domain lint's concern, for an entry that no list review ever saw.
        Some("an allow of the tenant's own domains that no review saw (internal spoofing)")
    } else {
        None
    }
}

/// A value in a Markdown table cell, as code that nothing in it can end.
/// A tenant entry as a row of the Remove and Unmanaged tables.
fn live_row(i: &LiveItem) -> String {
    format!("| {} | {} | {} | {} | {} |", md(&i.spoofed), md(&i.infrastructure), i.spoof_type, i.action, id_of(i))
}

fn md(value: &str) -> String {
    markdown::code(value)
}

/// A tenant entry in words, as the export holds it (unescaped: each renderer escapes it for its format).
fn live_label(i: &LiveItem) -> String {
    format!("{} via {} ({}, {})", i.spoofed, i.infrastructure, i.spoof_type, i.action)
}

fn id_of(i: &LiveItem) -> String {
    i.id.as_ref().map_or("no Identity in the export".to_string(), |g| g.to_string())
}

/// The closing line of every text plan.
pub fn summary_line(p: &Plan<'_>) -> String {
    let Summary { create, change, remove, unmanaged, .. } = summary(p);
    format!("Plan: {create} to create, {change} to change, {remove} to remove, {unmanaged} unmanaged.")
}

/// Why the plan is refused, in words.
pub fn refusal_words(r: &Refusal) -> String {
    match r {
        Refusal::TooManyRemovals { removed, live } => {
            format!(
                "it removes {removed} of the tenant's {live} entries (more than 30%); check the export is the right tenant's, then give --force"
            )
        }
        Refusal::OverLimit { result } => {
            format!("the tenant would hold {result} entries; the service holds at most 1024")
        }
        Refusal::MissingIds { count } => {
            format!(
                "the export lacks the Identity of {} the plan changes or removes: export with `Get-TenantAllowBlockListSpoofItems | Export-Csv`",
                super::plural(*count, "entry")
            )
        }
    }
}

fn risk_note(risk: Option<&str>, style: Style) -> String {
    risk.map_or(String::new(), |r| format!("  {}", style.paint("1;31", &format!("[risky: {r}]"))))
}

/// The plan as text: `+` create, `~` change, `-` remove, `?` unmanaged, and the summary line.
pub fn plan_text(p: &Plan<'_>, style: Style) -> String {
    let mut out = String::new();
    for e in &p.create {
        let _ = writeln!(
            out,
            "{}    {}{}",
            style.paint("32", "+ create"),
            escaped(&e.label().to_string()),
            risk_note(create_risk(e), style)
        );
    }
    for c in &p.change {
        let to = c.entry.action();
        let _ = writeln!(
            out,
            "{}    {}: {} -> {}  (id {}){}",
            style.paint("33", "~ change"),
            escaped(&live_label(c.live)),
            c.live.action,
            to,
            id_of(c.live),
            risk_note(change_risk(to), style)
        );
    }
    for r in &p.remove {
        let _ = writeln!(
            out,
            "{}    {}  (id {}){}",
            style.paint("31", "- remove"),
            escaped(&live_label(r)),
            id_of(r),
            risk_note(live_risk(r, true), style)
        );
    }
    for u in &p.unmanaged {
        let _ = writeln!(
            out,
            "{} {}: in the tenant, not in the list; --prune removes it{}",
            style.paint("2", "? unmanaged"),
            escaped(&live_label(u)),
            risk_note(live_risk(u, false), style)
        );
    }
    let _ = writeln!(out, "{}", summary_line(p));
    if let Some(r) = &p.refusal {
        let _ = writeln!(out, "{} {}", style.paint("1;31", "refused:"), refusal_words(r));
    }
    out
}

/// The plan as Markdown for a pull request: the summary, the risky changes first, then a table per kind.
pub fn plan_markdown(p: &Plan<'_>, title: &str) -> String {
    let mut out = format!("### spoofctl plan: {}\n\n**{}**\n\n", markdown::text(title), summary_line(p));
    if let Some(r) = &p.refusal {
        let _ = writeln!(out, "> **Refused:** {}\n", refusal_words(r));
    }
    let mut risky: Vec<String> = Vec::new();
    risky.extend(
        p.create
            .iter()
            .filter_map(|e| Some(format!("| create | {} | {} |", md(&e.label().to_string()), create_risk(e)?))),
    );
    risky.extend(p.change.iter().filter_map(|c| {
        Some(format!("| change | {} | {} |", md(&live_label(c.live)), change_risk(c.entry.action())?))
    }));
    risky.extend(
        p.remove.iter().filter_map(|r| Some(format!("| remove | {} | {} |", md(&live_label(r)), live_risk(r, true)?))),
    );
    risky.extend(
        p.unmanaged
            .iter()
            .filter_map(|u| Some(format!("| unmanaged | {} | {} |", md(&live_label(u)), live_risk(u, false)?))),
    );
    if !risky.is_empty() {
        let _ = writeln!(out, "#### Risky\n\n| kind | entry | why |\n| --- | --- | --- |\n{}\n", risky.join("\n"));
    }
    let table = |out: &mut String, heading: &str, rows: Vec<String>| {
        if !rows.is_empty() {
            let _ = writeln!(
                out,
                "#### {heading} ({})\n\n| spoofed | infrastructure | type | action | Identity |\n| --- | --- | --- | --- | --- |\n{}\n",
                rows.len(),
                rows.join("\n")
            );
        }
    };
    table(
        &mut out,
        "Create",
        p.create
            .iter()
            .map(|e| {
                format!(
                    "| {} | {} | {} | {} | |",
                    md(&e.rule.spoofed().to_string()),
                    md(&e.rule.infrastructure().to_string()),
                    e.spoof_type,
                    e.action()
                )
            })
            .collect(),
    );
    table(
        &mut out,
        "Change",
        p.change
            .iter()
            .map(|c| {
                format!(
                    "| {} | {} | {} | {} -> {} | {} |",
                    md(&c.live.spoofed),
                    md(&c.live.infrastructure),
                    c.live.spoof_type,
                    c.live.action,
                    c.entry.action(),
                    id_of(c.live)
                )
            })
            .collect(),
    );
    table(&mut out, "Remove", p.remove.iter().map(|r| live_row(r)).collect());
    table(&mut out, "Unmanaged", p.unmanaged.iter().map(|u| live_row(u)).collect());
    out
}

/// A tenant entry, in JSON: as the export shows it, with its Identity.
#[derive(Serialize)]
struct LiveJson<'a> {
    spoofed: &'a str,
    infrastructure: &'a str,
    #[serde(rename = "type")]
    spoof_type: &'static str,
    action: &'static str,
    identity: Option<&'a str>,
}

fn live_json(i: &LiveItem) -> LiveJson<'_> {
    LiveJson {
        spoofed: &i.spoofed,
        infrastructure: &i.infrastructure,
        spoof_type: i.spoof_type.list_word(),
        action: i.action.list_word(),
        identity: i.id.as_ref().map(|g| g.as_str()),
    }
}

/// A tenant entry whose action changes, and the action it takes.
#[derive(Serialize)]
struct ChangeJson<'a> {
    #[serde(flatten)]
    live: LiveJson<'a>,
    to: &'static str,
}

/// How many entries the plan creates, changes, removes and leaves alone; the tenant's entries before and
/// after.
#[derive(Serialize)]
struct Summary {
    create: usize,
    change: usize,
    remove: usize,
    unmanaged: usize,
    live: usize,
    result: usize,
}

fn summary(p: &Plan<'_>) -> Summary {
    Summary {
        create: p.create.len(),
        change: p.change.len(),
        remove: p.remove.len(),
        unmanaged: p.unmanaged.len(),
        live: p.live_count,
        result: p.result_count(),
    }
}

/// `plan`'s JSON report ([`plan_json`]).
#[derive(Serialize)]
pub struct PlanReport<'a> {
    version: u32,
    create: Vec<EntryJson>,
    change: Vec<ChangeJson<'a>>,
    remove: Vec<LiveJson<'a>>,
    unmanaged: Vec<LiveJson<'a>>,
    refused: Option<String>,
    summary: Summary,
}

super::json_display!(PlanReport);

/// The plan as JSON.
pub fn plan_json<'a>(p: &'a Plan<'_>) -> PlanReport<'a> {
    PlanReport {
        version: 1,
        create: p.create.iter().map(|e| e.label().into()).collect(),
        change: p
            .change
            .iter()
            .map(|c| ChangeJson { live: live_json(c.live), to: c.entry.action().list_word() })
            .collect(),
        remove: p.remove.iter().map(|r| live_json(r)).collect(),
        unmanaged: p.unmanaged.iter().map(|u| live_json(u)).collect(),
        refused: p.refusal.as_ref().map(refusal_words),
        summary: summary(p),
    }
}

/// The PowerShell that applies the plan: `New-` for creates, `Set-` and `Remove-` by the live Identity.
/// `None` for a refused plan: no script is written for it.
pub fn plan_powershell(p: &Plan<'_>, title: &str) -> Option<String> {
    if p.refusal.is_some() {
        return None;
    }
    // The title is a path: escaped, so that no character of it can end the comment line.
    let title = crate::model::characters::printable(title);
    let mut out = format!(
        "# Applies the spoofctl plan for {title}: {}\n# Run in Exchange Online PowerShell (Connect-ExchangeOnline).\n{PREAMBLE}\n",
        summary_line(p)
    );
    for e in &p.create {
        let _ = writeln!(out, "{}", new_command(e));
    }
    for c in &p.change {
        let id = c.live.id.as_ref()?.to_string();
        let _ = writeln!(
            out,
            "{}",
            command(
                "Set-TenantAllowBlockListSpoofItems",
                &[("Identity", "Default"), ("Ids", &id), ("Action", c.entry.action().service_word())]
            )
        );
    }
    for r in &p.remove {
        let id = r.id.as_ref()?.to_string();
        let _ = writeln!(
            out,
            "{}",
            command("Remove-TenantAllowBlockListSpoofItems", &[("Identity", "Default"), ("Ids", &id)])
        );
    }
    Some(out)
}
