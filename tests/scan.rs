//! Matching an observations file on several threads gives what reading it one row at a time gives: the same
//! counts, the same busiest uncovered pairs (evictions included), the same row errors in the same order, the
//! same CSV and JSON bytes, and the same file error, whatever the number of workers. The reference itself
//! checks the pair invariant on every row of every file: an allow names an entry whose both sides match.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

mod common;

use std::io::{Cursor, Write as _};
use std::ops::ControlFlow;
use std::path::Path;

use common::Rng;

use spoofctl::diagnostic::Span;
use spoofctl::encoding::utf8_reader;
use spoofctl::entry::{Entry, Metadata, TenantList};
use spoofctl::matcher::{Matcher, Verdict};
use spoofctl::observations::{Batch, NextRow, Reader, Shape};
use spoofctl::pair::{Action, Rule, Side, SpoofType};
use spoofctl::render::observations::{CsvRows, JsonDocument, JsonRows, Run, row_csv, row_json};
use spoofctl::scan::{Matching, NoRows, RowWriter, match_rows};
use spoofctl::tally::{Kind, Tally};

/// A list naming some of the names the files use: allows and blocks, a `*` block, a range.
fn list(seed: u64, name: &str) -> TenantList {
    let mut rng = Rng(seed);
    let mut entries = Vec::new();
    for i in 0..40 {
        let k = rng.below(60);
        let spoofed = match i {
            0 => "*".to_string(),
            _ if i % 7 == 0 => format!("u{k}@s{k}.example"),
            _ => format!("s{k}.example"),
        };
        let j = rng.below(60);
        let infrastructure = if i % 5 == 4 { format!("11.0.{j}.0/24") } else { format!("relay{j}.example") };
        let action = if i % 4 == 0 || spoofed == "*" { Action::Block } else { Action::Allow };
        let Ok(rule) = Rule::new(
            action,
            Side::parse_spoofed(&spoofed).expect("spoofed"),
            Side::parse_infrastructure(&infrastructure).expect("infrastructure"),
        ) else {
            continue;
        };
        let spoof_type = if i % 9 == 0 { SpoofType::Internal } else { SpoofType::External };
        entries.push(Entry::new(rule, spoof_type, Metadata::default(), Span::new(i + 1, 5)));
    }
    TenantList::new(Path::new(name), Vec::new(), entries)
}

/// An observations file of `rows` rows: message rows or pair rows, with bad rows, blank lines, quoted fields
/// across lines, CRLF, and (when `broken`) a record too long to read at the end. Names come from a pool
/// bigger than the tally keeps, so that evictions happen.
fn file(rng: &mut Rng, rows: usize, pairs: bool, broken: bool) -> Vec<u8> {
    file_with(rng, rows, pairs, broken, true)
}

