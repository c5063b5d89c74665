//! CSV records (RFC 4180, as the csv crate reads them), numbered as a spreadsheet numbers its rows.
//!
//! Read from what [`crate::read::encoding::utf8_reader`] yields (UTF-8, no BOM). A line ends with LF, CRLF or a
//! lone CR (as old Mac tools write); every line end outside quotes ends a record, so a record's row is the
//! previous row plus one: a blank line takes a row (it reads as one empty field, which [`Fields::is_blank`]
//! tells), and a quoted field that spans lines is one row. A record longer than [`MAX_LINE_BYTES`] is an
//! error, so memory stays bounded whatever the file holds.
//!
//! `tests/records.rs` compares the fields with the csv crate's on generated files, and the rows across reads of
//! every size; the unit tests below hold a table of rows.

use std::io::{self, Read};

use csv_core::ReadRecordResult;

use crate::read::encoding::MAX_LINE_BYTES;

/// The read buffer's first size; it grows only for a record longer than it.
const BUFFER: usize = 64 * 1024;

/// Reads CSV records one at a time into reused buffers.
///
/// Splitting records where they lie (csv-core takes those with quotes inside a field) saves a sixth of matching's
/// instructions (BENCHMARKS.md).
pub struct Records<R> {
    input: R,
    buf: Vec<u8>,
    /// Unread bytes are `buf[pos..filled]`.
    pos: usize,
    filled: usize,
    eof: bool,
    /// A record could not be read: there is no next one.
    failed: bool,
    /// The previous record ended with a CR: an LF right after it is the rest of its line end.
    cr_pending: bool,
    /// The parser for records with quotes.
    core: csv_core::Reader,
    /// The fields of a record with quotes, decoded, one after the other.
    decoded: Vec<u8>,
    ends: Vec<usize>,
    /// Where the current record's text is.
    text: Text,
    /// The current record's fields, as ranges of its text.
    bounds: Vec<(u32, u32)>,
    row: u64,
}

impl<R: Read> Records<R> {
    /// Records read from `input` (UTF-8, as [`crate::read::encoding::utf8_reader`] yields it).
    pub fn new(input: R) -> Records<R> {
        let mut core = csv_core::ReaderBuilder::new().build();
        // The parser drops a UTF-8 BOM from the first input it is given; `utf8_reader` has already dropped
        // the file's, and one at the start of a later record is text. A first call with no room for output
        // reads nothing (it returns `OutputFull`) but counts as a read. (Empty input would mean the end.)
        let _ = core.read_record(b"\n", &mut [], &mut []);
        Records {
            input,
            buf: vec![0; BUFFER],
            pos: 0,
            filled: 0,
            eof: false,
            failed: false,
            cr_pending: false,
            core,
            decoded: vec![0; 1024],
            ends: vec![0; 16],
            text: Text::Read(0, 0),
            bounds: Vec::new(),
            row: 0,
        }
    }

    /// Reads the next record: `Ok(false)` at the end. Blank lines are records too ([`Fields::is_blank`]).
    /// After an error (a record over [`MAX_LINE_BYTES`], a failed read) there is no next record.
    pub fn advance(&mut self) -> io::Result<bool> {
        if self.failed {
            return Ok(false);
        }
        let read = self.read_record();
        self.failed = read.is_err();
        read
    }

