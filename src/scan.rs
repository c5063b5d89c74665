//! Matching an observations file on every core.
//!
//! One thread reads records ([`Reader::read_batch`]); workers parse and match them a batch at a time; the
//! calling thread takes the results back in file order, counts them ([`Tally`]) and hands each batch's row
//! errors and rendered rows to the caller. Counts, errors and output are therefore the same, byte for byte,
//! whatever the number of workers (`tests/scan.rs` compares them with reading one row at a time). A fixed
//! number of batches circulates between the threads, and each holds a bounded number of bytes, so memory
//! does not grow with the file.

use std::collections::BTreeMap;
use std::io::{Read, Write as _};
use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::{Mutex, mpsc};
use std::thread;

use crate::matcher::Matcher;
use crate::observations::{Batch, FileError, Reader, Row, RowError, Shape};
use crate::render::observations::{row_csv, row_json};
use crate::tally::{Kind, Tally};

/// What is written for each row and list, besides the counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowOutput {
    /// Nothing: only the counts are kept.
    Nothing,
    /// A CSV record ([`row_csv`]), without a header.
    Csv,
    /// A JSON object ([`row_json`]), each one after `,\n`: the caller drops the first comma.
    Json,
}

/// How to scan.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Threads that parse and match (besides the reading thread and the caller's); at least one.
    pub workers: usize,
    /// What to write for each row.
    pub output: RowOutput,
}

impl Options {
    /// One worker for each core the process may use.
    pub fn all_cores(output: RowOutput) -> Options {
        Options { workers: std::thread::available_parallelism().map_or(1, |n| n.get()), output }
    }
}

/// One batch of the file, in file order, for the caller.
#[derive(Debug)]
pub struct Progress<'a> {
    /// Records read so far, usable or not.
    pub records: u64,
    /// This batch's rows that could not be used.
    pub errors: &'a [RowError],
    /// This batch's rendered rows ([`RowOutput`]).
    pub output: &'a [u8],
}

/// The result of a scan.
#[derive(Debug)]
pub struct Scanned {
    /// The counts for each matcher, in the order given.
    pub tallies: Vec<Tally>,
    /// Rows that could not be used.
    pub skipped: u64,
    /// Why reading stopped before the end, if it did.
    pub failure: Option<FileError>,
    /// The caller stopped the scan (its [`ControlFlow::Break`]).
    pub stopped: bool,
}

/// What the reading thread knew after a batch.
enum End {
    More,
    Last,
    Failed(FileError),
}

struct Work {
    seq: u64,
    batch: Batch,
    end: End,
}

/// A batch's results, for the caller's thread to count in order.
struct Done {
    seq: u64,
    batch: Batch,
    end: End,
    /// For each usable row and each matcher, in that order: the verdict and the row's messages.
    counted: Vec<(Kind, u64)>,
    /// The uncovered pairs, in the order of the `Kind::None` verdicts in `counted`, one after the other.
    pairs: String,
    pair_ends: Vec<usize>,
    errors: Vec<RowError>,
    output: Vec<u8>,
}

