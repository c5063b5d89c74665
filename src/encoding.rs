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

/// Wraps a reader so that it yields UTF-8 (unbuffered on top: the CSV reader buffers): a UTF-16 BOM (LE or
/// BE) means transcoding; a UTF-8 BOM is dropped; without a BOM the bytes pass through, and invalid UTF-8 is
/// left for the caller to report with its row. Line ends come out as LF whatever the file used (CRLF, or a
/// lone CR as old Mac tools write), and the last line always ends with one, so that rows can be counted as
/// a spreadsheet counts them ([`RowNumbers`]). A record longer than [`MAX_LINE_BYTES`] is an error.
pub fn utf8_reader<R: Read + Send + 'static>(inner: R) -> Result<Box<dyn Read + Send>, EncodingError> {
    let mut inner = BufReader::with_capacity(64 * 1024, inner);
    let head = inner.fill_buf()?;
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        let decoded = DecodeReaderBytesBuilder::new().bom_sniffing(true).strip_bom(true).build(inner);
        return Ok(Box::new(Lines::new(decoded)));
    }
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        inner.consume(3);
    } else if looks_like_utf16(head) {
        return Err(EncodingError::Utf16WithoutBom);
    }
    Ok(Box::new(Lines::new(inner)))
}

/// UTF-16 text of mostly ASCII characters has a NUL in every other byte.
fn looks_like_utf16(head: &[u8]) -> bool {
    let sample = &head[..head.len().min(256)];
    sample.len() >= 4 && sample.iter().filter(|b| **b == 0).count() * 4 >= sample.len()
}

/// Line ends made LF, a final LF added, and records bounded in length.
///
/// Quotes are followed as the csv crate reads them (RFC 4180): a `"` opens a quoted field only at the start
/// of a field; inside one, `""` is a quote and a lone `"` closes it. A line end inside a quoted field does
/// not end the record. Only the bytes `"`, CR and LF are looked at one by one; the rest is copied in runs.
struct Lines<R> {
    inner: R,
    /// Bytes of the current record so far.
    since_newline: usize,
    quoted: bool,
    /// The previous chunk ended with a `"` inside a quoted field: the next byte says whether it was `""`.
    quote_pending: bool,
    /// The previous chunk ended with a CR (written as LF): an LF starting this chunk is its other half.
    cr_pending: bool,
    /// The last byte handed out (`\n` at the start, so that the first field starts a line).
    last: u8,
    /// The final LF has been handed out, or was not needed.
    finished: bool,
}

impl<R> Lines<R> {
    fn new(inner: R) -> Lines<R> {
        Lines { inner, since_newline: 0, quoted: false, quote_pending: false, cr_pending: false, last: b'\n', finished: false }
    }

    /// A line end outside quotes: the record is complete.
    fn record_end(&mut self, record_bytes: usize) -> io::Result<()> {
        if self.since_newline + record_bytes > MAX_LINE_BYTES {
            return Err(too_long());
        }
        self.since_newline = 0;
        Ok(())
    }
}

impl<R: Read> Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        if n == 0 {
            // The end: a last line without a line end gets one.
            if self.finished || self.last == b'\n' {
                self.finished = true;
                return Ok(0);
            }
            self.finished = true;
            self.last = b'\n';
            buf[0] = b'\n';
            return Ok(1);
        }
        // Bytes are only ever dropped (the LF of a CRLF), so the write position `w` never passes the read
        // position `r`, and the chunk is rewritten in place.
        let (mut r, mut w, mut record_start) = (0, 0, 0);
        if std::mem::take(&mut self.cr_pending) && buf[0] == b'\n' {
            r = 1;
        }
        if std::mem::take(&mut self.quote_pending) && r < n {
            if buf[r] == b'"' {
                buf[w] = b'"';
                (r, w) = (r + 1, w + 1);
            } else {
                self.quoted = false;
            }
        }
        while r < n {
            let Some(at) = memchr::memchr3(b'"', b'\r', b'\n', &buf[r..n]).map(|i| r + i) else {
                buf.copy_within(r..n, w);
                w += n - r;
                break;
            };
            buf.copy_within(r..at, w);
            w += at - r;
            let previous = if w > 0 { buf[w - 1] } else { self.last };
            match buf[at] {
                b'"' => {
                    buf[w] = b'"';
                    w += 1;
                    r = at + 1;
                    if !self.quoted {
                        // Only at the start of a field; elsewhere a quote is a character (`Bob 5" <b@x>`).
                        self.quoted = previous == b',' || previous == b'\n';
                    } else if r == n {
                        self.quote_pending = true;
                    } else if buf[r] == b'"' {
                        buf[w] = b'"';
                        (r, w) = (r + 1, w + 1);
                    } else {
                        self.quoted = false;
                    }
                }
                end => {
                    buf[w] = b'\n';
                    w += 1;
                    r = at + 1;
                    if end == b'\r' {
                        if r == n {
                            self.cr_pending = true;
                        } else if buf[r] == b'\n' {
                            r += 1;
                        }
                    }
                    if !self.quoted {
                        self.record_end(w - record_start)?;
                        record_start = w;
                    }
                }
            }
        }
        self.since_newline += w - record_start;
        if self.since_newline > MAX_LINE_BYTES {
            return Err(too_long());
        }
        if w > 0 {
            self.last = buf[w - 1];
        }
        if w == 0 {
            // Everything in this chunk was dropped (a lone LF after a CR): read on rather than signal the end.
            return self.read(buf);
        }
        Ok(w)
    }
}

