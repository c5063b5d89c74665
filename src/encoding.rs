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
/// a spreadsheet counts them ([`crate::records::Records`]). A record longer than [`MAX_LINE_BYTES`] is an error.
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

#[cfg(test)]
mod tests {
    use super::*;

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