/// [`file`], with bytes that are never UTF-8 only when `bad_bytes` (without them, the only rows that are not
/// UTF-8 are the halves of a character split between two records).
fn file_with(rng: &mut Rng, rows: usize, pairs: bool, broken: bool, bad_bytes: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let end = if rng.below(2) == 0 { "\n" } else { "\r\n" };
    let header = if pairs { "SpoofedUser,SendingInfrastructure,MessageCount,SpoofType" } else { "From,PTR,IP,DKIM" };
    write!(out, "{header}{end}").expect("write");
    for _ in 0..rows {
        let k = if rng.below(2) == 0 { rng.below(60) } else { rng.below(5_000) };
        let j = if rng.below(2) == 0 { rng.below(60) } else { rng.below(5_000) };
        let pick = rng.below(40);
        if pick == 4 {
            // A character split between two records: the two together are UTF-8, neither record is.
            write!(out, "u{k}@s{k}.example,mail.relay{j}.example").expect("write");
            out.push(0xC3);
            write!(out, "{end}").expect("write");
            out.push(0xA9);
            write!(out, "u{j}@s{j}.example,mail.relay{k}.example{end}").expect("write");
            continue;
        }
        if pick == 6 && bad_bytes {
            // A byte that is never UTF-8.
            write!(out, "u{k}@s{k}.example,mail.relay{j}.example").expect("write");
            out.push(0xFF);
            write!(out, "{end}").expect("write");
            continue;
        }
        let line = match pick {
            0 => String::new(),
            5 => format!("u{k}@s{k}.example,mail.bücher{j}.example,,"),
            1 if pairs => format!("s{k}.example,relay{j}.example,many,External"),
            1 => format!("nobody-at-s{k}.example,mail.relay{j}.example,11.0.{}.1,", j % 256),
            2 if !pairs => format!("u{k}@s{k}.example,mail.relay{j}.example,10.0.300.1,"),
            3 if !pairs => format!("u{k}@s{k}.example,mail.relay{j}.example,,\"s{k}.example{end}relay{j}.example\""),
            _ if pairs => {
                let infra =
                    if rng.below(3) == 0 { format!("11.0.{}.0/24", j % 256) } else { format!("relay{j}.example") };
                let kind = ["External", "Internal", ""][rng.below(3) as usize];
                format!("s{k}.example,{infra},{},{kind}", 1 + rng.below(500))
            }
            _ => {
                let dkim = if rng.below(3) == 0 { format!("s{k}.example") } else { String::new() };
                format!("u{k}@S{k}.example,mail.relay{j}.example,11.0.{}.{},{dkim}", j % 256, rng.below(256))
            }
        };
        write!(out, "{line}{end}").expect("write");
    }
    if broken {
        out.extend(std::iter::repeat_n(b'x', spoofctl::encoding::MAX_LINE_BYTES + 10));
        out.extend_from_slice(end.as_bytes());
        out.extend_from_slice(b"u1@s1.example,mail.relay1.example,11.0.1.1,\n");
    }
    out
}

fn reader(bytes: &[u8]) -> Reader<Box<dyn std::io::Read + Send>> {
    Reader::new(utf8_reader(Cursor::new(bytes.to_vec())).expect("readable")).expect("header")
}

/// Rows and messages for allow, block, none and partly.
type Counts = Vec<u64>;
/// Each busiest uncovered pair: its text, messages and overcount.
type Busiest = Vec<(String, u64, u64)>;

/// Everything a scan reports, comparable.
#[derive(Debug, PartialEq)]
struct Result {
    counts: Vec<Counts>,
    busiest: Vec<Busiest>,
    errors: Vec<(u64, String)>,
    output: Vec<u8>,
    failure: Option<String>,
}

fn summary(tallies: &[Tally]) -> (Vec<Counts>, Vec<Busiest>) {
    let counts = tallies
        .iter()
        .map(|t| {
            let counts = [t.allow, t.block, t.none, t.partly];
            counts.iter().flat_map(|c| [c.rows, c.messages]).collect()
        })
        .collect();
    let busiest = tallies
        .iter()
        .map(|t| t.busiest_uncovered(usize::MAX).into_iter().map(|p| (p.pair, p.messages, p.overcount)).collect())
        .collect();
    (counts, busiest)
}

/// What is written for each row and list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowOutput {
    Nothing,
    Csv,
    Json,
}

