//! List files: any bytes are checked without a panic; no allow with a wildcard comes out; a well-formed
//! list always formats, and its canonical text reads back the same.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use spoofctl::check::check;
use spoofctl::date::Date;
use spoofctl::format::format;
use spoofctl::pair::Rule;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let today = Date::parse("2026-11-22").expect("date");
    let checked = check(Path::new("fuzz.yaml"), text, today);
    for e in &checked.list.entries {
        if let Rule::Allow(p) = &e.rule {
            assert_ne!(p.spoofed.to_string(), "*");
            assert_ne!(p.infrastructure.to_string(), "*");
        }
    }
    if checked.is_well_formed() && checked.raw.is_some() {
        let once = format(&checked).expect("a well-formed list formats");
        let again = format(&check(Path::new("fuzz.yaml"), &once, today)).expect("canonical text formats");
        assert_eq!(once, again);
    }
});
