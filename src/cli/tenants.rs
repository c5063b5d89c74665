//! Many tenants' files, one at a time on a few workers: each file is read, checked and rendered on a worker,
//! and its output is handed back in file order, so a folder of any number of tenants takes the memory of a
//! few (a managed-service provider's estate: hundreds of tenants in CI).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Seek, Write};
use std::ops::ControlFlow;
use std::sync::{Condvar, Mutex};

/// Workers at most: each holds one tenant's checked list, so memory grows with them, and checking a list is
/// quick enough that more than four cores would wait on the one writing the output.
const MAX_WORKERS: usize = 4;

/// How many workers: one per core, at most [`MAX_WORKERS`]. `SPOOFCTL_JOBS` sets the number (the tests run
/// several workers whatever the machine).
pub fn workers() -> usize {
    std::env::var("SPOOFCTL_JOBS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_WORKERS))
}

struct State<R> {
    /// The next item a worker takes.
    next: usize,
    /// Finished results not handed on yet, by item.
    done: BTreeMap<usize, R>,
    /// The item handed on next.
    handed: usize,
    /// Set when the caller stops, or a worker panicked: no item is taken any more.
    stop: bool,
    panicked: bool,
}

/// Runs `work` on every item on `workers` threads and hands each result to `take`, on the calling thread, in
/// the items' order. A worker takes an item only while fewer than two per worker wait to be handed on, so
/// results never pile up behind a slow one. When `take` breaks, no item is started any more (the ones under
/// way finish and are dropped).
pub fn in_order<T: Sync, R: Send>(
    items: &[T],
    workers: usize,
    work: impl Fn(&T) -> R + Sync,
    mut take: impl FnMut(usize, R) -> ControlFlow<()>,
) {
    let window = 2 * workers.max(1);
    let state = Mutex::new(State { next: 0, done: BTreeMap::new(), handed: 0, stop: false, panicked: false });
    let changed = Condvar::new();
    let lock = || state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    std::thread::scope(|scope| {
        for _ in 0..workers.max(1).min(items.len()) {
            scope.spawn(|| {
                // A panicking worker wakes the caller, which would otherwise wait for its result forever; the
                // scope then carries the panic on.
                struct Alarm<'a, R>(&'a Mutex<State<R>>, &'a Condvar);
                impl<R> Drop for Alarm<'_, R> {
                    fn drop(&mut self) {
                        if std::thread::panicking() {
                            self.0.lock().unwrap_or_else(|p| p.into_inner()).panicked = true;
                            self.1.notify_all();
                        }
                    }
                }
                let _alarm = Alarm(&state, &changed);
                loop {
                    let i = {
                        let mut s = lock();
                        while !s.stop && !s.panicked && s.next < items.len() && s.next >= s.handed + window {
                            s = changed.wait(s).unwrap_or_else(|p| p.into_inner());
                        }
                        if s.stop || s.panicked || s.next >= items.len() {
                            return;
                        }
                        s.next += 1;
                        s.next - 1
                    };
                    let result = work(&items[i]);
                    lock().done.insert(i, result);
                    changed.notify_all();
                }
            });
        }
        for i in 0..items.len() {
            let result = {
                let mut s = lock();
                loop {
                    if let Some(r) = s.done.remove(&i) {
                        s.handed = i + 1;
                        break r;
                    }
                    if s.panicked {
                        return;
                    }
                    s = changed.wait(s).unwrap_or_else(|p| p.into_inner());
                }
            };
            changed.notify_all();
            if take(i, result).is_break() {
                break;
            }
        }
        lock().stop = true;
        changed.notify_all();
    });
}

/// Output kept until the run's end (a report whose totals or file lines come after every finding, a review
/// that is not printed when a version has errors): in memory up to [`Spool::MEMORY`], then in an unnamed
/// temporary file, so that it costs no memory however many tenants add to it.
#[derive(Default)]
pub struct Spool {
    memory: Vec<u8>,
    file: Option<File>,
    /// A write to the temporary file failed (a full disk): reported by [`Spool::write_to`].
    failed: Option<std::io::Error>,
    /// A temporary file was asked for (once: without a temporary folder, the output stays in memory).
    tried_file: bool,
    /// Pieces added: a JSON array's elements need commas between them.
    pieces: usize,
}

