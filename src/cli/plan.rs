//! `spoofctl plan`: compare a list with its tenant's live export; or every list of a folder with its tenant's
//! export in another folder, matched by file stem (`lists/contoso.yaml` with `live/contoso.csv`,
//! `live/contoso.json` or the snapshot folder `live/contoso/`).
//!
//! Many tenants are planned on a few workers ([`tenants::in_order`]), each tenant read, planned and rendered
//! on its own, and handed back in file order: the report is each tenant's plan as one tenant's would be, then
//! the total. A list with no export is reported and fails the run; a refused plan refuses that tenant only.

use std::ffi::OsStr;
use std::fs::File;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use super::atomic;
use spoofctl::engine::plan::{LiveItem, Options, plan};
use spoofctl::model::characters::escaped;
use spoofctl::model::date::Date;
use spoofctl::model::diagnostic::Severity;
use spoofctl::model::tenant::files;
use spoofctl::read::git_commit::list_commit;
use spoofctl::read::list_files::{ReadError, discover};
use spoofctl::read::snapshot::spoof_items;
use spoofctl::read::tabl_export::{ExportError, ExportRow, read_export};
use spoofctl::render::plan::{
    Body, PlanTotals, TenantPlan, plan_json, plan_markdown, plan_powershell, plan_text, tenants_json, tenants_markdown,
    tenants_text, total_line,
};
use spoofctl::render::powershell::Provenance;
use spoofctl::render::{self, Style};
use spoofctl::validate::pipeline::check_file;

use super::args::{PlanArgs, PlanFormat};
use super::tenants;
use super::{Exit, error, fail, one_list, out, shown, stderr_style, stdout_style};

/// Runs `plan`.
pub fn run(args: PlanArgs) -> Exit {
    let today = match super::today(args.today.as_deref()) {
        Ok(d) => d,
        Err(exit) => return exit,
    };
    let options = Options {
        prune: args.prune,
        allow_mass_removal: args.allow_mass_removal,
        retire_expired: args.retire_expired.then_some(today),
    };
    if args.live.is_dir() && snapshot_export(&args.live).is_none() {
        return many(&args, today, options);
    }
    let json = args.format == PlanFormat::Json;
    let checked = match one_list(
        &args.list,
        args.output.as_deref(),
        Some(args.force),
        json,
        today,
        "plan compares one tenant's list with its export (or give --live a folder of exports)",
    ) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let live_path = snapshot_export(&args.live).unwrap_or_else(|| args.live.clone());
    let live = match read_live(&live_path) {
        Ok(live) => live,
        Err(problem) => {
            for line in problem.messages {
                eprintln!("{line}");
            }
            return problem.exit;
        }
    };
    let p = plan(&checked.list, &live, options);
    let title = checked.list.path.display().to_string();
    let text = match args.format {
        // A file written with -o is never coloured.
        PlanFormat::Text => plan_text(&p, if args.output.is_some() { Style::default() } else { stdout_style() }),
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
                    error(format!("{}: {why}; no script written", shown(&list.path)));
                    return Exit::Findings;
                }
            }
        }
    };
    if let Err(exit) = write(args.output.as_deref(), &text, args.force) {
        return exit;
    }
    // Drift includes entries only in the tenant: a wildcard allow clicked into the portal must fail a
    // scheduled `--exit-code` run even though, without --prune, the plan leaves it alone; and list ids the
    // tenant does not hold.
    let drift = !p.is_empty() || !p.unmanaged.is_empty() || !p.id_mismatches.is_empty();
    if p.refusal.is_some() || (args.exit_code && drift) { Exit::Findings } else { Exit::Clean }
}

/// Writes the output to `path` (atomically; an existing file only with `force`) or to stdout.
fn write(path: Option<&Path>, text: &str, force: bool) -> Result<(), Exit> {
    match path {
        Some(path) => atomic::create(path, text.as_bytes(), force)
            .map_err(|e| fail(format!("{}: cannot write: {e}; nothing was written", shown(path)))),
        None => {
            out(text);
            Ok(())
        }
    }
}

/// The spoof entries' file of a snapshot folder, if `dir` is one.
fn snapshot_export(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir).ok()?.flatten().map(|e| e.path()).find(|p| {
        p.file_stem().and_then(OsStr::to_str).is_some_and(|n| n.eq_ignore_ascii_case(files::SPOOF_ITEMS))
            && p.extension().and_then(OsStr::to_str).is_some_and(|e| e.eq_ignore_ascii_case("json"))
    })
}

/// Why a live export gave no entries to plan with: the lines to print on stderr, and the exit code.
struct Unusable {
    messages: Vec<String>,
    exit: Exit,
}

impl Unusable {
    fn one(message: String, exit: Exit) -> Unusable {
        Unusable { messages: vec![escaped(&message)], exit }
    }
}

