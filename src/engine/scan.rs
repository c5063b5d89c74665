//! Running every row of an observations file through lists on every core.
//!
//! Each worker (the calling thread is one) takes its turn reading a batch of records
//! ([`Reader::read_batch`]), parses the batch's rows and does a [`Job`] on each (match them: [`Matching`];
//! replay them through two versions of a list: `crate::engine::replay::Replaying`), then hands on, in file order,
//! every batch whose turn has come, with its row errors, to the caller's function. Counts, errors and output
//! are therefore the same, byte for byte, whatever the number of workers (`tests/scan.rs` compares them
//! with reading one row at a time). A fixed number of batches circulates, and each holds a bounded number of
//! bytes, so memory does not grow with the file.

use std::any::Any;
use std::collections::BTreeMap;
use std::io::Read;
use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError, mpsc};
use std::thread;

use crate::engine::matcher::{Matcher, Outcome};
use crate::engine::tally::{Kind, Tally};
use crate::read::observations::{Batch, FileError, Reader, Row, RowError, Shape};

/// The work done on each usable row, on the workers and in any order; a batch's results reach the caller's
/// function in file order.
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

/// What the reader knew after a batch.
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

/// A batch's results, waiting for their turn to be handed on.
struct Done<T> {
    seq: u64,
    batch: Batch,
    end: End,
    errors: Vec<RowError>,
    results: T,
}

/// Where the workers take their batches from.
enum Source<R: Read> {
    /// A file: the workers take turns reading it, each into a free batch.
    File { reader: Box<Reader<R>>, rows: usize, free: Vec<Batch> },
    /// A live feed, read on a thread of its own: a read may block for as long as the feed is quiet, and the
    /// scan does not wait for it when it stops.
    Feed(mpsc::Receiver<Fed>),
}

/// What the thread reading a live feed hands over.
enum Fed {
    Read(Batch, End),
    Panicked(Box<dyn Any + Send>),
    /// The scan is over (sent by the scan itself, to wake a worker waiting for the feed).
    Stop,
}

/// The reading side, under one lock: whoever holds it reads the next batch.
struct Turn<R: Read> {
    source: Source<R>,
    seq: u64,
    /// The last batch has been read.
    ended: bool,
}

/// The handing-on side, under one lock: whoever holds it hands on every batch whose turn has come.
struct Sink<T, E> {
    each: E,
    waiting: BTreeMap<u64, Done<T>>,
    next: u64,
    records: u64,
    scanned: Scanned,
}

struct Shared<R: Read, T, E> {
    turn: Mutex<Turn<R>>,
    /// Signalled when a batch is free again (a file's workers wait for one) and when the scan ends.
    room: Condvar,
    sink: Mutex<Sink<T, E>>,
    /// Set once: the last batch was handed on, the caller stopped, or a thread panicked.
    over: AtomicBool,
    /// Wakes a worker waiting for a live feed when the scan ends.
    feed: Option<mpsc::Sender<Fed>>,
    /// Batches handed on go back to the thread reading a live feed.
    feed_free: Option<mpsc::Sender<Batch>>,
    panic: Mutex<Option<Box<dyn Any + Send>>>,
}

/// A lock, whether or not a thread panicked while holding it: for ending the scan and taking its results.
/// Workers leave instead when a lock is poisoned: a panic ends the scan.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs `job` on every row of `reader` on `workers` threads (the caller's among them); `each` sees every
/// batch's results in file order, and stops the scan with [`ControlFlow::Break`] (say, when its output is
/// closed).
///
/// Workers on two cores take matching from about 3.5x to about 1.8x the time of the parse-only pass
/// (BENCHMARKS.md).
///
/// Each worker reads a batch of records in its turn, parses and runs the job on its rows, and hands on every
/// batch whose turn has come: a batch's rows are read and matched on one core, and no thread only passes
/// batches to others. At most `2 × workers + 2` batches are read and not yet handed on, each of
/// bounded size, so memory does not grow with the file.
///
/// A live feed ([`Reader::set_live`]: standard input, a pipe) is read on a thread of its own instead, which
/// the scan does not wait for when it stops early: it may be blocked reading a quiet feed, and ends at its
/// next read or when its input ends. Everything else has ended when this returns. A panic on any thread is
/// raised on the caller's.
pub fn scan<R: Read + Send + 'static, J: Job>(
    reader: Reader<R>,
    job: &J,
    workers: usize,
    each: impl FnMut(BatchResults<'_, J::Results>) -> ControlFlow<()> + Send,
) -> Scanned {
    let shape = reader.shape().clone();
    let workers = workers.max(1);
    // Batches start small, so that the first results come soon (a live feed), and double up to their
    // bound.
    let most = (Batch::ROWS / job.results_per_row().max(1)).max(16);
    let first = (most / 16).max(16);
    let batches = || (0..2 * workers + 2).map(|_| Batch::default());
    let (source, feed, feed_free) = if reader.is_live() {
        let (fed_tx, fed_rx) = mpsc::channel();
        let (free_tx, free_rx) = mpsc::channel();
        batches().for_each(|b| drop(free_tx.send(b)));
        read_feed(reader, first, most, free_rx, fed_tx.clone());
        (Source::Feed(fed_rx), Some(fed_tx), Some(free_tx))
    } else {
        (Source::File { reader: Box::new(reader), rows: first, free: batches().collect() }, None, None)
    };
    let shared = Shared {
        turn: Mutex::new(Turn { source, seq: 0, ended: false }),
        room: Condvar::new(),
        sink: Mutex::new(Sink {
            each,
            waiting: BTreeMap::new(),
            next: 0,
            records: 0,
            scanned: Scanned { skipped: 0, failure: None, stopped: false },
        }),
        over: AtomicBool::new(false),
        feed,
        feed_free,
        panic: Mutex::new(None),
    };
    let work = || {
        let worked = catch_unwind(AssertUnwindSafe(|| {
            let (mut row, mut scratch) = (Row::empty(), Vec::new());
            while let Some(work) = next_work(&shared, most) {
                let done = process(work, &shape, job, &mut row, &mut scratch);
                hand_on(&shared, done);
            }
        }));
        if let Err(panic) = worked {
            lock(&shared.panic).get_or_insert(panic);
            end_scan(&shared);
        }
    };
    thread::scope(|s| {
        for _ in 1..workers {
            s.spawn(work);
        }
        work();
    });
    if let Some(panic) = lock(&shared.panic).take() {
        resume_unwind(panic);
    }
    shared.sink.into_inner().unwrap_or_else(PoisonError::into_inner).scanned
}

