//! The pair invariant through `import`: random TABL exports, in every shape and encoding the importer reads,
//! with `*` on either side, both sides, and any action. What a user would check after `spoofctl import`:
//! no wildcard allow got in (each such row is refused with its row number), and every allow that did only
//! lets through mail whose From and infrastructure it both names.
//!
//! Shapes (see `src/read/tabl_export.rs` and the samples in `tests/fixtures/import/`): `Export-Csv` from PowerShell 7
//! (no `#TYPE` line) and Windows PowerShell 5.1 (a `#TYPE` line first), every field quoted or only where
//! needed, columns in any order and case, with or without `Identity` and extra columns; `ConvertTo-Json`
//! as an array or a single object, indented or not, with characters written as `\u` escapes or not; the
//! legacy `Set-PhishFilterPolicy` CSV (`Sender`, `SpoofedUser`, `AllowedToSpoof`). Encodings: UTF-8, UTF-8
//! with a BOM, UTF-16 LE and BE with a BOM; LF, CRLF or CR line ends, with or without a line end after the last line.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

mod common;

use std::io::Cursor;
use std::path::Path;

use common::{check_pair_invariant, concrete_infrastructure, concrete_spoofed};
use proptest::prelude::*;
use spoofctl::check::check;
use spoofctl::date::Date;
use spoofctl::domain::Domain;
use spoofctl::entry::TenantList;
use spoofctl::format::list_text;
use spoofctl::import::{Merged, merge};
use spoofctl::pair::{Action, Rule, Side};
use spoofctl::tabl::read_export;

/// Cases for each property. Issue #6 asks for at least 10,000 per property of the pair invariant in CI (a
/// debug build); an export of up to 7 rows is read, merged, written as a list and checked in about a
/// millisecond.
const CASES: u32 = 10_000;

// ---------- rows ----------

/// Wildcards as an export may spell them: bare, padded (the reader trims), full-width (IDNA maps it to
/// `*`), inside a value, doubled.
const WILDCARDS: &[&str] = &["*", "*", "*", " * ", "＊", "*.contoso.com", "*@contoso.com", "**"];
/// Spoofed users that overlap between rows, so that duplicates and conflicts occur.
const SPOOFED: &[&str] = &[
    "gmail.com",
    "contoso.com",
    "chris@contoso.com",
    "sub.contoso.com",
    "adatum.com",
    "laura@adatum.com",
    "FABRIKAM.COM.",
    "bücher.example",
];
/// Infrastructures that overlap between rows.
const INFRASTRUCTURE: &[&str] = &[
    "tms.mx.com",
    "mx.com",
    "mail.fabrikam.com",
    "fabrikam.com",
    "192.0.2.0/24",
    "198.51.100.77/24",
    "crm.adatum.example",
];

/// One entry of an export, before it is written in some format.
#[derive(Debug, Clone)]
struct Row {
    spoofed: String,
    infrastructure: String,
    /// `SpoofType` as written (the legacy shape has none).
    spoof_type: &'static str,
    /// True for an allow (`Allow`, or `AllowedToSpoof` Yes), false for a block; `action` is then spelled by
    /// `spelling`.
    allow: bool,
    /// Picks a spelling of the action: `Allow`, `allow`, `ALLOW`..., `Yes`, `True`... in the legacy shape,
    /// and now and then a word that is neither.
    spelling: u8,
    identity: Option<u128>,
    /// Blank lines before the row in a CSV export (a spreadsheet counts them as rows).
    blank_lines: usize,
}

impl Row {
    /// The `Action` cell.
    fn action(&self) -> &'static str {
        self.word(["Allow", "allow", "ALLOW"], ["Block", "block", "BLOCK"], "Quarantine")
    }

    /// The legacy `AllowedToSpoof` cell.
    fn allowed_to_spoof(&self) -> &'static str {
        self.word(["Yes", "True", "yes"], ["No", "False", "no"], "Maybe")
    }

    /// One of the spellings of the row's action, or (one time in eight) a word that is neither.
    fn word(&self, allow: [&'static str; 3], block: [&'static str; 3], neither: &'static str) -> &'static str {
        match (self.spelling % 8, self.allow) {
            (7, _) => neither,
            (n, true) => allow[n as usize % 3],
            (n, false) => block[n as usize % 3],
        }
    }

    /// The row asks for an allow, in a word the importer reads.
    fn is_allow(&self) -> bool {
        self.allow && self.spelling % 8 != 7
    }

    /// Some side holds a wildcard, in any spelling.
    fn has_wildcard(&self) -> bool {
        [&self.spoofed, &self.infrastructure].iter().any(|v| v.contains(['*', '＊']))
    }
}

