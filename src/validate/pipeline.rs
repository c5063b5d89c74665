//! Checking one list file: parse, read the raw shape, validate, lint. The pipeline every command starts with.

use std::path::Path;

use crate::model::date::Date;
use crate::model::diagnostic::{Code, Diagnostic, Severity};
use crate::model::entry::TenantList;
use crate::read::raw_list::{self, RawList};
use crate::read::yaml::{self, Document};
use crate::validate::lint::lint;
use crate::validate::list::validate;

/// Everything known about one checked file.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The valid part of the list (entries with errors are left out).
    pub list: TenantList,
    /// Every finding, errors and lints, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// The parsed text and its comments, when the YAML parsed.
    pub document: Option<Document>,
    /// The raw list, when the YAML parsed.
    pub raw: Option<RawList>,
}

impl Checked {
    /// A file that could not be checked as a list: its findings, and nothing else.
    pub fn failed(path: &Path, diagnostics: Vec<Diagnostic>) -> Checked {
        Checked { list: TenantList::empty(path), diagnostics, document: None, raw: None }
    }

    /// Adds findings, keeping every finding in file order.
    pub fn add(&mut self, more: Vec<Diagnostic>) {
        self.diagnostics.extend(more);
        sort(&mut self.diagnostics);
    }

    /// True when any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == Severity::Error)
    }

    /// True when no finding is an error of the file itself: every value has a normal form. Lints that a
    /// `policy:` raises to error (an `expired` entry, say) do not count: they judge the list, not its text.
    pub fn is_well_formed(&self) -> bool {
        !self.diagnostics.iter().any(|d| d.severity == Severity::Error && !d.code.is_lint())
    }
}

/// Checks the text of one list file, as of `today` (for `expired`).
pub fn check(path: &Path, text: &str, today: Date) -> Checked {
    let failed = |diagnostics| Checked::failed(path, diagnostics);
    let (document, mut diagnostics) = match yaml::parse(path, text) {
        Ok(parsed) => parsed,
        Err(diagnostics) => return failed(diagnostics),
    };
    let Some(root) = &document.root else {
        return failed(vec![
            Diagnostic::new(Code::EmptyFile, path, None, "the file holds no list")
                .with_hint("start the file with `version: 1` and `entries:`"),
        ]);
    };
    let (raw, shape) = raw_list::read(path, root);
    diagnostics.extend(shape);
    let (list, errors) = validate(path, &raw);
    diagnostics.extend(errors);
    diagnostics.extend(lint(&list, today));
    sort(&mut diagnostics);
    Checked { list, diagnostics, document: Some(document), raw: Some(raw) }
}

/// Findings in file order (a finding with no place last); stable, so one place keeps its findings' order.
fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| d.span.map(|s| (s.line, s.column)).unwrap_or((usize::MAX, 0)));
}

/// Reads and checks a file. A file that cannot be read as text yields its one finding.
pub fn check_file(path: &Path, today: Date) -> Result<Checked, crate::read::list_files::ReadError> {
    Ok(match crate::read::list_files::read_text(path) {
        Ok(text) => check(path, &text, today),
        Err(e) => Checked::failed(path, vec![e.into_finding()?]),
    })
}