fn too_long() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("a record is longer than {} MiB", MAX_LINE_BYTES / 1024 / 1024))
}

/// A record with nothing but white space in its fields: a blank row, skipped wherever it is.
pub fn is_blank(record: &csv::ByteRecord) -> bool {
    record.as_slice().iter().all(u8::is_ascii_whitespace)
}

/// The `#TYPE ...` line that Windows PowerShell 5.1's `Export-Csv` writes above the header (without
/// `-NoTypeInformation`).
pub fn is_type_line(record: &csv::ByteRecord) -> bool {
    record.get(0).is_some_and(|f| f.trim_ascii_start().starts_with(b"#TYPE"))
}

/// Numbers CSV records as a spreadsheet numbers its rows: a blank line (which the csv crate skips) still
/// takes a row, and a quoted field that spans lines is one row.
///
/// The csv crate's own record positions do not help: a record after blank lines gets the line of the first
/// blank one. The reader's position after each record is right, so a record's row is the previous row plus
/// the lines read since, less the line breaks inside its fields. It counts LF only: read through
/// [`utf8_reader`], which makes every line end LF and ends the last line.
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
    /// The row of the last record counted (0 before the first).
    pub fn current(&self) -> u64 {
        self.row
    }

    /// The row of `record`, just read by `reader`; call it once for each record, in order.
    pub fn row<R: Read>(&mut self, reader: &csv::Reader<R>, record: &csv::ByteRecord) -> u64 {
        let after = reader.position().line();
        // A record read in one line holds no line break: only longer reads are counted (most records are one
        // line, and this runs for every row of large files).
        let embedded =
            if after.saturating_sub(self.line) == 1 { 0 } else { record.as_slice().iter().filter(|b| **b == b'\n').count() as u64 };
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
            ("no line break at the end, after blank lines", "h\na\n\nb", &[1, 2, 4]),
            ("CRLF, no line break at the end, after blank lines", "h\r\n\r\nb", &[1, 3]),
            ("lone CR", "h\ra\r\r\rb\r", &[1, 2, 5]),
            ("lone CR first", "\r\rh\ra\r", &[3, 4]),
            ("lone CR, a field across lines", "h\r\"x\ry\"\r\rb\r", &[1, 2, 4]),
            ("CR CR LF", "h\r\r\na\r\r\n", &[1, 3]),
            ("a stray quote", "h\nBob 5\" <b@x.com>\na\nb\n", &[1, 2, 3, 4]),
            ("an escaped quote", "h\n\"a \"\"b\"\" c\"\nd\n", &[1, 2, 3]),
        ];
        for (name, text, expected) in cases {
            let input = utf8_reader(std::io::Cursor::new(text.as_bytes().to_vec())).expect("readable");
            let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(input);
            let (mut numbers, mut record, mut rows) = (RowNumbers::default(), csv::ByteRecord::new(), Vec::new());
            while reader.read_byte_record(&mut record).expect("csv") {
                rows.push(numbers.row(&reader, &record));
            }
            assert_eq!(rows, *expected, "{name}");
        }
    }

    /// Every chunk boundary, byte by byte: the output is the same whatever the reads' sizes.
    #[test]
    fn chunk_boundaries_change_nothing() {
        struct Trickle(Vec<u8>, usize);
        impl Read for Trickle {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.1.min(buf.len()).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0.drain(..n);
                Ok(n)
            }
        }
        let text = b"h,\"q\"\"\r\nx\",z\r\r\n\"a\"\"\",b\rBob 5\" <b>\r\n\n\"\"\"\"\nlast".to_vec();
        let whole = {
            let mut out = Vec::new();
            Lines::new(&text[..]).read_to_end(&mut out).expect("read");
            out
        };
        assert_eq!(whole, b"h,\"q\"\"\nx\",z\n\n\"a\"\"\",b\nBob 5\" <b>\n\n\"\"\"\"\nlast\n");
        for size in 1..8 {
            let mut out = Vec::new();
            Lines::new(Trickle(text.clone(), size)).read_to_end(&mut out).expect("read");
            assert_eq!(out, whole, "reads of {size} bytes");
        }
    }

    /// A stray quote in an unquoted field does not make the rest of the file one record.
    #[test]
    fn a_stray_quote_is_a_character() {
        let mut text = String::from("From,PTR\nBob 5\" <b@adatum.com>,x\n");
        for _ in 0..40_000 {
            text.push_str("user@adatum.com,mail.tms.mx.com\n");
        }
        let mut out = Vec::new();
        utf8_reader(std::io::Cursor::new(text.into_bytes())).expect("readable").read_to_end(&mut out).expect("no record over 1 MiB");
    }
}
