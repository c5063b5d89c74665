//! Benchmark: moving a full tenant (1,024 entries, the service's limit) in and out: export in every format,
//! import from CSV and JSON (read, validate, merge, write the canonical list), and plan against a live
//! export. Run with `cargo bench --bench tenant`; results are recorded in BENCHMARKS.md.
//!
//! The list is generated deterministically: entry i spoofs `s{i}.example` (every fifth an address) via
//! `relay{i}.example.net` (every fourth a /24), every third a block, each with an Identity GUID. The live
//! export for `plan` is the list's own JSON export with 100 actions flipped, 100 entries missing and 100
//! extra entries, so the plan has work of every kind. Each step is timed as the best of 20 runs.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

use std::io::Cursor;
use std::path::PathBuf;
use std::time::Instant;

use spoofctl::diagnostic::Span;
use spoofctl::entry::{Entry, Metadata, TenantList};
use spoofctl::export;
use spoofctl::format::list_text;
use spoofctl::guid::Guid;
use spoofctl::import::{Merged, merge};
use spoofctl::pair::{Action, Rule, Side, SpoofType};
use spoofctl::plan::{LiveItem, Options, plan};
use spoofctl::tabl::read_export;

const ENTRIES: usize = 1024;

fn list() -> TenantList {
    let entries = (0..ENTRIES)
        .map(|i| {
            let spoofed = if i % 5 == 0 { format!("u{i}@s{i}.example") } else { format!("s{i}.example") };
            let infra =
                if i % 4 == 0 { format!("11.{}.{}.0/24", i / 256, i % 256) } else { format!("relay{i}.example.net") };
            let action = if i % 3 == 0 { Action::Block } else { Action::Allow };
            let rule = Rule::new(
                action,
                Side::parse_spoofed(&spoofed).expect("valid"),
                Side::parse_infrastructure(&infra).expect("valid"),
            )
            .expect("rule");
            let id = Guid::parse(&format!("5b0e0000-0000-4000-8000-{i:012}")).expect("guid");
            Entry {
                rule,
                spoof_type: SpoofType::External,
                type_written: true,
                meta: Metadata { id: Some(id), ..Metadata::default() },
                span: Span::new(i + 1, 5),
            }
        })
        .collect();
    TenantList {
        path: PathBuf::from("tenant.yaml"),
        tenant: Some("contoso.onmicrosoft.com".into()),
        accepted_domains: Vec::new(),
        policy: Default::default(),
        entries,
        exceptions: Vec::new(),
    }
}

fn best<T>(mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::MAX;
    let mut out = None;
    for _ in 0..20 {
        let start = Instant::now();
        let v = f();
        best = best.min(start.elapsed().as_secs_f64());
        out = Some(v);
    }
    (best, out.expect("ran"))
}

fn import(bytes: &str) -> String {
    let rows = read_export(Cursor::new(bytes.as_bytes().to_vec())).expect("export");
    let mut merged = Merged::default();
    merge(&mut merged, "bench", &rows, &[]);
    assert!(merged.problems.is_empty());
    list_text(Some("contoso.onmicrosoft.com"), &[], &merged.entries).expect("valid list")
}

fn main() {
    let list = list();
    let csv = export::csv(&list);
    let json = format!("{:#}", export::json(&list));
    let mut live_rows: Vec<serde_json::Value> = serde_json::from_str(&json).expect("json");
    for row in live_rows.iter_mut().take(100) {
        let flipped = if row["Action"] == "Allow" { "Block" } else { "Allow" };
        row["Action"] = serde_json::json!(flipped);
    }
    live_rows.drain(100..200);
    for i in 0..100 {
        live_rows.push(serde_json::json!({"Identity": format!("7e1a0000-0000-4000-8000-{i:012}"), "SpoofedUser": format!("extra{i}.example"), "SendingInfrastructure": "relay.example.net", "SpoofType": "External", "Action": "Block"}));
    }
    let live_json = serde_json::to_string(&live_rows).expect("json");

    println!("| step ({ENTRIES} entries) | best of 20 |");
    println!("| --- | ---: |");
    let row = |name: &str, secs: f64| println!("| {name} | {:.2} ms |", secs * 1000.0);
    let provenance = spoofctl::powershell::Provenance {
        list: &list.path,
        commit: None,
        live: None,
        date: spoofctl::date::Date::parse("2026-05-01").expect("a date"),
    };
    row("export powershell", best(|| export::powershell(&list, &provenance).expect("a tenant")).0);
    row("export csv", best(|| export::csv(&list)).0);
    row("export json", best(|| export::json(&list).to_string()).0);
    row("export pairs", best(|| export::pairs(&list)).0);
    let (secs, text) = best(|| import(&csv));
    row("import csv (read, validate, merge, canonical list)", secs);
    assert!(text.lines().filter(|l| l.starts_with("  - spoofed")).count() == ENTRIES);
    row("import json", best(|| import(&json)).0);
    let (secs, p) = best(|| {
        let rows = read_export(Cursor::new(live_json.as_bytes().to_vec())).expect("export");
        let live: Vec<LiveItem> = rows.iter().map(|r| LiveItem::from_row(r).expect("row")).collect();
        let p = plan(&list, &live, Options { prune: true, allow_mass_removal: true, ..Options::default() });
        (p.create.len(), p.change.len(), p.remove.len())
    });
    row("plan against a live export (read it, compare, prune)", secs);
    println!();
    println!("plan found {} to create, {} to change, {} to remove", p.0, p.1, p.2);
}
