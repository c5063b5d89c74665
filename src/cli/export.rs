//! `spoofctl export`: one tenant's list in the service's formats.

use super::atomic;
use spoofctl::read::git_commit::list_commit;
use spoofctl::render::export;
use spoofctl::render::powershell::Provenance;

use super::args::{ExportArgs, ExportFormat};
use super::{Exit, fail, one_list, out, shown, warn};

/// Runs `export`.
pub fn run(args: ExportArgs) -> Exit {
    let checked = match one_list(
        &args.list,
        args.output.as_deref(),
        Some(args.force),
        false,
        "export writes one tenant's entries",
    ) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let list = &checked.list;
    let text = match args.format {
        ExportFormat::Powershell => {
            let date = match super::today(args.today.as_deref()) {
                Ok(d) => d,
                Err(exit) => return exit,
            };
            let provenance = Provenance { list: &list.path, commit: list_commit(&list.path), live: None, date };
            match export::powershell(list, &provenance) {
                Ok(script) => script,
                Err(e) => {
                    warn(format!("spoofctl: error: {}: {e}; no script written", shown(&list.path)));
                    return Exit::Findings;
                }
            }
        }
        ExportFormat::Csv => export::csv(list),
        ExportFormat::Json => format!("{:#}\n", export::json(list)),
        ExportFormat::Pairs => export::pairs(list),
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
