//! `spoofctl match --observations`: stream an observations file through the lists.

use std::fs::File;
use std::io::{self, BufWriter, StdoutLock, Write};
use std::path::Path;

use spoofctl::encoding::utf8_reader;
use spoofctl::matcher::{Matcher, Outcome};
use spoofctl::observations::{Reader, Row};
use spoofctl::render::observations::{CSV_HEADER, Run, row_csv, row_json, summary_json, summary_text};
use spoofctl::tally::Tally;

use super::args::MatchFormat;
use super::progress::Progress;
use super::{Exit, fail};

/// How many row errors are shown; the rest are counted.
const SHOWN_ERRORS: u64 = 20;

/// Where rows go: nowhere (text prints only the summary), a streamed JSON array, or CSV records.
enum Sink<'a> {
    Text(BufWriter<StdoutLock<'a>>),
    Json(BufWriter<StdoutLock<'a>>, bool),
    Csv(Box<csv::Writer<BufWriter<StdoutLock<'a>>>>),
}

impl Sink<'_> {
    fn open(format: MatchFormat, file: &str) -> io::Result<Sink<'static>> {
        let out = BufWriter::with_capacity(256 * 1024, io::stdout().lock());
        Ok(match format {
            MatchFormat::Text => Sink::Text(out),
            MatchFormat::Json => {
                let mut out = out;
                write!(out, "{{\"version\":1,\"observations\":{},\"rows\":[", serde_json::json!(file))?;
                Sink::Json(out, true)
            }
            MatchFormat::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record(CSV_HEADER)?;
                Sink::Csv(Box::new(w))
            }
        })
    }

    fn row(&mut self, row: &Row, outcome: &Outcome<'_>, pair_row: bool) -> io::Result<()> {
        match self {
            Sink::Text(_) => Ok(()),
            Sink::Json(out, first) => {
                let sep = if *first { "\n" } else { ",\n" };
                *first = false;
                write!(out, "{sep}{}", row_json(row, outcome, pair_row))
            }
            Sink::Csv(w) => Ok(w.write_record(row_csv(row, outcome, pair_row))?),
        }
    }

    fn finish(self, run: &Run<'_>) -> io::Result<()> {
        match self {
            Sink::Text(mut out) => {
                out.write_all(summary_text(run).as_bytes())?;
                out.flush()
            }
            Sink::Json(mut out, _) => {
                writeln!(out, "\n],\"summary\":{}}}", summary_json(run))?;
                out.flush()
            }
            Sink::Csv(mut w) => {
                w.flush()?;
                // stdout stays pure CSV; the summary goes to stderr.
                eprint!("{}", summary_text(run));
                Ok(())
            }
        }
    }
}

/// An observations file opened for streaming, with a progress bar over its size.
pub struct Opened {
    /// The rows.
    pub reader: Reader<Box<dyn std::io::Read>>,
    /// The progress bar (drawn only on a terminal, and only for a file of known size).
    pub progress: Progress,
}

/// Opens an observations file (`-`: standard input); `stdout_busy` when the command writes rows to stdout
/// as it reads. A file that is not an observations file (no header row spoofctl knows, a bad encoding) is
/// reported, exit 1; one that cannot be opened, exit 2.
pub fn open(path: &Path, stdout_busy: bool) -> Result<Opened, Exit> {
    let (input, total): (Box<dyn std::io::Read>, u64) = if path.as_os_str() == "-" {
        (Box::new(std::io::stdin()), 0)
    } else if path.is_dir() {
        return Err(fail(format!("{}: a folder, not an observations file", path.display())));
    } else {
        let file = File::open(path).map_err(|e| fail(format!("{}: {e}", path.display())))?;
        let total = file.metadata().map(|m| m.len()).unwrap_or(0);
        (Box::new(file), total)
    };
    let (counted, progress) = Progress::over(input, total, stdout_busy);
    match utf8_reader(counted).map_err(Into::into).and_then(Reader::new) {
        Ok(reader) => Ok(Opened { reader, progress }),
        Err(e) => {
            eprintln!("spoofctl: error: {}: {e}", path.display());
            Err(Exit::Findings)
        }
    }
}

/// Runs `match --observations FILE` against the lists' matchers.
pub fn run(path: &Path, matchers: &[Matcher<'_>], format: MatchFormat) -> Exit {
    let shown = path.display().to_string();
    let broken = |e: &dyn std::fmt::Display| {
        eprintln!("spoofctl: error: {shown}: {e}");
        Exit::Findings
    };
    let Opened { mut reader, mut progress } = match open(path, format != MatchFormat::Text) {
        Ok(opened) => opened,
        Err(exit) => return exit,
    };
    let Ok(mut sink) = Sink::open(format, &shown) else { return Exit::CannotRun };
    let mut tallies = vec![Tally::default(); matchers.len()];
    let (mut skipped, mut failure, mut scratch) = (0u64, None, Vec::new());
    let pair_rows = matches!(reader.shape(), spoofctl::observations::Shape::Pairs { .. });
    while let Some(next) = reader.next_row() {
        let row = match next {
            Ok(Ok(row)) => row,
            Ok(Err(e)) => {
                skipped += 1;
                if skipped <= SHOWN_ERRORS {
                    progress.clear();
                    eprintln!("{shown}: row {}: skipped: {}", e.row, e.message);
                }
                continue;
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        };
        for (matcher, tally) in matchers.iter().zip(&mut tallies) {
            let outcome = matcher.evaluate_with(&row.message, &mut scratch, false);
            tally.add(&row.message, row.count, &outcome.verdict);
            if sink.row(row, &outcome, pair_rows).is_err() {
                return Exit::CannotRun; // stdout closed: nobody is reading
            }
        }
        progress.update(tallies.first().map_or(0, Tally::rows));
    }
    drop(progress);
    if skipped > SHOWN_ERRORS {
        eprintln!("{shown}: {} more rows skipped", skipped - SHOWN_ERRORS);
    }
    let run = Run {
        file: &shown,
        shape: reader.shape().describe(),
        skipped,
        lists: matchers.iter().map(|m| m.list()).zip(tallies.iter()).collect(),
    };
    if sink.finish(&run).is_err() {
        return Exit::CannotRun;
    }
    match failure {
        Some(e) => broken(&e),
        None if skipped > 0 => Exit::Findings,
        None => Exit::Clean,
    }
}
