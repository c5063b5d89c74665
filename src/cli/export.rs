//! `spoofctl export`: one tenant's list in the service's formats.

use spoofctl::atomic;
use spoofctl::export;

use super::args::{ExportArgs, ExportFormat};
use super::{Exit, fail, load_lists, out};

/// Runs `export`.
pub fn run(args: ExportArgs) -> Exit {
    if let Some(o) = &args.output
        && o.exists()
        && !args.force
    {
        return fail(format!("{}: the file exists; nothing was written (give --force to replace it)", o.display()));
    }
    let lists = match load_lists(&args.list, spoofctl::date::Date::today_utc(), false) {
        Ok(l) => l,
        Err(exit) => return exit,
    };
    let [checked] = lists.as_slice() else {
        return fail(format!(
            "{}: holds {} lists; export writes one tenant's entries: give one list file",
            args.list.display(),
            lists.len()
        ));
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
            Err(e) => fail(format!("{}: cannot write: {e}; nothing was written", path.display())),
        },
        None => {
            out(&text);
            Exit::Clean
        }
    }
}
