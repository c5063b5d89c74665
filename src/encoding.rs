//! Reading files that Windows tools wrote: UTF-8 with or without a BOM, UTF-16LE/BE with a BOM (Windows
//! PowerShell 5.1's `Out-File` and `>`), as one UTF-8 byte stream. The stream itself holds no more than a
//! buffer; readers decide how much they keep (observations keep one record, exports are read whole and
//! capped at 16 MiB).

use std::io::{self, BufRead, BufReader, Read};

use encoding_rs_io::DecodeReaderBytesBuilder;

/// Why a file's encoding cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum EncodingError {
    /// NUL bytes between ASCII characters and no BOM: UTF-16 whose byte order cannot be known for sure.
    #[error("the file looks like UTF-16 without a byte-order mark; save it as UTF-8 (or UTF-16 with a BOM)")]
    Utf16WithoutBom,
    /// Reading failed.
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// The longest record read, in bytes: a row of a spoof export is a few hundred bytes; a longer one is a
/// broken or hostile file, and refusing it keeps memory bounded. A record is a line, or several lines when
/// a quoted CSV field holds newlines.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// Wraps a reader so that it yields UTF-8 (unbuffered on top: the CSV reader buffers): a UTF-16 BOM (LE or BE) means transcoding; a UTF-8 BOM is
/// dropped; without a BOM the bytes pass through untouched, and invalid UTF-8 is left for the caller to
/// report with its row. A line longer than [`MAX_LINE_BYTES`] is an error.
pub fn utf8_reader<R: Read + 'static>(inner: R) -> Result<Box<dyn Read>, EncodingError> {
    let mut inner = BufReader::with_capacity(64 * 1024, inner);
    let head = inner.fill_buf()?;
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        let decoded = DecodeReaderBytesBuilder::new().bom_sniffing(true).strip_bom(true).build(inner);
        return Ok(Box::new(LineLimit { inner: decoded, since_newline: 0, in_quotes: false }));
    }
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        inner.consume(3);
    } else if looks_like_utf16(head) {
        return Err(EncodingError::Utf16WithoutBom);
    }
    Ok(Box::new(LineLimit { inner, since_newline: 0, in_quotes: false }))
}

/// UTF-16 text of mostly ASCII characters has a NUL in every other byte.
fn looks_like_utf16(head: &[u8]) -> bool {
    let sample = &head[..head.len().min(256)];
    sample.len() >= 4 && sample.iter().filter(|b| **b == 0).count() * 4 >= sample.len()
}

struct LineLimit<R> {
    inner: R,
    since_newline: usize,
    in_quotes: bool,
}

impl<R: Read> Read for LineLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let chunk = &buf[..n];
        // Newlines end a record only outside double quotes (RFC 4180): a quoted field with many newlines
        // is one long record. An escaped quote (`""`) flips the state twice and changes nothing.
        let mut start = 0;
        for at in memchr::memchr2_iter(b'\n', b'"', chunk) {
            if chunk[at] == b'"' {
                self.in_quotes = !self.in_quotes;
                continue;
            }
            if self.in_quotes {
                continue;
            }
            if self.since_newline + (at - start) > MAX_LINE_BYTES {
                return Err(too_long());
            }
            start = at + 1;
            self.since_newline = 0;
        }
        self.since_newline += n - start;
        if self.since_newline > MAX_LINE_BYTES {
            return Err(too_long());
        }
        Ok(n)
    }
}

fn too_long() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("a record is longer than {} MiB", MAX_LINE_BYTES / 1024 / 1024))
}

/// Numbers CSV records as a spreadsheet numbers its rows: a blank line (which the csv crate skips) still
/// takes a row, and a quoted field that spans lines is one row.
///
/// The csv crate's own record positions do not help: a record after blank lines gets the line of the first
/// blank one. The reader's position after each record is right, so a record's row is the previous row plus
/// the lines read since, less the line breaks inside its fields. One case stays off by one: a last record
/// with no line break at its end, after blank lines (it is numbered one row early).
#[derive(Debug)]
pub struct RowNumbers {
    row: u64,
    /// The reader's line after the previous record.
    line: u64,
}

impl Default for RowNumbers {
    fn default() -> RowNumbers {
        RowNumbers { row: 0, line: 1 }
    }
}

impl RowNumbers {
    /// The row of `record`, just read by `reader`; call it once for each record, in order.
    pub fn row<R: Read>(&mut self, reader: &csv::Reader<R>, record: &csv::ByteRecord) -> u64 {
        let after = reader.position().line();
        let embedded = memchr::memchr_iter(b'\n', record.as_slice()).count() as u64;
        // At least the record's own lines: a last record without a line break does not move the reader's line.
        let lines = after.saturating_sub(self.line).max(1 + embedded);
        self.line = after;
        self.row += lines - embedded;
        self.row
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The row of each record, as a spreadsheet shows it.
    #[test]
    fn rows_as_a_spreadsheet_numbers_them() {
        let cases: &[(&str, &str, &[u64])] = &[
            ("plain", "h\na\nb\n", &[1, 2, 3]),
            ("blank lines", "h\n\na\n\n\nb\n", &[1, 3, 6]),
            ("blank lines first", "\n\nh\na\n", &[3, 4]),
            ("a field across lines", "h\n\"x\ny\"\nb\n", &[1, 2, 3]),
            ("a field across lines after a blank line", "h\n\n\"x\ny\"\n\nb\n", &[1, 3, 5]),
            ("CRLF", "h\r\n\r\na\r\nb\r\n", &[1, 3, 4]),
            ("CRLF, a field across lines", "h\r\n\"x\r\ny\"\r\n\r\nb\r\n", &[1, 2, 4]),
            ("no line break at the end", "h\na\nb", &[1, 2, 3]),
        ];
        for (name, text, expected) in cases {
            let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
            let (mut numbers, mut record, mut rows) = (RowNumbers::default(), csv::ByteRecord::new(), Vec::new());
            while reader.read_byte_record(&mut record).expect("csv") {
                rows.push(numbers.row(&reader, &record));
            }
            assert_eq!(rows, *expected, "{name}");
        }
    }
}
