//! Renderers: findings, reports and verdicts as human text, Markdown, JSON, CSV, PowerShell and YAML (the
//! canonical list file `fmt` writes, and `export`'s formats). The library builds values; these turn the same
//! values into every format, so formats cannot disagree.
//!
//! JSON comes from report types that derive `Serialize` (`*_json` returns one; its `Display` is the JSON,
//! `{:#}` indented, as `serde_json::Value`'s is). They are views here, over the engine's values, rather than
//! `Serialize` on the engine's values themselves: the JSON is the report's shape, in the words and labels
//! the text shows (`"action changed"`, `"new allow"`, an entry's list words), which the engine's values do
//! not hold; and the views borrow, so a report costs no copy of the lists. The text and Markdown renderers
//! read the same counts and words.

pub mod admission;
pub mod audit;
pub mod audit_html;
mod diagnostics;
pub mod diff;
mod explain;
pub mod export;
pub mod list_yaml;
pub mod markdown;
pub mod observations;
pub mod plan;
pub mod powershell;
pub mod schema;
pub mod snapshot_script;
pub mod unified_diff;
mod verdict;

pub use diagnostics::{
    diagnostic, diagnostic_json, validate_json, validate_text, validate_text_file, validate_text_total,
};
pub use explain::{explain_json, explain_text};
pub use verdict::{outcomes_json, outcomes_text};

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;

use crate::engine::tally::Count;
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

/// The first characters that make a spreadsheet read a cell as a formula: `=`, `+`, `-`, `@`, and a tab or a
/// carriage return before one of them (OWASP, "CSV Injection").
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A CSV cell that a spreadsheet would not run as a formula: a cell starting with one of [`FORMULA_STARTS`]
/// gets a `'` before it.
pub fn safe_cell<'a>(value: impl Into<Cow<'a, str>>) -> Cow<'a, str> {
    let value = value.into();
    if value.starts_with(FORMULA_STARTS) { Cow::Owned(format!("'{value}")) } else { value }
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

/// A count and its noun, singular for one: `1 row`, `1,240 rows`, `1 entry`, `3 entries`. Every count
/// spoofctl prints goes through here (or [`noun`], when the number stands apart), so none says "1 rows".
pub fn plural(n: impl TryInto<u64>, singular: &str) -> String {
    let n = n.try_into().unwrap_or(u64::MAX);
    format!("{} {}", thousands(n), noun(n, singular))
}

/// The noun for a count of `n`: `singular` for one, else its plural (`s` added; `y` after a consonant
/// becomes `ies`: "entry", "entries").
pub fn noun(n: impl TryInto<u64>, singular: &str) -> String {
    if n.try_into().is_ok_and(|n| n == 1) {
        return singular.to_string();
    }
    match singular.strip_suffix('y') {
        Some(stem) if !stem.ends_with(['a', 'e', 'o', 'u']) => format!("{stem}ies"),
        _ => format!("{singular}s"),
    }
}

/// An entry in JSON reports: `{spoofed, infrastructure, type, action}`, as findings label it.
#[derive(Debug, Clone, Serialize)]
pub struct EntryJson {
    /// The spoofed side.
    pub spoofed: String,
    /// The infrastructure side.
    pub infrastructure: String,
    /// The spoof type's list word, when known.
    #[serde(rename = "type")]
    pub spoof_type: Option<&'static str>,
    /// The action's list word, when known.
    pub action: Option<&'static str>,
}

impl From<EntryLabel> for EntryJson {
    fn from(e: EntryLabel) -> EntryJson {
        EntryJson {
            spoofed: e.spoofed,
            infrastructure: e.infrastructure,
            spoof_type: e.spoof_type.map(|t| t.list_word()),
            action: e.action.map(|a| a.list_word()),
        }
    }
}

/// Rows and the messages they stand for: `{rows, messages}`.
#[derive(Serialize)]
struct CountJson {
    rows: u64,
    messages: u64,
}

impl From<Count> for CountJson {
    fn from(c: Count) -> CountJson {
        CountJson { rows: c.rows, messages: c.messages }
    }
}

/// An entry as JSON: `{spoofed, infrastructure, type, action}`.
fn entry_json(e: &EntryLabel) -> EntryJson {
    EntryJson::from(e.clone())
}

/// Writes `value` as JSON, indented for `{:#}`, as `serde_json::Value`'s `Display` does.
fn write_json(value: &impl Serialize, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let text = if f.alternate() { serde_json::to_string_pretty(value) } else { serde_json::to_string(value) };
    f.write_str(&text.map_err(|_| fmt::Error)?)
}

/// `Display` as JSON for report types: `{}` compact, `{:#}` indented.
macro_rules! json_display {
    ($($report:ident),+) => {$(
        impl std::fmt::Display for $report<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                $crate::render::write_json(self, f)
            }
        }
    )+};
}
use json_display;

#[cfg(test)]
mod tests {
    use super::{noun, plural};

    /// Every count reads right: singular for one only, thousands separated, `entry` to `entries`.
    #[test]
    fn counts_read_right() {
        let cases: [(u64, &str, &str); 12] = [
            (0, "row", "0 rows"),
            (1, "row", "1 row"),
            (2, "row", "2 rows"),
            (1, "message", "1 message"),
            (1240, "message", "1,240 messages"),
            (1, "pair", "1 pair"),
            (3, "pair", "3 pairs"),
            (1, "entry", "1 entry"),
            (2, "entry", "2 entries"),
            (2, "key", "2 keys"),
            (1, "more pair", "1 more pair"),
            (5, "more pair", "5 more pairs"),
        ];
        for (n, singular, expected) in cases {
            assert_eq!(plural(n, singular), expected);
        }
        assert_eq!(plural(1usize, "file"), "1 file");
        assert_eq!(noun(1u64, "message"), "message");
        assert_eq!(noun(0usize, "message"), "messages");
    }
}
