//! TABL exports: the spoofed-sender entries as the service hands them out, read into entries.
//!
//! Shapes read (product spec, "TABL formats"; CMDLETS, Get-TenantAllowBlockListSpoofItems):
//! - `Get-TenantAllowBlockListSpoofItems | Export-Csv`: Windows PowerShell 5.1 writes a `#TYPE` line first and
//!   quotes every field; PowerShell 7 writes neither. Columns `Identity, SpoofedUser, SendingInfrastructure,
//!   SpoofType, Action`, in any order and case, with extra columns (`RunspaceId`...) ignored;
//! - `Get-TenantAllowBlockListSpoofItems | ConvertTo-Json`: one object, or an array of them;
//! - the legacy `Set-PhishFilterPolicy -SpoofAllowBlockList` CSV: `Sender` (the infrastructure),
//!   `SpoofedUser`, `AllowedToSpoof` (`Yes`/`No`), with no spoof type.
//!
//! Each row becomes an [`Entry`] through the same parsers as a list file, so an export cannot smuggle in a
//! value a list would refuse: no wildcard allow, no character that could escape a script's quotes (also
//! after IDNA mapping: see `Domain::parse`).

use std::io::Read;

use serde_json::Value;

use crate::model::characters::printable;
use crate::model::diagnostic::Span;
use crate::model::domain::Domain;
use crate::model::entry::{Entry, MAX_ENTRIES, Metadata, spoof_type_for};
use crate::model::guid::Guid;
use crate::model::pair::{Rule, RuleError, Side};
use crate::model::words::{Action, SpoofType, Word};
use crate::read::columns::{Header, SameColumn, same_keys};
use crate::read::csv_records::{Records, folded_name, stopped_after};
use crate::read::encoding::{EncodingError, utf8_reader};

/// The largest export read: 1024 entries take well under a megabyte.
const MAX_EXPORT_BYTES: u64 = 16 * 1024 * 1024;

/// One entry as an export writes it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExportRow {
    /// Where it is: the CSV row (the header is row 1) or the JSON item (the first is item 1).
    pub place: String,
    /// `Identity`, if the export has it.
    pub identity: Option<String>,
    /// `SpoofedUser`.
    pub spoofed: String,
    /// `SendingInfrastructure` (legacy: `Sender`).
    pub infrastructure: String,
    /// `SpoofType`; the legacy CSV has none.
    pub spoof_type: Option<String>,
    /// `Action` (legacy: `AllowedToSpoof` Yes -> Allow, No -> Block).
    pub action: String,
    /// A problem found while reading the row (too few fields, invalid UTF-8): it cannot be imported.
    pub defect: Option<String>,
}

/// Why a file is not a usable export. Nothing is imported from it.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The encoding cannot be read.
    #[error(transparent)]
    Encoding(#[from] EncodingError),
    /// Nothing in the file.
    #[error("the file is empty")]
    Empty,
    /// The export holds no entries.
    #[error("the export holds no entries: nothing to import")]
    NoEntries,
    /// Larger than any export.
    #[error("the file is larger than {} MiB; an export of 1024 entries is far smaller", MAX_EXPORT_BYTES / 1024 / 1024)]
    TooLarge,
    /// A CSV whose header lacks the columns of either shape.
    #[error(
        "the header has neither {{SpoofedUser, SendingInfrastructure, SpoofType, Action}} (Get-TenantAllowBlockListSpoofItems) nor {{Sender, SpoofedUser, AllowedToSpoof}} (Set-PhishFilterPolicy); it has: {0}"
    )]
    UnknownColumns(String),
    /// JSON that does not parse, or is not objects of an export.
    #[error("{0}")]
    Json(String),
    /// More rows or items than the service holds for one tenant: not an export of one tenant's spoofed senders.
    #[error(
        "the export holds more than {MAX_ENTRIES} entries, the most the service holds for one tenant (TABL-SPOOF, \"Limits\"): is it an export of one tenant's spoofed senders?"
    )]
    TooManyEntries,
    /// Two CSV columns that are one column to spoofctl (`Action` and `action`).
    #[error(transparent)]
    SameColumn(#[from] SameColumn),
    /// A CSV that breaks off.
    #[error("{}: {message}", stopped_after(*.row))]
    Broken {
        /// The last row read (0: the first record could not be read).
        row: u64,
        /// What the CSV reader said.
        message: String,
    },
}

