//! Observation files: CSV rows of observed pairs or messages, read as a stream of [`Message`]s.
//!
//! Two shapes, told apart by the header row (column names compare ignoring case, spaces, `_` and `-`; extra
//! columns are ignored; product spec, "Matching model"):
//! - pair rows, as the spoof intelligence insight exports them (`SpoofedUser, SendingInfrastructure,
//!   MessageCount, LastSeen, SpoofType, Action`; SPOOF-INTEL, CMDLETS Get-SpoofIntelligenceInsight) or
//!   `Get-SpoofMailReport` writes them (`Spoofed User`, `True Sender`, `Count`, `Spoof Type`; CMDLETS). The
//!   infrastructure is already an organizational domain or an IP (/24);
//!   `Get-SpoofMailReport` leaves True Sender blank when the sending IP has no PTR record and fills in Sender
//!   IP instead ("Both columns aren't filled in at the same time"), and writes its Spoof Type as `intra-org`
//!   or `Internal`, `cross-org` or `External` (CMDLETS Get-SpoofMailReport, "DESCRIPTION");
//! - message rows: `From, PTR, IP, DKIM` (DKIM: the passing domains, separated by spaces);
//! - DMARC aggregate rows, as parsedmarc writes them to CSV (`header_from`, `source_ip_address`,
//!   `source_reverse_dns`, `count`, `dkim_domains` and `dkim_results`, the last two comma-joined and in step;
//!   parsedmarc `docs/source/output.md`, "CSV aggregate report"). Each row is read as a message row: the From
//!   is the header domain, the PTR the reverse DNS host, the IP the source address, the DKIM domains those
//!   whose result is `pass`; `count` is its weight. The pair the service would see is then the PTR's
//!   organizational domain, else the IP's /24, as for every message.
//!
//! Rows are read one at a time into a reused record ([`Reader::next_row`]), or a batch at a time into reused
//! batches of bounded size ([`Reader::read_batch`], for `crate::engine::scan`): memory does not grow with the file.

use std::io::Read;

use crate::model::ipv4::Ipv4Slash24;
use crate::model::message::{Host, Message, Sender};
use crate::model::words::{SpoofType, Word};
use crate::read::columns::{Header, SameColumn};
use crate::read::csv_records::{Fields, Records, stopped_after};

/// Which shape a file has, with the column of each field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// One observed pair per row.
    Pairs {
        /// The spoofed user column.
        spoofed: usize,
        /// The sending infrastructure column.
        infrastructure: usize,
        /// The message count column, if any (a row counts as one message without it).
        count: Option<usize>,
        /// The spoof type column, if any.
        spoof_type: Option<usize>,
        /// Get-SpoofMailReport's Sender IP column, if any: the infrastructure when the True Sender is blank.
        sender_ip: Option<usize>,
        /// The header is the spoof intelligence insight's (it has `LastSeen`), which leaves out messages that
        /// fail DMARC with `p=reject` or `p=quarantine` (SPOOF-INTEL).
        insight: bool,
    },
    /// One message per row.
    Messages {
        /// The From column.
        from: usize,
        /// The PTR column, if any.
        ptr: Option<usize>,
        /// The connecting IP column, if any.
        ip: Option<usize>,
        /// The passing DKIM domains column, if any.
        dkim: Option<usize>,
    },
    /// One DMARC aggregate report record per row, as parsedmarc writes them.
    Dmarc {
        /// `header_from`: the From domain.
        header_from: usize,
        /// `source_ip_address`.
        ip: usize,
        /// `source_reverse_dns`, if the column is there.
        reverse_dns: Option<usize>,
        /// `dkim_domains` and `dkim_results`, if both are there.
        dkim: Option<(usize, usize)>,
        /// `count`, if the column is there (a row counts as one message without it).
        count: Option<usize>,
    },
}

impl Shape {
    /// `pair rows` or `message rows`.
    pub fn describe(&self) -> &'static str {
        match self {
            Shape::Pairs { .. } => "pair rows",
            Shape::Messages { .. } => "message rows",
            Shape::Dmarc { .. } => "DMARC aggregate rows",
        }
    }

    /// True for the spoof intelligence insight's export ([`Shape::Pairs`]'s `insight`).
    pub fn is_insight(&self) -> bool {
        matches!(self, Shape::Pairs { insight: true, .. })
    }
}

