//! spoofctl reads CSV records itself (fields split where their commas, quotes and line ends are; records it
//! cannot split go to csv-core). This checks it against the csv crate, which spoofctl used to read with: for
//! any input, the same records with the same fields, in the same order; the same rows whatever size the
//! reads come in; and as many rows as an independent model of the quoting rules counts.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

use std::io::Read;

use proptest::prelude::*;
use spoofctl::encoding::utf8_reader;
use spoofctl::records::Records;

/// Hands out at most `size` bytes a read, as a pipe may.
struct Trickle(Vec<u8>, usize);

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.1.min(buf.len()).min(self.0.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0.drain(..n);
        Ok(n)
    }
}

/// The records that are not blank, with their rows, field by field, as spoofctl reads them.
fn ours(text: &[u8], size: usize) -> Vec<(u64, Vec<Vec<u8>>)> {
    let mut records = Records::new(utf8_reader(Trickle(text.to_vec(), size)).expect("readable"));
    let mut out = Vec::new();
    while records.advance().expect("read") {
        let record = records.record();
        if !record.is_blank() {
            out.push((records.row(), record.iter().map(<[u8]>::to_vec).collect()));
        }
    }
    out
}

/// How many records (blank lines included) spoofctl reads: the last one's row.
fn rows_read(text: &[u8]) -> u64 {
    let mut records = Records::new(utf8_reader(std::io::Cursor::new(text.to_vec())).expect("readable"));
    while records.advance().expect("read") {}
    records.row()
}

/// How many records a spreadsheet sees, found independently of the reader: csv-core's quoting rules (a quote
/// opens a field only at its start; inside, `""` is a quote and a lone `"` closes it, after which the field
/// goes on unquoted), one record for each LF, CR or CRLF outside quotes, and one for what follows the last.
fn rows_by_model(text: &[u8]) -> u64 {
    #[derive(PartialEq)]
    enum State {
        FieldStart,
        Field,
        Quoted,
        QuoteInQuoted,
    }
    let (mut state, mut rows, mut open_record, mut i) = (State::FieldStart, 0, false, 0);
    while i < text.len() {
        let b = text[i];
        match state {
            State::Quoted if b == b'"' => state = State::QuoteInQuoted,
            State::Quoted => {}
            State::QuoteInQuoted if b == b'"' => state = State::Quoted,
            // A lone quote closed the field: this byte is read as in an unquoted field.
            State::QuoteInQuoted => {
                state = State::Field;
                continue;
            }
            State::FieldStart | State::Field => match b {
                b'"' if state == State::FieldStart => state = State::Quoted,
                b',' => state = State::FieldStart,
                b'\n' | b'\r' => {
                    (rows, state, open_record) = (rows + 1, State::FieldStart, false);
                    if b == b'\r' && text.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    i += 1;
                    continue;
                }
                _ => state = State::Field,
            },
        }
        open_record = true;
        i += 1;
    }
    rows + u64::from(open_record)
}

fn fields(records: Vec<(u64, Vec<Vec<u8>>)>) -> Vec<Vec<Vec<u8>>> {
    records.into_iter().map(|(_, fields)| fields).collect()
}

/// The same, as the csv crate reads them (flexible records, no header), from the same decoded stream.
fn csv_crate(text: &[u8]) -> Vec<Vec<Vec<u8>>> {
    let input = utf8_reader(std::io::Cursor::new(text.to_vec())).expect("readable");
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(input);
    let mut record = csv::ByteRecord::new();
    let mut out = Vec::new();
    while reader.read_byte_record(&mut record).expect("read") {
        if !record.as_slice().iter().all(u8::is_ascii_whitespace) {
            out.push(record.iter().map(<[u8]>::to_vec).collect());
        }
    }
    out
}

