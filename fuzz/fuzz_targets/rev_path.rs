//! `REV:PATH` arguments: split without a panic, and always into a revision and a path that rebuild the
//! argument.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spoofctl::source::rev_path;

fuzz_target!(|data: &[u8]| {
    let Ok(spec) = std::str::from_utf8(data) else { return };
    if let Some((rev, path)) = rev_path(spec) {
        assert_eq!(format!("{rev}:{path}"), spec);
        assert!(!rev.is_empty());
    }
});
