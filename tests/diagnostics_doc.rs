//! `docs/diagnostics.md` documents every code, and every example in it produces the code it documents.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

use std::path::Path;

use spoofctl::check::check;
use spoofctl::date::Date;
use spoofctl::diagnostic::Code;

/// Codes whose example cannot be a short YAML block; each is tested where the page says.
const TESTED_ELSEWHERE: &[Code] =
    &[Code::NotUtf8, Code::FileTooLarge, Code::TooManyEntries, Code::NearEntryLimit, Code::ExpiresSoon];

/// (code name, YAML example) for each `### \`code\`` section of the page.
fn sections() -> Vec<(String, Option<String>)> {
    let page = std::fs::read_to_string("docs/diagnostics.md").expect("docs/diagnostics.md exists");
    let mut found = Vec::new();
    for section in page.split("\n### `").skip(1) {
        let name = section.split('`').next().unwrap_or_default().to_string();
        let example =
            section.split("```yaml\n").nth(1).and_then(|rest| rest.split("\n```").next()).map(|y| format!("{y}\n"));
        found.push((name, example));
    }
    found
}

/// Every code has a section, and every section is a code, in the order of `Code::ALL`.
#[test]
fn every_code_is_documented() {
    let documented: Vec<String> = sections().into_iter().map(|(n, _)| n).collect();
    let codes: Vec<String> = Code::ALL.iter().map(|c| c.name().to_string()).collect();
    assert_eq!(documented, codes);
}

/// Every example produces its code, with the documented severity.
#[test]
fn every_example_produces_its_code() {
    let today = Date::parse("2026-11-22").expect("date");
    for (name, example) in sections() {
        let code = Code::from_name(&name).expect("a known code");
        let Some(yaml) = example else {
            assert!(TESTED_ELSEWHERE.contains(&code), "`{name}` has no example");
            continue;
        };
        let checked = check(Path::new("example.yaml"), &yaml, today);
        let hit = checked.diagnostics.iter().find(|d| d.code == code);
        assert!(
            hit.is_some(),
            "the example of `{name}` does not produce it; it gives {:?}",
            checked.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>()
        );
        assert_eq!(hit.map(|d| d.severity), Some(code.default_severity()), "`{name}`");
    }
}

/// The list file example in the README is a valid list.
#[test]
fn readme_list_example_is_valid() {
    let readme = std::fs::read_to_string("README.md").expect("README.md exists");
    let yaml = readme.split("```yaml\n").nth(1).and_then(|rest| rest.split("\n```").next()).expect("a yaml block");
    let checked = check(Path::new("README.md"), &format!("{yaml}\n"), Date::parse("2026-11-22").expect("date"));
    assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
    assert_eq!(checked.list.entries.len(), 1);
}