/// Why a file is not an observations file (exit 1, nothing matched).
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The header row names neither shape's required columns.
    #[error(
        "the header row has neither {{SpoofedUser, SendingInfrastructure}} (pair rows) nor {{From}} (message rows); it has: {0}{hint}",
        hint = crate::read::columns::semicolon_hint(.0)
    )]
    UnknownColumns(String),
    /// Two columns of the header are one column to spoofctl (`From` and `from`).
    #[error(transparent)]
    SameColumn(#[from] SameColumn),
    /// The file has no header row.
    #[error("the file is empty: no header row")]
    Empty,
    /// The file cannot be decoded or read.
    #[error(transparent)]
    Encoding(#[from] crate::read::encoding::EncodingError),
    /// The CSV breaks off or a line is too long; the rest cannot be read.
    #[error("{}: {message}", stopped_after(*.row))]
    Broken {
        /// The last row read before reading stopped (0: the header could not be read).
        row: u64,
        /// What the CSV reader said.
        message: String,
    },
}

/// Finds the shape from a header row.
pub fn detect(header: Fields<'_>) -> Result<Shape, FileError> {
    let header = Header::new(header.iter().map(|name| String::from_utf8_lossy(name).into_owned()).collect());
    let find = |wanted: &[&str]| header.first_of(wanted);
    let spoofed = find(&["spoofeduser", "spoofedsender"])?;
    let infrastructure = find(&["sendinginfrastructure", "truesender", "infrastructure"])?;
    if let (Some(spoofed), Some(infrastructure)) = (spoofed, infrastructure) {
        return Ok(Shape::Pairs {
            spoofed,
            infrastructure,
            count: find(&["messagecount", "count"])?,
            spoof_type: find(&["spooftype"])?,
            sender_ip: find(&["senderip"])?,
            insight: find(&["lastseen"])?.is_some(),
        });
    }
    if let (Some(header_from), Some(ip)) = (find(&["headerfrom"])?, find(&["sourceipaddress"])?) {
        let dkim = match (find(&["dkimdomains"])?, find(&["dkimresults"])?) {
            (Some(domains), Some(results)) => Some((domains, results)),
            _ => None,
        };
        return Ok(Shape::Dmarc {
            header_from,
            ip,
            reverse_dns: find(&["sourcereversedns"])?,
            dkim,
            count: find(&["count"])?,
        });
    }
    if let Some(from) = find(&["from", "p2from", "headerfrom"])? {
        return Ok(Shape::Messages {
            from,
            ptr: find(&["ptr"])?,
            ip: find(&["ip", "cip", "connectingip"])?,
            dkim: find(&["dkim"])?,
        });
    }
    Err(FileError::UnknownColumns(header.written().join(", ")))
}

/// One usable row.
#[derive(Debug, Clone)]
pub struct Row {
    /// The row's number as a spreadsheet shows it: the header is row 1, a blank line takes a row, and a
    /// quoted field spanning lines is one row (so in an editor the line may be further down).
    pub row: u64,
    /// The message (or pair) the row describes.
    pub message: Message,
    /// How many messages it stands for.
    pub count: u64,
    /// Host buffers for DKIM domains, kept between rows.
    spare_hosts: Vec<Host>,
}

/// Rows are equal when their number, message and count are (not the buffers they keep for reuse).
impl PartialEq for Row {
    fn eq(&self, other: &Row) -> bool {
        (self.row, &self.message, self.count) == (other.row, &other.message, other.count)
    }
}

impl Eq for Row {}

impl Row {
    /// A row to parse into ([`Shape::parse`]).
    pub fn empty() -> Row {
        Row { row: 0, message: Message::from(Sender::empty()), count: 0, spare_hosts: Vec::new() }
    }
}

/// A row that could not be used, with its number and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The row's number (the header is row 1).
    pub row: u64,
    /// What is wrong.
    pub message: String,
}