/// Reads a live feed on a thread of its own, into the batches that come back once handed on; ends at the
/// end of the feed, or when the scan is over (its channels closed).
fn read_feed<R: Read + Send + 'static>(
    mut reader: Reader<R>,
    mut rows: usize,
    most: usize,
    free: mpsc::Receiver<Batch>,
    fed: mpsc::Sender<Fed>,
) {
    thread::spawn(move || {
        let read = catch_unwind(AssertUnwindSafe(|| {
            while let Ok(mut batch) = free.recv() {
                let end = read_batch(&mut reader, &mut batch, rows);
                let more = matches!(end, End::More);
                if fed.send(Fed::Read(batch, end)).is_err() || !more {
                    return;
                }
                rows = (2 * rows).min(most);
            }
        }));
        if let Err(panic) = read {
            let _ = fed.send(Fed::Panicked(panic));
        }
    });
}

fn read_batch<R: Read>(reader: &mut Reader<R>, batch: &mut Batch, rows: usize) -> End {
    match reader.read_batch(batch, rows) {
        Ok(true) => End::More,
        Ok(false) => End::Last,
        Err(e) => End::Failed(e),
    }
}

/// The next batch to work on, in its turn; `None` once the file is read or the scan is over.
fn next_work<R: Read, T, E>(shared: &Shared<R, T, E>, most: usize) -> Option<Work> {
    let Ok(mut turn) = shared.turn.lock() else { return None };
    loop {
        if turn.ended || shared.over.load(Ordering::Acquire) {
            return None;
        }
        let Turn { source, seq, ended } = &mut *turn;
        let (batch, end) = match source {
            Source::File { reader, rows, free } => {
                // Every batch is read and not yet handed on: wait for one to come back.
                let Some(mut batch) = free.pop() else {
                    turn = shared.room.wait(turn).ok()?;
                    continue;
                };
                let end = read_batch(reader, &mut batch, *rows);
                *rows = (2 * *rows).min(most);
                (batch, end)
            }
            Source::Feed(fed) => match fed.recv() {
                Ok(Fed::Read(batch, end)) => (batch, end),
                Ok(Fed::Panicked(panic)) => resume_unwind(panic),
                Ok(Fed::Stop) | Err(_) => return None,
            },
        };
        *ended = !matches!(end, End::More);
        let work = Work { seq: *seq, batch, end };
        *seq += 1;
        return Some(work);
    }
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

/// Hands `done` on if its turn has come (with every batch waiting after it), else leaves it waiting for the
/// worker whose batch comes before it; gives the batches handed on back to be read into again.
fn hand_on<R: Read, T, E: FnMut(BatchResults<'_, T>) -> ControlFlow<()>>(shared: &Shared<R, T, E>, done: Done<T>) {
    let Ok(mut sink) = shared.sink.lock() else { return };
    if shared.over.load(Ordering::Acquire) {
        return;
    }
    let Sink { each, waiting, next, records, scanned } = &mut *sink;
    waiting.insert(done.seq, done);
    while let Some(Done { batch, end, errors, results, .. }) = waiting.remove(next) {
        *next += 1;
        *records += batch.len() as u64;
        scanned.skipped += errors.len() as u64;
        if each(BatchResults { records: *records, errors: &errors, results }).is_break() {
            scanned.stopped = true;
            return end_scan(shared);
        }
        match end {
            End::More => {}
            End::Last => return end_scan(shared),
            End::Failed(e) => {
                scanned.failure = Some(e);
                return end_scan(shared);
            }
        }
        match &shared.feed_free {
            // The reading thread may have ended already; then the batch is simply dropped.
            Some(free) => drop(free.send(batch)),
            None => {
                if let Ok(mut turn) = shared.turn.lock()
                    && let Source::File { free, .. } = &mut turn.source
                {
                    free.push(batch);
                }
                shared.room.notify_one();
            }
        }
    }
}

/// Ends the scan: every worker leaves at its next look, and none waits on.
fn end_scan<R: Read, T, E>(shared: &Shared<R, T, E>) {
    shared.over.store(true, Ordering::Release);
    // A worker waiting for a quiet feed holds the turn: wake it first.
    if let Some(feed) = &shared.feed {
        let _ = feed.send(Fed::Stop);
    }
    // Taken and let go so that no worker is between its look at `over` and its wait.
    drop(lock(&shared.turn));
    shared.room.notify_all();
}

/// Writes each matched row in a format that `render` owns (CSV, JSON...). The workers hand it every usable
/// row with its outcome from each list, a batch at a time and in any order; each batch's rows then reach the
/// caller in file order ([`match_rows`]). Whatever goes between rows, and between batches, is the writer's:
/// the engine only says which row, and what each list made of it.
pub trait RowWriter: Sync {
    /// One batch's rows as written.
    type Rows: Send + 'static;
    /// Empty rows for a batch of a file of `shape`.
    fn start(&self, shape: &Shape) -> Self::Rows;
    /// Writes one row's outcome from one list.
    fn row(&self, rows: &mut Self::Rows, row: &Row, outcome: &Outcome<'_>);
}

/// Writes nothing: only the counts are kept.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoRows;

impl RowWriter for NoRows {
    type Rows = ();

    fn start(&self, _: &Shape) {}

    fn row(&self, _: &mut (), _: &Row, _: &Outcome<'_>) {}
}

/// `match --observations`: every row matched against each list, counted, and written if asked.
pub struct Matching<'m, 'l, W = NoRows> {
    /// The lists' matchers.
    pub matchers: &'m [Matcher<'l>],
    /// What writes each row and list ([`NoRows`]: only the counts).
    pub output: W,
}

/// A batch of rows matched.
pub struct Matched<R> {
    /// For each usable row and each matcher, in that order: the verdict and the row's messages.
    counted: Vec<(Kind, u64)>,
    /// The uncovered pairs, in the order of the `Kind::None` verdicts in `counted`, one after the other.
    pairs: String,
    pair_ends: Vec<usize>,
    /// The rows as the writer wrote them.
    rows: R,
}

impl<W: RowWriter> Job for Matching<'_, '_, W> {
    type Results = Matched<W::Rows>;

    fn start(&self, rows: usize, shape: &Shape) -> Matched<W::Rows> {
        Matched {
            counted: Vec::with_capacity(rows * self.matchers.len()),
            pairs: String::new(),
            pair_ends: Vec::new(),
            rows: self.output.start(shape),
        }
    }

    fn row(&self, row: &Row, out: &mut Matched<W::Rows>, scratch: &mut Vec<u32>) {
        for matcher in self.matchers {
            let outcome = matcher.evaluate_with(&row.message, scratch, false);
            let kind = Kind::of_outcome(&outcome);
            if kind == Kind::None {
                row.message.push_service_pair(&mut out.pairs);
                out.pair_ends.push(out.pairs.len());
            }
            out.counted.push((kind, row.count));
            self.output.row(&mut out.rows, row, &outcome);
        }
    }

    fn results_per_row(&self) -> usize {
        self.matchers.len()
    }
}

impl<R> Matched<R> {
    /// Adds the batch's verdicts to the lists' tallies (one for each matcher, in order), and returns the
    /// written rows.
    fn count(self, tallies: &mut [Tally]) -> R {
        let mut pairs = self.pair_ends.iter().scan(0, |start, &end| {
            let pair = &self.pairs[*start..end];
            *start = end;
            Some(pair)
        });
        // Each row's verdicts, one for each list in order.
        for row in self.counted.chunks(tallies.len().max(1)) {
            for (&(kind, messages), tally) in row.iter().zip(tallies.iter_mut()) {
                let pair = if kind == Kind::None { pairs.next().unwrap_or_default() } else { "" };
                tally.add_counted(kind, messages, pair);
            }
        }
        self.rows
    }
}

/// Matches every row of `reader` against `matchers` on `workers` threads: the tallies (one for each
/// matcher), with each batch's row errors and written rows handed to `each` in file order.
pub fn match_rows<R: Read + Send + 'static, W: RowWriter>(
    reader: Reader<R>,
    matching: &Matching<'_, '_, W>,
    workers: usize,
    mut each: impl FnMut(BatchResults<'_, W::Rows>) -> ControlFlow<()> + Send,
) -> (Scanned, Vec<Tally>) {
    let mut tallies = vec![Tally::default(); matching.matchers.len()];
    let scanned = scan(reader, matching, workers, |batch| {
        let rows = batch.results.count(&mut tallies);
        each(BatchResults { records: batch.records, errors: batch.errors, results: rows })
    });
    (scanned, tallies)
}
