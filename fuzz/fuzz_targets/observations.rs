//! Observation files: every row read and matched against a small list, with the tally, never a panic.
#![no_main]

use std::io::Cursor;
use std::path::Path;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use spoofctl::check::{Checked, check};
use spoofctl::date::Date;
use spoofctl::encoding::utf8_reader;
use spoofctl::matcher::Matcher;
use spoofctl::observations::{NextRow, Reader};
use spoofctl::tally::Tally;

static LIST: LazyLock<Checked> = LazyLock::new(|| {
    let text = "version: 1\naccepted-domains: [contoso.com]\nentries:\n  - {spoofed: gmail.com, infrastructure: tms.mx.com, action: allow}\n  - {spoofed: \"*\", infrastructure: 203.0.113.0/24, type: external, action: block}\n";
    check(Path::new("fuzz.yaml"), text, Date::parse("2026-11-22").expect("date"))
});

fuzz_target!(|data: &[u8]| {
    let matcher = Matcher::new(&LIST.list);
    let Ok(input) = utf8_reader(Cursor::new(data.to_vec())) else { return };
    let Ok(mut reader) = Reader::new(input) else { return };
    let (mut tally, mut scratch) = (Tally::default(), Vec::new());
    loop {
        match reader.next_row() {
            NextRow::Row(row) => {
                let outcome = matcher.evaluate_with(&row.message, &mut scratch, true);
                tally.add(&row.message, row.count, &outcome.verdict);
            }
            NextRow::Skipped(_) => {}
            NextRow::Failed(_) | NextRow::End => break,
        }
    }
    let _ = tally.busiest_uncovered(10);
});
