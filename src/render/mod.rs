//! Renderers: findings, reports and verdicts as human text, Markdown, JSON, CSV, PowerShell and YAML (the
//! canonical list file `fmt` writes, and `export`'s formats). The library builds values; these turn the same
//! values into every format, so formats cannot disagree.

mod diagnostics;
pub mod diff;
mod explain;
pub mod export;
pub mod list_yaml;
pub mod observations;
pub mod plan;
pub mod powershell;
pub mod schema;
mod verdict;

pub use diagnostics::{
    diagnostic, diagnostic_json, validate_json, validate_text, validate_text_file, validate_text_total,
};
pub use explain::{explain_json, explain_text};
pub use verdict::{outcomes_json, outcomes_text};

use std::borrow::Cow;

use serde_json::{Value, json};

use crate::model::diagnostic::EntryLabel;
use crate::model::words::Word;

/// Whether to colour human output (a terminal, and `NO_COLOR` unset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    /// Emit ANSI colour codes.
    pub color: bool,
}

impl Style {
    pub(crate) fn paint(self, code: &str, text: &str) -> String {
        if self.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }
}

/// A CSV cell that a spreadsheet would not run as a formula: a leading `=`, `+`, `-` or `@` gets a `'`
/// before it (OWASP, "CSV Injection").
pub fn safe_cell<'a>(value: impl Into<Cow<'a, str>>) -> Cow<'a, str> {
    let value = value.into();
    if value.starts_with(['=', '+', '-', '@']) { Cow::Owned(format!("'{value}")) } else { value }
}

/// A count with thousands separators: `1,240`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

/// An entry as JSON: `{spoofed, infrastructure, type, action}`.
fn entry_json(e: &EntryLabel) -> Value {
    json!({
        "spoofed": e.spoofed,
        "infrastructure": e.infrastructure,
        "type": e.spoof_type.map(|t| t.list_word()),
        "action": e.action.map(|a| a.list_word()),
    })
}
