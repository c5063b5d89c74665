//! `match --observations`: per-row verdicts (CSV, JSON) and the summary (text, JSON).
//!
//! The rows are written by the engine's scan through the writers here ([`CsvRows`], [`JsonRows`]: the
//! engine's [`RowWriter`]), a batch at a time on the workers; [`JsonDocument`] joins the batches in file
//! order. The writers and the document, not the scan, know what goes between rows.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::io;
use std::net::IpAddr;

use serde::{Serialize, Serializer};

use super::{CountJson, EntryJson, safe_cell, thousands};
use crate::engine::matcher::Outcome;
use crate::engine::scan::RowWriter;
use crate::engine::tally::Tally;
use crate::model::entry::TenantList;
use crate::model::message::{Host, Message, Sender, ServiceInfrastructure};
use crate::model::words::Word;
use crate::read::observations::{Row, Shape};

/// How many uncovered pairs the summary lists.
pub const BUSIEST: usize = 10;

/// The columns of `--format csv`.
/// `infrastructure` is the pair's infrastructure as the service reports it (an observed pair's own, or a
/// message's PTR organizational domain, else its /24); `ptr`, `ip` and `dkim` are a message row's details.
pub const CSV_HEADER: &[&str] = &[
    "row",
    "list",
    "from",
    "infrastructure",
    "ptr",
    "ip",
    "dkim",
    "type",
    "messages",
    "verdict",
    "entry_spoofed",
    "entry_infrastructure",
    "entry_line",
    "partly_covered_by",
    "partly_line",
];

/// A message row's own details; an observed pair has none beyond its infrastructure.
fn details(m: &Message, pair_row: bool) -> [Cow<'_, str>; 3] {
    if pair_row {
        return Default::default();
    }
    let dkim = match m.dkim_pass.as_slice() {
        [] => Cow::Borrowed(""),
        [one] => Cow::Borrowed(one.as_str()),
        many => Cow::Owned(many.iter().map(|h| h.as_str()).collect::<Vec<_>>().join(" ")),
    };
    [
        m.ptr.as_ref().map_or(Cow::Borrowed(""), |h| Cow::Borrowed(h.as_str())),
        m.ip.map_or(Cow::Borrowed(""), |i| i.to_string().into()),
        dkim,
    ]
}

/// One CSV record for one row and one list; `pair_row` when the file has pair rows. Cells borrow from the row
/// where they can: this runs for every row of large files.
pub fn row_csv<'a>(row: &'a Row, outcome: &'a Outcome<'_>, pair_row: bool) -> [Cow<'a, str>; 15] {
    let m = &row.message;
    let d = outcome.verdict.decision();
    let [ptr, ip, dkim] = details(m, pair_row);
    let infrastructure = match m.service_infrastructure() {
        Some(ServiceInfrastructure::Domain(d)) => Cow::Borrowed(d),
        Some(range) => Cow::Owned(range.to_string()),
        None => Cow::Borrowed(""),
    };
    [
        row.row.to_string().into(),
        outcome.list.path.to_string_lossy(),
        m.from.as_str().into(),
        infrastructure,
        ptr,
        ip,
        dkim,
        outcome.spoof_type.map(|t| t.list_word()).unwrap_or_default().into(),
        row.count.to_string().into(),
        outcome.word().into(),
        d.map(|d| d.entry().rule.spoofed().to_string()).unwrap_or_default().into(),
        d.map(|d| d.entry().rule.infrastructure().to_string()).unwrap_or_default().into(),
        d.map(|d| d.entry().span.line.to_string()).unwrap_or_default().into(),
        outcome.partly.map(|e| e.label().to_string()).unwrap_or_default().into(),
        outcome.partly.map(|e| e.span.line.to_string()).unwrap_or_default().into(),
    ]
    .map(safe_cell)
}

