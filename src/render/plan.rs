//! `plan`: what must change in the tenant, as text, Markdown (for a pull request), JSON, or the PowerShell
//! that applies it. Risky changes are named: a new allow, a block turned into an allow, a block removed, and
//! a wildcard allow the tenant holds.

use std::fmt::Write as _;

use serde::Serialize;

use crate::engine::plan::{IdMismatch, LiveItem, Plan, Refusal, Retired};
use crate::model::characters::escaped;
use crate::model::entry::{Entry, TenantList};
use crate::model::words::{Action, SpoofType, Word};
use crate::render::powershell::{
    Phase, Provenance, Step, command, create_step, remove_identity, script, tenant_domains,
};
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

/// What marks a retired entry, in every format.
fn expired_since(r: &Retired<'_>) -> String {
    format!("expired since {}", r.since)
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
                "it removes {removed} of the tenant's {live} entries (more than 30%); check the export is the right tenant's, then give --allow-mass-removal"
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

/// A list `id` that does not name its entry in the tenant, in words (unescaped).
pub fn id_mismatch_words(m: &IdMismatch<'_>) -> String {
    let id = m.entry.meta.id.as_ref().map(ToString::to_string).unwrap_or_default();
    match m.held {
        None => format!("the list's id {id} is not in the tenant; correct or remove the entry's id"),
        Some(held) => {
            format!("the list's id {id} is the tenant's entry for {}; correct the entry's id", live_label(held))
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
    for r in &p.retire {
        let _ = writeln!(
            out,
            "{}    {}  (id {}): {}{}",
            style.paint("31", "- remove"),
            escaped(&live_label(r.live)),
            id_of(r.live),
            expired_since(r),
            risk_note(live_risk(r.live, true), style)
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
    for m in &p.id_mismatches {
        let _ = writeln!(
            out,
            "{}        {}: {}",
            style.paint("33", "! id"),
            escaped(&m.entry.label().to_string()),
            escaped(&id_mismatch_words(m))
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
    if !p.retire.is_empty() {
        let rows: Vec<String> =
            p.retire.iter().map(|r| format!("{} {} |", live_row(r.live), markdown::text(&expired_since(r)))).collect();
        let _ = writeln!(
            out,
            "#### Remove: expired allows ({})\n\n| spoofed | infrastructure | type | action | Identity | why |\n| --- | --- | --- | --- | --- | --- |\n{}\n",
            rows.len(),
            rows.join("\n")
        );
    }
    table(&mut out, "Unmanaged", p.unmanaged.iter().map(|u| live_row(u)).collect());
    if !p.id_mismatches.is_empty() {
        let rows: Vec<String> = p
            .id_mismatches
            .iter()
            .map(|m| format!("| {} | {} |", md(&m.entry.label().to_string()), markdown::text(&id_mismatch_words(m))))
            .collect();
        let _ = writeln!(
            out,
            "#### List ids the tenant does not hold ({})\n\n| entry | problem |\n| --- | --- |\n{}\n",
            rows.len(),
            rows.join("\n")
        );
    }
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
    /// A retired allow's `expires` (`--retire-expired`).
    #[serde(rename = "expired-since", skip_serializing_if = "Option::is_none")]
    expired_since: Option<String>,
}

fn live_json(i: &LiveItem) -> LiveJson<'_> {
    LiveJson {
        spoofed: &i.spoofed,
        infrastructure: &i.infrastructure,
        spoof_type: i.spoof_type.list_word(),
        action: i.action.list_word(),
        identity: i.id.as_ref().map(|g| g.as_str()),
        expired_since: None,
    }
}

/// A tenant entry whose action changes, and the action it takes.
#[derive(Serialize)]
struct ChangeJson<'a> {
    #[serde(flatten)]
    live: LiveJson<'a>,
    to: &'static str,
}

/// A list entry whose `id` does not name it in the tenant.
#[derive(Serialize)]
struct IdMismatchJson<'a> {
    entry: EntryJson,
    id: Option<&'a str>,
    /// The tenant's entry with that Identity, when it holds one (for another pair).
    held: Option<LiveJson<'a>>,
}

/// How many entries the plan creates, changes, removes and leaves alone; the tenant's entries before and
/// after.
#[derive(Debug, Clone, Serialize)]
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
        remove: p.removed(),
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
    id_mismatches: Vec<IdMismatchJson<'a>>,
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
        remove: p
            .remove
            .iter()
            .map(|r| live_json(r))
            .chain(p.retire.iter().map(|r| LiveJson { expired_since: Some(r.since.to_string()), ..live_json(r.live) }))
            .collect(),
        unmanaged: p.unmanaged.iter().map(|u| live_json(u)).collect(),
        id_mismatches: p
            .id_mismatches
            .iter()
            .map(|m| IdMismatchJson {
                entry: m.entry.label().into(),
                id: m.entry.meta.id.as_ref().map(|g| g.as_str()),
                held: m.held.map(live_json),
            })
            .collect(),
        refused: p.refusal.as_ref().map(refusal_words),
        summary: summary(p),
    }
}

/// The PowerShell that applies the plan (render::powershell::script): removals, then changes and creates
/// that block, then those that allow, each with its comment. An error, in words, for a refused plan or a
/// list that does not name its tenant: no script is written for either.
pub fn plan_powershell(p: &Plan<'_>, list: &TenantList, provenance: &Provenance<'_>) -> Result<String, String> {
    if let Some(r) = &p.refusal {
        return Err(format!("plan refused: {}", refusal_words(r)));
    }
    let domains = tenant_domains(list).map_err(|e| e.to_string())?;
    let id = |item: &LiveItem| item.id.as_ref().map(ToString::to_string).ok_or("an entry has no Identity".to_string());
    let mut steps = Vec::new();
    for r in &p.remove {
        let mut why = vec![format!("in the tenant, not in the list (--prune); id {}", id(r)?)];
        why.extend(live_risk(r, true).map(|risk| format!("risky: {risk}")));
        steps.push(Step {
            phase: Phase::Remove,
            operation: "Remove".into(),
            target: live_label(r),
            why,
            command: command(
                "Remove-TenantAllowBlockListSpoofItems",
                &[("Identity", &remove_identity(&domains)), ("Ids", &id(r)?)],
            ),
        });
    }
    for r in &p.retire {
        let mut why = vec![format!("{} (--retire-expired); id {}", expired_since(r), id(r.live)?)];
        why.extend(crate::render::powershell::entry_notes(r.entry));
        steps.push(Step {
            phase: Phase::Remove,
            operation: "Remove".into(),
            target: live_label(r.live),
            why,
            command: command(
                "Remove-TenantAllowBlockListSpoofItems",
                &[("Identity", &remove_identity(&domains)), ("Ids", &id(r.live)?)],
            ),
        });
    }
    for c in &p.change {
        let to = c.entry.action();
        let mut why = vec![format!(
            "the list has {}, the tenant {}; id {}",
            to.list_word(),
            c.live.action.list_word(),
            id(c.live)?
        )];
        why.extend(crate::render::powershell::entry_notes(c.entry));
        why.extend(change_risk(to).map(|risk| format!("risky: {risk}")));
        steps.push(Step {
            phase: Phase::of(to),
            operation: format!("Change to {}", to.list_word()),
            target: live_label(c.live),
            why,
            command: command(
                "Set-TenantAllowBlockListSpoofItems",
                &[("Identity", "Default"), ("Ids", &id(c.live)?), ("Action", to.service_word())],
            ),
        });
    }
    for e in &p.create {
        let mut step = create_step(e, Some("in the list, not in the tenant"));
        step.why.extend(create_risk(e).map(|risk| format!("risky: {risk}")));
        steps.push(step);
    }
    let mut title = format!(
        "Applies the spoofctl plan for {}: {}",
        crate::model::characters::printable(&provenance.list.display().to_string()),
        summary_line(p)
    );
    for m in &p.id_mismatches {
        let _ = write!(title, "\nNote: {}: {}", m.entry.label(), id_mismatch_words(m));
    }
    Ok(script(&title, provenance, &domains, steps))
}

/// One tenant's plan, rendered in the report's format, for a report on many tenants.
#[derive(Debug, Clone)]
pub enum Body {
    /// Text or Markdown.
    Text(String),
    /// The plan's JSON report.
    Json(serde_json::Value),
    /// Nothing (a PowerShell script goes to its own file).
    None,
}

/// One tenant's part of a report on many tenants: its plan, or why there is none.
#[derive(Debug, Clone)]
pub struct TenantPlan {
    list: String,
    live: Option<String>,
    summary: Option<Summary>,
    refused: bool,
    failure: Option<String>,
    body: Body,
}

impl TenantPlan {
    /// A tenant planned: its list, its live export, the plan and its rendering.
    pub fn planned(list: &str, live: &str, p: &Plan<'_>, body: Body) -> TenantPlan {
        TenantPlan {
            list: list.to_string(),
            live: Some(live.to_string()),
            summary: Some(summary(p)),
            refused: p.refusal.is_some(),
            failure: None,
            body,
        }
    }

    /// A tenant not planned, and why (a missing live export, a list with errors).
    pub fn failed(list: &str, why: String) -> TenantPlan {
        TenantPlan {
            list: list.to_string(),
            live: None,
            summary: None,
            refused: false,
            failure: Some(why),
            body: Body::None,
        }
    }
}

/// The totals of a report on many tenants.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PlanTotals {
    tenants: usize,
    /// Tenants not planned (no live export, a list with errors, an unusable export).
    #[serde(rename = "not-planned")]
    pub not_planned: usize,
    /// Tenants whose plan is refused.
    pub refused: usize,
    create: usize,
    change: usize,
    remove: usize,
    unmanaged: usize,
}

impl PlanTotals {
    /// Adds a tenant's counts.
    pub fn add(&mut self, t: &TenantPlan) {
        self.tenants += 1;
        self.refused += usize::from(t.refused);
        match &t.summary {
            Some(s) => {
                self.create += s.create;
                self.change += s.change;
                self.remove += s.remove;
                self.unmanaged += s.unmanaged;
            }
            None => self.not_planned += 1,
        }
    }
}

/// The closing line of a report on many tenants.
pub fn total_line(t: &PlanTotals) -> String {
    let mut line = format!(
        "Total for {}: {} to create, {} to change, {} to remove, {} unmanaged.",
        super::plural(t.tenants, "tenant"),
        t.create,
        t.change,
        t.remove,
        t.unmanaged
    );
    if t.not_planned > 0 {
        line.push_str(&format!(" Not planned: {}.", super::plural(t.not_planned, "tenant")));
    }
    if t.refused > 0 {
        line.push_str(&format!(" Refused: {}.", super::plural(t.refused, "tenant")));
    }
    line
}

/// Many tenants' plans as text: each under its list's name, then the total.
pub fn tenants_text(plans: &[TenantPlan], totals: &PlanTotals) -> String {
    let mut out = String::new();
    for t in plans {
        match (&t.live, &t.failure, &t.body) {
            (Some(live), _, Body::Text(body)) => {
                let _ = writeln!(out, "== {} (live: {}) ==\n{body}", escaped(&t.list), escaped(live));
            }
            (_, failure, _) => {
                let _ = writeln!(
                    out,
                    "== {} ==\nnot planned: {}\n",
                    escaped(&t.list),
                    escaped(failure.as_deref().unwrap_or(""))
                );
            }
        }
    }
    let _ = writeln!(out, "{}", total_line(totals));
    out
}

/// Many tenants' plans as Markdown: the total first, then each tenant's plan.
pub fn tenants_markdown(plans: &[TenantPlan], totals: &PlanTotals) -> String {
    let mut out = format!("## spoofctl plan\n\n**{}**\n\n", total_line(totals));
    for t in plans {
        match (&t.failure, &t.body) {
            (None, Body::Text(body)) => out.push_str(body),
            (failure, _) => {
                let _ = writeln!(
                    out,
                    "### spoofctl plan: {}\n\n> **Not planned:** {}\n",
                    markdown::text(&t.list),
                    markdown::text(failure.as_deref().unwrap_or(""))
                );
            }
        }
    }
    out
}

/// One tenant in a many-tenant JSON report.
#[derive(Serialize)]
struct TenantJson<'a> {
    list: &'a str,
    live: Option<&'a str>,
    plan: Option<&'a serde_json::Value>,
    error: Option<&'a str>,
}

/// `plan`'s JSON report on many tenants ([`tenants_json`]).
#[derive(Serialize)]
pub struct TenantsReport<'a> {
    version: u32,
    tenants: Vec<TenantJson<'a>>,
    summary: &'a PlanTotals,
}

super::json_display!(TenantsReport);

/// Many tenants' plans as JSON: each tenant's plan report (or its error), and the totals.
pub fn tenants_json<'a>(plans: &'a [TenantPlan], totals: &'a PlanTotals) -> TenantsReport<'a> {
    TenantsReport {
        version: 1,
        tenants: plans
            .iter()
            .map(|t| TenantJson {
                list: &t.list,
                live: t.live.as_deref(),
                plan: match &t.body {
                    Body::Json(v) => Some(v),
                    _ => None,
                },
                error: t.failure.as_deref(),
            })
            .collect(),
        summary: totals,
    }
}
