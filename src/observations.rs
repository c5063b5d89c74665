//! Observation files: CSV rows of observed pairs or messages, read as a stream of [`Message`]s.
//!
//! Two shapes, told apart by the header row (column names compare ignoring case, spaces, `_` and `-`; extra
//! columns are ignored; product spec, "Matching model"):
//! - pair rows, as the spoof intelligence insight exports them (`SpoofedUser, SendingInfrastructure,
//!   MessageCount, LastSeen, SpoofType, Action`; SPOOF-INTEL, CMDLETS Get-SpoofIntelligenceInsight) or
//!   `Get-SpoofMailReport` writes them (`Spoofed User`, `True Sender`, `Count`, `Spoof Type`; CMDLETS). The
//!   infrastructure is already an organizational domain or an IP (/24);
//! - message rows: `From, PTR, IP, DKIM` (DKIM: the passing domains, separated by spaces).
//!
//! Rows are read one at a time into a reused record: memory does not grow with the file.

use std::io::Read;
use std::net::IpAddr;

use csv::ByteRecord;

use crate::encoding::{RowNumbers, is_blank, is_type_line};
use crate::ipv4::Ipv4Slash24;
use crate::message::{Host, Message, Sender};
use crate::pair::{SpoofType, Word};

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
}

impl Shape {
    /// `pair rows` or `message rows`.
    pub fn describe(&self) -> &'static str {
        match self {
            Shape::Pairs { .. } => "pair rows",
            Shape::Messages { .. } => "message rows",
        }
    }
}

/// A column name compared ignoring case, spaces, `_` and `-`.
fn folded(name: &[u8]) -> String {
    String::from_utf8_lossy(name).chars().filter(|c| !matches!(c, ' ' | '_' | '-' | '\u{FEFF}')).flat_map(char::to_lowercase).collect()
}

/// Why a file is not an observations file (exit 1, nothing matched).
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The header row names neither shape's required columns.
    #[error("the header row has neither {{SpoofedUser, SendingInfrastructure}} (pair rows) nor {{From}} (message rows); it has: {0}")]
    UnknownColumns(String),
    /// The file has no header row.
    #[error("the file is empty: no header row")]
    Empty,
    /// The file cannot be decoded or read.
    #[error(transparent)]
    Encoding(#[from] crate::encoding::EncodingError),
    /// The CSV breaks off or a line is too long; the rest cannot be read.
    #[error("{}: {message}", if *.row == 0 { "in the header row".to_string() } else { format!("after row {}", .row) })]
    Broken {
        /// The last row read before reading stopped (0: the header could not be read).
        row: u64,
        /// What the CSV reader said.
        message: String,
    },
}

/// Finds the shape from a header row.
pub fn detect(header: &ByteRecord) -> Result<Shape, FileError> {
    let names: Vec<String> = header.iter().map(folded).collect();
    let find = |wanted: &[&str]| wanted.iter().find_map(|w| names.iter().position(|n| n == w));
    let spoofed = find(&["spoofeduser", "spoofedsender"]);
    let infrastructure = find(&["sendinginfrastructure", "truesender", "infrastructure"]);
    if let (Some(spoofed), Some(infrastructure)) = (spoofed, infrastructure) {
        return Ok(Shape::Pairs { spoofed, infrastructure, count: find(&["messagecount", "count"]), spoof_type: find(&["spooftype"]) });
    }
    if let Some(from) = find(&["from", "p2from", "headerfrom"]) {
        return Ok(Shape::Messages { from, ptr: find(&["ptr"]), ip: find(&["ip", "cip", "connectingip"]), dkim: find(&["dkim"]) });
    }
    let shown: Vec<String> = header.iter().map(|n| String::from_utf8_lossy(n).into_owned()).collect();
    Err(FileError::UnknownColumns(shown.join(", ")))
}

/// One usable row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The row's number as a spreadsheet shows it: the header is row 1, a blank line takes a row, and a
    /// quoted field spanning lines is one row (so in an editor the line may be further down).
    pub row: u64,
    /// The message (or pair) the row describes.
    pub message: Message,
    /// How many messages it stands for.
    pub count: u64,
}

/// A row that could not be used, with its number and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The row's number (the header is row 1).
    pub row: u64,
    /// What is wrong.
    pub message: String,
}

/// Reads observation rows one at a time.
pub struct Reader<R: Read> {
    csv: csv::Reader<R>,
    shape: Shape,
    record: ByteRecord,
    numbers: RowNumbers,
    /// The current row, parsed into the same buffers each time: no allocation per row.
    row: Row,
}

