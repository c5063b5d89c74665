//! `spoofctl export`: one tenant's list in the service's formats; or, for a folder of lists, one file per
//! tenant in a folder, each tenant read, checked and rendered on a worker ([`tenants::in_order`]).

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use super::atomic;
use spoofctl::model::date::Date;
use spoofctl::model::diagnostic::Severity;
use spoofctl::model::entry::TenantList;
use spoofctl::read::git_commit::list_commit;
use spoofctl::read::list_files::discover;
use spoofctl::render::powershell::Provenance;
use spoofctl::render::{self, export, plural};
use spoofctl::validate::pipeline::check_file;

use super::args::{ExportArgs, ExportFormat};
use super::tenants;
use super::{Exit, fail, one_list, out, shown, stderr_style, warn};

/// The list in `format`, as of `date`; an apply script carries its provenance, and a list that cannot say
/// which tenant it is for gets none (the message says why).
fn render_list(list: &TenantList, format: ExportFormat, date: Date) -> Result<String, String> {
    Ok(match format {
        ExportFormat::Powershell => {
            let provenance = Provenance { list: &list.path, commit: list_commit(&list.path), live: None, date };
            export::powershell(list, &provenance)
                .map_err(|e| format!("spoofctl: error: {}: {e}; no script written", shown(&list.path)))?
        }
        ExportFormat::Csv => export::csv(list),
        ExportFormat::Json => format!("{:#}\n", export::json(list)),
        ExportFormat::Pairs => export::pairs(list),
    })
}

/// The file name extension of a format's files.
fn extension(format: ExportFormat) -> &'static str {
    match format {
        ExportFormat::Powershell => "ps1",
        ExportFormat::Csv => "csv",
        ExportFormat::Json => "json",
        ExportFormat::Pairs => "txt",
    }
}

/// Runs `export`.
pub fn run(args: ExportArgs) -> Exit {
    let today = match super::today(args.today.as_deref()) {
        Ok(d) => d,
        Err(exit) => return exit,
    };
    if args.list.is_dir() && (args.output.as_ref().is_some_and(|o| o.is_dir() || !o.exists())) {
        return many(&args, today);
    }
    let checked = match one_list(
        &args.list,
        args.output.as_deref(),
        Some(args.force),
        false,
        today,
        "export writes one tenant's entries (or give -o DIR for one file per tenant)",
    ) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let text = match render_list(&checked.list, args.format, today) {
        Ok(text) => text,
        Err(message) => {
            warn(message);
            return Exit::Findings;
        }
    };
    match &args.output {
        Some(path) => match atomic::create(path, text.as_bytes(), args.force) {
            Ok(()) => Exit::Clean,
            Err(e) => fail(format!("{}: cannot write: {e}; nothing was written", shown(path))),
        },
        None => {
            out(&text);
            Exit::Clean
        }
    }
}

/// One tenant's export, or the messages that say why there is none.
type Turn = Result<String, Vec<String>>;

/// Reads, checks and renders one tenant, on a worker.
fn tenant(list: &Path, today: Date, format: ExportFormat) -> Turn {
    let checked = check_file(list, today).map_err(|e| vec![super::escaped(&format!("spoofctl: error: {e}"))])?;
    if checked.has_errors() {
        let style = stderr_style();
        let mut messages: Vec<String> = checked
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| render::diagnostic(d, style))
            .collect();
        messages
            .push(format!("{}: the list has errors; fix them first (`spoofctl validate`); not exported", shown(list)));
        return Err(messages);
    }
    render_list(&checked.list, format, today).map_err(|m| vec![super::escaped(&m)])
}

/// `export --list FOLDER -o DIR`: one file per tenant, `DIR/STEM.EXT`.
fn many(args: &ExportArgs, today: Date) -> Exit {
    let Some(dir) = &args.output else { return Exit::CannotRun };
    let lists = match discover(std::slice::from_ref(&args.list)) {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    let target =
        |list: &PathBuf| dir.join(list.file_stem().unwrap_or_default()).with_added_extension(extension(args.format));
    if !args.force
        && let Some(existing) = lists.iter().map(target).find(|p| p.exists())
    {
        return fail(format!("{}: the file exists; nothing was written (give --force to replace it)", shown(existing)));
    }
    if let Err(e) = std::fs::create_dir_all(dir) {
        return fail(format!("{}: cannot create the folder: {e}", shown(dir)));
    }
    let (mut written, mut refused) = (0, 0);
    let mut stopped = None;
    tenants::in_order(
        &lists,
        tenants::workers(),
        |list| tenant(list, today, args.format),
        |i, turn| {
            match turn {
                Ok(text) => {
                    let path = target(&lists[i]);
                    if let Err(e) = atomic::create(&path, text.as_bytes(), args.force) {
                        stopped = Some(fail(format!("{}: cannot write: {e}", shown(&path))));
                        return ControlFlow::Break(());
                    }
                    out(&format!("{}: written\n", shown(&path)));
                    written += 1;
                }
                Err(messages) => {
                    for m in messages {
                        eprintln!("{m}");
                    }
                    refused += 1;
                }
            }
            ControlFlow::Continue(())
        },
    );
    if let Some(exit) = stopped {
        return exit;
    }
    let mut total = format!("Total: {} exported", plural(written, "tenant"));
    if refused > 0 {
        total.push_str(&format!("; {} not exported (errors)", plural(refused, "tenant")));
    }
    out(&format!("{total}.\n"));
    if refused > 0 { Exit::Findings } else { Exit::Clean }
}
