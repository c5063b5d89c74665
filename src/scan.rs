//! Matching an observations file on every core.
//!
//! One thread reads records ([`Reader::read_batch`]); the calling thread hands the batches to workers, which
//! parse and match them; the calling thread takes the results back in file order, counts them ([`Tally`]) and hands each batch's row
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

/// What reaches the caller's thread: a batch read (to hand to a worker), a batch matched (to count in
/// order), or a panic of the reading thread.
enum Event {
    Read(Work),
    Matched(thread::Result<Done>),
    ReaderPanicked(Box<dyn std::any::Any + Send>),
}

/// Scans `reader` through `matchers`; `each` sees every batch in file order, and stops the scan with
/// [`ControlFlow::Break`] (say, when its output is closed).
///
/// The reading thread is not waited for when the scan stops early: it may be blocked reading (standard
/// input from a live feed), and ends at its next read or when its input ends. Everything else has ended
/// when this returns. A panic on any thread is raised on the caller's.
pub fn scan<R: Read + Send + 'static>(
    mut reader: Reader<R>,
    matchers: &[Matcher<'_>],
    options: Options,
    each: impl FnMut(Progress<'_>) -> ControlFlow<()>,
) -> Scanned {
    let shape = reader.shape().clone();
    let workers = options.workers.max(1);
    // Rows a batch takes: fewer when each row is counted or written for many lists, so that a batch's
    // results stay about as large as its records.
    let rows = (Batch::ROWS / matchers.len().max(1)).max(16);
    let (free_tx, free_rx) = mpsc::channel::<Batch>();
    for _ in 0..2 * workers + 2 {
        let _ = free_tx.send(Batch::default());
    }
    let (inbox_tx, inbox_rx) = mpsc::channel::<Event>();
    let (work_tx, work_rx) = mpsc::channel::<Work>();
    let work_rx = Mutex::new(work_rx);
    let read_tx = inbox_tx.clone();
    thread::spawn(move || {
        // A batch comes back once the caller's thread has counted it: at most the circulating ones are ever
        // in memory. The loop ends at the end of the file, or when the caller's thread is gone.
        let read = catch_unwind(AssertUnwindSafe(|| {
            let mut seq = 0;
            while let Ok(mut batch) = free_rx.recv() {
                let end = match reader.read_batch(&mut batch, rows) {
                    Ok(true) => End::More,
                    Ok(false) => End::Last,
                    Err(e) => End::Failed(e),
                };
                let more = matches!(end, End::More);
                if read_tx.send(Event::Read(Work { seq, batch, end })).is_err() || !more {
                    return;
                }
                seq += 1;
            }
        }));
        if let Err(panic) = read {
            let _ = read_tx.send(Event::ReaderPanicked(panic));
        }
    });
    thread::scope(|s| {
        for _ in 0..workers {
            let (inbox_tx, work_rx, shape) = (inbox_tx.clone(), &work_rx, &shape);
            s.spawn(move || {
                let (mut row, mut scratch) = (Row::empty(), Vec::new());
                loop {
                    let work = match work_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    // The caller's thread dropped the work channel: the scan is over.
                    let Ok(work) = work else { return };
                    let done = catch_unwind(AssertUnwindSafe(|| process(work, shape, matchers, options.output, &mut row, &mut scratch)));
                    let failed = done.is_err();
                    if inbox_tx.send(Event::Matched(done)).is_err() || failed {
                        return;
                    }
                }
            });
        }
        drop(inbox_tx);
        // The work channel and the inbox are dropped when `collect` returns, however it returns, which ends
        // the workers: the scope's wait for them is short.
        collect(inbox_rx, work_tx, free_tx, matchers.len(), each)
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

/// Hands read batches to the workers, takes their results in file order and counts them, and returns the
/// batches to the reading thread.
fn collect(
    inbox: mpsc::Receiver<Event>,
    work_tx: mpsc::Sender<Work>,
    free_tx: mpsc::Sender<Batch>,
    lists: usize,
    mut each: impl FnMut(Progress<'_>) -> ControlFlow<()>,
) -> Scanned {
    let mut scanned = Scanned { tallies: vec![Tally::default(); lists], skipped: 0, failure: None, stopped: false };
    let (mut waiting, mut next, mut records) = (BTreeMap::new(), 0u64, 0u64);
    // Every sender stays alive until the last batch is counted (the workers wait on the work channel, which
    // this function holds), so the inbox never closes before then.
    while let Ok(event) = inbox.recv() {
        let done = match event {
            Event::Read(work) => {
                // The workers live until `work_tx` is dropped: this cannot fail.
                let _ = work_tx.send(work);
                continue;
            }
            Event::Matched(done) => done.unwrap_or_else(|panic| resume_unwind(panic)),
            Event::ReaderPanicked(panic) => resume_unwind(panic),
        };
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
    unreachable!("the inbox closed before the last batch: every sender outlives it")
}
