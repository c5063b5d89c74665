//! The JSON Schema of the list format, for editors (`yaml-language-server`) and other tools.
//!
//! Built from the same tables the reader uses (keys, words, lint codes, the entry limit), so it cannot drift
//! from what `validate` accepts. It describes the file's shape; `validate` goes further (public suffixes,
//! the /24 form, duplicates, lints), so a file the schema accepts can still have errors, but a file
//! `validate` accepts always passes the schema (`tests/schema.rs`).
//!
//! Draft-07, the draft that yaml-language-server and most editors support fully.

use serde_json::{Map, Value, json};

use crate::model::diagnostic::Code;
use crate::model::finding::FindingCode;
use crate::model::policy::Level;
use crate::model::words::WILDCARD;
use crate::model::words::{Action, SpoofType, Word};
use crate::read::raw_list::{EntryKey, ExceptionKey, SHARED_INFRASTRUCTURE, TopKey};
use crate::validate::list::{FORMAT_VERSION, MAX_ENTRIES};

/// Where the committed copy of the schema lives in the repository, and what list files point at.
pub const COMMITTED_PATH: &str = "schema/spoofctl-list.schema.json";

/// Free text: YAML may read `reason: yes` or `ticket: 1234` as a boolean or a number, but spoofctl reads
/// every scalar as text, so the schema takes them too.
fn free_text(description: &str) -> Value {
    json!({ "type": ["string", "number", "boolean"], "description": description })
}

/// A pattern matching any of `words` in any case, as the reader takes them (`Allow`, `ALLOW`).
fn any_case(words: &[&str]) -> String {
    let alternatives: Vec<String> = words
        .iter()
        .map(|w| {
            w.chars()
                .map(|c| {
                    if c.is_ascii_alphabetic() {
                        format!("[{}{}]", c.to_ascii_uppercase(), c.to_ascii_lowercase())
                    } else {
                        c.to_string()
                    }
                })
                .collect()
        })
        .collect();
    format!("^(?:{})$", alternatives.join("|"))
}

/// One of `words`, any case; the lowercase words are offered as completions.
fn one_of(words: &[&str], description: &str) -> Value {
    json!({ "type": "string", "pattern": any_case(words), "examples": words, "description": description })
}

/// One of the words of `W` (`allow`, `external`, ...), any case.
fn word<W: Word>(description: &str) -> Value {
    let words: Vec<&str> = W::WORDS.iter().map(|(_, list, _)| *list).collect();
    one_of(&words, description)
}

/// A side of an entry: `*`, or a value with no `*` and no white space (validate says which kind of value
/// is wrong; the schema catches partial wildcards such as `*.contoso.com` as you type).
fn side(description: &str) -> Value {
    json!({ "type": "string", "pattern": "^(?:\\*|[^*\\s]+)$", "description": description })
}

/// The schema of one key of a list file.
fn top_key(key: TopKey) -> Value {
    match key {
        TopKey::Version => json!({
            "description": "The list format's version. Always 1.",
            "enum": [FORMAT_VERSION.parse::<u32>().unwrap_or(1), FORMAT_VERSION],
        }),
        TopKey::Tenant => free_text("Which tenant this file describes (free text), e.g. contoso.onmicrosoft.com."),
        TopKey::AcceptedDomains => json!({
            "description": "The tenant's accepted domains. An entry whose spoofed domain is one of them (or a subdomain) is `internal`, \
                any other `external`; when it names at least one domain, `type` may be left out.",
            "type": "array",
            "items": { "type": "string", "minLength": 1 },
        }),
        TopKey::Policy => {
            let lints: Vec<&str> = Code::ALL.iter().filter(|c| c.is_lint()).map(|c| c.name()).collect();
            let levels: Vec<&str> = Level::WORDS.iter().map(|(w, _)| *w).collect();
            let mut names = lints;
            names.push(SHARED_INFRASTRUCTURE);
            json!({
                "description": "Lint levels for this list: `lint-code: error|warning|off`; and `shared-infrastructure`, \
                    sending platforms that `allow-shared-infrastructure` treats as shared besides the shipped ones.",
                "type": "object",
                "propertyNames": { "enum": names },
                "properties": {
                    SHARED_INFRASTRUCTURE: {
                        "description": "Domains of sending platforms many customers share (a domain covers its subdomains), \
                            e.g. [example-esp.net]: an allow via one is reported as `allow-shared-infrastructure`.",
                        "type": "array",
                        "items": { "type": "string", "minLength": 1 },
                    },
                },
                "additionalProperties": one_of(&levels, "error, warning or off."),
            })
        }
        TopKey::Entries => json!({
            "description": format!("The tenant's spoofed-sender entries (at most {MAX_ENTRIES}, the service's limit)."),
            "type": "array",
            "maxItems": MAX_ENTRIES,
            "items": { "$ref": "#/definitions/entry" },
        }),
        TopKey::Exceptions => json!({
            "description": "Approved exceptions to `spoofctl audit` findings: each names one finding (code, object, value), with why and who answers for it.",
            "type": "array",
            "items": { "$ref": "#/definitions/exception" },
        }),
    }
}

