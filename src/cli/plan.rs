//! `spoofctl plan`: compare a list with the tenant's live export.

use std::fs::File;

use super::atomic;
use spoofctl::engine::plan::{LiveItem, plan};
use spoofctl::read::git_commit::list_commit;
use spoofctl::read::tabl_export::{ExportError, read_export};
use spoofctl::render::plan::{plan_json, plan_markdown, plan_powershell, plan_text};
use spoofctl::render::powershell::Provenance;

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
    if args.live.is_dir() {
        return fail(format!("{live_name}: a folder, not an export file"));
    }
    let file = match File::open(&args.live) {
        Ok(f) => f,
        Err(e) => return fail(format!("{live_name}: {e}")),
    };
    let rows = match read_export(file) {
        Ok(rows) => rows,
        // A tenant with no entries exports nothing (Export-Csv writes an empty file): the plan creates the
        // whole list.
        Err(ExportError::NoEntries | ExportError::Empty) => Vec::new(),
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
        PlanFormat::Powershell => {
            let date = match super::today(args.today.as_deref()) {
                Ok(d) => d,
                Err(exit) => return exit,
            };
            let list = &checked.list;
            let provenance =
                Provenance { list: &list.path, commit: list_commit(&list.path), live: Some(&args.live), date };
            match plan_powershell(&p, list, &provenance) {
                Ok(script) => script,
                Err(why) => {
                    warn(format!("spoofctl: error: {}: {why}; no script written", shown(&list.path)));
                    return Exit::Findings;
                }
            }
        }
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
    // scheduled `--exit-code` run even though, without --prune, the plan leaves it alone; and list ids the
    // tenant does not hold.
    let drift = !p.is_empty() || !p.unmanaged.is_empty() || !p.id_mismatches.is_empty();
    if p.refusal.is_some() || (args.exit_code && drift) { Exit::Findings } else { Exit::Clean }
}
