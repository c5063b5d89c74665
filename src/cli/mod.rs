//! The command line: arguments are parsed (`args`), resolved into ready values, and each subcommand runs in
//! its own module. This is the only place that prints.

// Messages on stderr never panic: std's `eprintln!` panics when stderr cannot be written (`2>/dev/full`),
// and a panic (exit 101) is a bug. These take its place in every module of the command line.
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
macro_rules! eprint {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

mod add;
mod admission;
mod args;
mod atomic;
mod audit;
mod diff;
mod explain;
mod export;
mod fmt;
mod import;
mod matching;
mod observe;
mod plan;
mod progress;
mod setup;
mod snapshot;
mod tenants;
mod validate;

use std::io::Write;
use std::process::ExitCode;
use std::sync::OnceLock;

use clap::{CommandFactory, FromArgMatches};

use spoofctl::model::characters::escaped;
use spoofctl::model::date::Date;
use spoofctl::model::diagnostic::Severity;
use spoofctl::read::list_files::discover;
use spoofctl::render::{self, Style};
use spoofctl::validate::pipeline::{Checked, check_file};

use args::{Cli, Command};
use clap::ColorChoice;

/// The exit codes of every command (product spec, "Exit codes"). Chosen so that CI can tell "the lists are
/// wrong" (1) from "spoofctl could not even look" (2); clap's usage errors are 2 as well.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// Done, nothing to report.
    Clean = 0,
    /// Done, and the input is wrong or differs (errors, `fmt --check` would rewrite).
    Findings = 1,
    /// Could not run: bad usage, a missing or unreadable file.
    CannotRun = 2,
}

/// `--color`, set once before the command runs.
static COLOR: OnceLock<ColorChoice> = OnceLock::new();

/// Parses the arguments and runs the command.
pub fn main() -> ExitCode {
    // clap prints help and usage errors before `--color` is parsed, so it gets the flag from a first look.
    let clap_color = early_color_choice(std::env::args_os().skip(1)).unwrap_or(ColorChoice::Auto);
    let matches = Cli::command().color(clap_color).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let _ = COLOR.set(cli.color);
    let code = match cli.command {
        Command::Import(a) => import::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Add(a) => add::run(a),
        Command::Match(a) => matching::run(a),
        Command::Validate(a) => validate::run(a),
        Command::Fmt(a) => fmt::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Plan(a) => plan::run(a),
        Command::Export(a) => export::run(a),
        Command::SnapshotScript(a) => snapshot::run(a),
        Command::Audit(a) => audit::run(a),
        Command::Schema => setup::schema(),
        Command::Completions(a) => setup::completions(a),
        Command::Man(a) => setup::man(a),
    };
    ExitCode::from(code as u8)
}

/// The `--color` value among the arguments (`--color WHEN` or `--color=WHEN`, before any `--`), if valid.
fn early_color_choice(args: impl Iterator<Item = std::ffi::OsString>) -> Option<ColorChoice> {
    let mut found = None;
    let mut args = args.map(|a| a.to_string_lossy().into_owned());
    while let Some(arg) = args.next() {
        let value = match arg.as_str() {
            "--" => break,
            "--color" => args.next(),
            _ => arg.strip_prefix("--color=").map(str::to_string),
        };
        if let Some(v) = value {
            found = <ColorChoice as clap::ValueEnum>::from_str(&v, false).ok();
        }
    }
    found
}

/// Whether human output to `stream` colours: `--color always|never`; else what clap's own help does
/// (anstream: `NO_COLOR` first, then `CLICOLOR_FORCE`, `CLICOLOR=0`, a terminal, `TERM` or `CI`), so that help and
/// output never disagree. An explicit flag overrides the variables (no-color.org).
fn colour_for<S: anstream::stream::RawStream>(stream: &S) -> Style {
    let color = match COLOR.get().copied().unwrap_or(ColorChoice::Auto) {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => anstream::AutoStream::choice(stream) != anstream::ColorChoice::Never,
    };
    Style { color }
}

/// Colour for stdout.
fn stdout_style() -> Style {
    colour_for(&std::io::stdout())
}

/// Colour for stderr.
fn stderr_style() -> Style {
    colour_for(&std::io::stderr())
}

/// Writes to stdout; a closed pipe (`spoofctl validate | head`) is not an error worth a panic.
fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        std::process::exit(output_failed(e) as i32);
    }
}

/// What a failed write of the output means: a closed standard output (`| head`) is a reader that has seen
/// enough, and ends the command quietly with exit 0, as ripgrep does; any other failure (a full disk,
/// `> /dev/full`) is an error, said on stderr, never a silent exit 0 with an empty file.
fn output_failed(e: std::io::Error) -> Exit {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return Exit::Clean;
    }
    eprintln!("spoofctl: error: cannot write the output: {e}");
    Exit::CannotRun
}

/// The `--today` date, or today (UTC).
fn today(arg: Option<&str>) -> Result<Date, Exit> {
    match arg.map(Date::parse).transpose() {
        Ok(d) => Ok(d.unwrap_or_else(Date::today_utc)),
        Err(e) => Err(fail(format!("--today: {e}"))),
    }
}