/// One row at a time, as before there were threads: the reference. JSON rows are written as the document
/// holds them: each on a line of its own, after a comma but for the first.
fn row_by_row(bytes: &[u8], matchers: &[Matcher<'_>], output: RowOutput) -> Result {
    let mut reader = reader(bytes);
    let pair_rows = matches!(reader.shape(), Shape::Pairs { .. });
    let (mut tallies, mut scratch) = (vec![Tally::default(); matchers.len()], Vec::new());
    let (mut errors, mut out, mut failure) = (Vec::new(), Vec::new(), None);
    let mut csv = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    loop {
        let row = match reader.next_row() {
            NextRow::Row(row) => row,
            NextRow::Skipped(e) => {
                errors.push((e.row, e.message));
                continue;
            }
            NextRow::Failed(e) => {
                failure = Some(e.to_string());
                break;
            }
            NextRow::End => break,
        };
        for (matcher, tally) in matchers.iter().zip(&mut tallies) {
            let outcome = matcher.evaluate_with(&row.message, &mut scratch, false);
            if let Verdict::Allow(d) = &outcome.verdict {
                let sides = common::naive_sides(d.entry(), &row.message);
                assert_eq!(sides, (true, true), "row {}: an allow without both sides", row.row);
            }
            tally.add(&row.message, row.count, Kind::of_outcome(&outcome));
            match output {
                RowOutput::Csv => {
                    csv.write_record(row_csv(row, &outcome, pair_rows).iter().map(|cell| cell.as_bytes())).expect("csv")
                }
                RowOutput::Json => {
                    let comma = if out.is_empty() { "" } else { "," };
                    write!(out, "{comma}\n{}", row_json(row, &outcome, pair_rows)).expect("json")
                }
                RowOutput::Nothing => {}
            }
        }
    }
    if output == RowOutput::Csv {
        out = csv.into_inner().expect("csv");
    }
    let (counts, busiest) = summary(&tallies);
    Result { counts, busiest, errors, output: out, failure }
}

fn scanned(bytes: &[u8], matchers: &[Matcher<'_>], output: RowOutput, workers: usize) -> Result {
    match output {
        RowOutput::Nothing => scanned_with(bytes, matchers, NoRows, workers, |_, ()| ()),
        RowOutput::Csv => scanned_with(bytes, matchers, CsvRows, workers, |out, rows| out.extend(rows.into_bytes())),
        RowOutput::Json => {
            // The head goes to a buffer of its own: only the rows are compared.
            let mut document = JsonDocument::start(&mut Vec::new(), "observations.csv").expect("memory");
            scanned_with(bytes, matchers, JsonRows, workers, |out, rows| document.rows(out, &rows).expect("memory"))
        }
    }
}

fn scanned_with<W: RowWriter>(
    bytes: &[u8],
    matchers: &[Matcher<'_>],
    output: W,
    workers: usize,
    mut write: impl FnMut(&mut Vec<u8>, W::Rows) + Send,
) -> Result {
    let (mut errors, mut out, mut records) = (Vec::new(), Vec::new(), 0);
    let (scanned, tallies) = match_rows(reader(bytes), &Matching { matchers, output }, workers, |batch| {
        assert!(batch.records >= records, "records go up");
        records = batch.records;
        errors.extend(batch.errors.iter().map(|e| (e.row, e.message.clone())));
        write(&mut out, batch.results);
        ControlFlow::Continue(())
    });
    assert!(!scanned.stopped);
    assert_eq!(scanned.skipped, errors.len() as u64);
    let (counts, busiest) = summary(&tallies);
    Result { counts, busiest, errors, output: out, failure: scanned.failure.map(|e| e.to_string()) }
}

#[test]
fn scanning_on_threads_gives_what_reading_row_by_row_gives() {
    let lists = [list(7, "a.yaml"), list(11, "b.yaml")];
    let matchers: Vec<Matcher<'_>> = lists.iter().map(Matcher::new).collect();
    let mut rng = Rng(0x5CA7_7E57);
    let (mut evictions, mut allowed, mut partly, mut not_utf8) = (0, 0, 0, 0);
    for case in 0..24 {
        // Around the end of the first batch (a sixteenth of `Batch::ROWS` for one list, half that for two),
        // and four or five batches, so that batches overtake one another between the workers.
        let first = Batch::ROWS / 16;
        let rows = [0, 1, first - 1, first, first + 1, 4_500][case % 6];
        let (pairs, broken) = (case % 4 >= 2, case % 8 == 7);
        let bytes = file_with(&mut rng, rows, pairs, broken, case % 3 != 0);
        for output in [RowOutput::Nothing, RowOutput::Csv, RowOutput::Json] {
            let want = row_by_row(&bytes, &matchers[..1 + case % 2], output);
            evictions += want.busiest.iter().filter(|b| b.iter().any(|p| p.2 > 0)).count();
            allowed += want.counts.iter().map(|c| c[0]).sum::<u64>();
            partly += want.counts.iter().map(|c| c[6]).sum::<u64>();
            not_utf8 += want.errors.iter().filter(|e| e.1.contains("not valid UTF-8")).count();
            assert_eq!(want.failure.is_some(), broken, "case {case}");
            for workers in [1, 2, 3, 8] {
                let got = scanned(&bytes, &matchers[..1 + case % 2], output, workers);
                assert!(got == want, "case {case} ({rows} rows, pairs {pairs}, {output:?}, {workers} workers) differs");
            }
        }
    }
    assert!(evictions > 0, "no case made the tally evict: the comparison misses that path");
    assert!(allowed > 0, "no row was allowed: the pair invariant was not checked");
    assert!(partly > 0, "no row was partly covered: the coarse pair rows were not checked");
    assert!(not_utf8 > 0, "no row was refused as not UTF-8: the UTF-8 check was not compared");
}

/// The JSON rows of a scan over several batches and workers, joined by the document, are one valid JSON
/// document: one object for each usable row and list, in file order, with the summary after them. A file
/// without usable rows gives an empty array.
#[test]
fn the_json_document_is_one_array_of_every_row() {
    let lists = [list(7, "a.yaml"), list(11, "b.yaml")];
    let matchers: Vec<Matcher<'_>> = lists.iter().map(Matcher::new).collect();
    for rows in [0, 4_500] {
        let bytes = file_with(&mut Rng(9), rows, false, false, false);
        let mut out = Vec::new();
        let mut document = JsonDocument::start(&mut out, "seen \"here\".csv").expect("memory");
        let (mut batches, mut skipped) = (0, 0);
        let (scanned, tallies) =
            match_rows(reader(&bytes), &Matching { matchers: &matchers, output: JsonRows }, 3, |b| {
                batches += 1;
                skipped += b.errors.len();
                document.rows(&mut out, &b.results).expect("memory");
                ControlFlow::Continue(())
            });
        let run = Run {
            file: "seen \"here\".csv",
            shape: "message rows",
            note: None,
            skipped: scanned.skipped,
            lists: lists.iter().zip(tallies.iter()).collect(),
        };
        document.finish(&mut out, &run).expect("memory");
        let doc: serde_json::Value = serde_json::from_slice(&out)
            .unwrap_or_else(|e| panic!("{rows} rows: not JSON ({e}):\n{}", String::from_utf8_lossy(&out)));
        assert_eq!(doc["observations"], "seen \"here\".csv");
        let written = doc["rows"].as_array().expect("an array of rows");
        assert_eq!(written.len() as u64, 2 * tallies[0].rows(), "{rows} rows: one object for each row and list");
        assert_eq!(rows > 0, batches > 1, "{rows} rows: several batches are joined");
        let numbers: Vec<u64> = written.iter().map(|r| r["row"].as_u64().expect("a row number")).collect();
        assert!(numbers.is_sorted(), "rows in file order");
        let lists_seen: Vec<&str> = written.iter().map(|r| r["list"].as_str().expect("a list")).collect();
        assert!(lists_seen.chunks(2).all(|pair| pair == ["a.yaml", "b.yaml"]), "each row once for each list");
        assert_eq!(doc["summary"]["lists"].as_array().map(Vec::len), Some(2));
        assert_eq!(doc["summary"]["skipped_rows"], skipped as u64);
    }
}

/// A caller that stops (its output closed) ends the scan at once, whatever is still being read.
#[test]
fn a_stopped_scan_ends() {
    let lists = [list(7, "a.yaml")];
    let matchers: Vec<Matcher<'_>> = lists.iter().map(Matcher::new).collect();
    let bytes = file(&mut Rng(42), 20_000, false, false);
    let mut batches = 0;
    let (scanned, tallies) = match_rows(reader(&bytes), &Matching { matchers: &matchers, output: CsvRows }, 2, |_| {
        batches += 1;
        ControlFlow::Break(())
    });
    assert!(scanned.stopped);
    assert_eq!(batches, 1);
    assert!(tallies[0].rows() <= Batch::ROWS as u64, "{} rows counted after the stop", tallies[0].rows());
}

/// Input that gives its bytes, then blocks, as a live feed on standard input does, until `gate` opens (or a
/// minute passes); it says on `blocked` when it starts to block, and notes whether the scan had already
/// returned by the time the gate opened.
struct LiveFeed {
    bytes: Cursor<Vec<u8>>,
    blocked: std::sync::mpsc::Sender<()>,
    gate: std::sync::mpsc::Receiver<()>,
    scan_returned: std::sync::Arc<std::sync::atomic::AtomicBool>,
    blocked_past_the_scan: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl std::io::Read for LiveFeed {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.bytes.read(buf)?;
        if n > 0 {
            return Ok(n);
        }
        let _ = self.blocked.send(());
        let _ = self.gate.recv_timeout(std::time::Duration::from_secs(60));
        let returned = self.scan_returned.load(std::sync::atomic::Ordering::SeqCst);
        self.blocked_past_the_scan.store(returned, std::sync::atomic::Ordering::SeqCst);
        Ok(0)
    }
}

/// A caller that stops does not wait for a live feed's reading thread blocked on its input (`tail -f |
/// spoofctl match --observations - | head`): the scan returns while the read is still blocked.
#[test]
fn a_stopped_scan_does_not_wait_for_a_blocked_read() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let lists = [list(7, "a.yaml")];
    let matchers: Vec<Matcher<'_>> = lists.iter().map(Matcher::new).collect();
    let (open, gate) = std::sync::mpsc::channel();
    let (scan_returned, blocked_past_the_scan) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
    // Two batches of rows and part of a third (batches start at a sixteenth of `Batch::ROWS` and double),
    // fewer than circulate, so that the reading thread ends up blocked in a read; the caller stops once it
    // is.
    let (blocked, reading_blocked) = std::sync::mpsc::channel();
    let feed = LiveFeed {
        bytes: Cursor::new(file(&mut Rng(42), Batch::ROWS / 4, false, false)),
        blocked,
        gate,
        scan_returned: Arc::clone(&scan_returned),
        blocked_past_the_scan: Arc::clone(&blocked_past_the_scan),
    };
    let mut reader = Reader::new(utf8_reader(feed).expect("readable")).expect("header");
    reader.set_live(true);
    let matching = Matching { matchers: &matchers, output: NoRows };
    let (scanned, _) = match_rows(reader, &matching, 2, move |_| {
        reading_blocked.recv_timeout(std::time::Duration::from_secs(60)).expect("the reading thread blocks in a read");
        ControlFlow::Break(())
    });
    scan_returned.store(true, Ordering::SeqCst);
    assert!(scanned.stopped);
    open.send(()).expect("the reading thread is still blocked in its read");
    // The reading thread notes what it saw once the gate opens; give it the time to.
    for _ in 0..600 {
        if blocked_past_the_scan.load(Ordering::SeqCst) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("the scan waited for the blocked read before returning");
}

/// Input that gives one chunk a read; before each chunk after the first it waits for `gate` (or a minute),
/// and notes whether the gate was opened or the wait timed out.
struct Chunks {
    chunks: std::collections::VecDeque<Vec<u8>>,
    first: bool,
    gate: std::sync::mpsc::Receiver<()>,
    timed_out: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl std::io::Read for Chunks {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !std::mem::replace(&mut self.first, false) && !self.chunks.is_empty() {
            let waited = self.gate.recv_timeout(std::time::Duration::from_secs(60));
            self.timed_out.fetch_or(waited.is_err(), std::sync::atomic::Ordering::SeqCst);
        }
        let Some(chunk) = self.chunks.pop_front() else { return Ok(0) };
        assert!(chunk.len() <= buf.len(), "a chunk bigger than a read");
        buf[..chunk.len()].copy_from_slice(&chunk);
        Ok(chunk.len())
    }
}

/// A live feed's rows are matched as they come: the first ten rows reach the caller while the feed is still
/// waiting for its next line, instead of when a batch fills or the feed ends; whatever the line ends, with
/// blank lines between rows, and with every field quoted.
#[test]
fn a_live_feed_is_matched_as_it_comes() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let lists = [list(7, "a.yaml")];
    let matchers: Vec<Matcher<'_>> = lists.iter().map(Matcher::new).collect();
    // Each case: the line end after each row (two: a blank line after it), and whether fields are quoted.
    let cases = [("\n", false), ("\r\n", false), ("\r", false), ("\n\n", false), ("\r\n\r\n", false), ("\r\n", true)];
    for (end, quoted) in cases {
        let q = if quoted { "\"" } else { "" };
        let rows = |from: usize| {
            (from..from + 10)
                .map(|i| format!("{q}u{i}@s{i}.example{q},mail.relay{i}.example,{q}11.0.0.{i}{q},{end}"))
                .collect::<String>()
        };
        let (open, gate) = std::sync::mpsc::channel();
        let timed_out = Arc::new(AtomicBool::new(false));
        let feed = Chunks {
            chunks: [format!("From,PTR,IP,DKIM{end}{}", rows(0)), rows(10)].map(String::into_bytes).into(),
            first: true,
            gate,
            timed_out: Arc::clone(&timed_out),
        };
        let mut reader = Reader::new(utf8_reader(feed).expect("readable")).expect("header");
        reader.set_live(true);
        let mut batches = Vec::new();
        let (scanned, tallies) = match_rows(reader, &Matching { matchers: &matchers, output: NoRows }, 2, |batch| {
            batches.push(batch.records);
            let _ = open.send(());
            ControlFlow::Continue(())
        });
        assert!(!timed_out.load(Ordering::SeqCst), "{end:?} {quoted}: the first rows waited for the feed's next line");
        // Records read so far, at each batch: the first ten rows alone.
        assert_eq!(batches.first(), Some(&10), "{end:?} {quoted}: {batches:?}");
        assert_eq!((scanned.failure.is_none(), scanned.skipped, tallies[0].rows()), (true, 0, 20), "{end:?} {quoted}");
    }
}

/// The command on a live feed (`tail -f log.csv | spoofctl match --observations - --format csv`): each row's
/// verdict is written as soon as the row comes, while standard input stays open.
#[test]
fn the_command_writes_a_live_feeds_verdicts_as_they_come() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let list = concat!(env!("CARGO_MANIFEST_DIR"), "/lists/contoso.yaml");
    let mut child = Command::new(env!("CARGO_BIN_EXE_spoofctl"))
        .args(["match", "--list", list, "--observations", "-", "--format", "csv"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spoofctl runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let (lines_tx, lines) = std::sync::mpsc::channel();
    let reading = std::thread::spawn(move || {
        for line in stdout.lines() {
            let _ = lines_tx.send(line.expect("UTF-8 output"));
        }
    });
    // CRLF, as Windows tools write: the LF of the last line end must not hold its row back.
    stdin
        .write_all(
            b"From,PTR,IP,DKIM\r\nceo@contoso.com,mail.tms.mx.com,203.0.113.5,\r\nx@fabrikam.com,,198.51.100.7,\r\n",
        )
        .expect("write");
    stdin.flush().expect("flush");
    // The header and both rows, with standard input still open.
    let wait = std::time::Duration::from_secs(30);
    let got: Vec<String> = (0..3).map(|_| lines.recv_timeout(wait).expect("a line while the feed is open")).collect();
    assert!(got[1].contains("ceo@contoso.com") && got[2].contains("x@fabrikam.com"), "{got:?}");
    drop(stdin);
    assert!(child.wait().expect("spoofctl ends").code().is_some());
    reading.join().expect("reading thread");
}

/// `diff --observations` on threads counts what replaying row by row counts: rows, newly allowed, blocked
/// and undecided rows and messages, distinct pairs let through, and the first changed rows shown.
#[test]
fn replaying_on_threads_gives_what_replaying_row_by_row_gives() {
    use spoofctl::replay::{Replay, Replaying};
    let lists = [list(7, "a.yaml"), list(11, "b.yaml"), list(13, "c.yaml")];
    let tenants =
        [(Matcher::new(&lists[0]), Matcher::new(&lists[1])), (Matcher::new(&lists[1]), Matcher::new(&lists[2]))];
    let seen = |r: &Replay| {
        (
            r.rows,
            r.newly_allowed,
            r.newly_blocked,
            r.newly_undecided,
            r.pairs_let_through,
            r.changed_pairs(),
            r.ungrouped,
        )
    };
    let mut rng = Rng(0xD1FF);
    let mut changed = 0;
    for case in 0..8 {
        let bytes = file(&mut rng, [1_500, 4_500][case % 2], case % 4 >= 2, case == 7);
        let (mut want, mut skipped) = (vec![Replay::default(); tenants.len()], 0);
        let (mut rows, mut scratch) = (reader(&bytes), Vec::new());
        loop {
            let row = match rows.next_row() {
                NextRow::Row(row) => row,
                NextRow::Skipped(_) => {
                    skipped += 1;
                    continue;
                }
                NextRow::Failed(_) | NextRow::End => break,
            };
            for ((old, new), replay) in tenants.iter().zip(&mut want) {
                replay.add(&row.message, row.count, old, new, &mut scratch);
            }
        }
        changed += want.iter().map(|r| r.changed_pairs().len()).sum::<usize>();
        for workers in [1, 2, 3] {
            let mut got = vec![Replay::default(); tenants.len()];
            let scanned = spoofctl::scan::scan(reader(&bytes), &Replaying { tenants: &tenants }, workers, |batch| {
                batch.results.count(&mut got);
                ControlFlow::Continue(())
            });
            assert_eq!(scanned.failure.is_some(), case == 7);
            assert_eq!(scanned.skipped, skipped, "case {case}, {workers} workers");
            let (got, want): (Vec<_>, Vec<_>) = (got.iter().map(seen).collect(), want.iter().map(seen).collect());
            assert!(got == want, "case {case}, {workers} workers: {got:?} != {want:?}");
        }
    }
    assert!(changed > 0, "no row changed verdict: the comparison is empty");
}

/// Input that gives its bytes, then panics instead of saying it has ended.
struct BreaksAtTheEnd(Cursor<Vec<u8>>);

impl std::io::Read for BreaksAtTheEnd {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.0.read(buf)? {
            0 => panic!("the input broke"),
            n => Ok(n),
        }
    }
}

/// A job whose work panics on one row.
struct BreaksOnARow(u64);

impl spoofctl::scan::Job for BreaksOnARow {
    type Results = ();
    fn start(&self, _rows: usize, _shape: &Shape) {}
    fn row(&self, row: &spoofctl::observations::Row, _results: &mut (), _scratch: &mut Vec<u32>) {
        assert!(row.row != self.0, "the job broke");
    }
    fn results_per_row(&self) -> usize {
        1
    }
}

/// A panic anywhere (in reading the input, in a worker's job, in the caller's handling of a batch) ends the
/// scan and is raised on the caller's thread with its own message, for a file and for a live feed alike.
#[test]
fn a_panic_on_any_thread_is_raised_on_the_callers() {
    use std::panic::{AssertUnwindSafe, catch_unwind};
    fn message<T>(caught: std::thread::Result<T>) -> String {
        match caught {
            Ok(_) => "no panic".to_string(),
            Err(panic) => panic
                .downcast_ref::<&str>()
                .map(|m| m.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default(),
        }
    }
    let lists = [list(7, "a.yaml")];
    let matchers: Vec<Matcher<'_>> = lists.iter().map(Matcher::new).collect();
    let matching = Matching { matchers: &matchers, output: CsvRows };
    let bytes = file(&mut Rng(42), 3 * Batch::ROWS, false, false);
    for live in [false, true] {
        let open = |bytes: Box<dyn std::io::Read + Send>| {
            let mut reader = Reader::new(utf8_reader(bytes).expect("readable")).expect("header");
            reader.set_live(live);
            reader
        };
        let breaking = open(Box::new(BreaksAtTheEnd(Cursor::new(bytes.clone()))));
        let caught =
            catch_unwind(AssertUnwindSafe(|| match_rows(breaking, &matching, 2, |_| ControlFlow::Continue(()))));
        assert_eq!(message(caught), "the input broke", "live: {live}");

        let caught = catch_unwind(AssertUnwindSafe(|| {
            spoofctl::scan::scan(
                open(Box::new(Cursor::new(bytes.clone()))),
                &BreaksOnARow(2 * Batch::ROWS as u64),
                2,
                |_| ControlFlow::Continue(()),
            )
        }));
        assert_eq!(message(caught), "the job broke", "live: {live}");

        let mut batches = 0;
        let caught = catch_unwind(AssertUnwindSafe(|| {
            match_rows(open(Box::new(Cursor::new(bytes.clone()))), &matching, 2, |_| {
                batches += 1;
                assert!(batches < 3, "the output broke");
                ControlFlow::Continue(())
            })
        }));
        assert_eq!(message(caught), "the output broke", "live: {live}");
    }
}
