//! Running every row of an observations file through lists on every core.
//!
//! One thread reads records ([`Reader::read_batch`]); the calling thread hands the batches to workers, which
//! parse the rows and do a [`Job`] on each (match them: [`Matching`]; replay them through two versions of a
//! list: `crate::replay::Replaying`); the calling thread takes the results back in file order and hands
//! them, with each batch's row errors, to the caller. Counts, errors and output are therefore the same, byte
//! for byte, whatever the number of workers (`tests/scan.rs` compares them with reading one row at a time).
//! A fixed number of batches circulates between the threads, and each holds a bounded number of bytes, so
//! memory does not grow with the file.

use std::collections::BTreeMap;
use std::io::Read;
use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::{Mutex, mpsc};
use std::thread;

use crate::matcher::Matcher;
use crate::observations::{Batch, FileError, Reader, Row, RowError, Shape};
use crate::render::observations::{row_csv, row_json};
use crate::tally::{Kind, Tally};

/// The work done on each usable row, on the workers and in any order; a batch's results reach the caller's
/// thread in file order.
pub trait Job: Sync {
    /// The results of one batch of rows.
    type Results: Send + 'static;
    /// Empty results for a batch of at most `rows` rows, from a file of `shape`.
    fn start(&self, rows: usize, shape: &Shape) -> Self::Results;
    /// Adds one usable row's results; `scratch` is the worker's, for [`Matcher::evaluate_with`].
    fn row(&self, row: &Row, results: &mut Self::Results, scratch: &mut Vec<u32>);
    /// About how many results a row gives (one for each list when every row is counted or written for each):
    /// batches take fewer rows when it is many, so that a batch's results stay about as small as its records.
    fn results_per_row(&self) -> usize;
}

/// One batch of the file, in file order, for the caller.
#[derive(Debug)]
pub struct BatchResults<'a, T> {
    /// Records read so far, usable or not.
    pub records: u64,
    /// This batch's rows that could not be used.
    pub errors: &'a [RowError],
    /// This batch's results.
    pub results: T,
}

/// How a scan ended.
#[derive(Debug)]
pub struct Scanned {
    /// Rows that could not be used.
    pub skipped: u64,
    /// Why reading stopped before the end, if it did.
    pub failure: Option<FileError>,
    /// The caller stopped the scan (its [`ControlFlow::Break`]).
    pub stopped: bool,
}

/// One worker for each core the process may use.
pub fn all_cores() -> usize {
    thread::available_parallelism().map_or(1, |n| n.get())
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

/// A batch's results, for the caller's thread to hand on in order.
struct Done<T> {
    seq: u64,
    batch: Batch,
    end: End,
    errors: Vec<RowError>,
    results: T,
}

/// What reaches the caller's thread: a batch read (to hand to a worker), a batch done (to hand on in order),
/// or a panic of the reading thread.
enum Event<T> {
    Read(Work),
    Done(thread::Result<Done<T>>),
    ReaderPanicked(Box<dyn std::any::Any + Send>),
}

/// Runs `job` on every row of `reader` on `workers` threads; `each` sees every batch's results in file
/// order, and stops the scan with [`ControlFlow::Break`] (say, when its output is closed).
///
/// The reading thread is not waited for when the scan stops early: it may be blocked reading (standard
/// input from a live feed), and ends at its next read or when its input ends. Everything else has ended
/// when this returns. A panic on any thread is raised on the caller's.
pub fn scan<R: Read + Send + 'static, J: Job>(
    mut reader: Reader<R>,
    job: &J,
    workers: usize,
    each: impl FnMut(BatchResults<'_, J::Results>) -> ControlFlow<()>,
) -> Scanned {
    let shape = reader.shape().clone();
    let workers = workers.max(1);
    // Batches start small, so that the first results come soon (a live feed on standard input), and double
    // up to their bound: every batch handed over wakes threads, which costs more than its rows on a
    // shared machine.
    let most = (Batch::ROWS / job.results_per_row().max(1)).max(16);
    let mut rows = (most / 16).max(16);
    let (free_tx, free_rx) = mpsc::channel::<Batch>();
    for _ in 0..2 * workers + 2 {
        let _ = free_tx.send(Batch::default());
    }
    let (inbox_tx, inbox_rx) = mpsc::channel::<Event<J::Results>>();
    let (work_tx, work_rx) = mpsc::channel::<Work>();
    let work_rx = Mutex::new(work_rx);
    let read_tx = inbox_tx.clone();
    thread::spawn(move || {
        // A batch comes back once the caller's thread has handed it on: at most the circulating ones are ever
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
                rows = (2 * rows).min(most);
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
                    let done = catch_unwind(AssertUnwindSafe(|| process(work, shape, job, &mut row, &mut scratch)));
                    let failed = done.is_err();
                    if inbox_tx.send(Event::Done(done)).is_err() || failed {
                        return;
                    }
                }
            });
        }
        drop(inbox_tx);
        // The work channel and the inbox are dropped when `collect` returns, however it returns, which ends
        // the workers: the scope's wait for them is short.
        collect(inbox_rx, work_tx, free_tx, each)
    })
}

/// Parses one batch's rows and runs the job on each.
fn process<J: Job>(work: Work, shape: &Shape, job: &J, row: &mut Row, scratch: &mut Vec<u32>) -> Done<J::Results> {
    let Work { seq, batch, end } = work;
    let (mut errors, mut results) = (Vec::new(), job.start(batch.len(), shape));
    for (number, record) in batch.records() {
        match shape.parse(record, number, row) {
            Ok(()) => job.row(row, &mut results, scratch),
            Err(e) => errors.push(e),
        }
    }
    Done { seq, batch, end, errors, results }
}