/// A row that cannot be imported, with its place and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// `row 4` or `item 2`.
    pub place: String,
    /// What is wrong.
    pub message: String,
}

/// Reads an export (CSV or JSON, any supported encoding) that holds at least one entry.
pub fn read_export<R: Read + Send + 'static>(input: R) -> Result<Vec<ExportRow>, ExportError> {
    let rows = read_export_rows(input)?;
    if rows.is_empty() {
        return Err(ExportError::NoEntries);
    }
    Ok(rows)
}

/// Reads an export's rows, none when it holds no entries (`[]`, or a header alone); a file with nothing in it
/// is still [`ExportError::Empty`].
pub fn read_export_rows<R: Read + Send + 'static>(input: R) -> Result<Vec<ExportRow>, ExportError> {
    let mut bytes = Vec::new();
    utf8_reader(input)?.take(MAX_EXPORT_BYTES + 1).read_to_end(&mut bytes).map_err(EncodingError::Io)?;
    if bytes.len() as u64 > MAX_EXPORT_BYTES {
        return Err(ExportError::TooLarge);
    }
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).ok_or(ExportError::Empty)?;
    let rows = match bytes[start] {
        // Without the last line end: a file cut off inside a string is reported as cut off, not as a string
        // holding a line break.
        b'[' | b'{' => read_json(bytes.trim_ascii_end())?,
        _ => read_csv(&bytes)?,
    };
    Ok(rows)
}

/// Where a JSON error is, as an editor shows it: lines end at LF, CRLF or CR (serde_json counts LF only,
/// so a file with CR line ends would be all line 1), and columns count characters.
fn json_error_position(bytes: &[u8], e: &serde_json::Error) -> (usize, usize) {
    // serde_json's column counts the bytes of its line up to and including the one it stopped at.
    let line_start =
        bytes.iter().enumerate().filter(|&(_, &b)| b == b'\n').nth(e.line().wrapping_sub(2)).map_or(0, |(i, _)| i + 1);
    let at = (line_start + e.column().saturating_sub(1)).min(bytes.len());
    let before = &bytes[..at];
    let line = 1 + before
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && before.get(i + 1) != Some(&b'\n')))
        .count();
    let this_line = before.iter().rposition(|&b| b == b'\n' || b == b'\r').map_or(before, |i| &before[i + 1..]);
    (line, String::from_utf8_lossy(this_line).chars().count() + 1)
}

fn read_json(bytes: &[u8]) -> Result<Vec<ExportRow>, ExportError> {
    let top: Top = serde_json::from_slice(bytes).map_err(|e| {
        let (line, column) = json_error_position(bytes, &e);
        // serde_json's own text ends with its position, which counts LF line ends only.
        let text = e.to_string();
        let what = text.strip_suffix(&format!(" at line {} column {}", e.line(), e.column())).unwrap_or(&text);
        ExportError::Json(format!("not valid JSON at line {line}, column {column}: {what}"))
    })?;
    let items = match top {
        Top::Items(items) => items,
        Top::TooMany => return Err(ExportError::TooManyEntries),
        Top::Other => {
            return Err(ExportError::Json(
                "expected an object or an array of objects, as ConvertTo-Json writes them".into(),
            ));
        }
    };
    items
        .iter()
        .enumerate()
        .map(|(n, item)| {
            let place = format!("item {}", n + 1);
            let Item(Some(fields)) = item else {
                return Err(ExportError::Json(format!(
                    "{place} is not an object with SpoofedUser, SendingInfrastructure, SpoofType and Action"
                )));
            };
            let keys: Vec<String> = fields.iter().map(|(k, _)| k.clone()).collect();
            if let Some((a, b)) = same_keys(&keys, JSON_KEYS) {
                let (a, b) = (printable(a), printable(b));
                let keys = if a == b { format!("`{a}` twice") } else { format!("`{a}` and `{b}`, the same key to spoofctl") };
                return Err(ExportError::Json(format!("{place} has {keys}: keep one of them")));
            }
            let get = |name: &str| {
                fields.iter().find(|(k, _)| folded_name(k) == name).and_then(|(_, v)| v.0.as_deref().map(str::trim).map(str::to_string))
            };
            if get("spoofeduser").is_none() && get("sendinginfrastructure").is_none() {
                return Err(ExportError::Json(format!(
                    "{place} has no SpoofedUser or SendingInfrastructure: this is not an export of spoofed-sender entries"
                )));
            }
            Ok(ExportRow {
                place,
                identity: get("identity").filter(|s| !s.is_empty()),
                spoofed: get("spoofeduser").unwrap_or_default(),
                infrastructure: get("sendinginfrastructure").unwrap_or_default(),
                spoof_type: get("spooftype"),
                action: get("action").unwrap_or_default(),
                defect: None,
            })
        })
        .collect()
}