    #[expect(
        clippy::cast_possible_truncation,
        reason = "a record is at most MAX_LINE_BYTES (1 MiB) long, so every offset fits in u32"
    )]
    fn read_record(&mut self) -> io::Result<bool> {
        self.bounds.clear();
        if self.bounds.capacity() > BUFFER {
            // A record of very many fields went before: its memory is given back.
            self.bounds.shrink_to(16);
        }
        if std::mem::take(&mut self.cr_pending)
            && (self.pos < self.filled || self.fill()?)
            && self.buf[self.pos] == b'\n'
        {
            self.pos += 1;
        }
        // How far past `pos` the bytes have been looked at, and where the current field starts: a long
        // record read in pieces is not searched again from its start.
        let (mut searched, mut from) = (0, 0);
        loop {
            match self.scan(&mut searched, &mut from) {
                Scan::Line(len) => {
                    if len > MAX_LINE_BYTES {
                        return Err(too_long());
                    }
                    self.text = Text::Read(self.pos, self.pos + len);
                    let cr = self.buf[self.pos + len] == b'\r';
                    self.pos += len + 1;
                    if cr {
                        self.after_cr();
                    }
                    break;
                }
                Scan::Quote => {
                    self.decode()?;
                    break;
                }
                Scan::More if searched > MAX_LINE_BYTES => return Err(too_long()),
                Scan::More if self.fill()? => {}
                // The end; a last line without a line end is still a record.
                Scan::More if self.pos == self.filled => return Ok(false),
                Scan::More => {
                    let len = self.filled - self.pos;
                    self.text = Text::Read(self.pos, self.filled);
                    self.bounds.push((from, len as u32));
                    self.pos = self.filled;
                    break;
                }
            }
        }
        self.row += 1;
        Ok(true)
    }

    /// Reads up to the header row, which is then [`Records::record`]: blank lines are skipped, and so is the
    /// `#TYPE ...` line that Windows PowerShell 5.1's `Export-Csv` writes above the header (without
    /// `-NoTypeInformation`). `Ok(false)` when the input ends first.
    pub fn advance_to_header(&mut self) -> io::Result<bool> {
        let mut first = true;
        while self.advance()? {
            let record = self.record();
            if record.is_blank() {
                continue;
            }
            if !(std::mem::replace(&mut first, false) && record.is_type_line()) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// True when every byte read so far is in the records read so far (line ends included): the next record
    /// needs a read of the input (which, on a live feed, waits for the feed).
    pub fn is_drained(&self) -> bool {
        self.pos == self.filled
    }

    /// The current record's row: the first line is row 1, and each record takes one.
    pub fn row(&self) -> u64 {
        self.row
    }

    /// The current record.
    pub fn record(&self) -> Fields<'_> {
        let text = match self.text {
            Text::Read(start, end) => &self.buf[start..end],
            Text::Decoded(len) => &self.decoded[..len],
        };
        Fields::new(text, &self.bounds)
    }

    /// Looks at the unread bytes from `pos + searched` for the record's end, noting each field in `bounds`
    /// (`from`: where the current field starts), until a line end (every field noted), a record for
    /// csv-core, or the end of the bytes read so far.
    ///
    /// A field that is quoted whole (`"..."` right between commas, holding no quote and no line end, as
    /// `Export-Csv` writes every field) is read here too, as the text between its quotes. Anything else
    /// with a quote goes to csv-core: a doubled quote, a quote inside a field, text after a closing quote,
    /// a line end inside quotes, or quotes still open where the bytes read so far end.
    #[expect(
        clippy::cast_possible_truncation,
        reason = "a record is at most MAX_LINE_BYTES (1 MiB) long, so every offset fits in u32"
    )]
    fn scan(&mut self, searched: &mut usize, from: &mut u32) -> Scan {
        let (line, bounds) = (&self.buf[self.pos..self.filled], &mut self.bounds);
        // Where the open quote is, while a field is inside quotes; where its closing quote is, until the
        // comma or line end that must follow it at once.
        let (mut open, mut closed) = (None::<u32>, None::<u32>);
        // A record is at most `MAX_LINE_BYTES` (1 MiB), so its offsets fit in `u32`.
        let mut hit = |i: usize| {
            let (b, i) = (line[i], i as u32);
            if open.is_some() {
                return match b {
                    b'"' => {
                        (open, closed) = (None, Some(i));
                        None
                    }
                    b',' => None,
                    _ => Some(Scan::Quote),
                };
            }
            let field = match closed.take() {
                Some(close) if i == close + 1 && b != b'"' => (*from + 1, close),
                Some(_) => return Some(Scan::Quote),
                None => (*from, i),
            };
            match b {
                b',' => {
                    bounds.push(field);
                    *from = i + 1;
                    None
                }
                b'"' if i == *from => {
                    open = Some(i);
                    None
                }
                b'"' => Some(Scan::Quote),
                _ => {
                    bounds.push(field);
                    Some(Scan::Line(i as usize))
                }
            }
        };
        // Eight bytes at a time: a record is a few dozen bytes with a few commas, too short for memchr's
        // vector loops to pay for their setup.
        let mut at = *searched;
        while let Some(word) = line.get(at..at + 8) {
            let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
            // The four bytes looked for are below `-`, and host names and addresses are mostly letters, digits,
            // dots and `-`: most words are passed over after one test.
            if !any_byte_below(word, b'-') {
                at += 8;
                continue;
            }
            let mut hits =
                bytes_equal(word, b',') | bytes_equal(word, b'\n') | bytes_equal(word, b'"') | bytes_equal(word, b'\r');
            while hits != 0 {
                if let Some(scan) = hit(at + hits.trailing_zeros() as usize / 8) {
                    return scan;
                }
                hits &= hits - 1;
            }
            at += 8;
        }
        for (i, &b) in line.iter().enumerate().skip(at) {
            if matches!(b, b',' | b'\n' | b'"' | b'\r')
                && let Some(scan) = hit(i)
            {
                return scan;
            }
        }
        // A quoted field is not carried over a read: csv-core takes the record.
        if open.is_some() || closed.is_some() {
            return Scan::Quote;
        }
        *searched = line.len();
        Scan::More
    }

    /// Decodes the record at `pos`, which has a quote before its line end, with csv-core.
    #[expect(
        clippy::cast_possible_truncation,
        reason = "a record is at most MAX_LINE_BYTES (1 MiB) long, so every offset fits in u32"
    )]
    fn decode(&mut self) -> io::Result<()> {
        if self.decoded.len() > BUFFER || self.ends.len() > BUFFER {
            // A long quoted record (or one of very many fields) went before: its memory is given back.
            (self.decoded, self.ends) = (vec![0; 1024], vec![0; 16]);
        }
        let (mut out, mut fields, mut consumed) = (0, 0, 0);
        loop {
            let (result, read, written, ended) = self.core.read_record(
                &self.buf[self.pos..self.filled],
                &mut self.decoded[out..],
                &mut self.ends[fields..],
            );
            (self.pos, out, fields, consumed) = (self.pos + read, out + written, fields + ended, consumed + read);
            match result {
                ReadRecordResult::InputEmpty if consumed > MAX_LINE_BYTES => return Err(too_long()),
                // Nothing left to give it means the end of the file, which ends the record.
                ReadRecordResult::InputEmpty => {
                    self.fill()?;
                }
                ReadRecordResult::OutputFull => self.decoded.resize(2 * self.decoded.len(), 0),
                ReadRecordResult::OutputEndsFull => self.ends.resize(2 * self.ends.len(), 0),
                // `End` only comes from empty input at the start of a record, and a record given to csv-core
                // has a quote: it is not reached.
                ReadRecordResult::Record | ReadRecordResult::End => break,
            }
        }
        // The record and the CR or LF that csv-core takes with it (it leaves the LF of a CRLF).
        if consumed > MAX_LINE_BYTES + 1 {
            return Err(too_long());
        }
        // csv-core leaves the LF of a CRLF for its next record; this reader's next record starts after it.
        if self.pos > 0 && self.buf[self.pos - 1] == b'\r' {
            self.after_cr();
        }
        self.text = Text::Decoded(out);
        self.bounds.clear();
        let mut from = 0;
        for &end in &self.ends[..fields] {
            self.bounds.push((from as u32, end as u32));
            from = end;
        }
        if fields == 0 {
            self.bounds.push((0, 0));
        }
        Ok(())
    }

    /// A record ended with a CR: the LF right after it, if any, is the rest of its line end. Taken now when
    /// it has been read (so that a live feed's record is not held back for it), else at the next record.
    fn after_cr(&mut self) {
        match self.buf[self.pos..self.filled].first() {
            Some(b'\n') => self.pos += 1,
            Some(_) => {}
            None => self.cr_pending = true,
        }
    }

    /// Reads more input after the unread bytes (moved to the front; the buffer doubles when they fill it).
    /// `Ok(false)` at the end of the input.
    fn fill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        self.buf.copy_within(self.pos..self.filled, 0);
        (self.filled, self.pos) = (self.filled - self.pos, 0);
        if self.filled == self.buf.len() {
            self.buf.resize(2 * self.buf.len(), 0);
        } else if self.buf.len() > BUFFER && self.filled < BUFFER / 2 {
            // The buffer grew for a long record that is now read: it gives that memory back.
            self.buf.truncate(BUFFER);
            self.buf.shrink_to_fit();
        }
        loop {
            match self.input.read(&mut self.buf[self.filled..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.filled += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// Where reading stopped, for a message: `in the header row` when no row was read, else `after row N`.
pub fn stopped_after(row: u64) -> String {
    if row == 0 { "in the header row".to_string() } else { format!("after row {row}") }
}

/// A column name as headers are compared: ignoring case, spaces, `_`, `-` and a BOM.
pub fn folded_name(name: &str) -> String {
    name.chars().filter(|c| !matches!(c, ' ' | '_' | '-' | '\u{FEFF}')).flat_map(char::to_lowercase).collect()
}

fn too_long() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("a record is longer than {} MiB", MAX_LINE_BYTES / 1024 / 1024))
}

/// Where a record's text is.
enum Text {
    /// `buf[start..end]`: the line as read (quotes of fields quoted whole included; the bounds leave them out).
    Read(usize, usize),
    /// The first bytes of `decoded`: the fields of a record csv-core decoded.
    Decoded(usize),
}

/// What [`Records::scan`] found.
enum Scan {
    /// A line end (LF or CR), this many bytes after `pos`.
    Line(usize),
    /// A record for csv-core (a quote the scan does not read itself).
    Quote,
    /// Neither, in the bytes read so far.
    More,
}

/// True when a byte of `word` is below `limit` (at most 128): exact as a whole, though the bits it computes
/// do not say which byte.
fn any_byte_below(word: u64, limit: u8) -> bool {
    word.wrapping_sub(ONES * u64::from(limit)) & !word & (ONES * 0x80) != 0
}

/// A one in every byte: times a byte, that byte in every byte.
const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bit of each byte of `word` that is `byte` (exact: no borrow runs from one byte to the next).
fn bytes_equal(word: u64, byte: u8) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let x = word ^ (u64::from(byte) * ONES);
    // A byte's high bit ends up clear only when the byte was zero, i.e. `byte` before the xor.
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// One record: its text and where each field is in it. For a record split in place, the text is the line
/// itself, commas and quotes included (the bounds leave them out); for one csv-core decoded, its decoded
/// fields one after the other.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    text: &'a [u8],
    bounds: &'a [(u32, u32)],
}

