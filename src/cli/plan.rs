//! `spoofctl plan`: compare a list with the tenant's live export.

use std::fs::File;

use super::atomic;
use spoofctl::engine::plan::{LiveItem, plan};
use spoofctl::read::snapshot::spoof_items;
use spoofctl::read::tabl_export::{ExportError, ExportRow, read_export};
use spoofctl::render::plan::{plan_json, plan_markdown, plan_powershell, plan_text, refusal_words};

use super::args::{PlanArgs, PlanFormat};
use super::{Exit, fail, one_list, out, shown, stdout_style, warn};

/// Runs `plan`.
pub fn run(args: PlanArgs) -> Exit {
    let json = args.format == PlanFormat::Json;
    let checked = match one_list(
        &args.list,
        args.output.as_deref(),
        None,
        json,
        "plan compares one tenant's list with its export",
    ) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let live_name = shown(&args.live);
    let rows = match live_rows(&args.live) {
        Ok(rows) => rows,
        // A snapshot that does not hold the spoof entries leaves nothing to plan against.
        Err(e) if args.live.is_dir() => return fail(format!("{live_name}: {e}")),
        Err(e) => {
            warn(format!("spoofctl: error: {live_name}: {e}"));
            return Exit::Findings;
        }
    };
    let mut live = Vec::with_capacity(rows.len());
    let mut bad = false;
    for row in &rows {
        match LiveItem::from_row(row) {
            Ok(item) => live.push(item),
            Err(p) => {
                warn(format!("{live_name}: {}: {}", p.place, p.message));
                bad = true;
            }
        }
    }
    let mut seen = std::collections::HashMap::new();
    for item in &live {
        if let Some(id) = &item.id
            && let Some(first) = seen.insert(id.clone(), item.place.clone())
        {
            warn(format!(
                "{live_name}: {}: Identity {id} is also on {first}: the export is not one tenant's entries",
                item.place
            ));
            bad = true;
        }
    }
    if bad {
        warn("spoofctl: the live export has errors; no plan");
        return Exit::Findings;
    }
    let p = plan(&checked.list, &live, args.prune, args.force);
    let title = checked.list.path.display().to_string();
    let text = match args.format {
        // A file written with -o is never coloured.
        PlanFormat::Text => plan_text(&p, if args.output.is_some() { Default::default() } else { stdout_style() }),
        PlanFormat::Markdown => plan_markdown(&p, &title),
        PlanFormat::Json => format!("{:#}\n", plan_json(&p)),
        PlanFormat::Powershell => match plan_powershell(&p, &title) {
            Some(script) => script,
            None => {
                eprintln!(
                    "spoofctl: error: plan refused: {}; no script written",
                    p.refusal.as_ref().map(refusal_words).unwrap_or_default()
                );
                return Exit::Findings;
            }
        },
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = atomic::create(path, text.as_bytes(), false) {
                return fail(format!("{}: cannot write: {e}; nothing was written", shown(path)));
            }
        }
        None => out(&text),
    }
    // Drift includes entries only in the tenant: a wildcard allow clicked into the portal must fail a
    // scheduled `--exit-code` run even though, without --prune, the plan leaves it alone.
    let drift = !p.is_empty() || !p.unmanaged.is_empty();
    if p.refusal.is_some() || (args.exit_code && drift) { Exit::Findings } else { Exit::Clean }
}

/// The live entries: an export file, or a snapshot folder's `Get-TenantAllowBlockListSpoofItems.json`.
fn live_rows(path: &std::path::Path) -> Result<Vec<ExportRow>, String> {
    if path.is_dir() {
        return spoof_items(path).map_err(|e| e.to_string());
    }
    let file = File::open(path).map_err(|e| e.to_string())?;
    match read_export(file) {
        Ok(rows) => Ok(rows),
        // A tenant with no entries exports nothing (Export-Csv writes an empty file): the plan creates the
        // whole list.
        Err(ExportError::NoEntries | ExportError::Empty) => Ok(Vec::new()),
        Err(e) => Err(e.to_string()),
    }
}
