//! `spoofctl export`: one tenant's list in the service's formats.

use super::atomic;
use spoofctl::render::export;

use super::args::{ExportArgs, ExportFormat};
use super::{Exit, fail, one_list, out, shown};

/// Runs `export`.
pub fn run(args: ExportArgs) -> Exit {
    let checked = match one_list(
        &args.list,
        args.output.as_deref(),
        Some(args.force),
        false,
        spoofctl::model::date::Date::today_utc(),
        "export writes one tenant's entries",
    ) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let list = &checked.list;
    let text = match args.format {
        ExportFormat::Powershell => export::powershell(list),
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
