//! The progress bar of long runs (`match --observations`, `diff --observations`, and commands that check
//! many list files): one line on stderr, only on a terminal, never mixed into the result.

use std::io::{IsTerminal, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use spoofctl::render::thousands;

/// A reader that counts the bytes it hands out: the file's own bytes, before any transcoding, so that a
/// UTF-16 export's progress reaches 100% too.
pub struct Counted<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// How long a run goes before its bar appears: a quick run never flashes one. `SPOOFCTL_PROGRESS_AFTER_MS`
/// changes it (the tests set 0, so that they do not depend on the machine's speed).
fn delay() -> Duration {
    let ms = std::env::var("SPOOFCTL_PROGRESS_AFTER_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(500);
    Duration::from_millis(ms)
}

/// What the bar measures the run's progress in.
enum Measure {
    /// Bytes of a file, counted by the reader [`Progress::over`] returns; the count shown is rows.
    Bytes(Arc<AtomicU64>),
    /// Items (list files): the count given to `update` is itself the progress.
    Items,
}

/// A one-line bar on stderr: drawn after [`delay`], redrawn at most five times a second, cleared before any
/// other message and when dropped.
pub struct Progress {
    /// The file's size, or the number of items; 0 when no bar is drawn.
    total: u64,
    measure: Measure,
    /// What the count counts: `rows`, `lists`.
    unit: &'static str,
    /// `update` looks at the clock only when the count has grown by this much since it last looked (rows come
    /// by the million, one at a time or a batch at a time).
    every: u64,
    /// The count at which `update` looks at the clock next.
    next: u64,
    started: Instant,
    delay: Duration,
    drawn: Option<Instant>,
}

impl Progress {
    /// A bar over `input` of `total` bytes, which the returned reader counts. No bar when stderr is not a
    /// terminal, when the size is unknown (standard input), or when `stdout_busy` (rows are being written to
    /// stdout) and stdout is the same terminal: the bar would land among the rows.
    pub fn over<R: Read>(input: R, total: u64, stdout_busy: bool) -> (Counted<R>, Progress) {
        let read = Arc::new(AtomicU64::new(0));
        let progress = Progress::new(total, stdout_busy, Measure::Bytes(Arc::clone(&read)), "rows", 16_384);
        (Counted { inner: input, count: read }, progress)
    }

    /// A bar over `total` list files, for commands that check many tenants.
    pub fn lists(total: usize) -> Progress {
        Progress::new(total as u64, false, Measure::Items, "lists", 1)
    }

    fn new(total: u64, stdout_busy: bool, measure: Measure, unit: &'static str, every: u64) -> Progress {
        let shown = std::io::stderr().is_terminal() && total > 0 && !(stdout_busy && std::io::stdout().is_terminal());
        Progress {
            total: if shown { total } else { 0 },
            measure,
            unit,
            every,
            next: 0,
            started: Instant::now(),
            delay: if shown { delay() } else { Duration::ZERO },
            drawn: None,
        }
    }

    /// Called with the count so far (rows read, lists checked).
    #[expect(
        clippy::cast_possible_truncation,
        reason = "a float cast saturates: the bar width and the rate are small, non-negative numbers"
    )]
    pub fn update(&mut self, count: u64) {
        if self.total == 0 || count < self.next {
            return;
        }
        self.next = count.saturating_add(self.every);
        let now = Instant::now();
        let elapsed = now.duration_since(self.started);
        if elapsed < self.delay || self.drawn.is_some_and(|d| now.duration_since(d) < Duration::from_millis(200)) {
            return;
        }
        self.drawn = Some(now);
        let progress = match &self.measure {
            Measure::Bytes(read) => read.load(Ordering::Relaxed),
            Measure::Items => count,
        };
        let done = progress.min(self.total) as f64 / self.total as f64;
        let width = 20;
        let filled = ((done * width as f64) as usize).min(width);
        let seconds = elapsed.as_secs_f64().max(1e-3);
        let left = if done > 0.0 { seconds / done - seconds } else { 0.0 };
        // At most 70 columns, so that it never wraps on a standard terminal (a wrapped line cannot be erased).
        eprint!(
            "\r[{}{}] {:>3.0}%  {} {}  {}/s  {:.0} s left\x1b[K",
            "#".repeat(filled),
            ".".repeat(width - filled),
            done * 100.0,
            thousands(count),
            self.unit,
            thousands((count as f64 / seconds) as u64),
            left
        );
    }

    /// Erases the bar, if it is on screen, so that a message can be printed; it is drawn again later.
    pub fn clear(&mut self) {
        if self.drawn.take().is_some() {
            eprint!("\r\x1b[K");
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}