/// What [`Reader::next_row`] read.
#[derive(Debug)]
pub enum NextRow<'a> {
    /// A usable row.
    Row(&'a Row),
    /// A row that cannot be used: it is skipped, and reading goes on.
    Skipped(RowError),
    /// The file cannot be read further (it breaks off, a record is too long, bad encoding): reading stops.
    Failed(FileError),
    /// The end of the file.
    End,
}

/// Reads observation rows one at a time.
pub struct Reader<R: Read> {
    records: Records<R>,
    shape: Shape,
    /// The input is a live feed: a batch does not wait for it.
    live: bool,
    /// The current row, parsed into the same buffers each time: no allocation per row.
    row: Row,
}

impl<R: Read> Reader<R> {
    /// Reads the header row and detects the shape.
    pub fn new(input: R) -> Result<Reader<R>, FileError> {
        let mut records = Records::new(input);
        match records.advance_to_header() {
            Ok(true) => {}
            Ok(false) => return Err(FileError::Empty),
            Err(e) => return Err(broken(&e, records.row())),
        }
        let shape = detect(records.record())?;
        Ok(Reader { records, shape, live: false, row: Row::empty() })
    }

    /// Marks the input as a live feed (a pipe, a terminal): [`Reader::read_batch`] ends a batch with the rows
    /// the input has given so far rather than wait for more to fill it, so that each row is matched as soon
    /// as it comes (`tail -f log.csv | spoofctl match --observations -`); and [`crate::engine::scan::scan`] reads it
    /// on a thread of its own, which it does not wait for when it stops while the feed is quiet.
    pub fn set_live(&mut self, live: bool) {
        self.live = live;
    }

    /// The input is a live feed ([`Reader::set_live`]).
    pub fn is_live(&self) -> bool {
        self.live
    }

    /// The detected shape.
    pub fn shape(&self) -> &Shape {
        &self.shape
    }

    /// Reads the next record that is not blank, returning its row number.
    fn next_record(&mut self) -> Option<Result<u64, FileError>> {
        loop {
            match self.records.advance() {
                Ok(false) => return None,
                Ok(true) if self.records.record().is_blank() => {}
                Ok(true) => return Some(Ok(self.records.row())),
                Err(e) => return Some(Err(broken(&e, self.records.row()))),
            }
        }
    }

    /// The next row, a row that cannot be used, the file error that stops reading, or the end. The row is
    /// lent: it is overwritten by the next call.
    pub fn next_row(&mut self) -> NextRow<'_> {
        let number = match self.next_record() {
            None => return NextRow::End,
            Some(Ok(number)) => number,
            Some(Err(e)) => return NextRow::Failed(e),
        };
        match self.shape.parse(self.records.record(), number, &mut self.row) {
            Ok(()) => NextRow::Row(&self.row),
            Err(e) => NextRow::Skipped(e),
        }
    }

    /// Reads records, unparsed, into `batch` (emptied first) until it holds `rows` records (at most
    /// [`Batch::ROWS`]) or [`Batch::BYTES`] bytes, field bounds included: the unit of work when rows are
    /// parsed and matched on other threads. `Ok(false)` at the end of the file. On a file error the batch
    /// holds the records read before it.
    pub fn read_batch(&mut self, batch: &mut Batch, rows: usize) -> Result<bool, FileError> {
        batch.clear();
        while batch.rows.len() < rows.min(Batch::ROWS) && batch.size() < Batch::BYTES {
            // Checked before every record, blank ones too: a live feed's rows go out before the next read.
            if self.live && !batch.is_empty() && self.records.is_drained() {
                break;
            }
            match self.records.advance() {
                Ok(false) => return Ok(false),
                Ok(true) if self.records.record().is_blank() => {}
                Ok(true) => batch.push(self.records.row(), self.records.record()),
                Err(e) => return Err(broken(&e, self.records.row())),
            }
        }
        Ok(true)
    }
}

/// Raw records with their row numbers, packed into a few buffers whose size is bounded whatever the
/// records hold ([`Batch::ROWS`] records, [`Batch::BYTES`] bytes plus one record, field bounds counted).
#[derive(Debug, Default)]
pub struct Batch {
    /// Every record's text, one after the other.
    bytes: Vec<u8>,
    /// Every record's field bounds, each in its record's text.
    bounds: Vec<(u32, u32)>,
    /// For each record: its row number, and where its text and its bounds end.
    rows: Vec<(u64, u32, u32)>,
}

