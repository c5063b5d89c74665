//! Benchmark: matching observation rows against lists of 1,000 and 100,000 entries, against a parse-only
//! baseline over the same file, with peak memory per phase. Run with `cargo bench --bench matching`
//! (add `-- --rows N` to change the row count). Results are recorded in BENCHMARKS.md.
//!
//! The generator is deterministic (xorshift64, fixed seed), so every run measures the same data:
//! - list of N entries: entry i spoofs `s{i}.example` (every tenth an address `u{i}@s{i}.example`) via
//!   `relay{i}.example` (every fifth via the range `{11 + i/65536}.{i/256 % 256}.{i % 256}.0/24`, one range
//!   per entry); every fifth entry is a block, one in a hundred blocks with a `*` spoofed user;
//! - message rows `From,PTR,IP,DKIM`: the From domain is `s{k}.example`, the PTR `mail.relay{j}.example`,
//!   with k and j drawn half the time below 1,000 (entries both lists hold, identically) and half the time
//!   from 1,000,000 up (names neither holds); the IP is in entry j's range when j is below 1,000, else in
//!   172.16.0.0/12 (no entry's); one row in three carries a passing DKIM domain. So both list sizes match
//!   exactly the same rows with the same candidate entries, and any difference in time is the cost of
//!   looking names up in a bigger index;
//! - the same rows with every field quoted, as Windows PowerShell's `Export-Csv` writes them, matched against
//!   the 1,000-entry list and compared with a parse-only pass over that file.
//!
//! Each run of a phase is a child process of this binary that reports its rows, seconds and peak resident
//! memory (VmHWM), so phases do not share memory. The phases run in [`RUNS`] rounds, each round running every
//! phase once, and each phase reports its fastest run: the machine is shared, its speed varies by up to half
//! from one second to the next, and rounds let every phase (the parse-only baselines too) sample the same
//! stretches of it, where timing each phase's runs back to back compared one phase's good minute with
//! another's bad one. `BENCH_WORKERS=N` in the environment sets the number of workers of the "all cores"
//! phases (default: one per core).
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