/// The keys an export item is read by (folded).
const JSON_KEYS: &[&str] = &["identity", "spoofeduser", "sendinginfrastructure", "spooftype", "action"];

/// A JSON export as `ConvertTo-Json` writes it: an array of items, one object, or Windows PowerShell 5.1's
/// `{"value": [...], "Count": n}` (`ConvertTo-Json -InputObject $items`).
enum Top {
    /// The items, at most [`MAX_ENTRIES`].
    Items(Vec<Item>),
    /// More items than the service holds for a tenant: the ones past the limit were skipped, not kept.
    TooMany,
    /// Neither an array nor an object.
    Other,
}

/// One item: the keys it is read by ([`JSON_KEYS`]) and their values, in the order written, a key written
/// twice included (serde_json's own map keeps one value of it); `None` for an item that is not an object.
struct Item(Option<Vec<(String, Cell)>>);

/// The value of a key an item is read by: its text (a string, or a number as JSON writes it), or nothing for
/// any other value, which is skipped without being kept.
struct Cell(Option<String>);

impl<'de> serde::Deserialize<'de> for Cell {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Cell;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a value")
            }
            fn visit_str<E>(self, v: &str) -> Result<Cell, E> {
                Ok(Cell(Some(v.to_string())))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Cell, E> {
                Ok(Cell(Some(v.to_string())))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Cell, E> {
                Ok(Cell(Some(v.to_string())))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Cell, E> {
                Ok(Cell(Some(Value::from(v).to_string())))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Cell, E> {
                Ok(Cell(None))
            }
            fn visit_unit<E>(self) -> Result<Cell, E> {
                Ok(Cell(None))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Cell, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Cell(None))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Cell, A::Error> {
                while map.next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?.is_some() {}
                Ok(Cell(None))
            }
        }
        deserializer.deserialize_any(Visit)
    }
}

/// Implements the scalar visits of a visitor whose value for any scalar is `$value`.
macro_rules! scalars_are {
    ($value:expr) => {
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok($value)
        }
    };
}

/// Only the keys an export is read by are kept (a key written twice included, to refuse it); every other
/// value is read through and dropped, so an item's size costs time, not memory.
fn pairs<'de, A: serde::de::MapAccess<'de>>(map: A) -> Result<Vec<(String, Cell)>, A::Error> {
    pairs_or_wrapped(map).map(|(pairs, _)| pairs)
}

/// The keys of an item an export is read by, with their values.
type Pairs = Vec<(String, Cell)>;

/// [`pairs`], and the items of a `value` array when it is the object's first key (the 5.1 wrapper).
fn pairs_or_wrapped<'de, A: serde::de::MapAccess<'de>>(mut map: A) -> Result<(Pairs, Option<Top>), A::Error> {
    let (mut pairs, mut wrapped, mut first) = (Vec::new(), None, true);
    while let Some(key) = map.next_key::<String>()? {
        if JSON_KEYS.contains(&folded_name(&key).as_str()) {
            let cell = map.next_value::<Cell>()?;
            pairs.push((key, cell));
        } else if first && key.eq_ignore_ascii_case("value") {
            wrapped = map.next_value::<Wrapped>()?.0;
        } else {
            map.next_value::<serde::de::IgnoredAny>()?;
        }
        first = false;
    }
    Ok((pairs, wrapped))
}

/// The value of a first `value` key: the items when it is an array, else nothing (read through).
struct Wrapped(Option<Top>);

