//! CLI cases: one small file per case in `tests/cmd/` (arguments, exit code, exact output, files before and
//! after), and every console example in the README.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

/// Runs every case in `tests/cmd/`.
#[test]
fn cli_cases() {
    // Output is plain whatever the environment says (CI may force colour).
    trycmd::TestCases::new().env("NO_COLOR", "1").case("tests/cmd/*.toml");
}

/// The README's examples produce the output the README shows.
#[test]
fn readme_examples() {
    trycmd::TestCases::new().env("NO_COLOR", "1").case("README.md");
}