/// One JSON row for one row and one list; `pair_row` when the file has pair rows. Serialized straight from
/// the row (`serde_json::to_writer`), without a map built for each of millions of rows; also `Display`.
pub fn row_json<'a>(row: &'a Row, outcome: &'a Outcome<'_>, pair_row: bool) -> RowJson<'a> {
    let m = &row.message;
    RowJson {
        row: row.row,
        from: &m.from,
        infrastructure: Text(m.service_infrastructure()),
        details: (!pair_row).then(|| Details { ptr: m.ptr.as_ref().map(|h| h.as_str()), ip: m.ip, dkim: &m.dkim_pass }),
        list: outcome.list.path.display(),
        spoof_type: outcome.spoof_type.map(|t| t.list_word()),
        messages: row.count,
        verdict: outcome.word(),
        entry: outcome
            .verdict
            .decision()
            .map(|d| RowEntry { entry: d.entry().label().into(), line: d.entry().span.line }),
        partly_covered_by: outcome.partly.map(|e| RowEntry { entry: e.label().into(), line: e.span.line }),
    }
}

/// A row's JSON object ([`row_json`]), its keys in this order.
#[derive(Serialize)]
pub struct RowJson<'a> {
    row: u64,
    #[serde(serialize_with = "as_text")]
    from: &'a Sender,
    #[serde(serialize_with = "as_text")]
    infrastructure: Text<ServiceInfrastructure<'a>>,
    #[serde(flatten)]
    details: Option<Details<'a>>,
    #[serde(serialize_with = "as_text")]
    list: std::path::Display<'a>,
    #[serde(rename = "type")]
    spoof_type: Option<&'static str>,
    messages: u64,
    verdict: &'static str,
    entry: Option<RowEntry>,
    /// For verdict `partly`: the entry that matches part of the row (never an allow of it).
    partly_covered_by: Option<RowEntry>,
}

/// The entry that decided a row, with its line.
#[derive(Serialize)]
struct RowEntry {
    #[serde(flatten)]
    entry: EntryJson,
    line: usize,
}

/// A message row's own details (an observed pair has none).
#[derive(Serialize)]
struct Details<'a> {
    ptr: Option<&'a str>,
    #[serde(serialize_with = "as_text_or_null")]
    ip: Option<IpAddr>,
    #[serde(serialize_with = "hosts")]
    dkim: &'a [Host],
}

/// A value written as its text (`""` for none).
struct Text<T>(Option<T>);

impl<T: fmt::Display> fmt::Display for Text<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.as_ref().map_or(Ok(()), |v| v.fmt(f))
    }
}

fn as_text<S: Serializer>(value: &impl fmt::Display, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
}

fn as_text_or_null<S: Serializer>(value: &Option<IpAddr>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => s.collect_str(v),
        None => s.serialize_none(),
    }
}

fn hosts<S: Serializer>(hosts: &&[Host], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(hosts.iter().map(Host::as_str))
}

impl fmt::Display for RowJson<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&serde_json::to_string(self).map_err(|_| fmt::Error)?)
    }
}

/// `--format csv`'s rows: a record ([`row_csv`]) for each row and list, without the header ([`CSV_HEADER`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct CsvRows;

/// A batch of CSV records ([`CsvRows`]).
pub struct CsvBatch {
    records: csv::Writer<Vec<u8>>,
    pair_rows: bool,
}

impl CsvBatch {
    /// The records, one after the other: batches are joined as they are.
    pub fn into_bytes(self) -> Vec<u8> {
        // Writing to memory cannot fail.
        self.records.into_inner().unwrap_or_default()
    }
}

impl RowWriter for CsvRows {
    type Rows = CsvBatch;

    fn start(&self, shape: &Shape) -> CsvBatch {
        CsvBatch {
            records: csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new()),
            pair_rows: matches!(shape, Shape::Pairs { .. }),
        }
    }

    fn row(&self, rows: &mut CsvBatch, row: &Row, outcome: &Outcome<'_>) {
        // Writing to memory cannot fail.
        drop(rows.records.write_record(row_csv(row, outcome, rows.pair_rows).iter().map(|cell| cell.as_bytes())));
    }
}