fn side(concrete: BoxedStrategy<String>, pool: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(WILDCARDS).prop_map(str::to_string),
        4 => prop::sample::select(pool).prop_map(str::to_string),
        2 => concrete,
    ]
}

fn row() -> impl Strategy<Value = Row> {
    (
        side(concrete_spoofed().boxed(), SPOOFED),
        side(concrete_infrastructure().boxed(), INFRASTRUCTURE),
        prop::sample::select(vec!["External", "Internal", "external", "INTERNAL"]),
        any::<bool>(),
        any::<u8>(),
        prop::option::of(any::<u128>()),
        prop_oneof![6 => Just(0usize), 1 => 1usize..3],
    )
        .prop_map(|(spoofed, infrastructure, spoof_type, allow, spelling, identity, blank_lines)| Row {
            spoofed,
            infrastructure,
            spoof_type,
            allow,
            spelling,
            identity,
            blank_lines,
        })
}

// ---------- exports ----------

#[derive(Debug, Clone, Copy)]
enum Shape {
    /// `Export-Csv` in PowerShell 7: no `#TYPE` line.
    Csv,
    /// `Export-Csv` in Windows PowerShell 5.1: a `#TYPE` line first.
    CsvWithType,
    /// `ConvertTo-Json`: an array (or, for one row, sometimes the single object PowerShell writes).
    Json,
    /// `Set-PhishFilterPolicy -SpoofAllowBlockList` CSV.
    Legacy,
}

#[derive(Debug, Clone, Copy)]
enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16LeBom,
    Utf16BeBom,
}

/// How one export is written.
#[derive(Debug, Clone)]
struct Layout {
    shape: Shape,
    encoding: Encoding,
    /// The line end: LF, CRLF (Windows) or a lone CR (old Mac tools).
    line_end: &'static str,
    /// The last line ends with a line end (some tools leave it out).
    final_line_end: bool,
    /// CSV: quote every field, as `Export-Csv` does; else only where needed.
    quote_all: bool,
    /// CSV: the columns' order, as a permutation picked from this.
    order: Vec<usize>,
    /// CSV: header names exact, lowercase or uppercase.
    header_case: u8,
    /// The `Identity` column or field, and `RunspaceId`/`ObjectState`, are written.
    identity: bool,
    extras: bool,
    /// JSON: one object rather than an array, when there is one row.
    single_object: bool,
    /// JSON: indented, as `ConvertTo-Json` writes it, or on one line.
    pretty: bool,
    /// JSON: every character that is not a letter or digit written as a `\u` escape.
    escape_all: bool,
}

fn layout() -> impl Strategy<Value = Layout> {
    let shape = prop::sample::select(vec![Shape::Csv, Shape::CsvWithType, Shape::Json, Shape::Legacy]);
    let encoding =
        prop::sample::select(vec![Encoding::Utf8, Encoding::Utf8Bom, Encoding::Utf16LeBom, Encoding::Utf16BeBom]);
    let line_end = prop::sample::select(vec!["\n", "\r\n", "\r"]);
    (shape, encoding, line_end, any::<[bool; 7]>(), Just((0..8).collect::<Vec<usize>>()).prop_shuffle(), any::<u8>())
        .prop_map(
            |(
                shape,
                encoding,
                line_end,
                [final_line_end, quote_all, identity, extras, single_object, pretty, escape_all],
                order,
                header_case,
            )| Layout {
                shape,
                encoding,
                line_end,
                final_line_end,
                quote_all,
                order,
                header_case,
                identity,
                extras,
                single_object,
                pretty,
                escape_all,
            },
        )
}

