//! `spoofctl match --observations`: stream an observations file through the lists.

use std::io::{self, BufWriter, Write};
use std::ops::ControlFlow;
use std::path::Path;

use spoofctl::engine::matcher::Matcher;
use spoofctl::engine::scan::{Matching, NoRows, RowWriter, Scanned, all_cores, match_rows};
use spoofctl::engine::tally::Tally;
use spoofctl::read::encoding::utf8_reader;
use spoofctl::read::observations::Reader;
use spoofctl::render::observations::{CSV_HEADER, CsvRows, INSIGHT_NOTE, JsonDocument, JsonRows, Run, summary_text};
use spoofctl::render::plural;

use super::args::MatchFormat;
use super::progress::Progress;
use super::{Exit, error, open_input, output_failed, shown, warn};

/// How many row errors are shown; the rest are counted.
const SHOWN_ERRORS: u64 = 20;

/// An observations file opened for streaming, with a progress bar over its size.
pub struct Opened {
    /// The rows.
    pub reader: Reader<Box<dyn std::io::Read + Send>>,
    /// Standard input or another input that is not a regular file (a pipe): rows are matched, and their
    /// output written, as they come.
    pub live: bool,
    /// The progress bar (drawn only on a terminal, and only for a file of known size).
    pub progress: Progress,
}

/// Opens an observations file (`-`: standard input); `stdout_busy` when the command writes rows to stdout
/// as it reads. A file that is not an observations file (no header row spoofctl knows, a bad encoding) is
/// reported, exit 1; one that cannot be opened, exit 2.
pub fn open(path: &Path, stdout_busy: bool) -> Result<Opened, Exit> {
    let (input, total, live): (Box<dyn std::io::Read + Send>, u64, bool) = if path.as_os_str() == "-" {
        (Box::new(std::io::stdin()), 0, true)
    } else {
        let file = open_input(path, "an observations file")?;
        let metadata = file.metadata().ok();
        let total = metadata.as_ref().map_or(0, |m| m.len());
        (Box::new(file), total, !metadata.is_some_and(|m| m.is_file()))
    };
    let (counted, progress) = Progress::over(input, total, stdout_busy);
    match utf8_reader(counted).map_err(Into::into).and_then(Reader::new) {
        Ok(mut reader) => {
            reader.set_live(live);
            Ok(Opened { reader, live, progress })
        }
        Err(e) => {
            error(format!("{}: {e}", shown(path)));
            Err(Exit::Findings)
        }
    }
}

/// Runs `match --observations FILE` against the lists' matchers, on every core ([`match_rows`]).
pub fn run(path: &Path, matchers: &[Matcher<'_>], format: MatchFormat) -> Exit {
    let shown = shown(path);
    let Opened { reader, live, mut progress } = match open(path, format != MatchFormat::Text) {
        Ok(opened) => opened,
        Err(exit) => return exit,
    };
    let (shape, note) = (reader.shape().describe(), reader.shape().is_insight().then_some(INSIGHT_NOTE));
    // Not locked for the whole run: the scan hands batches on from whichever worker holds their turn.
    let mut out = BufWriter::with_capacity(256 * 1024, io::stdout());
    // A live feed's rows are written as they are matched, not when the output buffer fills.
    let flush = |out: &mut BufWriter<io::Stdout>| if live { out.flush() } else { Ok(()) };
    let (scanned, tallies, failed, ending) = match format {
        MatchFormat::Text => {
            let (scanned, tallies, failed) = match_all(reader, matchers, NoRows, &shown, &mut progress, |()| Ok(()));
            (scanned, tallies, failed, Ending::Summary)
        }
        MatchFormat::Csv => {
            if let Err(e) = csv_header(&mut out) {
                return output_failed(e);
            }
            let (scanned, tallies, failed) = match_all(reader, matchers, CsvRows, &shown, &mut progress, |rows| {
                out.write_all(&rows.into_bytes()).and_then(|()| flush(&mut out))
            });
            (scanned, tallies, failed, Ending::SummaryOnStderr)
        }
        MatchFormat::Json => {
            let mut document = match JsonDocument::start(&mut out, &shown) {
                Ok(document) => document,
                Err(e) => return output_failed(e),
            };
            let (scanned, tallies, failed) = match_all(reader, matchers, JsonRows, &shown, &mut progress, |rows| {
                document.rows(&mut out, &rows).and_then(|()| flush(&mut out))
            });
            (scanned, tallies, failed, Ending::Json(document))
        }
    };
    drop(progress);
    if let Some(e) = failed {
        return output_failed(e);
    }
    if scanned.stopped {
        return Exit::CannotRun;
    }
    if scanned.skipped > SHOWN_ERRORS {
        warn(format!("{shown}: {} skipped", plural(scanned.skipped - SHOWN_ERRORS, "more row")));
    }
    let run = Run {
        file: &shown,
        shape,
        note,
        skipped: scanned.skipped,
        lists: matchers.iter().map(|m| m.list()).zip(tallies.iter()).collect(),
    };
    let finished = match ending {
        Ending::Summary => out.write_all(summary_text(&run).as_bytes()).and_then(|()| out.flush()),
        Ending::SummaryOnStderr => out.flush().map(|()| eprint!("{}", summary_text(&run))),
        Ending::Json(document) => document.finish(&mut out, &run).and_then(|()| out.flush()),
    };
    if let Err(e) = finished {
        return output_failed(e);
    }
    match scanned.failure {
        Some(e) => {
            error(format!("{shown}: {e}"));
            Exit::Findings
        }
        None if scanned.skipped > 0 => Exit::Findings,
        None => Exit::Clean,
    }
}

/// What ends the output once every row is written.
enum Ending {
    /// The summary as text.
    Summary,
    /// Nothing: stdout stays pure CSV, and the summary goes to stderr.
    SummaryOnStderr,
    /// The JSON document's end, with the summary.
    Json(JsonDocument),
}

/// Matches every row of `reader` against `matchers`, rows written by `output`: shows the first row errors
/// and the progress, and hands each batch's rows to `write` in file order. A failed write (stdout closed:
/// nobody is reading) stops the scan.
fn match_all<W: RowWriter>(
    reader: Reader<Box<dyn std::io::Read + Send>>,
    matchers: &[Matcher<'_>],
    output: W,
    shown: &str,
    progress: &mut Progress,
    mut write: impl FnMut(W::Rows) -> io::Result<()> + Send,
) -> (Scanned, Vec<Tally>, Option<io::Error>) {
    let mut shown_errors = 0u64;
    let mut failed = None;
    let (scanned, tallies) = match_rows(reader, &Matching { matchers, output }, all_cores(), |batch| {
        for e in batch.errors {
            shown_errors += 1;
            if shown_errors <= SHOWN_ERRORS {
                progress.clear();
                warn(format!("{shown}: row {}: skipped: {}", e.row, e.message));
            }
        }
        if let Err(e) = write(batch.results) {
            failed = Some(e);
            return ControlFlow::Break(());
        }
        progress.update(batch.records);
        ControlFlow::Continue(())
    });
    (scanned, tallies, failed)
}

/// The CSV header row of `--format csv`.
fn csv_header(out: &mut impl Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_HEADER)?;
    w.flush()
}