/// Reads a live export (CSV or JSON, or a snapshot's JSON file) into the tenant's entries.
fn read_live(path: &Path) -> Result<Vec<LiveItem>, Unusable> {
    let name = shown(path);
    if path.is_dir() {
        return Err(Unusable::one(format!("spoofctl: error: {name}: a folder, not an export file"), Exit::CannotRun));
    }
    let folder = path.parent().filter(|f| snapshot_export(f).as_deref() == Some(path));
    let rows = match folder {
        // A snapshot's file is read with the folder's manifest: a cmdlet recorded as failed (the file an
        // earlier run left in the folder is not today's tenant) gives no plan.
        Some(folder) => spoof_items(folder).map_err(|e| {
            Unusable::one(format!("spoofctl: error: {}: {}", shown(folder), escaped(&e.to_string())), Exit::CannotRun)
        })?,
        None => read_live_file(path, &name)?,
    };
    let mut live = Vec::with_capacity(rows.len());
    let mut messages = Vec::new();
    for row in &rows {
        match LiveItem::from_row(row) {
            Ok(item) => live.push(item),
            Err(p) => messages.push(escaped(&format!("{name}: {}: {}", p.place, p.message))),
        }
    }
    let mut seen = std::collections::HashMap::new();
    for item in &live {
        if let Some(id) = &item.id
            && let Some(first) = seen.insert(id.clone(), item.place.clone())
        {
            messages.push(escaped(&format!(
                "{name}: {}: Identity {id} is also on {first}: the export is not one tenant's entries",
                item.place
            )));
        }
    }
    if messages.is_empty() {
        return Ok(live);
    }
    messages.push(format!("spoofctl: the live export {name} has errors; no plan"));
    Err(Unusable { messages, exit: Exit::Findings })
}
/// The rows of a live export file (CSV or JSON).
fn read_live_file(path: &Path, name: &str) -> Result<Vec<ExportRow>, Unusable> {
    let file = File::open(path).map_err(|e| {
        let message = match e.kind() {
            std::io::ErrorKind::NotFound => ReadError::NotFound(path.to_path_buf()).to_string(),
            _ => format!("{name}: {e}"),
        };
        Unusable::one(format!("spoofctl: error: {}", escaped(&message)), Exit::CannotRun)
    })?;
    match read_export(file) {
        Ok(rows) => Ok(rows),
        // A tenant with no entries exports nothing (Export-Csv writes an empty file): the plan creates the
        // whole list.
        Err(ExportError::NoEntries | ExportError::Empty) => Ok(Vec::new()),
        Err(e) => Err(Unusable::one(format!("spoofctl: error: {name}: {e}"), Exit::Findings)),
    }
}

/// A tenant's live export in `folder`: `STEM.csv`, `STEM.json` or the snapshot folder `STEM/`. Exactly one
/// must be there.
fn live_for(list: &Path, folder: &Path) -> Result<PathBuf, String> {
    let stem = list.file_stem().unwrap_or_default();
    let candidates = [
        folder.join(stem).with_added_extension("csv"),
        folder.join(stem).with_added_extension("json"),
        folder.join(stem),
    ];
    let found: Vec<&PathBuf> = candidates.iter().filter(|p| p.exists()).collect();
    match found.as_slice() {
        [] => Err(format!(
            "no live export: expected {}, {} or a snapshot folder {}",
            shown(&candidates[0]),
            shown(&candidates[1]),
            shown(&candidates[2])
        )),
        [dir] if dir.is_dir() => snapshot_export(dir)
            .ok_or_else(|| format!("{}: a folder without {}.json: not a snapshot", shown(dir), files::SPOOF_ITEMS)),
        [one] => Ok((*one).clone()),
        several => {
            Err(format!("several live exports: {}; keep one", several.iter().map(shown).collect::<Vec<_>>().join(", ")))
        }
    }
}

/// One tenant's turn: its messages for stderr, its part of the report, and what it adds to the total.
struct Turn {
    messages: Vec<String>,
    report: TenantPlan,
    /// A powershell script to write (many tenants: into -o DIR), when the plan is not refused.
    script: Option<String>,
    drift: bool,
}

