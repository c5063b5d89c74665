//! Terminal output with values from the fuzzer: `escaped`, and the text of `diff`, `plan` and `validate`
//! around the value, hold no control, bidi or default-ignorable character.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spoofctl::text::escaped;

#[path = "../../tests/common/inert.rs"]
#[allow(dead_code)]
mod inert;
#[allow(dead_code)]
mod reports;

fuzz_target!(|data: &[u8]| {
    let value = String::from_utf8_lossy(data);
    let shown = escaped(&value);
    assert!(inert::first_hidden(&shown).is_none(), "{shown:?}");
    assert_eq!(escaped(&shown), shown, "escaping twice changes nothing");
    let r = reports::reports(&value);
    for (what, text) in [("diff", &r.diff_text), ("plan", &r.plan_text), ("validate", &r.validate_text)] {
        if let Some((at, c)) = inert::first_hidden(text) {
            panic!("{what}: U+{:04X} at {at}:\n{text:?}", c as u32);
        }
    }
});