/// Reports a failure that stops the run, on stderr, hidden characters escaped ([`warn`]).
fn fail(message: impl std::fmt::Display) -> Exit {
    error(message);
    Exit::CannotRun
}

/// Says an error on stderr, `spoofctl: error: ` and the message escaped as [`warn`] escapes it; the caller
/// decides the exit ([`fail`]: could not run).
fn error(message: impl std::fmt::Display) {
    warn(format!("spoofctl: error: {message}"));
}

/// Writes a message line on stderr with every hidden character escaped ([`escaped`]): the messages that
/// echo a value, a key, a path or a row error go through here (or [`fail`]), so that no file name or export
/// cell can move the cursor, repaint a line or reach the clipboard. Renderers' output escapes its values
/// itself, and keeps its colours.
fn warn(message: impl std::fmt::Display) {
    eprintln!("{}", escaped(&message.to_string()));
}

/// The list files of the PATHs given, or of the default `lists/` folder; a missing default is named as the
/// default, so that a command run from the wrong folder says why it found nothing.
fn discover_lists(paths: &[std::path::PathBuf]) -> Result<Vec<std::path::PathBuf>, Exit> {
    if !paths.is_empty() {
        return discover(paths).map_err(fail);
    }
    discover(&[std::path::PathBuf::from("lists")]).map_err(|e| match e {
        spoofctl::read::list_files::ReadError::NotFound(_) => fail(
            "lists/: no such file or folder (the folder read when no PATH is given: run spoofctl from the folder \
             that holds `lists/`, or name the list files or folder)",
        ),
        e => fail(e),
    })
}

/// Opens an input file named on the command line (`what` it should be: "an export file"). A missing path and
/// a folder are said in the words every command uses for them (those of [`ReadError`]); any other failure
/// gives the system's reason.
///
/// [`ReadError`]: spoofctl::read::list_files::ReadError
fn open_input(path: &std::path::Path, what: &str) -> Result<std::fs::File, Exit> {
    if path.is_dir() {
        return Err(fail(format!("{}: a folder, not {what}", shown(path))));
    }
    std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => fail(spoofctl::read::list_files::ReadError::NotFound(path.to_path_buf())),
        _ => fail(format!("{}: {e}", shown(path))),
    })
}

/// A path as messages show it: hidden characters escaped.
fn shown(path: impl AsRef<std::path::Path>) -> String {
    escaped(&path.as_ref().display().to_string())
}

/// Loads the lists a `--list` path names (a file, or a folder's tenant files) for a command that acts on
/// them, as of `today`. A list with errors stops the command: its errors are printed (as a JSON report when
/// `json`) and the exit code is 1.
fn load_lists(path: &std::path::Path, today: Date, json: bool) -> Result<Vec<Checked>, Exit> {
    let files = discover(std::slice::from_ref(&path.to_path_buf())).map_err(fail)?;
    let mut lists = Vec::with_capacity(files.len());
    let mut bar = progress::Progress::lists(files.len());
    let mut failure = None;
    // Checked on every core; the command needs every list, so all are kept.
    tenants::in_order(
        &files,
        tenants::workers(),
        |file| check_file(file, today),
        |_, checked| match checked {
            Ok(c) => {
                lists.push(c);
                bar.update(lists.len() as u64);
                std::ops::ControlFlow::Continue(())
            }
            Err(e) => {
                failure = Some(e);
                std::ops::ControlFlow::Break(())
            }
        },
    );
    if let Some(e) = failure {
        bar.clear();
        return Err(fail(e));
    }
    drop(bar);
    if !lists.iter().any(Checked::has_errors) {
        return Ok(lists);
    }
    if json {
        let failing: Vec<Checked> = lists.into_iter().filter(Checked::has_errors).collect();
        out(&format!("{:#}\n", render::validate_json(&failing)));
        return Err(Exit::Findings);
    }
    // On stderr: a command's stdout may be going into a script or a CSV file.
    let style = stderr_style();
    for d in lists.iter().flat_map(|c| &c.diagnostics).filter(|d| d.severity == Severity::Error) {
        eprintln!("{}", render::diagnostic(d, style));
    }
    warn(format!("{}: the list has errors; fix them first (`spoofctl validate`)", shown(path)));
    Err(Exit::Findings)
}

/// For a command that writes one tenant's output: refuses an existing `output` unless `overwrite` is
/// `Some(true)` (`None`: the command has no flag to overwrite), and loads exactly one list (a folder with
/// several is a usage error).
fn one_list(
    path: &std::path::Path,
    output: Option<&std::path::Path>,
    overwrite: Option<bool>,
    json: bool,
    today: Date,
    what: &str,
) -> Result<Checked, Exit> {
    if let Some(o) = output
        && o.exists()
        && overwrite != Some(true)
    {
        let hint = if overwrite.is_some() { " (give --force to replace it)" } else { "" };
        return Err(fail(format!("{}: the file exists; nothing was written{hint}", shown(o))));
    }
    let mut lists = load_lists(path, today, json)?;
    match lists.len() {
        1 => Ok(lists.remove(0)),
        n => Err(fail(format!("{}: holds {n} lists; {what}: give one list file", shown(path)))),
    }
}
