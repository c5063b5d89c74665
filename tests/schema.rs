//! The list schema (`spoofctl schema`): the committed copy is the generated one, every shipped list
//! points at it and passes it, and it agrees with `validate`: whatever `validate` accepts, the schema
//! accepts; what the schema refuses, `validate` refuses too.

use std::path::{Path, PathBuf};

use spoofctl::check::check;
use spoofctl::date::Date;
use spoofctl::diagnostic::Code;
use spoofctl::schema::{COMMITTED_PATH, list_schema};
use spoofctl::yaml::to_json;

const MODELINE: &str = "# yaml-language-server: $schema=../schema/spoofctl-list.schema.json";

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&list_schema()).expect("the schema compiles")
}

/// The schema's complaints about `text`, one line each.
fn schema_errors(validator: &jsonschema::Validator, path: &Path, text: &str) -> Vec<String> {
    let doc = to_json(path, text).unwrap_or_else(|d| panic!("{}: not YAML: {d:?}", path.display()));
    validator.iter_errors(&doc).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

fn today() -> Date {
    Date::parse("2026-11-22").expect("date")
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("folder").flatten() {
        let path = entry.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() && !matches!(name, "target" | "fuzz" | ".git") {
            yaml_files(&path, out);
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            out.push(path);
        }
    }
}

#[test]
fn committed_schema_is_the_generated_one() {
    let committed = std::fs::read_to_string(COMMITTED_PATH).expect("the committed schema");
    assert!(
        committed == format!("{:#}\n", list_schema()),
        "{COMMITTED_PATH} is out of date: run `cargo run -- schema > {COMMITTED_PATH}` and commit it"
    );
}

#[test]
fn schema_is_a_valid_draft_7_schema() {
    let schema = list_schema();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert!(jsonschema::meta::is_valid(&schema), "the schema does not pass the draft-07 meta-schema");
}

#[test]
fn every_shipped_list_points_at_the_schema_and_passes_it() {
    let validator = validator();
    let mut files = Vec::new();
    yaml_files(Path::new("lists"), &mut files);
    assert!(!files.is_empty(), "lists/ has no list files");
    for path in files {
        let text = std::fs::read_to_string(&path).expect("list");
        assert_eq!(text.lines().next(), Some(MODELINE), "{}: the first line must point editors at the schema", path.display());
        let errors = schema_errors(&validator, &path, &text);
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
    }
}

/// Every YAML file in the repository (fixtures, examples, the bad corpus) that `validate` reads as a
/// well-formed list also passes the schema: the schema never squiggles a list spoofctl accepts.
#[test]
fn whatever_validate_accepts_the_schema_accepts() {
    let validator = validator();
    let mut files = Vec::new();
    yaml_files(Path::new("."), &mut files);
    let mut accepted = 0;
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let checked = check(&path, &text, today());
        if !checked.is_well_formed() {
            continue;
        }
        accepted += 1;
        let errors = schema_errors(&validator, &path, &text);
        assert!(errors.is_empty(), "{}: validate accepts it, the schema does not: {errors:#?}", path.display());
    }
    assert!(accepted >= 15, "only {accepted} well-formed lists found: the walk is broken");
}