impl<'de> serde::Deserialize<'de> for Wrapped {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Wrapped;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a value")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Wrapped, A::Error> {
                items(seq).map(|top| Wrapped(Some(top)))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Wrapped, A::Error> {
                while map.next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?.is_some() {}
                Ok(Wrapped(None))
            }
            scalars_are!(Wrapped(None));
        }
        deserializer.deserialize_any(Visit)
    }
}

/// Keeps at most [`MAX_ENTRIES`] items; the rest are read through (the file must still be JSON) but not kept,
/// so a hostile export costs its size in time, not many times its size in memory.
fn items<'de, A: serde::de::SeqAccess<'de>>(mut seq: A) -> Result<Top, A::Error> {
    let mut items = Vec::new();
    while let Some(item) = seq.next_element::<Item>()? {
        if items.len() == MAX_ENTRIES {
            while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            return Ok(Top::TooMany);
        }
        items.push(item);
    }
    Ok(Top::Items(items))
}

impl<'de> serde::Deserialize<'de> for Item {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Item;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Item, A::Error> {
                Ok(Item(Some(pairs(map)?)))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Item, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Item(None))
            }
            scalars_are!(Item(None));
        }
        deserializer.deserialize_any(Visit)
    }
}

impl<'de> serde::Deserialize<'de> for Top {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Top;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object or an array of objects")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Top, A::Error> {
                match pairs_or_wrapped(map)? {
                    (pairs, Some(top)) if pairs.is_empty() => Ok(top),
                    (pairs, _) => Ok(Top::Items(vec![Item(Some(pairs))])),
                }
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Top, A::Error> {
                items(seq)
            }
            scalars_are!(Top::Other);
        }
        deserializer.deserialize_any(Visit)
    }
}

fn read_csv(bytes: &[u8]) -> Result<Vec<ExportRow>, ExportError> {
    // No comment character: an address may start with `#`.
    let mut csv = Records::new(bytes);
    let broken = |e: std::io::Error, row: u64| ExportError::Broken { row, message: e.to_string() };
    let text = |f: &[u8]| String::from_utf8_lossy(f).trim().to_string();
    // Windows PowerShell's `Export-Csv` writes a `#TYPE` line above the header; it counts as a row.
    if !csv.advance_to_header().map_err(|e| broken(e, csv.row()))? {
        return Err(ExportError::Empty);
    }
    let header = Header::new(csv.record().iter().map(text).collect());
    let col = |name: &str| header.column(name);
    let current = (col("spoofeduser")?, col("sendinginfrastructure")?, col("spooftype")?, col("action")?);
    let legacy = (col("sender")?, current.0, col("allowedtospoof")?);
    enum Columns {
        Current { spoofed: usize, infra: usize, spoof_type: usize, action: usize, identity: Option<usize> },
        Legacy { sender: usize, spoofed: usize, allowed: usize },
    }
    let columns = match (current, legacy) {
        ((Some(spoofed), Some(infra), Some(spoof_type), Some(action)), _) => {
            Columns::Current { spoofed, infra, spoof_type, action, identity: col("identity")? }
        }
        (_, (Some(sender), Some(spoofed), Some(allowed))) => Columns::Legacy { sender, spoofed, allowed },
        _ => return Err(ExportError::UnknownColumns(header.written().join(", "))),
    };
    let mut rows = Vec::new();
    while csv.advance().map_err(|e| broken(e, csv.row()))? {
        let (n, record) = (csv.row(), csv.record());
        if record.is_blank() {
            continue;
        }
        if rows.len() == MAX_ENTRIES {
            return Err(ExportError::TooManyEntries);
        }
        let defect = if record.len() < header.written().len() {
            Some("the row has fewer fields than the header: is the file cut off?".to_string())
        } else if record.iter().any(|f| std::str::from_utf8(f).is_err()) {
            Some("the row is not valid UTF-8".to_string())
        } else {
            None
        };
        let get = |i: usize| record.get(i).map(text).unwrap_or_default();
        let place = format!("row {n}");
        rows.push(match columns {
            Columns::Current { spoofed, infra, spoof_type, action, identity } => ExportRow {
                place,
                identity: identity.map(get).filter(|s| !s.is_empty()),
                spoofed: get(spoofed),
                infrastructure: get(infra),
                spoof_type: Some(get(spoof_type)),
                action: get(action),
                defect,
            },
            Columns::Legacy { sender, spoofed, allowed } => ExportRow {
                place,
                identity: None,
                spoofed: get(spoofed),
                infrastructure: get(sender),
                spoof_type: None,
                action: match get(allowed).to_ascii_lowercase().as_str() {
                    "yes" | "true" => "Allow".to_string(),
                    "no" | "false" => "Block".to_string(),
                    other => format!("AllowedToSpoof={other}"),
                },
                defect,
            },
        });
    }
    Ok(rows)
}