/// The schema of one key of an exception.
fn exception_key(key: ExceptionKey) -> Value {
    match key {
        ExceptionKey::Finding => json!({
            "description": "The finding's code, as `spoofctl audit` shows it.",
            "enum": FindingCode::names(),
        }),
        ExceptionKey::Object => {
            free_text("The policy, rule, connector or mailbox the finding names, as `spoofctl audit` shows it.")
        }
        ExceptionKey::Value => free_text("The finding's value, as `spoofctl audit` shows it."),
        ExceptionKey::Reason => free_text("Why the finding is accepted."),
        ExceptionKey::Owner => free_text("Who answers for the exception."),
        ExceptionKey::Expires => json!({
            "description": "The last day the exception covers its finding, YYYY-MM-DD; after it, `audit` reports the finding again and the exception as expired.",
            "type": "string",
            "pattern": "^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$",
        }),
    }
}

/// The schema of one key of an entry.
fn entry_key(key: EntryKey) -> Value {
    match key {
        EntryKey::Spoofed => {
            side("The spoofed user: a domain (contoso.com) or an address (ceo@contoso.com). `*` (any) only in a block.")
        }
        EntryKey::Infrastructure => side(
            "The sending infrastructure: a PTR domain (tms.mx.com), a DKIM domain, or an IPv4 /24 (203.0.113.0/24). \
             `*` (any) only in a block.",
        ),
        EntryKey::Type => word::<SpoofType>("internal (the spoofed domain is the tenant's own) or external."),
        EntryKey::Action => {
            word::<Action>("allow or block. An allow needs a concrete spoofed user AND a concrete infrastructure.")
        }
        EntryKey::Reason => free_text("Why the entry exists (lint `missing-reason` on allows without one)."),
        EntryKey::Owner => free_text("Who answers for the entry (lint `missing-owner` on allows without one)."),
        EntryKey::Ticket => free_text("The change or ticket that approved the entry."),
        EntryKey::Expires => json!({
            "description": "Review date, YYYY-MM-DD (lint `expired` once past). The service itself never expires spoof entries.",
            "type": "string",
            "pattern": "^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$",
        }),
        EntryKey::Id => {
            let guid = "[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}";
            json!({
                "description": "The entry's Identity in the tenant (a GUID from Get-TenantAllowBlockListSpoofItems), kept for `plan`.",
                "type": "string",
                "pattern": format!("^(?:{guid}|\\{{{guid}\\}})$"),
            })
        }
    }
}

/// Every key of a mapping with its schema: the keys come from the reader's own enum, so none can be missing.
fn properties<K: Copy + std::fmt::Display>(keys: &[K], schema_of: fn(K) -> Value) -> Map<String, Value> {
    keys.iter().map(|&k| (k.to_string(), schema_of(k))).collect()
}

/// The JSON Schema of a list file.
pub fn list_schema() -> Value {
    let allow = json!({ "properties": { "action": { "pattern": any_case(&[Action::Allow.list_word()]) } }, "required": ["action"] });
    let entry = json!({
        "type": "object",
        "description": "One spoofed-sender entry: the pair of a spoofed user and a sending infrastructure, and its action.",
        "properties": properties(EntryKey::ALL, entry_key),
        "additionalProperties": false,
        "required": ["spoofed", "infrastructure", "action"],
        "allOf": [
            {
                "description": "An allow is a pair: neither side may be `*`.",
                "if": allow,
                "then": { "properties": { "spoofed": { "not": { "const": WILDCARD } }, "infrastructure": { "not": { "const": WILDCARD } } } },
            },
            {
                "description": "`*` spans internal and external domains alike, so its `type` must be written.",
                "if": { "properties": { "spoofed": { "const": WILDCARD } }, "required": ["spoofed"] },
                "then": { "required": ["type"] },
            },
            {
                "description": "Even a block names one side: `*` on both sides would block all mail.",
                "not": { "properties": { "spoofed": { "const": WILDCARD }, "infrastructure": { "const": WILDCARD } }, "required": ["spoofed", "infrastructure"] },
            },
        ],
    });
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "spoofctl list",
        "description": "A tenant's spoofed-sender allow/block entries (Microsoft 365 Tenant Allow/Block List), as managed by spoofctl.",
        "type": "object",
        "properties": properties(TopKey::ALL, top_key),
        "additionalProperties": false,
        "required": ["version", "entries"],
        // `type` can be inferred only from a non-empty `accepted-domains`.
        "if": { "not": { "required": ["accepted-domains"], "properties": { "accepted-domains": { "minItems": 1 } } } },
        "then": { "properties": { "entries": { "items": { "required": ["type"] } } } },
        "definitions": {
            "entry": entry,
            "exception": {
                "type": "object",
                "description": "An approved exception to one `spoofctl audit` finding.",
                "properties": properties(ExceptionKey::ALL, exception_key),
                "additionalProperties": false,
                "required": ["finding", "object", "value", "reason", "owner"],
            },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_case_pattern() {
        assert_eq!(any_case(&["allow", "block"]), "^(?:[Aa][Ll][Ll][Oo][Ww]|[Bb][Ll][Oo][Cc][Kk])$");
    }
}