/// `--format json`'s rows: an object ([`row_json`]) for each row and list, each on a line of its own; the
/// batches go into a [`JsonDocument`], which puts the commas between them.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonRows;

/// A batch of JSON rows ([`JsonRows`]): the objects, separated by `,` and a line break.
pub struct JsonBatch {
    objects: Vec<u8>,
    pair_rows: bool,
}

impl RowWriter for JsonRows {
    type Rows = JsonBatch;

    fn start(&self, shape: &Shape) -> JsonBatch {
        JsonBatch { objects: Vec::new(), pair_rows: matches!(shape, Shape::Pairs { .. }) }
    }

    fn row(&self, rows: &mut JsonBatch, row: &Row, outcome: &Outcome<'_>) {
        if !rows.objects.is_empty() {
            rows.objects.extend_from_slice(b",\n");
        }
        // Writing to memory cannot fail.
        drop(serde_json::to_writer(&mut rows.objects, &row_json(row, outcome, rows.pair_rows)));
    }
}

/// `match --observations --format json`'s document, written as the rows come: `{"version":1,
/// "observations":FILE,"rows":[`, each row on a line of its own, then `],"summary":{...}}`
/// ([`summary_json`]). It knows whether a row came before a batch, so the commas are right however the
/// rows fall into batches.
#[derive(Debug)]
pub struct JsonDocument {
    /// A row has been written.
    rows: bool,
}

impl JsonDocument {
    /// Writes the document's head, for the observations file `file`.
    pub fn start(out: &mut impl io::Write, file: &str) -> io::Result<JsonDocument> {
        write!(out, "{{\"version\":1,\"observations\":")?;
        serde_json::to_writer(&mut *out, file)?;
        write!(out, ",\"rows\":[")?;
        Ok(JsonDocument { rows: false })
    }

    /// Writes a batch's rows, after those of the batches before it.
    pub fn rows(&mut self, out: &mut impl io::Write, batch: &JsonBatch) -> io::Result<()> {
        if batch.objects.is_empty() {
            return Ok(());
        }
        out.write_all(if self.rows { b",\n" } else { b"\n" })?;
        self.rows = true;
        out.write_all(&batch.objects)
    }

    /// Ends the rows and the document with the summary.
    pub fn finish(self, out: &mut impl io::Write, run: &Run<'_>) -> io::Result<()> {
        writeln!(out, "\n],\"summary\":{}}}", summary_json(run))
    }
}

/// What a run over an observations file found, for the summary.
pub struct Run<'a> {
    /// The file.
    pub file: &'a str,
    /// `pair rows` or `message rows`.
    pub shape: &'a str,
    /// What the observations leave out, if the shape is known to ([`INSIGHT_NOTE`]).
    pub note: Option<&'static str>,
    /// Rows skipped for errors.
    pub skipped: u64,
    /// Each list with its tally.
    pub lists: Vec<(&'a TenantList, &'a Tally)>,
}