/// Scans `reader` through `matchers`; `each` sees every batch in file order, and stops the scan with
/// [`ControlFlow::Break`] (say, when its output is closed).
pub fn scan<R: Read + Send>(
    mut reader: Reader<R>,
    matchers: &[Matcher<'_>],
    options: Options,
    each: impl FnMut(Progress<'_>) -> ControlFlow<()>,
) -> Scanned {
    let shape = reader.shape().clone();
    let workers = options.workers.max(1);
    let (free_tx, free_rx) = mpsc::channel::<Batch>();
    for _ in 0..2 * workers + 2 {
        let _ = free_tx.send(Batch::default());
    }
    let (work_tx, work_rx) = mpsc::channel::<Work>();
    let work_rx = Mutex::new(work_rx);
    let (done_tx, done_rx) = mpsc::channel::<thread::Result<Done>>();
    thread::scope(|s| {
        s.spawn(move || {
            // A batch comes back once the caller's thread has counted it: at most the circulating ones are
            // ever in memory. The loop ends at the end of the file, or when the caller's thread is gone.
            let mut seq = 0;
            while let Ok(mut batch) = free_rx.recv() {
                let end = match reader.read_batch(&mut batch) {
                    Ok(true) => End::More,
                    Ok(false) => End::Last,
                    Err(e) => End::Failed(e),
                };
                let more = matches!(end, End::More);
                if work_tx.send(Work { seq, batch, end }).is_err() || !more {
                    return;
                }
                seq += 1;
            }
        });
        for _ in 0..workers {
            let (done_tx, work_rx, shape) = (done_tx.clone(), &work_rx, &shape);
            s.spawn(move || {
                let (mut row, mut scratch) = (Row::empty(), Vec::new());
                loop {
                    let work = match work_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok(work) = work else { return };
                    // A panic is handed to the caller's thread, which raises it: otherwise it would wait for the
                    // lost batch for ever.
                    let done = catch_unwind(AssertUnwindSafe(|| process(work, shape, matchers, options.output, &mut row, &mut scratch)));
                    let failed = done.is_err();
                    if done_tx.send(done).is_err() || failed {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        collect(done_rx, free_tx, matchers.len(), each)
    })
}

/// Parses and matches one batch.
fn process(work: Work, shape: &Shape, matchers: &[Matcher<'_>], output: RowOutput, row: &mut Row, scratch: &mut Vec<u32>) -> Done {
    let Work { seq, batch, end } = work;
    let (mut counted, mut pairs, mut pair_ends) = (Vec::with_capacity(batch.len() * matchers.len()), String::new(), Vec::new());
    let (mut errors, mut out, mut key) = (Vec::new(), Vec::new(), String::new());
    let mut csv = (output == RowOutput::Csv).then(|| csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new()));
    let pair_rows = matches!(shape, Shape::Pairs { .. });
    for (number, record) in batch.records() {
        if let Err(e) = shape.parse(&record, number, row) {
            errors.push(e);
            continue;
        }
        for matcher in matchers {
            let outcome = matcher.evaluate_with(&row.message, scratch, false);
            let kind = Kind::of(&outcome.verdict);
            if kind == Kind::None {
                row.message.write_service_pair(&mut key);
                pairs.push_str(&key);
                pair_ends.push(pairs.len());
            }
            counted.push((kind, row.count));
            match (&mut csv, output) {
                // Writing to memory cannot fail.
                (Some(w), _) => drop(w.write_record(row_csv(row, &outcome, pair_rows))),
                (None, RowOutput::Json) => drop(write!(out, ",\n{}", row_json(row, &outcome, pair_rows))),
                (None, _) => {}
            }
        }
    }
    if let Some(w) = csv {
        out = w.into_inner().unwrap_or_default();
    }
    Done { seq, batch, end, counted, pairs, pair_ends, errors, output: out }
}

/// Takes the workers' results in file order and counts them; returns the batches to the reading thread.
fn collect(
    done_rx: mpsc::Receiver<thread::Result<Done>>,
    free_tx: mpsc::Sender<Batch>,
    lists: usize,
    mut each: impl FnMut(Progress<'_>) -> ControlFlow<()>,
) -> Scanned {
    let mut scanned = Scanned { tallies: vec![Tally::default(); lists], skipped: 0, failure: None, stopped: false };
    let (mut waiting, mut next, mut records) = (BTreeMap::new(), 0u64, 0u64);
    while let Ok(done) = done_rx.recv() {
        let done = done.unwrap_or_else(|panic| resume_unwind(panic));
        waiting.insert(done.seq, done);
        while let Some(done) = waiting.remove(&next) {
            next += 1;
            let mut pairs = done.pair_ends.iter().scan(0, |start, &end| {
                let pair = &done.pairs[*start..end];
                *start = end;
                Some(pair)
            });
            for (i, &(kind, messages)) in done.counted.iter().enumerate() {
                let pair = if kind == Kind::None { pairs.next().unwrap_or_default() } else { "" };
                scanned.tallies[i % lists].add_counted(kind, messages, pair);
            }
            records += done.batch.len() as u64;
            scanned.skipped += done.errors.len() as u64;
            if each(Progress { records, errors: &done.errors, output: &done.output }).is_break() {
                scanned.stopped = true;
                return scanned;
            }
            match done.end {
                End::More => {}
                End::Last => return scanned,
                End::Failed(e) => {
                    scanned.failure = Some(e);
                    return scanned;
                }
            }
            // The reading thread may have ended already; then the batch is simply dropped.
            let _ = free_tx.send(done.batch);
        }
    }
    scanned
}
