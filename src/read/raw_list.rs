//! Raw list: the file's keys and values as written, each with its place, before any value is interpreted.
//!
//! This step checks the shape (known keys, text where text belongs, required keys present) and reports every
//! problem it finds; `validate.rs` then turns the raw values into the model.

use std::path::Path;

use crate::model::diagnostic::{Code, Diagnostic, Span};
use crate::read::yaml::{Node, Value};

/// A value with the place it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where it starts.
    pub span: Span,
}

/// The keys of a list file, in the order `fmt` writes them.
pub const TOP_KEYS: &[&str] = &["version", "tenant", "accepted-domains", "policy", "entries"];
/// The keys of an entry, in the order `fmt` writes them.
pub const ENTRY_KEYS: &[&str] =
    &["spoofed", "infrastructure", "type", "action", "reason", "owner", "ticket", "expires", "id"];

/// A list file as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawList {
    /// `version`.
    pub version: Option<Located<String>>,
    /// `tenant`.
    pub tenant: Option<Located<String>>,
    /// `accepted-domains`.
    pub accepted_domains: Vec<Located<String>>,
    /// `policy`: lint code -> level.
    pub policy: Vec<(Located<String>, Located<String>)>,
    /// `entries`.
    pub entries: Vec<RawEntry>,
    /// Each top-level key written, with its place.
    pub keys: Vec<Located<&'static str>>,
}

/// One entry as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawEntry {
    /// Where the entry starts.
    pub span: Span,
    /// Each key written, with its value and the key's place, in file order.
    pub fields: Vec<(Located<&'static str>, Located<String>)>,
    /// Where the entry's closing `}` is, when it is written as a flow mapping (`{spoofed: ..., ...}`).
    pub closed_at: Option<Span>,
}

impl RawEntry {
    /// The value of `key`, if written.
    pub fn get(&self, key: &str) -> Option<&Located<String>> {
        self.fields.iter().find(|(k, _)| k.value == key).map(|(_, v)| v)
    }
}

/// Reads the raw list from a parsed document, reporting every shape problem.
pub fn read(file: &Path, root: &Node) -> (RawList, Vec<Diagnostic>) {
    let mut r = RawReader { file, diagnostics: Vec::new() };
    let list = r.list(root);
    (list, r.diagnostics)
}

struct RawReader<'a> {
    file: &'a Path,
    diagnostics: Vec<Diagnostic>,
}