/// The words of a row that every use of it needs, parsed once: action, spoof type (none in a legacy
/// export), Identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowWords {
    /// Allow or block.
    pub action: Action,
    /// The spoof type, when the export has one.
    pub spoof_type: Option<SpoofType>,
    /// The Identity, when the export has one.
    pub id: Option<Guid>,
}

impl ExportRow {
    /// A problem with this row.
    pub fn problem(&self, message: String) -> RowProblem {
        RowProblem { place: self.place.clone(), message }
    }

    /// Parses the row's action, spoof type and Identity; a row with a reading defect is refused here.
    pub fn words(&self) -> Result<RowWords, RowProblem> {
        if let Some(defect) = &self.defect {
            return Err(self.problem(defect.clone()));
        }
        let action = Action::parse_word(&self.action)
            .ok_or_else(|| self.problem(format!("Action: `{}` is not Allow or Block", self.action)))?;
        let spoof_type = self
            .spoof_type
            .as_deref()
            .map(|t| {
                SpoofType::parse_word(t)
                    .ok_or_else(|| self.problem(format!("SpoofType: `{t}` is not Internal or External")))
            })
            .transpose()?;
        let id = self
            .identity
            .as_deref()
            .map(Guid::parse)
            .transpose()
            .map_err(|e| self.problem(format!("Identity: {e}")))?;
        Ok(RowWords { action, spoof_type, id })
    }
}

/// Turns an export row into an entry, refusing what a list refuses. `accepted` gives the spoof type of
/// legacy rows (which have none) and checks the type of the others.
pub fn entry_of(row: &ExportRow, accepted: &[Domain]) -> Result<Entry, RowProblem> {
    let problem = |message: String| row.problem(message);
    let RowWords { action, spoof_type: written, id } = row.words()?;
    let spoofed = Side::parse_spoofed(&row.spoofed).map_err(|e| problem(format!("SpoofedUser: {e}")))?;
    let infrastructure =
        Side::parse_infrastructure(&row.infrastructure).map_err(|e| problem(format!("SendingInfrastructure: {e}")))?;
    let inferred =
        spoofed.concrete().filter(|_| !accepted.is_empty()).map(|s| spoof_type_for(accepted, s.domain().as_str()));
    let spoof_type = match (written, inferred) {
        (Some(t), Some(i)) if i != t => {
            return Err(problem(format!(
                "SpoofType: the export says {} but the accepted domains make it {}",
                t.service_word(),
                i.service_word()
            )));
        }
        (Some(t), _) => t,
        (None, Some(i)) => i,
        (None, None) if spoofed == Side::Any => {
            return Err(problem("the legacy export has no spoof type, and `*` names no domain to infer one from: add the entry by hand, once per type you mean".into()));
        }
        (None, None) => {
            return Err(problem(
                "the legacy export has no spoof type: give --accepted-domains so that it can be inferred".into(),
            ));
        }
    };
    let label = format!("{} via {}", row.spoofed, row.infrastructure);
    let rule = Rule::new(action, spoofed, infrastructure).map_err(|e| match e {
        RuleError::AllowWildcard => problem(format!(
            "{label} is an allow with a wildcard: spoofctl refuses it (name both sides, or import it as a block)"
        )),
        RuleError::WildcardBothSides => problem(format!("{label}: an entry cannot have `*` on both sides")),
    })?;
    let line = row.place.rsplit(' ').next().and_then(|n| n.parse().ok()).unwrap_or(0);
    Ok(Entry {
        rule,
        spoof_type,
        type_written: true,
        meta: Metadata { id, ..Metadata::default() },
        span: Span::new(line, 1),
    })
}
