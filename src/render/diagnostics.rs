//! Diagnostics and `validate` reports, as text and JSON.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{Style, entry_json, plural};
use crate::model::characters::escaped;
use crate::model::diagnostic::{Diagnostic, Severity};
use crate::model::words::Action;
use crate::validate::pipeline::Checked;

/// One diagnostic as text, in the layout of the product spec.
pub fn diagnostic(d: &Diagnostic, style: Style) -> String {
    let head = match d.severity {
        Severity::Error => style.paint("1;31", &format!("error[{}]", d.code)),
        Severity::Warning => style.paint("1;33", &format!("warning[{}]", d.code)),
    };
    let file = escaped(&d.file.display().to_string());
    let mut out = format!("{head}: {}\n", escaped(&d.message));
    let place = match d.span {
        Some(s) => format!("{file}:{}:{}", s.line, s.column),
        None => file.clone(),
    };
    let _ = writeln!(out, "  {} {place}", style.paint("1;34", "-->"));
    if let Some(entry) = &d.entry {
        let _ = writeln!(out, "   = entry: {}", escaped(&entry.to_string()));
    }
    for r in &d.related {
        let _ = writeln!(out, "   = note: {}: {file}:{}:{}", escaped(&r.message), r.span.line, r.span.column);
    }
    if let Some(hint) = &d.hint {
        let _ = writeln!(out, "   = hint: {}", escaped(hint));
    }
    out
}

fn counts(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    (errors, diagnostics.len() - errors)
}

fn problems(errors: usize, warnings: usize) -> String {
    format!("{}, {}", plural(errors, "error"), plural(warnings, "warning"))
}

/// `validate`'s human report: each file's diagnostics, then a line per file, then a total for several files.
pub fn validate_text(files: &[Checked], style: Style) -> String {
    let mut out = String::new();
    for f in files {
        for d in &f.diagnostics {
            out.push_str(&diagnostic(d, style));
            out.push('\n');
        }
    }
    for f in files {
        out.push_str(&validate_text_file(f, style));
    }
    if files.len() > 1 {
        let all: Vec<&Diagnostic> = files.iter().flat_map(|f| &f.diagnostics).collect();
        let errors = all.iter().filter(|d| d.severity == Severity::Error).count();
        out.push_str(&validate_text_total(files.len(), errors, all.len() - errors));
    }
    out
}

/// The line of `validate`'s human report about one file: its errors and warnings, or its entries.
pub fn validate_text_file(f: &Checked, style: Style) -> String {
    let (errors, warnings) = counts(&f.diagnostics);
    let allows = f.list.entries.iter().filter(|e| e.action() == Action::Allow).count();
    let entries = f.list.entries.len();
    let path = escaped(&f.list.path.display().to_string());
    if errors > 0 {
        return format!("{path}: {}\n", problems(errors, warnings));
    }
    let shape = format!("{} ({allows} allow, {} block)", plural(entries, "entry"), entries - allows);
    let verdict = if warnings == 0 { style.paint("32", "ok") } else { plural(warnings, "warning") };
    format!("{path}: {verdict}, {shape}\n")
}

/// The last line of `validate`'s human report over several files.
pub fn validate_text_total(files: usize, errors: usize, warnings: usize) -> String {
    format!("{}: {}\n", plural(files, "file"), problems(errors, warnings))
}

/// One diagnostic as JSON.
pub fn diagnostic_json(d: &Diagnostic) -> Value {
    json!({
        "code": d.code,
        "severity": d.severity,
        "file": d.file.display().to_string(),
        "line": d.span.map(|s| s.line),
        "column": d.span.map(|s| s.column),
        "entry": d.entry.as_ref().map(entry_json),
        "message": d.message,
        "hint": d.hint,
        "related": d.related.iter().map(|r| json!({"line": r.span.line, "column": r.span.column, "message": r.message})).collect::<Vec<_>>(),
    })
}

/// `validate`'s JSON report: one document with `"version": 1` at its top.
pub fn validate_json(files: &[Checked]) -> Value {
    let all: Vec<&Diagnostic> = files.iter().flat_map(|f| &f.diagnostics).collect();
    let (errors, warnings) = (
        all.iter().filter(|d| d.severity == Severity::Error).count(),
        all.iter().filter(|d| d.severity == Severity::Warning).count(),
    );
    json!({
        "version": 1,
        "files": files.iter().map(|f| {
            let (e, w) = counts(&f.diagnostics);
            let allows = f.list.entries.iter().filter(|x| x.action() == Action::Allow).count();
            json!({
                "path": f.list.path.display().to_string(),
                "tenant": f.list.tenant,
                "entries": f.list.entries.len(),
                "allow": allows,
                "block": f.list.entries.len() - allows,
                "errors": e,
                "warnings": w,
            })
        }).collect::<Vec<_>>(),
        "diagnostics": all.iter().map(|d| diagnostic_json(d)).collect::<Vec<_>>(),
        "summary": {"files": files.len(), "errors": errors, "warnings": warnings},
    })
}
