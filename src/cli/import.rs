//! `spoofctl import`: TABL exports to a list file.

use super::atomic;
use spoofctl::engine::import::{Merged, merge};
use spoofctl::model::characters::check_free_text;
use spoofctl::model::domain::Domain;
use spoofctl::read::tabl_export::read_export;
use spoofctl::render;
use spoofctl::render::list_yaml::list_text;

use super::args::ImportArgs;
use super::{Exit, error, fail, open_input, out, shown, stderr_style, warn};

/// Runs `import`.
pub fn run(args: ImportArgs) -> Exit {
    let mut accepted = Vec::new();
    for d in &args.accepted_domains {
        match Domain::parse(d.trim()) {
            Ok(d) => accepted.push(d),
            Err(e) => return fail(format!("--accepted-domains: {e}")),
        }
    }
    accepted.sort();
    accepted.dedup();
    if let Some(e) = args.tenant.as_deref().and_then(|t| check_free_text(t, "--tenant").err()) {
        return fail(e);
    }
    if let Some(o) = &args.output
        && o.exists()
        && !args.force
    {
        return fail(format!("{}: the file exists; nothing was written (give --force to replace it)", shown(o)));
    }
    let mut merged = Merged::default();
    let mut unusable = false;
    for path in &args.files {
        let name = path.display().to_string();
        let file = match open_input(path, "an export file") {
            Ok(f) => f,
            Err(exit) => return exit,
        };
        match read_export(file) {
            Ok(rows) => merge(&mut merged, &name, &rows, &accepted),
            Err(e) => {
                error(format!("{name}: {e}"));
                unusable = true;
            }
        }
    }
    for (file, p) in &merged.problems {
        warn(format!("{file}: {}: {}", p.place, p.message));
    }
    if unusable || (!merged.problems.is_empty() && !args.skip_invalid) {
        warn(format!(
            "spoofctl: nothing was written{}",
            if unusable { "" } else { " (give --skip-invalid to import the other rows)" }
        ));
        return Exit::Findings;
    }
    let text = match list_text(args.tenant.as_deref(), &accepted, &merged.entries) {
        Ok(t) => t,
        Err(diagnostics) => {
            let style = stderr_style();
            for d in &diagnostics {
                eprint!("{}", render::diagnostic(d, style));
            }
            warn("spoofctl: the imported entries do not make a valid list; nothing was written");
            return Exit::Findings;
        }
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = atomic::create(path, text.as_bytes(), args.force) {
                return fail(format!("{}: cannot write: {e}; nothing was written", shown(path)));
            }
            warn(format!("{}: {} imported", shown(path), render::plural(merged.entries.len(), "entry")));
        }
        None => out(&text),
    }
    // With --skip-invalid the user asked for the rest: writing it is success (product spec, "The daily loop"),
    // and the rows left out were listed above.
    if !merged.problems.is_empty() {
        warn(format!("spoofctl: {} left out (--skip-invalid)", render::plural(merged.problems.len(), "row")));
    }
    Exit::Clean
}
