//! The list schema (`spoofctl schema`): the committed copy is the generated one, every shipped list
//! points at it and passes it, and it agrees with `validate`: whatever `validate` accepts, the schema
//! accepts; what the schema refuses, `validate` refuses too.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

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
        assert_eq!(
            text.lines().next(),
            Some(MODELINE),
            "{}: the first line must point editors at the schema",
            path.display()
        );
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
    let many: String = (0..1025)
        .map(|i| format!("  - {{spoofed: d{i}.example.com, infrastructure: tms.mx.com, action: block}}\n"))
        .collect();
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
        ("entries as text", "version: 1\nentries: none\n".to_string(), Code::WrongType),
        ("exceptions as text", "version: 1\nentries: []\nexceptions: none\n".to_string(), Code::WrongType),
        ("more than 1024 entries", format!("{head}entries:\n{many}"), Code::TooManyEntries),
        ("a partial wildcard", entry("{spoofed: '*.adatum.com', infrastructure: tms.mx.com, action: block}"), Code::PartialWildcard),
        ("a space inside a domain", entry("{spoofed: 'adatum .com', infrastructure: tms.mx.com, action: block}"), Code::InvalidCharacters),
        ("month 13", entry("{spoofed: adatum.com, infrastructure: tms.mx.com, action: block, expires: 2027-13-01}"), Code::InvalidDate),
        (
            "a GUID with one brace",
            entry("{spoofed: adatum.com, infrastructure: tms.mx.com, action: block, id: '{375e76f1-eefb-1626-c8bc-5efefd057488'}"),
            Code::InvalidId,
        ),
        (
            "no type with empty accepted domains",
            "version: 1\naccepted-domains: []\nentries:\n  - {spoofed: adatum.com, infrastructure: tms.mx.com, action: block}\n"
                .to_string(),
            Code::MissingType,
        ),
    ];
    let validator = validator();
    // The documents the cases start from are good, so each refusal is the case's own doing.
    for good in [
        entry(
            "{spoofed: adatum.com, infrastructure: tms.mx.com, action: allow, id: '{375e76f1-eefb-1626-c8bc-5efefd057488}'}",
        ),
        format!("{head}policy:\n  expired: OFF\n  missing-owner: Error\nentries: []\n"),
        entry("{spoofed: '*', infrastructure: 203.0.113.0/24, type: external, action: Block, expires: 2027-12-31}"),
    ] {
        let path = Path::new("good.yaml");
        assert!(check(path, &good, today()).is_well_formed(), "{good}");
        assert_eq!(schema_errors(&validator, path, &good), Vec::<String>::new(), "{good}");
    }
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

mod generated {
    use super::*;
    use proptest::prelude::*;

    /// A word in a random case, as an admin might type it.
    fn any_case(word: &'static str) -> impl Strategy<Value = String> {
        prop::collection::vec(any::<bool>(), word.len()).prop_map(move |upper| {
            word.chars().zip(upper).map(|(c, u)| if u { c.to_ascii_uppercase() } else { c }).collect()
        })
    }

    fn side() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("'*'".to_string()),
            Just("adatum.com".to_string()),
            Just("Mail.TMS.mx.com.".to_string()),
            Just("ceo@contoso.com".to_string()),
            Just("203.0.113.0/24".to_string()),
            Just("203.0.113.9/24".to_string()),
            Just("'*.adatum.com'".to_string()),
            Just("com".to_string()),
            Just("203.0.113.9".to_string()),
            Just("'a b.com'".to_string()),
        ]
    }

    fn entry() -> impl Strategy<Value = String> {
        let optional = |s: BoxedStrategy<String>| prop::option::of(s);
        (
            side(),
            side(),
            prop::option::of(prop_oneof![any_case("internal"), any_case("external"), Just("both".to_string())]),
            prop::option::of(prop_oneof![any_case("allow"), any_case("block"), Just("permit".to_string())]),
            optional(
                prop_oneof![Just("2027-05-01"), Just("2027-02-30"), Just("2027-13-01"), Just("1/5/2027")]
                    .prop_map(String::from)
                    .boxed(),
            ),
            optional(
                prop_oneof![
                    Just("375e76f1-eefb-1626-c8bc-5efefd057488"),
                    Just("'{375e76f1-eefb-1626-c8bc-5efefd057488}'"),
                    Just("'{375e76f1-eefb-1626-c8bc-5efefd057488'"),
                    Just("1234"),
                ]
                .prop_map(String::from)
                .boxed(),
            ),
            optional(
                prop_oneof![Just("Partner mail"), Just("1234"), Just("yes"), Just("''")].prop_map(String::from).boxed(),
            ),
        )
            .prop_map(|(spoofed, infrastructure, spoof_type, action, expires, id, reason)| {
                let mut e = format!("  - spoofed: {spoofed}\n    infrastructure: {infrastructure}\n");
                for (key, value) in
                    [("type", spoof_type), ("action", action), ("expires", expires), ("id", id), ("reason", reason)]
                {
                    if let Some(v) = value {
                        e.push_str(&format!("    {key}: {v}\n"));
                    }
                }
                e
            })
    }

    fn list() -> impl Strategy<Value = String> {
        (
            prop::option::of(prop_oneof![Just("[contoso.com]"), Just("[]")]),
            prop::option::of((
                any_case("expired"),
                prop_oneof![any_case("off"), any_case("error"), Just("loud".to_string())],
            )),
            prop::collection::vec(entry(), 0..4),
        )
            .prop_map(|(accepted, policy, entries)| {
                let mut text = String::from("version: 1\n");
                if let Some(a) = accepted {
                    text.push_str(&format!("accepted-domains: {a}\n"));
                }
                if let Some((lint, level)) = policy {
                    text.push_str(&format!("policy:\n  {lint}: {level}\n"));
                }
                text.push_str(if entries.is_empty() { "entries: []\n" } else { "entries:\n" });
                text.extend(entries);
                text
            })
    }

    static VALIDATOR: std::sync::LazyLock<jsonschema::Validator> = std::sync::LazyLock::new(validator);

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

        /// For lists made of the values admins write (any case, quoted or not, good and bad), the schema
        /// never refuses a list `validate` accepts.
        #[test]
        fn the_schema_accepts_every_list_validate_accepts(text in list()) {
            let path = Path::new("generated.yaml");
            let checked = check(path, &text, today());
            let errors = schema_errors(&VALIDATOR, path, &text);
            if checked.is_well_formed() {
                prop_assert!(errors.is_empty(), "validate accepts, the schema refuses:\n{text}\n{errors:#?}");
            }
        }
    }
}
