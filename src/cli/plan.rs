//! `spoofctl plan`: compare a list with the tenant's live export.

use std::fs::File;

use spoofctl::atomic;
use spoofctl::plan::{LiveItem, plan};
use spoofctl::render::plan::{plan_json, plan_markdown, plan_powershell, plan_text, refusal_words};
use spoofctl::tabl::{ExportError, read_export};

use super::args::{PlanArgs, PlanFormat};
use super::{Exit, fail, load_lists, out};

/// Runs `plan`.
pub fn run(args: PlanArgs) -> Exit {
    if let Some(o) = &args.output
        && o.exists()
    {
        return fail(format!("{}: the file exists; nothing was written", o.display()));
    }
    let lists = match load_lists(&args.list, spoofctl::date::Date::today_utc(), args.format == PlanFormat::Json) {
        Ok(l) => l,
        Err(exit) => return exit,
    };
    let [checked] = lists.as_slice() else {
        return fail(format!(
            "{}: holds {} lists; plan compares one tenant's list with its export: give one list file",
            args.list.display(),
            lists.len()
        ));
    };
    let live_name = args.live.display().to_string();
    let rows = match File::open(&args.live).map_err(|e| e.to_string()).and_then(|f| read_export(f).map_err(|e| e.to_string())) {
        Ok(rows) => rows,
        Err(e) if e == ExportError::NoEntries.to_string() => Vec::new(),
        Err(e) if !args.live.exists() => return fail(format!("{live_name}: {e}")),
        Err(e) => {
            eprintln!("spoofctl: error: {live_name}: {e}");
            return Exit::Findings;
        }
    };
    let mut live = Vec::with_capacity(rows.len());
    let mut bad = false;
    for row in &rows {
        match LiveItem::from_row(row) {
            Ok(item) => live.push(item),
            Err(p) => {
                eprintln!("{live_name}: {}: {}", p.place, p.message);
                bad = true;
            }
        }
    }
    let mut seen = std::collections::HashMap::new();
    for item in &live {
        if let Some(id) = &item.id
            && let Some(first) = seen.insert(id.clone(), item.place.clone())
        {
            eprintln!("{live_name}: {}: Identity {id} is also on {first}: the export is not one tenant's entries", item.place);
            bad = true;
        }
    }
    if bad {
        eprintln!("spoofctl: the live export has errors; no plan");
        return Exit::Findings;
    }
    let p = plan(&checked.list, &live, args.prune, args.force);
    let title = checked.list.path.display().to_string();
    let text = match args.format {
        PlanFormat::Text => plan_text(&p),
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
                return fail(format!("{}: cannot write: {e}; nothing was written", path.display()));
            }
        }
        None => out(&text),
    }
    if p.refusal.is_some() || (args.exit_code && !p.is_empty()) { Exit::Findings } else { Exit::Clean }
}