impl Batch {
    /// Records in a batch, at most.
    pub const ROWS: usize = 8192;
    /// Bytes after which a batch takes no more records (a record is at most 1 MiB).
    pub const BYTES: usize = 256 * 1024;

    fn clear(&mut self) {
        // A batch that once held very long records (or records of very many fields) gives that memory back.
        if self.bytes.capacity() > 4 * Batch::BYTES {
            self.bytes = Vec::new();
        }
        if self.bounds.capacity() > Batch::BYTES / 2 {
            self.bounds = Vec::new();
        }
        self.bytes.clear();
        self.bounds.clear();
        self.rows.clear();
    }

    #[expect(
        clippy::cast_possible_truncation,
        reason = "a batch holds at most a few MiB of records and their bounds, far below u32::MAX"
    )]
    fn push(&mut self, number: u64, record: Fields<'_>) {
        self.bytes.extend_from_slice(record.text());
        self.bounds.extend_from_slice(record.bounds());
        // A batch holds less than 4 GiB: `BYTES` plus one record of at most 1 MiB.
        self.rows.push((number, self.bytes.len() as u32, self.bounds.len() as u32));
    }

    /// Bytes held: the records' and their bounds' (a record of a million empty fields is 8 MiB of bounds).
    fn size(&self) -> usize {
        self.bytes.len() + 8 * self.bounds.len()
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when the batch holds no record.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Each record, with its row number.
    pub fn records(&self) -> impl Iterator<Item = (u64, Fields<'_>)> {
        let (mut text_start, mut bounds_start) = (0, 0);
        self.rows.iter().map(move |&(number, text_end, bounds_end)| {
            let (text, bounds) = (text_start..text_end as usize, bounds_start..bounds_end as usize);
            (text_start, bounds_start) = (text.end, bounds.end);
            (number, Fields::new(&self.bytes[text], &self.bounds[bounds]))
        })
    }
}

fn broken(e: &std::io::Error, row: u64) -> FileError {
    FileError::Broken { row, message: e.to_string() }
}

/// Sets an optional host from an optional field, reusing the host's buffer.
fn set_host(slot: &mut Option<Host>, value: Option<&str>) -> Result<(), crate::model::diagnostic::ValueError> {
    match value {
        None => *slot = None,
        Some(v) => match slot {
            Some(h) => h.set(v)?,
            None => *slot = Some(Host::parse(v)?),
        },
    }
    Ok(())
}

/// DKIM host buffers kept for the next rows, at most.
const SPARE_HOSTS: usize = 16;

