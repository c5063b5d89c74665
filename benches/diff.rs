//! Benchmark: `diff` of two versions of a 1024-entry list, of folders of 100 and 200 such tenants (to show
//! the cost grows linearly), and with observation rows replayed. Run with `cargo bench --bench diff`
//! (add `-- --rows N` for another row count); results are recorded in BENCHMARKS.md.
//!
//! Each tenant's list is generated as YAML text (so the timing includes reading and checking it, as the
//! command does): entry i spoofs `s{i}.t{tenant}.example` via `relay{i}.example.net`, every third a block.
//! The new version changes every tenth entry's action, drops every twentieth and adds 50. Observation rows
//! are `From,PTR` messages naming the first 2,000 entries' pairs half the time. Best of 3 runs.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

use std::path::Path;
use std::time::Instant;

use spoofctl::check::{Checked, check};
use spoofctl::date::Date;
use spoofctl::diff::diff;
use spoofctl::matcher::Matcher;
use spoofctl::message::{Host, Message, Sender};
use spoofctl::replay::Replay;

const ENTRIES: usize = 1024;

fn tenant_yaml(t: usize, new: bool) -> String {
    let mut s = String::from("version: 1\nentries:\n");
    for i in 0..ENTRIES {
        if new && i % 20 == 0 {
            continue;
        }
        let block = (i % 3 == 0) != (new && i % 10 == 0);
        s.push_str(&format!(
            "  - spoofed: s{i}.t{t}.example\n    infrastructure: relay{i}.example.net\n    type: external\n    action: {}\n    reason: r\n    owner: o\n",
            if block { "block" } else { "allow" }
        ));
    }
    if new {
        for i in 0..50 {
            s.push_str(&format!(
                "  - spoofed: n{i}.t{t}.example\n    infrastructure: relay{i}.example.net\n    type: external\n    action: block\n"
            ));
        }
    }
    s
}

fn checked(t: usize, new: bool) -> Checked {
    check(Path::new(&format!("t{t}.yaml")), &tenant_yaml(t, new), Date::parse("2026-11-22").expect("date"))
}

fn best(mut f: impl FnMut()) -> f64 {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .fold(f64::MAX, f64::min)
}

/// Reads, checks and diffs `tenants` tenants' two versions.
fn folders(tenants: usize) -> f64 {
    best(|| {
        let mut changes = 0;
        for t in 0..tenants {
            let (old, new) = (checked(t, false), checked(t, true));
            changes += diff("t", &old.list, &new.list, &old.diagnostics, &new.diagnostics).changes.len();
        }
        assert!(changes > 0);
    })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rows: u64 =
        args.iter().position(|a| a == "--rows").and_then(|i| args.get(i + 1)?.parse().ok()).unwrap_or(1_000_000);
    println!("| diff | seconds |");
    println!("| --- | ---: |");
    println!("| two versions of one 1024-entry list | {:.3} |", folders(1));
    let (t100, t200) = (folders(100), folders(200));
    println!("| two folders of 100 tenants x 1024 entries | {t100:.3} |");
    println!("| two folders of 200 tenants x 1024 entries | {t200:.3} |");

    let (old, new) = (checked(0, false), checked(0, true));
    let (mo, mn) = (Matcher::new(&old.list), Matcher::new(&new.list));
    let mut messages = Vec::new();
    for r in 0..1000u64 {
        let i = if r % 2 == 0 { r % 2000 } else { 1_000_000 + r };
        let mut m = Message::from(Sender::parse(&format!("user@s{i}.t0.example")).expect("sender"));
        m.ptr = Some(Host::parse(&format!("mx.relay{i}.example.net")).expect("host"));
        messages.push(m);
    }
    let replay_secs = best(|| {
        let (mut replay, mut scratch) = (Replay::default(), Vec::new());
        for r in 0..rows {
            replay.add(&messages[(r % 1000) as usize], 1, &mo, &mn, &mut scratch);
        }
        assert_eq!(replay.rows, rows);
    });
    println!("| one tenant, {rows} observation rows replayed through both versions | {replay_secs:.3} |");
    if args.iter().any(|a| a == "--folder-replay") {
        // Every row through every tenant's two versions: 200 tenants x `rows` rows, timed once.
        let start = Instant::now();
        for t in 0..200 {
            let (old, new) = (checked(t, false), checked(t, true));
            let (mo, mn) = (Matcher::new(&old.list), Matcher::new(&new.list));
            let msgs: Vec<Message> = (0..1000u64)
                .map(|r| {
                    let i = if r % 2 == 0 { r % 2000 } else { 1_000_000 + r };
                    let mut m = Message::from(Sender::parse(&format!("user@s{i}.t{t}.example")).expect("sender"));
                    m.ptr = Some(Host::parse(&format!("mx.relay{i}.example.net")).expect("host"));
                    m
                })
                .collect();
            let (mut replay, mut scratch) = (Replay::default(), Vec::new());
            for r in 0..rows {
                replay.add(&msgs[(r % 1000) as usize], 1, &mo, &mn, &mut scratch);
            }
        }
        println!(
            "| two folders of 200 tenants, {rows} rows replayed through every tenant (one run) | {:.1} |",
            start.elapsed().as_secs_f64()
        );
    }
    println!();
    println!("200 tenants vs 100 tenants: {:.2}x the time (linear growth is 2.00x)", t200 / t100);
}