/// Text from the bytes that matter to CSV (and a few that do not), so that quotes, commas and line ends
/// meet in every order.
fn text() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop::sample::select(vec![
        &b"a"[..],
        b"bc",
        b",",
        b",",
        b"\"",
        b"\"",
        b"\"\"",
        b"\n",
        b"\r\n",
        b"\r",
        b" ",
        b"\t",
        b"\xC3\xA9",
        b"\xFF",
        b"\xEF\xBB\xBF",
        b"user@contoso.com",
    ]);
    // A byte first, so that the file does not start with a BOM (the csv crate drops a second one there).
    prop::collection::vec(piece, 0..60).prop_map(|pieces| [b"x", &pieces.concat()[..]].concat())
}

/// Well-formed files as `Export-Csv` and other tools write them: each field quoted or not, quoted ones
/// holding commas, doubled quotes and line ends now and then; LF, CRLF or CR after each record.
fn file() -> impl Strategy<Value = Vec<u8>> {
    let value = prop::sample::select(vec![
        "",
        "a",
        "gmail.com",
        "mail.tms.mx.com",
        "203.0.113.5",
        "a,b",
        "5\"\" x",
        "x\ny",
        "x\r\ny",
        " sp ",
    ]);
    let field = (value, any::<bool>()).prop_map(|(v, quoted)| {
        // A value with a comma, quote or line end must be quoted to be a field of its own.
        if quoted || v.contains([',', '"', '\n', '\r']) { format!("\"{v}\"") } else { v.replace("\"\"", "\"") }
    });
    let record = (prop::collection::vec(field, 1..6), prop::sample::select(vec!["\n", "\r\n", "\r"]));
    prop::collection::vec(record, 1..40).prop_map(|records| {
        records.into_iter().flat_map(|(fields, end)| (fields.join(",") + end).into_bytes()).collect()
    })
}

/// Same records and fields as the csv crate, the same rows whatever size the reads come in (a CRLF may be
/// split between two reads), and as many rows as the model counts.
fn same_as_the_csv_crate(text: &[u8], size: usize) -> Result<(), TestCaseError> {
    let whole = ours(text, usize::MAX);
    prop_assert_eq!(ours(text, size), whole.clone());
    prop_assert_eq!(fields(whole), csv_crate(text));
    prop_assert_eq!(rows_read(text), rows_by_model(text));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Any text of the bytes that matter to CSV.
    #[test]
    fn records_are_the_csv_crates(text in text(), size in 1usize..9) {
        same_as_the_csv_crate(&text, size)?;
    }

    /// Well-formed files, whose quoted fields are mostly read without csv-core.
    #[test]
    fn quoted_files_are_the_csv_crates(text in file(), size in 1usize..9) {
        same_as_the_csv_crate(&text, size)?;
    }
}

/// Long files: records across the read buffer's edge, with and without quotes.
#[test]
fn records_across_the_buffer_edge_are_the_csv_crates() {
    let mut text = b"From,PTR,IP\n".to_vec();
    for i in 0..20_000 {
        match i % 7 {
            0 => text.extend_from_slice(format!("\"u{i}@a.com\",\"x\n{i}\",1\n").as_bytes()),
            1 => text.extend_from_slice(format!("\"u{i}@a.com\",\"mail{i}.contoso.com\",\"10.0.0.1\"\r\n").as_bytes()),
            2 => text.extend_from_slice(format!("\"u{i}@a.com\",\"a \"\"{i}\"\"\",\r").as_bytes()),
            3 => text.extend_from_slice(b"\n"),
            _ => {
                text.extend_from_slice(format!("u{i}@contoso.com,mail{i}.contoso.com,10.0.0.{}\n", i % 256).as_bytes())
            }
        }
    }
    let want = csv_crate(&text);
    assert_eq!(want.len(), 1 + 20_000 - 20_000 / 7);
    for size in [usize::MAX, 4096, 4093] {
        assert_eq!(fields(ours(&text, size)), want, "reads of {size} bytes");
    }
}
