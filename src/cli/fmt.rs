//! `spoofctl fmt`: rewrite lists in canonical form, or (`--check`) say which would change.

use super::atomic;
use spoofctl::model::characters::escaped;
use spoofctl::model::date::Date;
use spoofctl::read::list_files::{discover, read_text};
use spoofctl::render;
use spoofctl::render::list_yaml::format;
use spoofctl::validate::pipeline::check;

use super::args::{FmtArgs, paths_or_default};
use super::{Exit, fail, out, shown, stdout_style};

/// Runs `fmt`.
pub fn run(args: FmtArgs) -> Exit {
    let files = match discover(&paths_or_default(&args.paths)) {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    let style = stdout_style();
    let mut exit = Exit::Clean;
    let mut unchanged = 0;
    for path in &files {
        let text = match read_text(path) {
            Ok(t) => t,
            Err(e) => match e.into_finding() {
                Ok(finding) => {
                    out(&render::diagnostic(&finding, style));
                    out(&format!("{}: not formatted: it cannot be read as a list\n", shown(path)));
                    exit = Exit::Findings;
                    continue;
                }
                Err(e) => return fail(e),
            },
        };
        // Lints (the only findings that depend on the date) do not stop formatting.
        let checked = check(path, &text, Date::today_utc());
        let formatted = match format(&checked) {
            Ok(f) => f,
            Err(e) => {
                for d in checked
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity == spoofctl::model::diagnostic::Severity::Error && !d.code.is_lint())
                {
                    out(&render::diagnostic(d, style));
                    out("\n");
                }
                out(&format!("{}: not formatted: {}\n", shown(path), escaped(&e.to_string())));
                exit = Exit::Findings;
                continue;
            }
        };
        if formatted == text {
            unchanged += 1;
        } else if args.check {
            out(&format!("{}: would be reformatted\n", shown(path)));
            exit = Exit::Findings;
        } else {
            if let Err(e) = atomic::replace(path, formatted.as_bytes()) {
                return fail(format!("{}: cannot write: {e}", shown(path)));
            }
            out(&format!("{}: formatted\n", shown(path)));
        }
    }
    if unchanged > 0 {
        let files = if unchanged == 1 { "1 file".to_string() } else { format!("{unchanged} files") };
        out(&format!("{files} already in canonical form\n"));
    }
    exit
}