impl<'a> Fields<'a> {
    /// A record from its parts: `bounds` are each field's start and end in `text` (see [`Fields::range`]).
    pub fn new(text: &'a [u8], bounds: &'a [(u32, u32)]) -> Fields<'a> {
        Fields { text, bounds }
    }

    /// The text, when it is all UTF-8.
    pub fn text_utf8(&self) -> Option<&'a str> {
        std::str::from_utf8(self.text).ok()
    }

    /// The bytes the fields are ranges of.
    pub fn text(&self) -> &'a [u8] {
        self.text
    }

    /// The bounds of every field in [`Fields::text`].
    pub(crate) fn bounds(&self) -> &'a [(u32, u32)] {
        self.bounds
    }

    /// Where field `i` is in [`Fields::text`].
    pub fn range(&self, i: usize) -> Option<std::ops::Range<usize>> {
        self.bounds.get(i).map(|&(start, end)| start as usize..end as usize)
    }

    /// Field `i`.
    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        self.range(i).map(|r| &self.text[r])
    }

    /// The number of fields (a blank line has one).
    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    /// True when the record has no field (never: a blank line has one empty field).
    pub fn is_empty(&self) -> bool {
        self.bounds.is_empty()
    }

    /// The fields in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.bounds.iter().map(|&(start, end)| &self.text[start as usize..end as usize])
    }

    /// Nothing but white space in its fields: a blank row, skipped wherever it is.
    pub fn is_blank(&self) -> bool {
        self.iter().all(|f| f.iter().all(u8::is_ascii_whitespace))
    }

    /// The `#TYPE ...` line that Windows PowerShell 5.1's `Export-Csv` writes above the header.
    pub fn is_type_line(&self) -> bool {
        self.get(0).is_some_and(|f| f.trim_ascii_start().starts_with(b"#TYPE"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::encoding::utf8_reader;

    fn rows(text: &[u8]) -> Vec<(u64, Vec<String>)> {
        let mut records = Records::new(utf8_reader(std::io::Cursor::new(text.to_vec())).expect("readable"));
        let mut out = Vec::new();
        while records.advance().expect("read") {
            let record = records.record();
            if !record.is_blank() {
                out.push((records.row(), record.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect()));
            }
        }
        out
    }

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
            ("a quoted last field without a line end", "h\n\"a", &[1, 2]),
        ];
        for (name, text, expected) in cases {
            let got: Vec<u64> = rows(text.as_bytes()).into_iter().map(|(row, _)| row).collect();
            assert_eq!(got, *expected, "{name}");
        }
    }

    /// Fields as the csv crate reads them, with and without quotes.
    #[test]
    fn fields_with_and_without_quotes() {
        let text = b",a,,\n\"x,\"\"y\"\"\",z\nBob 5\" <b>,c\n\"q\"r,\"\"\n   \n,,\n\xEF\xBB\xBFbom,\"\xEF\xBB\xBF\"\n";
        let got = rows(text);
        let want: Vec<(u64, Vec<&str>)> = vec![
            (1, vec!["", "a", "", ""]),
            (2, vec!["x,\"y\"", "z"]),
            (3, vec!["Bob 5\" <b>", "c"]),
            (4, vec!["qr", ""]),
            (7, vec!["\u{FEFF}bom", "\u{FEFF}"]),
        ];
        let want: Vec<(u64, Vec<String>)> =
            want.into_iter().map(|(r, f)| (r, f.into_iter().map(String::from).collect())).collect();
        assert_eq!(got, want);
    }

    /// The word tests agree with byte-by-byte ones, on every byte value in every place.
    #[test]
    fn word_tests_are_exact() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for i in 0..200_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Random words, and words of one chosen byte among random ones.
            let word =
                if i % 2 == 0 { x } else { (x & !(0xFF << (8 * (i % 8)))) | (((i / 16) % 256) << (8 * (i % 8))) };
            let bytes = word.to_le_bytes();
            for target in [b',', b'\n', b'"', b'\r', 0, 0x80, 0xFF] {
                let want: u64 =
                    bytes.iter().enumerate().filter(|(_, b)| **b == target).map(|(i, _)| 0x80 << (8 * i)).sum();
                assert_eq!(bytes_equal(word, target), want, "{word:#x} {target}");
            }
            for limit in [b'-', 1, 0x80] {
                assert_eq!(any_byte_below(word, limit), bytes.iter().any(|b| *b < limit), "{word:#x} {limit}");
            }
        }
    }

    /// A stray quote in an unquoted field does not make the rest of the file one record.
    #[test]
    fn a_stray_quote_is_a_character() {
        let mut text = String::from("From,PTR\nBob 5\" <b@adatum.com>,x\n");
        for _ in 0..40_000 {
            text.push_str("user@adatum.com,mail.tms.mx.com\n");
        }
        assert_eq!(rows(text.as_bytes()).len(), 40_002);
    }

    /// A record longer than [`MAX_LINE_BYTES`] is an error, with or without quotes, also in a file whose
    /// other records are short; one just under is read.
    #[test]
    fn records_over_the_limit_are_errors() {
        let read_all = |text: Vec<u8>| -> io::Result<usize> {
            let mut records = Records::new(std::io::Cursor::new(text));
            let mut n = 0;
            while records.advance()? {
                n += 1;
            }
            Ok(n)
        };
        let x = |n: usize| "x".repeat(n);
        // Quoted: the quotes count, as they are in the file.
        let (under, quoted_under) = (x(MAX_LINE_BYTES), format!("\"{}\"", x(MAX_LINE_BYTES - 2)));
        let (over, quoted_over) = (x(MAX_LINE_BYTES + 1), format!("\"{}\"", x(MAX_LINE_BYTES - 1)));
        for end in ["\n", "\r\n", "\r"] {
            for record in [&under, &quoted_under] {
                assert_eq!(read_all(format!("h{end}{record}{end}last{end}").into_bytes()).expect("under the limit"), 3);
            }
            for text in [
                format!("h{end}{over}{end}last{end}"),
                format!("h{end}{quoted_over}{end}last{end}"),
                format!("h{end}{over}"),
            ] {
                let e = read_all(text.into_bytes()).expect_err("over the limit");
                assert_eq!(e.to_string(), "a record is longer than 1 MiB");
            }
        }
        let e = read_all(format!("h\n\"{over}").into_bytes()).expect_err("over the limit, quotes left open");
        assert_eq!(e.to_string(), "a record is longer than 1 MiB");
    }

    /// After an error there is no next record: the reader does not go on inside the record it refused.
    #[test]
    fn nothing_is_read_after_an_error() {
        for text in [
            format!("h\n{}\nlast\n", "x".repeat(MAX_LINE_BYTES + 1)),
            format!("h\n\"{}\"\nlast\n", "x".repeat(MAX_LINE_BYTES)),
        ] {
            let mut records = Records::new(std::io::Cursor::new(text.into_bytes()));
            assert!(records.advance().expect("the header"));
            assert!(records.advance().is_err());
            assert!(!records.advance().expect("no error again"), "a record after the error");
        }
    }

    /// A record longer than the read buffer, with and without quotes, is read whole.
    #[test]
    fn records_longer_than_the_buffer() {
        let long = "x".repeat(3 * BUFFER);
        let text = format!("h\n{long},1\n\"{long}\",2\nlast\n");
        let got = rows(text.as_bytes());
        assert_eq!(got.len(), 4);
        assert_eq!(got[1], (2, vec![long.clone(), "1".to_string()]));
        assert_eq!(got[2], (3, vec![long, "2".to_string()]));
        assert_eq!(got[3], (4, vec!["last".to_string()]));
    }
}
