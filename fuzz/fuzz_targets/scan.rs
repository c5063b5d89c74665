//! Observation files matched on threads (`spoofctl::scan`, what `match --observations` runs) against the
//! same file read row by row: the same counts, busiest pairs, row errors and file error, never a panic.
#![no_main]

use std::io::Cursor;
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use spoofctl::check::{Checked, check};
use spoofctl::date::Date;
use spoofctl::encoding::utf8_reader;
use spoofctl::matcher::Matcher;
use spoofctl::observations::{NextRow, Reader};
use spoofctl::render::observations::CsvRows;
use spoofctl::scan::{Matching, match_rows};
use spoofctl::tally::Tally;

static LIST: LazyLock<Checked> = LazyLock::new(|| {
    let text = "version: 1\naccepted-domains: [contoso.com]\nentries:\n  - {spoofed: gmail.com, infrastructure: tms.mx.com, action: allow}\n  - {spoofed: \"*\", infrastructure: 203.0.113.0/24, type: external, action: block}\n";
    check(Path::new("fuzz.yaml"), text, Date::parse("2026-11-22").expect("date"))
});

type Summary = (Vec<(u64, u64, u64)>, Vec<(String, u64, u64)>);

fn summary(tally: &Tally) -> Summary {
    let counts = [tally.allow, tally.block, tally.none].iter().map(|c| (c.rows, c.messages, 0)).collect();
    let busiest = tally.busiest_uncovered(usize::MAX).into_iter().map(|p| (p.pair, p.messages, p.overcount)).collect();
    (counts, busiest)
}

fuzz_target!(|data: &[u8]| {
    let matcher = Matcher::new(&LIST.list);
    let open = || utf8_reader(Cursor::new(data.to_vec())).ok().and_then(|input| Reader::new(input).ok());
    let Some(mut reader) = open() else { return };
    let (mut tally, mut scratch, mut errors, mut failure) = (Tally::default(), Vec::new(), Vec::new(), None);
    loop {
        match reader.next_row() {
            NextRow::Row(row) => {
                let outcome = matcher.evaluate_with(&row.message, &mut scratch, false);
                tally.add(&row.message, row.count, &outcome.verdict);
            }
            NextRow::Skipped(e) => errors.push((e.row, e.message)),
            NextRow::Failed(e) => {
                failure = Some(e.to_string());
                break;
            }
            NextRow::End => break,
        }
    }
    let Some(reader) = open() else { panic!("the file opened once and not twice") };
    let mut scanned_errors = Vec::new();
    let matching = Matching { matchers: std::slice::from_ref(&matcher), output: CsvRows };
    let (scanned, tallies) = match_rows(reader, &matching, 2, |batch| {
        scanned_errors.extend(batch.errors.iter().map(|e| (e.row, e.message.clone())));
        ControlFlow::Continue(())
    });
    assert_eq!(summary(&tallies[0]), summary(&tally));
    assert_eq!(scanned_errors, errors);
    assert_eq!(scanned.failure.map(|e| e.to_string()), failure);
});
