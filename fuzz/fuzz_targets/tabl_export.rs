//! TABL exports (CSV, JSON, legacy CSV, any encoding): read, turned into entries and live items, never a
//! panic; an imported entry is never a wildcard allow.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use spoofctl::pair::Rule;
use spoofctl::plan::LiveItem;
use spoofctl::tabl::{entry_of, read_export};

fuzz_target!(|data: &[u8]| {
    let Ok(rows) = read_export(Cursor::new(data.to_vec())) else { return };
    for row in &rows {
        if let Ok(e) = entry_of(row, &[]) {
            if let Rule::Allow(p) = &e.rule {
                assert_ne!(p.spoofed.to_string(), "*");
                assert_ne!(p.infrastructure.to_string(), "*");
            }
        }
        let _ = LiveItem::from_row(row);
    }
});