impl Shape {
    /// Parses `record`, row `number`, into `out` (reusing its buffers).
    pub fn parse(&self, record: Fields<'_>, number: u64, out: &mut Row) -> Result<(), RowError> {
        out.row = number;
        let row = number;
        let err = |message: String| RowError { row, message };
        // One UTF-8 check for the whole record; a field is then valid when it starts and ends on a character
        // boundary. A record with bad bytes is checked field by field, so that the message names the column.
        let text = record.text_utf8();
        let field = |i: usize, name: &str| -> Result<&str, RowError> {
            // An empty field is empty, even between the two halves of a character split across its neighbours.
            let Some(range) = record.range(i).filter(|r| !r.is_empty()) else { return Ok("") };
            let value = match text {
                Some(text) => text.get(range),
                None => std::str::from_utf8(&record.text()[range]).ok(),
            };
            value.map(trim).ok_or_else(|| err(format!("the {name} column is not valid UTF-8")))
        };
        let optional = |i: Option<usize>, name: &str| -> Result<Option<&str>, RowError> {
            Ok(match i {
                Some(i) => Some(field(i, name)?).filter(|v| !v.is_empty()),
                None => None,
            })
        };
        let m = &mut out.message;
        m.spoof_type = None;
        m.ptr_is_organizational = false;
        match *self {
            Shape::Pairs { spoofed, infrastructure, count, spoof_type, sender_ip, .. } => {
                m.from.set(field(spoofed, "spoofed user")?).map_err(|e| err(format!("spoofed user: {e}")))?;
                m.dkim_pass.clear();
                let infra = match field(infrastructure, "sending infrastructure")? {
                    "" => optional(sender_ip, "sender IP")?.unwrap_or_default(),
                    written => written,
                };
                if infra.is_empty() {
                    return Err(err(match sender_ip {
                        Some(_) => "both the sending infrastructure and the sender IP are empty".into(),
                        None => "the sending infrastructure is empty".into(),
                    }));
                }
                if Ipv4Slash24::looks_like_ip(infra) {
                    let ip = infra.split('/').next().unwrap_or(infra);
                    m.ip = Some(
                        ip.parse()
                            .map_err(|_| err(format!("sending infrastructure: `{infra}` is not an IP or /24")))?,
                    );
                    m.ptr = None;
                } else {
                    set_host(&mut m.ptr, Some(infra)).map_err(|e| err(format!("sending infrastructure: {e}")))?;
                    m.ptr_is_organizational = true;
                    m.ip = None;
                }
                m.spoof_type = optional(spoof_type, "spoof type")?
                    .map(|t| {
                        report_spoof_type(t).ok_or_else(|| {
                            err(format!("spoof type: `{t}` is not Internal, External, Intra-org or Cross-org"))
                        })
                    })
                    .transpose()?;
                out.count = message_count(optional(count, "message count")?).map_err(err)?;
            }
            Shape::Dmarc { header_from, ip, reverse_dns, dkim, count } => {
                let from = field(header_from, "header_from")?;
                // An address here would be a wrong column: the report names the From domain.
                match m.from.set(from) {
                    Ok(()) if m.from.address().is_none() => {}
                    Err(e) => return Err(err(format!("header_from: {e}"))),
                    Ok(()) => return Err(err(format!("header_from: `{from}` is an address, not a domain"))),
                }
                set_host(&mut m.ptr, optional(reverse_dns, "source_reverse_dns")?)
                    .map_err(|e| err(format!("source_reverse_dns: {e}")))?;
                let ip = field(ip, "source_ip_address")?;
                m.ip = Some(ip.parse().map_err(|_| err(format!("source_ip_address: `{ip}` is not an IP address")))?);
                m.dkim_pass.clear();
                if let Some((domains, results)) = dkim {
                    let (domains, results) = (field(domains, "dkim_domains")?, field(results, "dkim_results")?);
                    let results: Vec<&str> = results.split(',').map(str::trim).collect();
                    let domains = domains.split(',').map(str::trim).filter(|d| !d.is_empty());
                    for (i, domain) in domains.enumerate() {
                        if results.get(i).is_some_and(|r| r.eq_ignore_ascii_case("pass")) {
                            m.dkim_pass.push(Host::parse(domain).map_err(|e| err(format!("dkim_domains: {e}")))?);
                        }
                    }
                }
                out.count = message_count(optional(count, "count")?).map_err(err)?;
            }
            Shape::Messages { from, ptr, ip, dkim } => {
                let raw_from = field(from, "From")?;
                // A From without `@` reads as a bare domain, which a message row does not allow.
                match m.from.set(raw_from) {
                    Ok(()) if m.from.address().is_some() => {}
                    Err(e) if raw_from.contains('@') => return Err(err(format!("From: {e}"))),
                    _ => return Err(err(format!("From: `{raw_from}` is not an address"))),
                }
                set_host(&mut m.ptr, optional(ptr, "PTR")?).map_err(|e| err(format!("PTR: {e}")))?;
                m.ip = optional(ip, "IP")?
                    .map(|v| v.parse().map_err(|_| err(format!("IP: `{v}` is not an IP address"))))
                    .transpose()?;
                let domains = optional(dkim, "DKIM")?.unwrap_or_default();
                let (mut n, spare) = (0, &mut out.spare_hosts);
                let mut add = |d: &str| {
                    if m.dkim_pass.len() == n {
                        m.dkim_pass.push(spare.pop().unwrap_or_else(Host::empty));
                    }
                    n += 1;
                    m.dkim_pass[n - 1].set(d).map_err(|e| err(format!("DKIM: {e}")))
                };
                // Most rows name one domain or none: split only when there is white space (or non-ASCII
                // text, which may hold Unicode white space) inside.
                if domains.bytes().any(|b| b <= b' ' || b >= 0x80) {
                    domains.split_whitespace().try_for_each(add)?;
                } else if !domains.is_empty() {
                    add(domains)?;
                }
                // The hosts of longer rows are kept for the next, rather than freed and allocated again (a few:
                // a row of a million domains does not keep its memory).
                spare.extend(m.dkim_pass.drain(n..).take(SPARE_HOSTS.saturating_sub(spare.len())));
                if m.dkim_pass.capacity() > 4 * SPARE_HOSTS {
                    m.dkim_pass.shrink_to(SPARE_HOSTS);
                }
                out.count = 1;
            }
        }
        Ok(())
    }
}