use std::io::{BufWriter, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use spoofctl::diagnostic::Span;
use spoofctl::entry::{Entry, Metadata, TenantList};
use spoofctl::matcher::Matcher;
use spoofctl::observations::{NextRow, Reader, Row};
use spoofctl::pair::{Action, Rule, Side, SpoofType};
use spoofctl::scan::{Matching, NoRows, all_cores, match_rows};
use spoofctl::tally::{Kind, Tally};

/// Rounds of runs; each phase reports its fastest run.
const RUNS: usize = 7;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The generated list of `n` entries (see the module comment).
fn list(n: usize) -> TenantList {
    let entries = (0..n)
        .map(|i| {
            let spoofed = match i {
                _ if i % 100 == 99 => "*".to_string(),
                _ if i % 10 == 3 => format!("u{i}@s{i}.example"),
                _ => format!("s{i}.example"),
            };
            let infrastructure = if i % 5 == 4 {
                format!("{}.{}.{}.0/24", 11 + i / 65_536, (i / 256) % 256, i % 256)
            } else {
                format!("relay{i}.example")
            };
            let action = if i % 5 == 0 || spoofed == "*" { Action::Block } else { Action::Allow };
            let rule = Rule::new(
                action,
                Side::parse_spoofed(&spoofed).expect("valid"),
                Side::parse_infrastructure(&infrastructure).expect("valid"),
            )
            .expect("valid rule");
            Entry {
                rule,
                spoof_type: SpoofType::External,
                type_written: true,
                meta: Metadata::default(),
                span: Span::new(i + 1, 5),
            }
        })
        .collect();
    TenantList {
        path: PathBuf::from(format!("generated-{n}.yaml")),
        tenant: None,
        accepted_domains: Vec::new(),
        policy: Default::default(),
        entries,
        exceptions: Vec::new(),
    }
}

/// Writes the message rows; `quoted` puts every field in quotes, as Windows PowerShell's `Export-Csv` does.
fn write_rows(path: &Path, rows: u64, quoted: bool) {
    let mut rng = Rng(0x5EED_5EED_5EED_5EED);
    let mut out = BufWriter::new(std::fs::File::create(path).expect("create data file"));
    let q = if quoted { "\"" } else { "" };
    writeln!(out, "{q}From{q},{q}PTR{q},{q}IP{q},{q}DKIM{q}").expect("write");
    for r in 0..rows {
        let pick = |rng: &mut Rng| if rng.below(2) == 0 { rng.below(1_000) } else { 1_000_000 + rng.below(1_000_000) };
        let (k, j) = (pick(&mut rng), pick(&mut rng));
        let ip = rng.next();
        let dkim = if rng.below(3) == 0 { format!("s{k}.example") } else { String::new() };
        let address = if j < 1_000 {
            format!("11.{}.{}.{}", j / 256, j % 256, ip % 256)
        } else {
            format!("172.{}.{}.{}", 16 + (ip >> 8) % 16, (ip >> 16) % 256, ip % 256)
        };
        writeln!(out, "{q}user{}@s{k}.example{q},{q}mail.relay{j}.example{q},{q}{address}{q},{q}{dkim}{q}", r % 1000)
            .expect("write");
    }
    out.flush().expect("flush");
}

fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// One run of a phase, in this (child) process: prints `rows seconds peak_kib`.
fn phase(kind: &str, data: &Path, entries: usize) {
    let list = kind.starts_with("match").then(|| list(entries));
    let matcher = list.as_ref().map(Matcher::new);
    let start = Instant::now();
    let mut rows = 0u64;
    let file = std::fs::File::open(data).expect("open data");
    match &matcher {
        None if kind == "parse" => {
            // The baseline: the csv crate reading every record and doing nothing else.
            let mut csv = csv::ReaderBuilder::new()
                .has_headers(true)
                .from_reader(std::io::BufReader::with_capacity(64 * 1024, file));
            let mut record = csv::ByteRecord::new();
            while csv.read_byte_record(&mut record).expect("csv") {
                rows += 1;
            }
        }
        None => {
            // Reading and parsing rows into messages, without matching.
            let mut reader = Reader::new(spoofctl::encoding::utf8_reader(file).expect("decode")).expect("header");
            while let Some(row) = usable(reader.next_row()) {
                std::hint::black_box(row);
                rows += 1;
            }
        }
        Some(m) if kind == "match-no-tally" => {
            let mut reader = Reader::new(spoofctl::encoding::utf8_reader(file).expect("decode")).expect("header");
            let mut scratch = Vec::new();
            while let Some(row) = usable(reader.next_row()) {
                std::hint::black_box(m.evaluate_with(&row.message, &mut scratch, false));
                rows += 1;
            }
        }
        Some(m) if kind == "match-sequential" => {
            // One row at a time on one thread: reading, parsing, matching and counting in turn.
            let input = spoofctl::encoding::utf8_reader(file).expect("decode");
            let mut reader = Reader::new(input).expect("header");
            let (mut tally, mut scratch) = (Tally::default(), Vec::new());
            while let Some(row) = usable(reader.next_row()) {
                let outcome = m.evaluate_with(&row.message, &mut scratch, false);
                tally.add(&row.message, row.count, Kind::of_outcome(&outcome));
                rows += 1;
            }
            assert_eq!(tally.rows(), rows);
        }
        Some(m) => rows = scan_file(file, m),
    }
    println!("{rows} {} {}", start.elapsed().as_secs_f64(), peak_kib());
}

/// The next row, `None` at the end; the bench files have only usable rows.
fn usable(next: NextRow<'_>) -> Option<&Row> {
    match next {
        NextRow::Row(row) => Some(row),
        NextRow::End => None,
        other => panic!("{other:?}"),
    }
}

/// What `match --observations` runs: one worker per core reading batches in turn, parsing and matching them,
/// counting in file order. Returns the rows counted.
fn scan_file(file: std::fs::File, m: &Matcher<'_>) -> u64 {
    let reader = Reader::new(spoofctl::encoding::utf8_reader(file).expect("decode")).expect("header");
    let matching = Matching { matchers: std::slice::from_ref(m), output: NoRows };
    let workers = std::env::var("BENCH_WORKERS").ok().and_then(|w| w.parse().ok()).unwrap_or_else(all_cores);
    let (scanned, tallies) = match_rows(reader, &matching, workers, |_| ControlFlow::Continue(()));
    assert!(scanned.failure.is_none() && scanned.skipped == 0);
    tallies[0].rows()
}

fn run_child(kind: &str, data: &Path, entries: usize) -> (u64, f64, u64) {
    let exe = std::env::current_exe().expect("current exe");
    let out = Command::new(exe)
        .args(["--phase", kind, &data.display().to_string(), &entries.to_string()])
        .output()
        .expect("run phase");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let f: Vec<&str> = text.split_whitespace().collect();
    (f[0].parse().expect("rows"), f[1].parse().expect("secs"), f[2].parse().expect("kib"))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--phase-once") {
        // One timed pass of matching (with the tally) over a file, against the 1,000-entry list.
        let list = list(1_000);
        let m = Matcher::new(&list);
        let start = Instant::now();
        let rows = scan_file(std::fs::File::open(&args[i + 1]).expect("open"), &m);
        println!("{rows} {:.1} {}", start.elapsed().as_secs_f64(), peak_kib());
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--phase") {
        phase(&args[i + 1], Path::new(&args[i + 2]), args[i + 3].parse().expect("entries"));
        return;
    }
    if let Some(gb) = args.iter().position(|a| a == "--gigabytes").and_then(|i| args.get(i + 1)?.parse::<u64>().ok()) {
        return big_file(gb);
    }
    let rows: u64 =
        args.iter().position(|a| a == "--rows").and_then(|i| args.get(i + 1)?.parse().ok()).unwrap_or(1_000_000);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-data");
    std::fs::create_dir_all(&dir).expect("data dir");
    let data = dir.join(format!("messages-{rows}.csv"));
    let small = dir.join("messages-100000.csv");
    let quoted = dir.join(format!("messages-quoted-{rows}.csv"));
    write_rows(&data, rows, false);
    write_rows(&small, 100_000, false);
    write_rows(&quoted, rows, true);
    let size = std::fs::metadata(&data).map(|m| m.len()).unwrap_or(0);

    // Each phase: its label, what it runs, on which file, against how many entries, and the parse-only
    // phase it is compared with (none for the 100,000-row file).
    let mut phases: Vec<(String, &str, &Path, usize, Option<usize>)> =
        vec![("parse only (csv crate)".into(), "parse", &data, 0, Some(0))];
    if args.iter().any(|a| a == "--breakdown") {
        for (kind, entries) in [("read", 0), ("match-no-tally", 1_000), ("match-no-tally", 100_000)] {
            phases.push((format!("{kind} {entries}"), kind, &data, entries, Some(0)));
        }
    }
    let first_match = phases.len();
    for (kind, label) in [("match-sequential", "one thread, row by row"), ("match", "all cores")] {
        for entries in [1_000usize, 100_000] {
            phases.push((format!("match, {entries} entries, {label}"), kind, &data, entries, Some(0)));
        }
    }
    phases.push(("match, 100000 entries, all cores, 100000 rows".into(), "match", &small, 100_000, None));
    // The same rows with every field quoted (as `Export-Csv` writes them), against their own parse-only pass.
    let quoted_base = phases.len();
    phases.push(("parse only (csv crate), fields quoted".into(), "parse", &quoted, 0, Some(quoted_base)));
    phases.push(("match, 1000 entries, all cores, fields quoted".into(), "match", &quoted, 1_000, Some(quoted_base)));

    // Rows, fastest seconds and largest peak memory of each phase.
    let mut best = vec![(0u64, f64::MAX, 0u64); phases.len()];
    for _ in 0..RUNS {
        for (i, (_, kind, file, entries, _)) in phases.iter().enumerate() {
            let (rows, secs, kib) = run_child(kind, file, *entries);
            best[i] = (rows, best[i].1.min(secs), best[i].2.max(kib));
        }
    }

    println!(
        "data: {rows} message rows, {:.1} MB; machine: {} cores; fastest of {RUNS} rounds",
        size as f64 / 1e6,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!();
    println!("| phase | rows | seconds | rows/s | vs parse-only | peak memory |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for ((label, _, _, _, base), &(rows, secs, kib)) in phases.iter().zip(&best) {
        let ratio = base.map_or(String::new(), |b| format!("{:.2}x", secs / best[b].1));
        println!(
            "| {label} | {rows} | {secs:.3} | {:.0} | {ratio} | {:.1} MiB |",
            rows as f64 / secs,
            kib as f64 / 1024.0
        );
    }
    let secs = |i: usize| best[first_match + i].1;
    println!();
    println!(
        "100,000 entries vs 1,000 entries: {:.2}x the time on one thread, {:.2}x on all cores",
        secs(1) / secs(0),
        secs(3) / secs(2)
    );
}

/// `--gigabytes N`: peak memory matching an N GB observations file against the 1,000-entry list, beside a
/// 100,000-row file, in one run (each phase in its own process, timed once).
fn big_file(gb: u64) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-data");
    std::fs::create_dir_all(&dir).expect("data dir");
    let small = dir.join("messages-100000.csv");
    write_rows(&small, 100_000, false);
    let rows_per_gb = 1_000_000_000 / 66; // about 66 bytes a row
    let big = dir.join(format!("messages-{gb}gb.csv"));
    write_rows(&big, gb * rows_per_gb, false);
    let size = std::fs::metadata(&big).map(|m| m.len()).unwrap_or(0);
    println!("| file | rows | seconds | peak memory |");
    println!("| --- | ---: | ---: | ---: |");
    for (name, file) in [("100,000 rows", &small), ("big", &big)] {
        let exe = std::env::current_exe().expect("current exe");
        let out = Command::new(exe).args(["--phase-once", &file.display().to_string()]).output().expect("run");
        let text = String::from_utf8_lossy(&out.stdout);
        let f: Vec<&str> = text.split_whitespace().collect();
        let label = if name == "big" { format!("{:.2} GB", size as f64 / 1e9) } else { name.to_string() };
        println!("| {label} | {} | {} | {:.1} MiB |", f[0], f[1], f[2].parse::<f64>().unwrap_or(0.0) / 1024.0);
    }
    let _ = std::fs::remove_file(&big);
}
