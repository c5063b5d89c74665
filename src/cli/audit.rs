//! `spoofctl audit`: every way the tenant around the list lets spoofed mail in, from a snapshot folder.

use spoofctl::engine::audit::audit;
use spoofctl::model::finding::Mechanism;
use spoofctl::read::snapshot::read_snapshot;
use spoofctl::render::audit::{audit_markdown, audit_report, audit_text};
use spoofctl::render::audit_html::audit_html;
use spoofctl::validate::pipeline::check_file;

use super::args::{AuditArgs, AuditFormat};
use super::{Exit, atomic, fail, out, shown, stdout_style, today};

/// Runs `audit`. Exit 1 when a finding above a warning is left uncovered by an approved exception (product
/// spec, "The whole tenant"): a CI job fails on what needs a person, not on the warnings it has seen.
pub fn run(args: AuditArgs) -> Exit {
    let today = match today(args.today.as_deref()) {
        Ok(d) => d,
        Err(exit) => return exit,
    };
    if let Some(o) = &args.output
        && o.exists()
        && !args.force
    {
        return fail(format!("{}: the file exists; nothing was written (give --force to replace it)", shown(o)));
    }
    let snapshot = match read_snapshot(&args.snapshot) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let list = match args.list.as_deref().map(|l| check_file(l, today)).transpose() {
        Ok(l) => l,
        Err(e) => return fail(e),
    };
    let result = audit(args.snapshot.clone(), &snapshot, list.as_ref(), today);
    // A snapshot of which no file could be read judged nothing: that is a run that did not happen.
    if result.checked.iter().all(|m| *m == Mechanism::ListFile) {
        return fail(format!(
            "{}: no snapshot file could be read; is this the folder `spoofctl snapshot-script` writes?",
            shown(&args.snapshot)
        ));
    }
    let report = audit_report(&result);
    let text = match args.format {
        AuditFormat::Text => {
            audit_text(&report, if args.output.is_some() { Default::default() } else { stdout_style() })
        }
        AuditFormat::Markdown => audit_markdown(&report),
        AuditFormat::Json => format!("{report:#}\n"),
        AuditFormat::Html => audit_html(&report),
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = atomic::create(path, text.as_bytes(), args.force) {
                return fail(format!("{}: cannot write: {e}; nothing was written", shown(path)));
            }
        }
        None => out(&text),
    }
    if result.fails() { Exit::Findings } else { Exit::Clean }
}