/// What the schema refuses, with the diagnostic `validate` gives the same file.
#[test]
fn the_schema_refuses_what_validate_refuses() {
    let head = "version: 1\ntenant: contoso.onmicrosoft.com\naccepted-domains: [contoso.com]\n";
    let entry = |body: &str| format!("{head}entries:\n  - {body}\n");
    let many: String =
        (0..1025).map(|i| format!("  - {{spoofed: d{i}.example.com, infrastructure: tms.mx.com, action: block}}\n")).collect();
    let cases: Vec<(&str, String, Code)> = vec![
        (
            "wildcard spoofed in an allow",
            entry("{spoofed: '*', infrastructure: tms.mx.com, type: external, action: allow}"),
            Code::AllowWildcard,
        ),
        ("wildcard infrastructure in an allow", entry("{spoofed: adatum.com, infrastructure: '*', action: allow}"), Code::AllowWildcard),
        (
            "wildcard allow in capitals",
            entry("{spoofed: '*', infrastructure: tms.mx.com, type: external, action: ALLOW}"),
            Code::AllowWildcard,
        ),
        ("wildcard on both sides", entry("{spoofed: '*', infrastructure: '*', type: external, action: block}"), Code::WildcardBothSides),
        ("unknown entry key", entry("{spoofed: adatum.com, infrastucture: tms.mx.com, action: allow}"), Code::UnknownKey),
        ("unknown top key", format!("{head}tennant: x\nentries: []\n"), Code::UnknownKey),
        ("no version", "entries: []\n".to_string(), Code::MissingKey),
        ("no entries", head.to_string(), Code::MissingKey),
        ("no action", entry("{spoofed: adatum.com, infrastructure: tms.mx.com}"), Code::MissingKey),
        ("action not a word", entry("{spoofed: adatum.com, infrastructure: tms.mx.com, action: permit}"), Code::InvalidValue),
        ("type not a word", entry("{spoofed: adatum.com, infrastructure: tms.mx.com, type: outside, action: block}"), Code::InvalidValue),
        (
            "no type without accepted domains",
            "version: 1\nentries:\n  - {spoofed: adatum.com, infrastructure: tms.mx.com, action: block}\n".to_string(),
            Code::MissingType,
        ),
        ("wildcard spoofed without a type", entry("{spoofed: '*', infrastructure: tms.mx.com, action: block}"), Code::MissingType),
        (
            "date not YYYY-MM-DD",
            entry("{spoofed: adatum.com, infrastructure: tms.mx.com, action: block, expires: 1/5/2027}"),
            Code::InvalidDate,
        ),
        ("id not a GUID", entry("{spoofed: adatum.com, infrastructure: tms.mx.com, action: block, id: 12345}"), Code::InvalidId),
        ("version 2", "version: 2\nentries: []\n".to_string(), Code::UnsupportedVersion),
        ("policy names no lint", format!("{head}policy:\n  allow-everything: off\nentries: []\n"), Code::UnknownLint),
        ("policy level not a word", format!("{head}policy:\n  expired: loud\nentries: []\n"), Code::InvalidValue),
        ("an empty value", entry("{spoofed: adatum.com, infrastructure: tms.mx.com, action: block, owner: }"), Code::EmptyValue),
        ("a list where text belongs", entry("{spoofed: [a.com, b.com], infrastructure: tms.mx.com, action: block}"), Code::WrongType),
        ("accepted domains as text", "version: 1\naccepted-domains: contoso.com\nentries: []\n".to_string(), Code::WrongType),
        ("more than 1024 entries", format!("{head}entries:\n{many}"), Code::TooManyEntries),
    ];
    let validator = validator();
    for (name, text, code) in cases {
        let path = Path::new("case.yaml");
        assert!(!schema_errors(&validator, path, &text).is_empty(), "{name}: the schema accepts it");
        let codes: Vec<Code> = check(path, &text, today()).diagnostics.iter().map(|d| d.code).collect();
        assert!(codes.contains(&code), "{name}: validate gives {codes:?}, expected {code}");
    }
}

/// YAML's core schema reads `ticket: 1234` as a number and `reason: yes` as text, `owner: true` as a
/// boolean; spoofctl reads every scalar as text, so the schema takes them all.
#[test]
fn scalars_that_yaml_types_are_free_text() {
    let text = "version: 1\ntenant: 42\nentries:\n  - spoofed: adatum.com\n    infrastructure: tms.mx.com\n    type: external\n    \
                action: block\n    ticket: 1234\n    reason: true\n    owner: 3.5\n";
    assert!(check(Path::new("t.yaml"), text, today()).is_well_formed());
    assert_eq!(schema_errors(&validator(), Path::new("t.yaml"), text), Vec::<String>::new());
}

/// `fmt` keeps the schema line first, however it reorders the entries below.
#[test]
fn fmt_keeps_the_schema_line_first() {
    let text = format!(
        "{MODELINE}\nversion: 1\naccepted-domains: [contoso.com]\nentries:\n  - spoofed: zeta.example\n    infrastructure: tms.mx.com\n    \
         action: block\n  - spoofed: alpha.example\n    infrastructure: tms.mx.com\n    action: block\n"
    );
    let checked = check(Path::new("t.yaml"), &text, today());
    let formatted = spoofctl::format::format(&checked).expect("formats");
    assert!(formatted.starts_with(&format!("{MODELINE}\nversion: 1\n")), "{formatted}");
    assert!(formatted.find("alpha.example") < formatted.find("zeta.example"), "entries were not sorted: {formatted}");
}
