//! Export: a list in the service's formats: a PowerShell script, `Export-Csv`-shaped CSV, JSON as
//! `ConvertTo-Json` writes it, and the text of the portal's "Add domain pairs" flyout.

use std::fmt::Write as _;

use serde::Serialize;

use crate::model::entry::{Entry, TenantList};
use crate::model::words::{Action, SpoofType, Word};
use crate::render::powershell::{NoTenant, Provenance, create_step, script, tenant_domains};
use crate::render::safe_cell;

/// The portal's "Add domain pairs" flyout takes at most 20 pairs per submission, all of one spoof type and
/// one action (TABL-SPOOF, "Limits").
pub const PAIRS_PER_SUBMISSION: usize = 20;

/// The entries in canonical order (the order of `fmt`).
fn ordered(list: &TenantList) -> Vec<&Entry> {
    let mut entries: Vec<&Entry> = list.entries.iter().collect();
    entries.sort_by_key(|e| e.identity());
    entries
}

/// A script that creates every entry of the list, blocks first, behind the guard that checks the session is
/// connected to the list's tenant (render::powershell).
pub fn powershell(list: &TenantList, provenance: &Provenance<'_>) -> Result<String, NoTenant> {
    let domains = tenant_domains(list)?;
    let steps = ordered(list).into_iter().map(|e| create_step(e, None)).collect();
    let title = format!(
        "Creates the spoofed-sender entries of {} in the Tenant Allow/Block List.",
        crate::model::characters::printable(&list.path.display().to_string())
    );
    Ok(script(&title, provenance, &domains, steps))
}

/// CSV with the service's columns and capitalisation; no cell can start a spreadsheet formula.
pub fn csv(list: &TenantList) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["SpoofedUser", "SendingInfrastructure", "SpoofType", "Action"]);
    for e in ordered(list) {
        let _ = w.write_record(
            [
                safe_cell(e.rule.spoofed().to_string()),
                safe_cell(e.rule.infrastructure().to_string()),
                e.spoof_type.service_word().into(),
                e.action().service_word().into(),
            ]
            .iter()
            .map(|cell| cell.as_bytes()),
        );
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// One entry as `ConvertTo-Json` writes it: the service's names and words.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ServiceItem<'a> {
    spoofed_user: String,
    sending_infrastructure: String,
    spoof_type: &'static str,
    action: &'static str,
    /// Only where the list knows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    identity: Option<&'a str>,
}

/// `export --format json`'s document ([`json`]): the entries in canonical order.
#[derive(Serialize)]
pub struct ExportReport<'a>(Vec<ServiceItem<'a>>);

super::json_display!(ExportReport);

/// The entries as JSON, shaped like `Get-TenantAllowBlockListSpoofItems | ConvertTo-Json` (with `Identity`
/// where the list knows it).
pub fn json(list: &TenantList) -> ExportReport<'_> {
    ExportReport(
        ordered(list)
            .into_iter()
            .map(|e| ServiceItem {
                spoofed_user: e.rule.spoofed().to_string(),
                sending_infrastructure: e.rule.infrastructure().to_string(),
                spoof_type: e.spoof_type.service_word(),
                action: e.action().service_word(),
                identity: e.meta.id.as_ref().map(|id| id.as_str()),
            })
            .collect(),
    )
}

/// The text for the portal's "Add domain pairs" flyout: `spoofed, infrastructure` one a line, grouped by
/// spoof type and action, at most 20 a group, each group headed by a comment saying what to pick.
pub fn pairs(list: &TenantList) -> String {
    let mut out = String::new();
    for spoof_type in [SpoofType::External, SpoofType::Internal] {
        for action in [Action::Allow, Action::Block] {
            let group: Vec<&Entry> =
                ordered(list).into_iter().filter(|e| e.spoof_type == spoof_type && e.action() == action).collect();
            let chunks = group.len().div_ceil(PAIRS_PER_SUBMISSION);
            for (n, chunk) in group.chunks(PAIRS_PER_SUBMISSION).enumerate() {
                if !out.is_empty() {
                    out.push('\n');
                }
                let _ = writeln!(
                    out,
                    "# Spoof type: {}, action: {} (submission {} of {chunks}, {})",
                    spoof_type.service_word(),
                    action.service_word(),
                    n + 1,
                    super::plural(chunk.len(), "pair")
                );
                for e in chunk {
                    let _ = writeln!(out, "{}, {}", e.rule.spoofed(), e.rule.infrastructure());
                }
            }
        }
    }
    out
}