impl<R: Read> Reader<R> {
    /// Reads the header row and detects the shape.
    pub fn new(input: R) -> Result<Reader<R>, FileError> {
        let mut csv = csv::ReaderBuilder::new().buffer_capacity(64 * 1024).flexible(true).has_headers(false).from_reader(input);
        let mut header = ByteRecord::new();
        let (mut numbers, mut seen_content) = (RowNumbers::default(), false);
        loop {
            match csv.read_byte_record(&mut header) {
                Ok(false) => return Err(FileError::Empty),
                Ok(true) => {
                    numbers.row(&csv, &header);
                    if is_blank(&header) {
                        continue;
                    }
                    // Windows PowerShell's `Export-Csv` writes a `#TYPE` line above the header.
                    if std::mem::replace(&mut seen_content, true) || !is_type_line(&header) {
                        break;
                    }
                }
                Err(e) => return Err(broken(&e, numbers.current())),
            }
        }
        let shape = detect(&header)?;
        let row = Row { row: 0, message: Message::from(Sender::parse("x@x.invalid").map_err(|_| FileError::Empty)?), count: 0 };
        Ok(Reader { csv, shape, record: ByteRecord::new(), numbers, row })
    }

    /// The detected shape.
    pub fn shape(&self) -> &Shape {
        &self.shape
    }

    /// The next row: `None` at the end; a file error stops reading; a row error skips that row. The row is
    /// lent: it is overwritten by the next call.
    pub fn next_row(&mut self) -> Option<Result<Result<&Row, RowError>, FileError>> {
        loop {
            match self.csv.read_byte_record(&mut self.record) {
                Ok(false) => return None,
                Ok(true) => {
                    let row = self.numbers.row(&self.csv, &self.record);
                    if is_blank(&self.record) {
                        continue;
                    }
                    self.row.row = row;
                    return Some(Ok(parse_row(&self.shape, &self.record, &mut self.row).map(|()| &self.row)));
                }
                Err(e) => return Some(Err(broken(&e, self.numbers.current()))),
            }
        }
    }
}

fn broken(e: &csv::Error, row: u64) -> FileError {
    let message = match e.kind() {
        csv::ErrorKind::Io(io) => io.to_string(),
        other => format!("{other:?}"),
    };
    FileError::Broken { row, message }
}

/// Sets an optional host from an optional field, reusing the host's buffer.
fn set_host(slot: &mut Option<Host>, value: Option<&str>) -> Result<(), crate::diagnostic::ValueError> {
    match value {
        None => *slot = None,
        Some(v) => match slot {
            Some(h) => h.set(v)?,
            None => *slot = Some(Host::parse(v)?),
        },
    }
    Ok(())
}

fn parse_row(shape: &Shape, record: &ByteRecord, out: &mut Row) -> Result<(), RowError> {
    let row = out.row;
    let err = |message: String| RowError { row, message };
    let field = |i: usize, name: &str| -> Result<&str, RowError> {
        let bytes = record.get(i).unwrap_or_default();
        std::str::from_utf8(bytes).map(str::trim).map_err(|_| err(format!("the {name} column is not valid UTF-8")))
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
    match *shape {
        Shape::Pairs { spoofed, infrastructure, count, spoof_type } => {
            m.from.set(field(spoofed, "spoofed user")?).map_err(|e| err(format!("spoofed user: {e}")))?;
            m.dkim_pass.clear();
            let infra = field(infrastructure, "sending infrastructure")?;
            if infra.is_empty() {
                return Err(err("the sending infrastructure is empty".into()));
            }
            if Ipv4Slash24::looks_like_ip(infra) {
                let ip = infra.split('/').next().unwrap_or(infra);
                m.ip = Some(ip.parse().map_err(|_| err(format!("sending infrastructure: `{infra}` is not an IP or /24")))?);
                m.ptr = None;
            } else {
                set_host(&mut m.ptr, Some(infra)).map_err(|e| err(format!("sending infrastructure: {e}")))?;
                m.ptr_is_organizational = true;
                m.ip = None;
            }
            m.spoof_type = optional(spoof_type, "spoof type")?
                .map(|t| SpoofType::parse_word(t).ok_or_else(|| err(format!("spoof type: `{t}` is not Internal or External"))))
                .transpose()?;
            out.count = match optional(count, "message count")? {
                Some(c) => c.replace([',', ' '], "").parse().map_err(|_| err(format!("message count: `{c}` is not a number")))?,
                None => 1,
            };
        }
        Shape::Messages { from, ptr, ip, dkim } => {
            let raw_from = field(from, "From")?;
            if !raw_from.contains('@') {
                return Err(err(format!("From: `{raw_from}` is not an address")));
            }
            m.from.set(raw_from).map_err(|e| err(format!("From: {e}")))?;
            set_host(&mut m.ptr, optional(ptr, "PTR")?).map_err(|e| err(format!("PTR: {e}")))?;
            m.ip =
                optional(ip, "IP")?.map(|v| v.parse::<IpAddr>().map_err(|_| err(format!("IP: `{v}` is not an IP address")))).transpose()?;
            let mut n = 0;
            for d in optional(dkim, "DKIM")?.unwrap_or_default().split_whitespace() {
                match m.dkim_pass.get_mut(n) {
                    Some(h) => h.set(d),
                    None => Host::parse(d).map(|h| m.dkim_pass.push(h)),
                }
                .map_err(|e| err(format!("DKIM: {e}")))?;
                n += 1;
            }
            m.dkim_pass.truncate(n);
            out.count = 1;
        }
    }
    Ok(())
}