/// A spoof type as the reports write it: `Internal` or `External` (Get-SpoofIntelligenceInsight), also
/// `intra-org` or `cross-org` (Get-SpoofMailReport: "Spoof Type is intra-org or Internal ... cross-org or
/// External"), in any case.
fn report_spoof_type(raw: &str) -> Option<SpoofType> {
    match raw.to_ascii_lowercase().as_str() {
        "intra-org" => Some(SpoofType::Internal),
        "cross-org" => Some(SpoofType::External),
        _ => SpoofType::parse_word(raw),
    }
}

/// A row's message count (thousands separators allowed); 1 without the column.
fn message_count(raw: Option<&str>) -> Result<u64, String> {
    match raw {
        Some(c) => c.replace([',', ' '], "").parse().map_err(|_| format!("message count: `{c}` is not a number")),
        None => Ok(1),
    }
}

/// `value` without white space around it; most values have none, and are returned without a look inside.
fn trim(value: &str) -> &str {
    let plain = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_graphic());
    if plain(value.as_bytes().first()) && plain(value.as_bytes().last()) { value } else { value.trim() }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each row of a small file of `header` and `rows`: `Ok((from, service pair, PTR, IP, passing DKIM, type,
    /// count))` or the skip message.
    fn read(header: &str, rows: &[&str]) -> (Shape, Vec<Result<String, String>>) {
        let text = format!("{header}\n{}\n", rows.join("\n"));
        let input = crate::read::encoding::utf8_reader(std::io::Cursor::new(text.into_bytes())).expect("readable");
        let mut reader = Reader::new(input).expect("header");
        let shape = reader.shape().clone();
        let mut out = Vec::new();
        loop {
            match reader.next_row() {
                NextRow::Row(r) => {
                    let m = &r.message;
                    let mut pair = String::new();
                    m.push_service_pair(&mut pair);
                    let dkim: Vec<&str> = m.dkim_pass.iter().map(Host::as_str).collect();
                    out.push(Ok(format!(
                        "{} | {pair} | ptr={} ip={} dkim={} | {:?} | {}",
                        m.from,
                        m.ptr.as_ref().map_or("-", Host::as_str),
                        m.ip.map_or("-".to_string(), |i| i.to_string()),
                        dkim.join(","),
                        m.spoof_type,
                        r.count
                    )))
                }
                NextRow::Skipped(e) => out.push(Err(e.message)),
                NextRow::Failed(e) => panic!("{e}"),
                NextRow::End => return (shape, out),
            }
        }
    }

    /// Get-SpoofMailReport: a blank True Sender takes the Sender IP (its /24); both spellings of each spoof
    /// type, in any case.
    #[test]
    fn spoof_mail_report_rows() {
        let (shape, rows) = read(
            "Date,Spoofed User,True Sender,Sender IP,Count,Spoof Type",
            &[
                "2026-11-20,gmail.com,tms.mx.com,,\"1,240\",Cross-org",
                "2026-11-20,ceo@contoso.com,,198.51.100.25,12,Intra-org",
                "2026-11-20,adatum.com,,192.0.2.7,3,INTERNAL",
                "2026-11-20,adatum.com,,,3,external",
                "2026-11-20,adatum.com,tms.mx.com,,3,inter-org",
            ],
        );
        assert!(matches!(shape, Shape::Pairs { sender_ip: Some(3), insight: false, .. }), "{shape:?}");
        let want: Vec<Result<String, String>> = vec![
            Ok("gmail.com | gmail.com via tms.mx.com | ptr=tms.mx.com ip=- dkim= | Some(External) | 1240".into()),
            Ok("ceo@contoso.com | contoso.com via 198.51.100.0/24 | ptr=- ip=198.51.100.25 dkim= | Some(Internal) | 12".into()),
            Ok("adatum.com | adatum.com via 192.0.2.0/24 | ptr=- ip=192.0.2.7 dkim= | Some(Internal) | 3".into()),
            Err("both the sending infrastructure and the sender IP are empty".into()),
            Err("spoof type: `inter-org` is not Internal, External, Intra-org or Cross-org".into()),
        ];
        assert_eq!(rows, want);
    }

    /// The insight's export is told apart by its `LastSeen` column.
    #[test]
    fn insight_is_told_apart() {
        let (shape, _) = read("SpoofedUser,SendingInfrastructure,MessageCount,LastSeen,SpoofType,Action", &[]);
        assert!(shape.is_insight());
        let (shape, _) = read("Spoofed User,True Sender,Count,Spoof Type", &[]);
        assert!(!shape.is_insight());
    }

    /// parsedmarc's aggregate CSV: the DKIM domains that passed, in step with their results; the reverse DNS as
    /// the PTR; `count` as the weight; a header_from that is an address or a bad source IP is refused.
    #[test]
    fn parsedmarc_rows() {
        let (shape, rows) = read(
            "source_ip_address,source_reverse_dns,count,header_from,dkim_domains,dkim_results",
            &[
                "192.0.2.40,mail.tms.mx.com,52,adatum.com,tms.mx.com,pass",
                "192.0.2.15,,30,litwareinc.com,\"sendgrid.net,xn--bcher-kva.example\",\"fail,pass\"",
                "192.0.2.16,,1,litwareinc.com,\"a.example,b.example\",pass",
                "192.0.2.17,,2,litwareinc.com,,",
                "not-an-ip,,1,adatum.com,,",
                "192.0.2.18,,1,someone@adatum.com,,",
            ],
        );
        assert_eq!(shape.describe(), "DMARC aggregate rows");
        let want: Vec<Result<String, String>> = vec![
            Ok("adatum.com | adatum.com via mx.com | ptr=mail.tms.mx.com ip=192.0.2.40 dkim=tms.mx.com | None | 52".into()),
            Ok("litwareinc.com | litwareinc.com via 192.0.2.0/24 | ptr=- ip=192.0.2.15 dkim=xn--bcher-kva.example | None | 30".into()),
            // A domain without a result of its own is not counted as passing.
            Ok("litwareinc.com | litwareinc.com via 192.0.2.0/24 | ptr=- ip=192.0.2.16 dkim=a.example | None | 1".into()),
            Ok("litwareinc.com | litwareinc.com via 192.0.2.0/24 | ptr=- ip=192.0.2.17 dkim= | None | 2".into()),
            Err("source_ip_address: `not-an-ip` is not an IP address".into()),
            Err("header_from: `someone@adatum.com` is an address, not a domain".into()),
        ];
        assert_eq!(rows, want);
    }

    /// An empty column between two columns that hold the halves of one character is empty, as it is read
    /// alone (a regression: one UTF-8 check for the whole record made it "not valid UTF-8").
    #[test]
    fn an_empty_field_inside_a_split_character_is_empty() {
        let text = b"From,Note,PTR,Extra\na@b.com,x\xC3,,\xA9y\n".to_vec();
        let mut reader = Reader::new(crate::read::encoding::utf8_reader(std::io::Cursor::new(text)).expect("readable"))
            .expect("header");
        let NextRow::Row(row) = reader.next_row() else { panic!("the row is usable") };
        assert_eq!(row.message.from.to_string(), "a@b.com");
        assert_eq!(row.message.ptr, None);
    }
}