impl RawReader<'_> {
    fn list(&mut self, root: &Node) -> RawList {
        let mut list = RawList::default();
        let Some(pairs) = self.map(root, "the list file", "start the file with `version: 1`") else { return list };
        for (key, value) in pairs {
            let Some(name) = self.key(key, TOP_KEYS, "a list file") else { continue };
            list.keys.push(Located { value: name, span: key.span });
            match name {
                "version" => list.version = self.text(value, name),
                "tenant" => list.tenant = self.text(value, name),
                "accepted-domains" => list.accepted_domains = self.text_list(value, name),
                "policy" => list.policy = self.policy(value),
                _ => list.entries = self.entries(value),
            }
        }
        for (key, hint) in [
            ("version", "add `version: 1` at the top"),
            ("entries", "add `entries:` with the list's entries (or `entries: []`)"),
        ] {
            if !list.keys.iter().any(|k| k.value == key) {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::MissingKey,
                        self.file,
                        Some(root.span),
                        format!("the list file has no `{key}`"),
                    )
                    .with_hint(hint),
                );
            }
        }
        list
    }

    fn entries(&mut self, node: &Node) -> Vec<RawEntry> {
        let Value::List(items) = &node.value else {
            match node.value {
                Value::Null => self.empty(node, "entries"),
                _ => self.wrong(node, "`entries`", "`entries` is a list: start each entry with `- spoofed:`"),
            }
            return Vec::new();
        };
        items.iter().filter_map(|item| self.entry(item)).collect()
    }

    fn entry(&mut self, node: &Node) -> Option<RawEntry> {
        let pairs = self.map(
            node,
            "an entry",
            "write an entry as `- spoofed: ...` with `infrastructure:` and `action:` below it",
        )?;
        let mut entry = RawEntry { span: node.span, fields: Vec::new(), closed_at: node.closed_at };
        for (key, value) in pairs {
            let Some(name) = self.key(key, ENTRY_KEYS, "an entry") else { continue };
            if let Some(text) = self.text(value, name) {
                entry.fields.push((Located { value: name, span: key.span }, text));
            }
        }
        Some(entry)
    }

    fn policy(&mut self, node: &Node) -> Vec<(Located<String>, Located<String>)> {
        let Some(pairs) = self.map(node, "`policy`", "write `policy:` with one `lint-code: error|warning|off` a line")
        else {
            return Vec::new();
        };
        pairs
            .iter()
            .filter_map(|(k, v)| {
                let key = self.text(k, "a policy key")?;
                let level = self.text(v, &key.value)?;
                Some((key, level))
            })
            .collect()
    }

    fn map<'n>(&mut self, node: &'n Node, what: &str, hint: &str) -> Option<&'n [(Node, Node)]> {
        match &node.value {
            Value::Map(pairs) => Some(pairs),
            _ => {
                self.wrong(node, what, hint);
                None
            }
        }
    }

    fn key(&mut self, key: &Node, known: &[&'static str], within: &str) -> Option<&'static str> {
        let Value::Text(text) = &key.value else {
            self.wrong(key, "a key", "keys are words such as `spoofed`");
            return None;
        };
        if let Some(k) = known.iter().find(|k| **k == text) {
            return Some(k);
        }
        let hint = match closest(text, known) {
            Some(k) => format!("did you mean `{k}`? ({within} takes: {})", known.join(", ")),
            None => format!("{within} takes: {}", known.join(", ")),
        };
        self.diagnostics.push(
            Diagnostic::new(Code::UnknownKey, self.file, Some(key.span), format!("unknown key `{text}` in {within}"))
                .with_hint(hint),
        );
        None
    }

    fn text(&mut self, node: &Node, key: &str) -> Option<Located<String>> {
        match &node.value {
            Value::Text(t) => Some(Located { value: t.clone(), span: node.span }),
            Value::Null => {
                self.empty(node, key);
                None
            }
            _ => {
                self.wrong(node, &format!("`{key}`"), "write a single value on the same line as the key");
                None
            }
        }
    }

    fn text_list(&mut self, node: &Node, key: &str) -> Vec<Located<String>> {
        match &node.value {
            Value::List(items) => items.iter().filter_map(|i| self.text(i, key)).collect(),
            Value::Null => {
                self.empty(node, key);
                Vec::new()
            }
            _ => {
                self.wrong(node, &format!("`{key}`"), "write a list: `[contoso.com, contoso.net]`");
                Vec::new()
            }
        }
    }

    fn empty(&mut self, node: &Node, key: &str) {
        let hint = match key {
            "entries" => "write `entries: []` for a list with no entries yet".to_string(),
            "accepted-domains" => "list the tenant's domains, `[contoso.com]`, or remove the key".to_string(),
            _ => format!("write a value after `{key}:`, or remove the key"),
        };
        self.diagnostics.push(
            Diagnostic::new(Code::EmptyValue, self.file, Some(node.span), format!("`{key}` has no value"))
                .with_hint(hint),
        );
    }

    fn wrong(&mut self, node: &Node, what: &str, hint: &str) {
        let got = node.value.kind();
        self.diagnostics.push(
            Diagnostic::new(Code::WrongType, self.file, Some(node.span), format!("{what} cannot be {got} here"))
                .with_hint(hint),
        );
    }
}

/// The known word nearest to `word`, if it is near enough to be a typo (edit distance at most 2, or a
/// spelling with `_` or different case).
pub fn closest<'k>(word: &str, known: &[&'k str]) -> Option<&'k str> {
    let folded = word.to_ascii_lowercase().replace('_', "-");
    known.iter().map(|k| (edit_distance(&folded, k), *k)).filter(|(d, _)| *d <= 2).min().map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}
