//! `spoofctl fmt`: rewrite lists in canonical form, or (`--check`) print the unified diff of what would change.
//!
//! Files are read, checked and formatted on every core ([`tenants::in_order`]); what each file's turn prints,
//! and the rewriting of the file, happen in file order on the calling thread, as one file after another did.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use super::atomic;
use spoofctl::model::characters::escaped;
use spoofctl::model::date::Date;
use spoofctl::model::diagnostic::Severity;
use spoofctl::read::list_files::{ReadError, read_stored_text};
use spoofctl::render::list_yaml::format;
use spoofctl::render::unified_diff::unified;
use spoofctl::render::{self, Style};
use spoofctl::validate::pipeline::check;

use super::args::FmtArgs;
use super::tenants;
use super::{Exit, discover_lists, fail, out, shown, stdout_style};

/// What formatting one file found.
enum Outcome {
    /// Already in canonical form.
    Unchanged,
    /// Not in canonical form: the text as stored (a byte order mark kept), and its canonical text.
    Changed { stored: String, formatted: String },
    /// Not formatted: what to print about it.
    Refused(String),
}

/// Reads, checks and formats one file, on a worker.
fn format_file(path: &Path, today: Date, style: Style) -> Result<Outcome, ReadError> {
    let stored = match read_stored_text(path) {
        Ok(t) => t,
        Err(e) => {
            let finding = e.into_finding()?;
            return Ok(Outcome::Refused(format!(
                "{}{}: not formatted: it cannot be read as a list\n",
                render::diagnostic(&finding, style),
                shown(path)
            )));
        }
    };
    // The canonical form has no byte order mark: a file that has one is rewritten without it.
    let text = stored.strip_prefix('\u{FEFF}').unwrap_or(&stored);
    // Lints (the only findings that depend on the date) do not stop formatting.
    let checked = check(path, text, today);
    Ok(match format(&checked) {
        Ok(f) if f == stored => Outcome::Unchanged,
        Ok(formatted) => Outcome::Changed { stored, formatted },
        Err(e) => {
            let mut message = String::new();
            for d in checked.diagnostics.iter().filter(|d| d.severity == Severity::Error && !d.code.is_lint()) {
                message.push_str(&render::diagnostic(d, style));
                message.push('\n');
            }
            message.push_str(&format!("{}: not formatted: {}\n", shown(path), escaped(&e.to_string())));
            Outcome::Refused(message)
        }
    })
}

/// Runs `fmt`.
pub fn run(args: FmtArgs) -> Exit {
    let files = match discover_lists(&args.paths) {
        Ok(f) => f,
        Err(exit) => return exit,
    };
    let style = stdout_style();
    let today = Date::today_utc();
    let mut exit = Exit::Clean;
    let mut unchanged = 0;
    let mut stopped = None;
    let work = |path: &PathBuf| format_file(path, today, style);
    tenants::in_order(&files, tenants::workers(), work, |i, outcome| {
        let path = &files[i];
        match outcome {
            Err(e) => {
                stopped = Some(fail(e));
                return ControlFlow::Break(());
            }
            Ok(Outcome::Unchanged) => unchanged += 1,
            Ok(Outcome::Refused(message)) => {
                out(&message);
                exit = Exit::Findings;
            }
            Ok(Outcome::Changed { stored, formatted }) if args.check => {
                // `unified` escapes the names as it escapes the lines.
                let name = path.display().to_string();
                out(&unified(&name, &name, &stored, &formatted));
                exit = Exit::Findings;
            }
            Ok(Outcome::Changed { formatted, .. }) => {
                if let Err(e) = atomic::replace(path, formatted.as_bytes()) {
                    stopped = Some(fail(format!("{}: cannot write: {e}", shown(path))));
                    return ControlFlow::Break(());
                }
                out(&format!("{}: formatted\n", shown(path)));
            }
        }
        ControlFlow::Continue(())
    });
    if let Some(exit) = stopped {
        return exit;
    }
    if unchanged > 0 {
        out(&format!("{} already in canonical form\n", render::plural(unchanged, "file")));
    }
    exit
}