/// Plans one tenant of many, on a worker: `style` colours its text plan, `messages` its diagnostics.
fn tenant(list: &Path, live: &Path, today: Date, options: Options, format: PlanFormat, style: [Style; 2]) -> Turn {
    let [style, messages_style] = style;
    let title = list.display().to_string();
    let failed =
        |messages, why: String| Turn { messages, report: TenantPlan::failed(&title, why), script: None, drift: false };
    let live_path = match live_for(list, live) {
        Ok(p) => p,
        Err(why) => return failed(vec![format!("spoofctl: error: {}: {why}", shown(list))], why),
    };
    let checked = match check_file(list, today) {
        Ok(c) => c,
        Err(e) => return failed(vec![escaped(&format!("spoofctl: error: {e}"))], e.to_string()),
    };
    if checked.has_errors() {
        let mut messages: Vec<String> = checked
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| render::diagnostic(d, messages_style))
            .collect();
        let why = "the list has errors; fix them first (`spoofctl validate`)".to_string();
        messages.push(format!("{}: {why}", shown(list)));
        return failed(messages, why);
    }
    let live_items = match read_live(&live_path) {
        Ok(l) => l,
        Err(problem) => {
            let why = format!("{}: the live export cannot be used", shown(&live_path));
            return failed(problem.messages, why);
        }
    };
    let p = plan(&checked.list, &live_items, options);
    let mut messages = Vec::new();
    let (body, script) = match format {
        PlanFormat::Text => (Body::Text(plan_text(&p, style)), None),
        PlanFormat::Markdown => (Body::Text(plan_markdown(&p, &title)), None),
        PlanFormat::Json => (Body::Json(serde_json::to_value(plan_json(&p)).unwrap_or_default()), None),
        PlanFormat::Powershell => {
            let provenance = Provenance { list, commit: list_commit(list), live: Some(&live_path), date: today };
            match plan_powershell(&p, &checked.list, &provenance) {
                Ok(script) => (Body::None, Some(script)),
                Err(why) => {
                    messages.push(escaped(&format!("spoofctl: error: {}: {why}; no script written", shown(list))));
                    (Body::None, None)
                }
            }
        }
    };
    Turn {
        messages,
        report: TenantPlan::planned(&title, &live_path.display().to_string(), &p, body),
        script,
        drift: !p.is_empty() || !p.unmanaged.is_empty(),
    }
}

/// `plan` with a folder of live exports: every list of `--list` with its tenant's export.
fn many(args: &PlanArgs, today: Date, options: Options) -> Exit {
    let lists = match discover(std::slice::from_ref(&args.list)) {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    let scripts_dir = match (args.format, &args.output) {
        (PlanFormat::Powershell, Some(dir)) => Some(dir.clone()),
        (PlanFormat::Powershell, None) => {
            return fail("many tenants give one script each: give -o DIR, the folder to write them into");
        }
        (_, Some(o)) if o.exists() && !args.force => {
            return fail(format!("{}: the file exists; nothing was written (give --force to replace it)", shown(o)));
        }
        _ => None,
    };
    let script_path = |list: &Path| {
        scripts_dir.as_ref().map(|d| d.join(list.file_stem().unwrap_or_default()).with_added_extension("ps1"))
    };
    if let Some(dir) = &scripts_dir {
        if let Some(existing) = lists.iter().filter_map(|l| script_path(l)).find(|p| p.exists())
            && !args.force
        {
            return fail(format!(
                "{}: the file exists; nothing was written (give --force to replace it)",
                shown(existing)
            ));
        }
        if let Err(e) = std::fs::create_dir_all(dir) {
            return fail(format!("{}: cannot create the folder: {e}", shown(dir)));
        }
    }
    // A file written with -o is never coloured.
    let styles = [if args.output.is_some() { Style::default() } else { stdout_style() }, stderr_style()];
    let (mut reports, mut totals) = (Vec::with_capacity(lists.len()), PlanTotals::default());
    let (mut drift, mut stopped) = (false, None);
    let work = |list: &PathBuf| tenant(list, &args.live, today, options, args.format, styles);
    tenants::in_order(&lists, tenants::workers(), work, |i, turn| {
        for m in &turn.messages {
            eprintln!("{m}");
        }
        if let (Some(script), Some(path)) = (&turn.script, script_path(&lists[i])) {
            if let Err(e) = atomic::create(&path, script.as_bytes(), args.force) {
                stopped = Some(fail(format!("{}: cannot write: {e}", shown(&path))));
                return ControlFlow::Break(());
            }
            out(&format!("{}: written\n", shown(&path)));
        }
        drift |= turn.drift;
        totals.add(&turn.report);
        reports.push(turn.report);
        ControlFlow::Continue(())
    });
    if let Some(exit) = stopped {
        return exit;
    }
    let text = match args.format {
        PlanFormat::Text => tenants_text(&reports, &totals),
        PlanFormat::Markdown => tenants_markdown(&reports, &totals),
        PlanFormat::Json => format!("{:#}\n", tenants_json(&reports, &totals)),
        PlanFormat::Powershell => format!("{}\n", total_line(&totals)),
    };
    let to = if scripts_dir.is_some() { None } else { args.output.as_deref() };
    if let Err(exit) = write(to, &text, args.force) {
        return exit;
    }
    if totals.not_planned + totals.refused > 0 || (args.exit_code && drift) { Exit::Findings } else { Exit::Clean }
}
