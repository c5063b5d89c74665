//! Using spoofctl as a library: check a list held in memory, print its findings, and look at its entries.
//!
//! Run with `cargo run --example validate_in_code`.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

use std::path::Path;

use spoofctl::check::check;
use spoofctl::date::Date;
use spoofctl::pair::Rule;
use spoofctl::render::{Style, diagnostic};

const LIST: &str = "\
version: 1
accepted-domains: [contoso.com]
entries:
  - spoofed: Fabrikam.com
    infrastructure: TMS.MX.COM.
    action: allow
    reason: Purchase orders sent by their TMS provider
    owner: procurement@contoso.com
  - spoofed: \"*\"
    infrastructure: tms.mx.com
    action: allow
";

fn main() {
    let today = Date::parse("2026-11-22").expect("a valid date");
    let checked = check(Path::new("in-memory.yaml"), LIST, today);
    for d in &checked.diagnostics {
        print!("{}", diagnostic(d, Style::default()));
    }
    // Only valid entries reach the list, and an allow can only hold a concrete pair.
    for entry in &checked.list.entries {
        if let Rule::Allow(pair) = &entry.rule {
            println!("allowed pair: {} via {} ({})", pair.spoofed, pair.infrastructure, entry.spoof_type);
        }
    }
}