impl Spool {
    const MEMORY: usize = 4 << 20;

    /// Adds `text`.
    pub fn push(&mut self, text: &str) {
        self.pieces += 1;
        self.write(text);
    }

    /// Adds a JSON array element: `,\n` after the one before it.
    pub fn push_element(&mut self, element: &str) {
        if self.pieces > 0 {
            self.write(",\n");
        }
        self.push(element);
    }

    fn write(&mut self, text: &str) {
        if self.failed.is_some() {
            return;
        }
        let Some(file) = &mut self.file else {
            self.memory.extend_from_slice(text.as_bytes());
            if self.memory.len() > Spool::MEMORY
                && !std::mem::replace(&mut self.tried_file, true)
                && let Ok(mut file) = tempfile::tempfile()
            {
                match file.write_all(&self.memory) {
                    Ok(()) => {
                        self.memory = Vec::new();
                        self.file = Some(file);
                    }
                    Err(e) => self.failed = Some(e),
                }
            }
            return;
        };
        if let Err(e) = file.write_all(text.as_bytes()) {
            self.failed = Some(e);
        }
    }

    /// True when nothing was added.
    pub fn is_empty(&self) -> bool {
        self.pieces == 0
    }

    /// Writes everything added, in order, to `out`. An error is the spool's (it could not keep or read back
    /// the output) or `out`'s ([`Stdout`] has none).
    pub fn write_to(mut self, out: &mut impl Write) -> std::io::Result<()> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        if let Some(mut file) = self.file.take() {
            file.rewind()?;
            std::io::copy(&mut file, out)?;
        }
        out.write_all(&self.memory)
    }
}

/// stdout as [`super::out`] writes to it: a closed pipe (`spoofctl validate | head`) ends the command quietly,
/// any other failure with exit 2.
pub struct Stdout {
    inner: std::io::StdoutLock<'static>,
}

impl Stdout {
    /// Locks stdout.
    pub fn lock() -> Stdout {
        Stdout { inner: std::io::stdout().lock() }
    }
}

/// A failed write ends the command as [`super::output_failed`] says (quietly for a closed pipe, exit 2 with a
/// message otherwise), so that what follows is never written past a failure.
impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Err(e) = self.inner.write_all(buf) {
            std::process::exit(super::output_failed(e) as i32);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if let Err(e) = self.inner.flush() {
            std::process::exit(super::output_failed(e) as i32);
        }
        Ok(())
    }
}

/// A JSON value as `{:#}` writes it, each line indented by `indent` spaces: an element of an array that is
/// itself a member of the document's top object (`indent` 4) or such a member (`indent` 2).
pub fn pretty_at(value: &serde_json::Value, indent: usize) -> String {
    let text = format!("{value:#}");
    let pad = " ".repeat(indent);
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (k, line) in text.split('\n').enumerate() {
        if k > 0 {
            out.push('\n');
            out.push_str(&pad);
        }
        out.push_str(line);
    }
    out
}

/// Adds every number of `more` to the same member of `sum` (a report's totals are the sums of each tenant's).
pub fn add_counts(sum: &mut Option<serde_json::Value>, more: &serde_json::Value) {
    let Some(total) = sum else {
        *sum = Some(more.clone());
        return;
    };
    if let (Some(total), Some(more)) = (total.as_object_mut(), more.as_object()) {
        for (key, value) in more {
            if let (Some(t), Some(m)) = (total.get(key).and_then(|v| v.as_u64()), value.as_u64()) {
                total.insert(key.clone(), serde_json::Value::from(t + m));
            }
        }
    }
}

/// Writes `spool` as the elements of a JSON array that is a member of the document's top object: `[]`, or
/// the elements between brackets on their own lines.
pub fn write_array(out: &mut impl Write, spool: Spool) -> std::io::Result<()> {
    if spool.is_empty() {
        return out.write_all(b"[]");
    }
    out.write_all(b"[\n")?;
    spool.write_to(out)?;
    out.write_all(b"\n  ]")
}
