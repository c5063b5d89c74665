//! The service's limit of 1024 spoofed-sender entries per tenant (TABL-SPOOF, "Limits"): a warning above
//! 90%, an error above the limit.

use std::path::Path;

use spoofctl::check::check;
use spoofctl::date::Date;
use spoofctl::diagnostic::{Code, Severity};

fn list_of(n: usize) -> String {
    let mut text = String::from("version: 1\nentries:\n");
    for i in 0..n {
        text.push_str(&format!(
            "  - spoofed: sender{i}.example\n    infrastructure: tms.mx.com\n    type: external\n    action: block\n"
        ));
    }
    text
}

fn codes(n: usize) -> Vec<(Code, Severity)> {
    let checked = check(Path::new("big.yaml"), &list_of(n), Date::parse("2026-11-22").expect("date"));
    checked.diagnostics.iter().map(|d| (d.code, d.severity)).collect()
}

/// Up to 90% of 1024 (921 entries) is quiet; 922 warns; 1024 still only warns; 1025 is an error.
#[test]
fn entry_limit() {
    assert_eq!(codes(921), vec![]);
    assert_eq!(codes(922), vec![(Code::NearEntryLimit, Severity::Warning)]);
    assert_eq!(codes(1024), vec![(Code::NearEntryLimit, Severity::Warning)]);
    assert!(codes(1025).contains(&(Code::TooManyEntries, Severity::Error)));
}