fn guid(n: u128) -> String {
    let h = format!("{n:032x}");
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

fn csv_field(value: &str, quote_all: bool) -> String {
    if quote_all || value.contains([',', '"', '\n', '\r']) || value.starts_with(' ') || value.ends_with(' ') {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

fn json_string(value: &str, escape_all: bool) -> String {
    if !escape_all {
        return serde_json::to_string(value).expect("a string serializes");
    }
    let mut out = String::from("\"");
    for c in value.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out.push('"');
    out
}

fn header_name(name: &str, case: u8) -> String {
    match case % 3 {
        0 => name.to_string(),
        1 => name.to_lowercase(),
        _ => name.to_uppercase(),
    }
}

/// The export's text, and the place the importer gives each row (`row 3`, `item 2`).
fn export_text(rows: &[Row], l: &Layout) -> (String, Vec<String>) {
    let (mut text, places) = export_lines(rows, l);
    if !l.final_line_end && text.ends_with(l.line_end) {
        text.truncate(text.len() - l.line_end.len());
    }
    (text, places)
}

/// The export with every line ended.
fn export_lines(rows: &[Row], l: &Layout) -> (String, Vec<String>) {
    let nl = l.line_end;
    if let Shape::Json = l.shape {
        let indent = if l.pretty { format!("{nl}    ") } else { String::new() };
        let objects: Vec<String> = rows
            .iter()
            .map(|r| {
                let mut fields = Vec::new();
                if l.identity {
                    fields.push(("Identity", r.identity.map(guid).unwrap_or_default()));
                }
                fields.push(("SpoofedUser", r.spoofed.clone()));
                fields.push(("SendingInfrastructure", r.infrastructure.clone()));
                fields.push(("SpoofType", r.spoof_type.to_string()));
                fields.push(("Action", r.action().to_string()));
                if l.extras {
                    fields.push(("ObjectState", "Unchanged".to_string()));
                }
                let fields: Vec<String> =
                    fields.iter().map(|(k, v)| format!("{indent}\"{k}\": {}", json_string(v, l.escape_all))).collect();
                format!("{{{}{}}}", fields.join(","), if l.pretty { nl } else { "" })
            })
            .collect();
        let text = if l.single_object && rows.len() == 1 {
            objects[0].clone()
        } else {
            format!("[{nl}{}{nl}]{nl}", objects.join(&format!(",{nl}")))
        };
        return (text, (1..=rows.len()).map(|n| format!("item {n}")).collect());
    }
    let legacy = matches!(l.shape, Shape::Legacy);
    let mut columns: Vec<&str> = if legacy {
        vec!["Sender", "SpoofedUser", "AllowedToSpoof"]
    } else {
        vec!["SpoofedUser", "SendingInfrastructure", "SpoofType", "Action"]
    };
    if l.identity && !legacy {
        columns.push("Identity");
    }
    if l.extras {
        columns.extend(["RunspaceId", "ObjectState"]);
    }
    let order: Vec<usize> = l.order.iter().copied().filter(|&i| i < columns.len()).collect();
    let cell = |r: &Row, column: &str| -> String {
        match column {
            "Sender" | "SendingInfrastructure" => r.infrastructure.clone(),
            "SpoofedUser" => r.spoofed.clone(),
            "AllowedToSpoof" => r.allowed_to_spoof().to_string(),
            "SpoofType" => r.spoof_type.to_string(),
            "Action" => r.action().to_string(),
            "Identity" => r.identity.map(guid).unwrap_or_default(),
            "RunspaceId" => "0e1f2a3b-0000-4000-8000-000000000001".to_string(),
            _ => "Unchanged".to_string(),
        }
    };
    let mut text = String::new();
    let mut line = 1;
    if let Shape::CsvWithType = l.shape {
        text.push_str(&format!(
            "#TYPE Deserialized.Microsoft.Exchange.Management.Hygiene.TenantAllowBlockListSpoofItems{nl}"
        ));
        line += 1;
    }
    let header: Vec<String> =
        order.iter().map(|&i| csv_field(&header_name(columns[i], l.header_case), l.quote_all)).collect();
    text.push_str(&header.join(","));
    text.push_str(nl);
    let mut places = Vec::new();
    for r in rows {
        text.push_str(&nl.repeat(r.blank_lines));
        line += 1 + r.blank_lines;
        let cells: Vec<String> = order.iter().map(|&i| csv_field(&cell(r, columns[i]), l.quote_all)).collect();
        text.push_str(&cells.join(","));
        text.push_str(nl);
        places.push(format!("row {line}"));
    }
    (text, places)
}

fn encode(text: &str, encoding: Encoding) -> Vec<u8> {
    match encoding {
        Encoding::Utf8 => text.as_bytes().to_vec(),
        Encoding::Utf8Bom => [&[0xEF, 0xBB, 0xBF], text.as_bytes()].concat(),
        Encoding::Utf16LeBom => {
            [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect()
        }
        Encoding::Utf16BeBom => {
            [0xFE, 0xFF].into_iter().chain(text.encode_utf16().flat_map(u16::to_be_bytes)).collect()
        }
    }
}

fn accepted(yes: bool) -> Vec<Domain> {
    if yes { vec![Domain::parse("contoso.com").expect("domain")] } else { Vec::new() }
}

proptest! {
    #![proptest_config(common::config(CASES))]

    /// Import any export, in any shape and encoding, with `*` anywhere and any action: a row that asks for
    /// an allow with a wildcard is refused with its row number and never becomes an entry; the imported
    /// list (as `import` writes it, read back) holds no wildcard allow; and each of its allows lets
    /// through only messages whose From and infrastructure it both names.
    #[test]
    fn no_export_imports_a_wildcard_allow(rows in prop::collection::vec(row(), 1..8), l in layout(), with_accepted in any::<bool>()) {
        let (text, places) = export_text(&rows, &l);
        let read = read_export(Cursor::new(encode(&text, l.encoding)));
        let read = match read {
            Ok(read) => read,
            Err(e) => return Err(TestCaseError::fail(format!("{e}\n{text}"))),
        };
        let got: Vec<&str> = read.iter().map(|r| r.place.as_str()).collect();
        prop_assert_eq!(&got, &places, "{}", text);

        let accepted = accepted(with_accepted);
        let mut merged = Merged::default();
        merge(&mut merged, "export.csv", &read, &accepted);
        for (row, place) in rows.iter().zip(&places) {
            if row.is_allow() && row.has_wildcard() {
                prop_assert!(merged.problems.iter().any(|(_, p)| &p.place == place), "{place} not refused: {row:?}\n{text}");
                let line: usize = place.rsplit(' ').next().and_then(|n| n.parse().ok()).expect("a number");
                prop_assert!(merged.entries.iter().all(|e| e.span.line != line), "{place} imported: {row:?}\n{text}");
            }
        }
        for (_, p) in &merged.problems {
            prop_assert!(places.contains(&p.place), "a problem at {} that no row has", p.place);
        }
        for e in &merged.entries {
            if e.action() == Action::Allow {
                prop_assert!(matches!(e.rule, Rule::Allow(_)));
                prop_assert!(matches!((e.rule.spoofed(), e.rule.infrastructure()), (Side::Is(_), Side::Is(_))), "{e:?}");
            }
        }

        // The list `import` writes, read back as any list file is.
        let written = list_text(Some("contoso.onmicrosoft.com"), &accepted, &merged.entries);
        let written = match written {
            Ok(t) => t,
            Err(d) => return Err(TestCaseError::fail(format!("the imported entries make no list: {d:?}"))),
        };
        let checked = check(Path::new("imported.yaml"), &written, Date::parse("2026-11-22").expect("date"));
        prop_assert!(checked.is_well_formed(), "{:?}\n{written}", checked.diagnostics);
        let mut identities: Vec<_> = checked.list.entries.iter().map(|e| (e.identity(), e.action())).collect();
        let mut imported: Vec<_> = merged.entries.iter().map(|e| (e.identity(), e.action())).collect();
        identities.sort();
        imported.sort();
        prop_assert_eq!(identities, imported);
        check_pair_invariant(&checked.list)?;
        let as_merged = TenantList::new(Path::new("merged"), Vec::new(), merged.entries.clone());
        check_pair_invariant(&TenantList::new(Path::new("merged"), accepted, as_merged.entries))?;
    }
}
