//! `spoofctl validate`: check list files and report every finding.

use spoofctl::model::diagnostic::Severity;
use spoofctl::read::list_files::discover;
use spoofctl::render;
use spoofctl::validate::pipeline::{Checked, check_file};

use super::args::{Format, ValidateArgs, paths_or_default};
use super::progress::Progress;
use super::{Exit, fail, out, stdout_style};

/// Runs `validate`.
pub fn run(args: ValidateArgs) -> Exit {
    let today = match super::today(args.today.as_deref()) {
        Ok(d) => d,
        Err(exit) => return exit,
    };
    let files = match discover(&paths_or_default(&args.paths)) {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    let mut checked: Vec<Checked> = Vec::with_capacity(files.len());
    let mut progress = Progress::lists(files.len());
    for file in &files {
        match check_file(file, today) {
            Ok(c) => checked.push(c),
            Err(e) => {
                progress.clear();
                return fail(e);
            }
        }
        progress.update(checked.len() as u64);
    }
    drop(progress);
    match args.format {
        Format::Text => out(&render::validate_text(&checked, stdout_style())),
        Format::Json => out(&format!("{:#}\n", render::validate_json(&checked))),
    }
    let failing = |d: &&spoofctl::model::diagnostic::Diagnostic| d.severity == Severity::Error || args.deny_warnings;
    if checked.iter().flat_map(|c| &c.diagnostics).any(|d| failing(&d)) { Exit::Findings } else { Exit::Clean }
}
