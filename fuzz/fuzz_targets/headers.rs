//! Message headers and mbox streams: split, parsed and explained against a small list, never a panic;
//! a suggested entry is never a wildcard.
#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use spoofctl::check::{Checked, check};
use spoofctl::date::Date;
use spoofctl::explain::{Suggestion, explain};
use spoofctl::format::entry_yaml;
use spoofctl::headers::{HeaderBlocks, Stamps};
use spoofctl::matcher::Matcher;

static LIST: LazyLock<Checked> = LazyLock::new(|| {
    let text =
        "version: 1\naccepted-domains: [contoso.com]\nentries:\n  - {spoofed: gmail.com, infrastructure: tms.mx.com, action: allow}\n";
    check(Path::new("fuzz.yaml"), text, Date::parse("2026-11-22").expect("date"))
});

fuzz_target!(|data: &[u8]| {
    let matchers = [Matcher::new(&LIST.list)];
    for block in HeaderBlocks::new(data).take(16) {
        let Ok(raw) = block else { return };
        if let Ok(stamps) = Stamps::parse(&raw) {
            let e = explain(stamps, &matchers, Date::parse("2026-11-22").expect("date"));
            for view in &e.lists {
                if let Suggestion::Entry(s) = &view.suggestion {
                    assert!(!entry_yaml(&s.entry).contains("\"*\""));
                }
            }
        }
    }
});