/// The summary as text.
pub fn summary_text(run: &Run<'_>) -> String {
    // The values the JSON summary holds, so that the two cannot disagree.
    let summary = summary_json(run);
    let rows = summary.lists.first().map_or(0, |l| l.rows);
    let mut out = format!(
        "{}: {} ({} read",
        crate::model::characters::escaped(summary.file),
        summary.shape,
        super::plural(rows, "row")
    );
    if summary.skipped_rows > 0 {
        let _ = write!(out, ", {} skipped for errors", thousands(summary.skipped_rows));
    }
    out.push_str(")\n");
    for l in &summary.lists {
        let _ = writeln!(out, "{}:", crate::model::characters::escaped(&l.list));
        let _ = writeln!(out, "  {:<8}{:>12} {:>14}", "verdict", "rows", "messages");
        for (word, c) in [("allow", &l.allow), ("block", &l.block), ("none", &l.none), ("partly", &l.partly)] {
            let _ = writeln!(out, "  {word:<8}{:>12} {:>14}", thousands(c.rows), thousands(c.messages));
        }
        if l.partly.rows > 0 {
            let _ = writeln!(out, "  {PARTLY}");
        }
        if !l.busiest_uncovered.is_empty() {
            let _ = writeln!(out, "  busiest pairs no entry covers:");
            for p in &l.busiest_uncovered {
                let approx = if p.overcount > 0 { " (at most)" } else { "" };
                let _ = writeln!(
                    out,
                    "    {:<50}{:>12} {}{approx}",
                    crate::model::characters::escaped(&p.pair),
                    thousands(p.messages),
                    super::noun(p.messages, "message")
                );
            }
        }
    }
    if let Some(note) = summary.note {
        let _ = writeln!(out, "note: {note}");
    }
    out
}

/// What a `partly` row is, under the summary's counts.
const PARTLY: &str = "partly: no entry decides these rows, but an entry matches part of each (the row's infrastructure \
    or spoofed user is coarser than the entry's, so which of its messages the entry covers is unknown); never \
    counted as allowed";

/// What the spoof intelligence insight leaves out, under the summary of an insight export: "Messages from
/// domains that fail DMARC where the DMARC policy is set to p=reject or p=quarantine don't appear in this
/// insight" (learn.microsoft.com/defender-office-365/anti-spoofing-spoof-intelligence, the note at the top and
/// under "View information about spoof detections"; `defender-office-365/anti-spoofing-spoof-intelligence.md`).
pub const INSIGHT_NOTE: &str = "the spoof intelligence insight leaves out messages that fail DMARC where the \
    domain's policy is p=reject or p=quarantine (Microsoft: they \"don't appear in this insight\"); \
    the anti-phishing policy's \"Honor DMARC record policy\" setting handles them instead, and no count here \
    includes them";

/// One list's counts, and the busiest pairs no entry covers.
#[derive(Serialize)]
struct ListSummary<'a> {
    list: String,
    tenant: Option<&'a str>,
    rows: u64,
    allow: CountJson,
    block: CountJson,
    none: CountJson,
    partly: CountJson,
    busiest_uncovered: Vec<BusyPair>,
}

/// An uncovered pair and its messages (at most, when `overcount` is not 0).
#[derive(Serialize)]
struct BusyPair {
    pair: String,
    messages: u64,
    overcount: u64,
}

/// The summary of a run over an observations file, in JSON ([`summary_json`]).
#[derive(Serialize)]
pub struct SummaryReport<'a> {
    file: &'a str,
    shape: &'a str,
    skipped_rows: u64,
    lists: Vec<ListSummary<'a>>,
    /// What the observations leave out, for a shape that is known to ([`INSIGHT_NOTE`]).
    note: Option<&'static str>,
}

super::json_display!(SummaryReport);

/// The summary as JSON.
pub fn summary_json<'a>(run: &Run<'a>) -> SummaryReport<'a> {
    SummaryReport {
        file: run.file,
        shape: run.shape,
        skipped_rows: run.skipped,
        note: run.note,
        lists: run
            .lists
            .iter()
            .map(|(list, t)| ListSummary {
                list: list.path.display().to_string(),
                tenant: list.tenant.as_deref(),
                rows: t.rows(),
                allow: t.allow.into(),
                block: t.block.into(),
                none: t.none.into(),
                partly: t.partly.into(),
                busiest_uncovered: t
                    .busiest_uncovered(BUSIEST)
                    .into_iter()
                    .map(|p| BusyPair { pair: p.pair, messages: p.messages, overcount: p.overcount })
                    .collect(),
            })
            .collect(),
    }
}