/// Hands read batches to the workers, takes their results in file order and hands them on, and returns the
/// batches to the reading thread.
fn collect<T>(
    inbox: mpsc::Receiver<Event<T>>,
    work_tx: mpsc::Sender<Work>,
    free_tx: mpsc::Sender<Batch>,
    mut each: impl FnMut(BatchResults<'_, T>) -> ControlFlow<()>,
) -> Scanned {
    let mut scanned = Scanned { skipped: 0, failure: None, stopped: false };
    let (mut waiting, mut next, mut records) = (BTreeMap::new(), 0u64, 0u64);
    // Every sender stays alive until the last batch is handed on (the workers wait on the work channel, which
    // this function holds), so the inbox never closes before then.
    while let Ok(event) = inbox.recv() {
        let done = match event {
            Event::Read(work) => {
                // The workers live until `work_tx` is dropped: this cannot fail.
                let _ = work_tx.send(work);
                continue;
            }
            Event::Done(done) => done.unwrap_or_else(|panic| resume_unwind(panic)),
            Event::ReaderPanicked(panic) => resume_unwind(panic),
        };
        waiting.insert(done.seq, done);
        while let Some(Done { batch, end, errors, results, .. }) = waiting.remove(&next) {
            next += 1;
            records += batch.len() as u64;
            scanned.skipped += errors.len() as u64;
            if each(BatchResults { records, errors: &errors, results }).is_break() {
                scanned.stopped = true;
                return scanned;
            }
            match end {
                End::More => {}
                End::Last => return scanned,
                End::Failed(e) => {
                    scanned.failure = Some(e);
                    return scanned;
                }
            }
            // The reading thread may have ended already; then the batch is simply dropped.
            let _ = free_tx.send(batch);
        }
    }
    unreachable!("the inbox closed before the last batch: every sender outlives it")
}

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

/// `match --observations`: every row matched against each list, counted, and rendered if asked.
pub struct Matching<'m, 'l> {
    /// The lists' matchers.
    pub matchers: &'m [Matcher<'l>],
    /// What to write for each row and list.
    pub output: RowOutput,
}

/// A batch of rows matched.
pub struct Matched {
    /// For each usable row and each matcher, in that order: the verdict and the row's messages.
    counted: Vec<(Kind, u64)>,
    /// The uncovered pairs, in the order of the `Kind::None` verdicts in `counted`, one after the other.
    pairs: String,
    pair_ends: Vec<usize>,
    pair_rows: bool,
    csv: Option<csv::Writer<Vec<u8>>>,
    json: Vec<u8>,
}

impl Job for Matching<'_, '_> {
    type Results = Matched;

    fn start(&self, rows: usize, shape: &Shape) -> Matched {
        Matched {
            counted: Vec::with_capacity(rows * self.matchers.len()),
            pairs: String::new(),
            pair_ends: Vec::new(),
            pair_rows: matches!(shape, Shape::Pairs { .. }),
            csv: (self.output == RowOutput::Csv).then(|| csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new())),
            json: Vec::new(),
        }
    }

    fn row(&self, row: &Row, out: &mut Matched, scratch: &mut Vec<u32>) {
        for matcher in self.matchers {
            let outcome = matcher.evaluate_with(&row.message, scratch, false);
            let kind = Kind::of(&outcome.verdict);
            if kind == Kind::None {
                row.message.push_service_pair(&mut out.pairs);
                out.pair_ends.push(out.pairs.len());
            }
            out.counted.push((kind, row.count));
            // Writing to memory cannot fail.
            match (&mut out.csv, self.output) {
                (Some(w), _) => drop(w.write_record(row_csv(row, &outcome, out.pair_rows).iter().map(|cell| cell.as_bytes()))),
                (None, RowOutput::Json) => {
                    out.json.extend_from_slice(b",\n");
                    drop(serde_json::to_writer(&mut out.json, &row_json(row, &outcome, out.pair_rows)));
                }
                (None, _) => {}
            }
        }
    }

    fn results_per_row(&self) -> usize {
        self.matchers.len()
    }
}

impl Matched {
    /// Adds the batch's verdicts to the lists' tallies (one for each matcher, in order), and returns the
    /// rendered rows.
    fn count(self, tallies: &mut [Tally]) -> Vec<u8> {
        let mut pairs = self.pair_ends.iter().scan(0, |start, &end| {
            let pair = &self.pairs[*start..end];
            *start = end;
            Some(pair)
        });
        for (i, &(kind, messages)) in self.counted.iter().enumerate() {
            let pair = if kind == Kind::None { pairs.next().unwrap_or_default() } else { "" };
            tallies[i % tallies.len()].add_counted(kind, messages, pair);
        }
        match self.csv {
            Some(w) => w.into_inner().unwrap_or_default(),
            None => self.json,
        }
    }
}

/// Matches every row of `reader` against `matchers` on `workers` threads: the tallies (one for each
/// matcher), with each batch's row errors and rendered rows handed to `each` in file order.
pub fn match_rows<R: Read + Send + 'static>(
    reader: Reader<R>,
    matching: &Matching<'_, '_>,
    workers: usize,
    mut each: impl FnMut(BatchResults<'_, &[u8]>) -> ControlFlow<()>,
) -> (Scanned, Vec<Tally>) {
    let mut tallies = vec![Tally::default(); matching.matchers.len()];
    let scanned = scan(reader, matching, workers, |batch| {
        let output = batch.results.count(&mut tallies);
        each(BatchResults { records: batch.records, errors: batch.errors, results: &output })
    });
    (scanned, tallies)
}
