//! `spoofctl validate`: check list files and report every finding.
//!
//! A folder of tenants is checked one file at a time on every core ([`tenants::in_order`]): each file is
//! read, checked and rendered on a worker, and only its rendered report is kept (the report's file lines
//! and JSON `files` come after every finding, so they wait in a [`Spool`]) while the list is dropped.

use std::io::Write;
use std::ops::ControlFlow;

use serde_json::Value;
use spoofctl::model::date::Date;
use spoofctl::model::diagnostic::Severity;
use spoofctl::read::list_files::ReadError;
use spoofctl::render::{self, Style};
use spoofctl::validate::lint::expiring;
use spoofctl::validate::pipeline::{Checked, check_file};

use super::args::{Format, ValidateArgs};
use super::progress::Progress;
use super::tenants::{self, Spool, Stdout};
use super::{Exit, discover_lists, fail, stdout_style};

/// One file's part of the report, rendered.
struct Part {
    /// Text: its diagnostics. JSON: its diagnostics' elements, each already indented.
    diagnostics: Vec<String>,
    /// Text: its line. JSON: its element of `files`.
    file: String,
    /// JSON: its summary (`files: 1`, its errors and warnings), which adds up to the report's.
    summary: Option<Value>,
    /// JSON: the report's `version`.
    version: Option<Value>,
    errors: usize,
    warnings: usize,
}

impl Part {
    fn of(checked: &Checked, format: Format, style: Style) -> Part {
        let errors = checked.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
        let warnings = checked.diagnostics.len() - errors;
        match format {
            Format::Text => Part {
                diagnostics: checked.diagnostics.iter().map(|d| render::diagnostic(d, style) + "\n").collect(),
                file: render::validate_text_file(checked, style),
                summary: None,
                version: None,
                errors,
                warnings,
            },
            Format::Json => {
                // The report of this one file, taken apart: its members are the report's, in order.
                let report =
                    serde_json::to_value(render::validate_json(std::slice::from_ref(checked))).unwrap_or_default();
                let element = |v: &Value| format!("    {}", tenants::pretty_at(v, 4));
                let list = |key: &str| report[key].as_array().map(|a| a.iter().map(element).collect::<Vec<_>>());
                Part {
                    diagnostics: list("diagnostics").unwrap_or_default(),
                    file: list("files").unwrap_or_default().concat(),
                    summary: Some(report["summary"].clone()),
                    version: Some(report["version"].clone()),
                    errors,
                    warnings,
                }
            }
        }
    }
}

/// Runs `validate`.
pub fn run(args: ValidateArgs) -> Exit {
    let today = match super::today(args.today.as_deref()) {
        Ok(d) => d,
        Err(exit) => return exit,
    };
    let files = match discover_lists(&args.paths) {
        Ok(f) => f,
        Err(exit) => return exit,
    };
    let style = stdout_style();
    let (mut diagnostics, mut lines) = (Spool::default(), Spool::default());
    let (mut errors, mut warnings) = (0, 0);
    let (mut summary, mut version) = (None, None);
    let mut failure: Option<ReadError> = None;
    let mut progress = Progress::lists(files.len());
    let work = |file: &std::path::PathBuf| check(file, today, args.expiring_within, args.format, style);
    tenants::in_order(&files, tenants::workers(), work, |i, part| {
        let part = match part {
            Ok(p) => p,
            Err(e) => {
                failure = Some(e);
                return ControlFlow::Break(());
            }
        };
        for d in &part.diagnostics {
            match args.format {
                Format::Text => diagnostics.push(d),
                Format::Json => diagnostics.push_element(d),
            }
        }
        match args.format {
            Format::Text => lines.push(&part.file),
            Format::Json => lines.push_element(&part.file),
        }
        if let Some(s) = &part.summary {
            tenants::add_counts(&mut summary, s);
        }
        version = version.take().or(part.version);
        (errors, warnings) = (errors + part.errors, warnings + part.warnings);
        progress.update(i as u64 + 1);
        ControlFlow::Continue(())
    });
    if let Some(e) = failure {
        progress.clear();
        return fail(e);
    }
    drop(progress);
    let mut out = Stdout::lock();
    let written = match args.format {
        Format::Text => (|| {
            diagnostics.write_to(&mut out)?;
            lines.write_to(&mut out)?;
            if files.len() > 1 {
                out.write_all(render::validate_text_total(files.len(), errors, warnings).as_bytes())?;
            }
            out.flush()
        })(),
        Format::Json => (|| {
            let version = version.unwrap_or_default();
            write!(out, "{{\n  \"version\": {version},\n  \"files\": ")?;
            tenants::write_array(&mut out, lines)?;
            out.write_all(b",\n  \"diagnostics\": ")?;
            tenants::write_array(&mut out, diagnostics)?;
            let summary = summary.unwrap_or_default();
            writeln!(out, ",\n  \"summary\": {}\n}}", tenants::pretty_at(&summary, 2))?;
            out.flush()
        })(),
    };
    if let Err(e) = written {
        return fail(format!("the report could not be kept until the end: {e}"));
    }
    if errors > 0 || (args.deny_warnings && warnings > 0) { Exit::Findings } else { Exit::Clean }
}

/// Reads, checks and renders one file, on a worker (with `expiring_within`, `expires-soon` too); the list is
/// dropped here.
fn check(
    file: &std::path::Path,
    today: Date,
    expiring_within: Option<u32>,
    format: Format,
    style: Style,
) -> Result<Part, ReadError> {
    check_file(file, today).map(|mut checked| {
        if let Some(days) = expiring_within {
            let soon = expiring(&checked.list, today, days);
            checked.add(soon);
        }
        Part::of(&checked, format, style)
    })
}
