//! The service's limit of 1024 spoofed-sender entries per tenant (TABL-SPOOF, "Limits"): a warning above
//! 90%, an error above the limit.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

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

/// An export as CSV and as JSON of `n` distinct entries.
fn exports_of(n: usize) -> [String; 2] {
    let mut csv = String::from("SpoofedUser,SendingInfrastructure,SpoofType,Action\n");
    let mut json = Vec::new();
    for i in 0..n {
        csv.push_str(&format!("sender{i}.example,tms.mx.com,External,Block\n"));
        json.push(format!(
            r#"{{"SpoofedUser":"sender{i}.example","SendingInfrastructure":"tms.mx.com","SpoofType":"External","Action":"Block"}}"#
        ));
    }
    [csv, format!("[{}]", json.join(","))]
}

/// An export holds at most the 1024 entries the service holds: one of 1025 rows or items is refused whole, as
/// it is not one tenant's export, and reading stops keeping rows there (a hostile export of millions of rows
/// costs its size in time, not many times its size in memory).
#[test]
fn an_export_holds_at_most_the_service_limit() {
    use spoofctl::tabl::{ExportError, read_export};
    for export in exports_of(1024) {
        let rows = read_export(std::io::Cursor::new(export.into_bytes())).expect("1024 entries read");
        assert_eq!(rows.len(), 1024);
    }
    for export in exports_of(1025) {
        let error = read_export(std::io::Cursor::new(export.into_bytes())).expect_err("1025 entries refused");
        assert!(matches!(error, ExportError::TooManyEntries), "{error}");
        assert!(error.to_string().contains("more than 1024 entries"), "{error}");
    }
}
