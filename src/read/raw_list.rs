//! Raw list: the file's keys and values as written, each with its place, before any value is interpreted.
//!
//! This step checks the shape (known keys, text where text belongs, required keys present) and reports every
//! problem it finds; `validate::list` then turns the raw values into the model.

use std::fmt;
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

/// Declares the keys of one kind of mapping: an enum, its names, and the order `fmt` writes them in.
macro_rules! keys {
    ($(#[doc = $doc:literal])+ $name:ident { $( $(#[doc = $vdoc:literal])+ $variant:ident = $key:literal, )+ }) => {
        $(#[doc = $doc])+
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $( $(#[doc = $vdoc])+ $variant, )+
        }

        impl $name {
            /// Every key, in the order `fmt` writes them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Their names as written in a list file, in the same order.
            pub const NAMES: &'static [&'static str] = &[$($key),+];

            /// The key as written in a list file.
            pub fn name(self) -> &'static str {
                match self { $($name::$variant => $key,)+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

keys! {
    /// The keys of a list file.
    TopKey {
        /// `version`: the list format's version.
        Version = "version",
        /// `tenant`: free text naming the tenant.
        Tenant = "tenant",
        /// `accepted-domains`: the tenant's domains, to infer each entry's type.
        AcceptedDomains = "accepted-domains",
        /// `policy`: lint levels.
        Policy = "policy",
        /// `entries`: the spoofed-sender entries.
        Entries = "entries",
        /// `exceptions`: approved exceptions to `audit` findings.
        Exceptions = "exceptions",
    }
}

keys! {
    /// The keys of an exception.
    ExceptionKey {
        /// `finding`: the finding's code.
        Finding = "finding",
        /// `object`: the policy, rule, connector or mailbox the finding names.
        Object = "object",
        /// `value`: the finding's value.
        Value = "value",
        /// `reason`: why the finding is accepted.
        Reason = "reason",
        /// `owner`: who answers for it.
        Owner = "owner",
        /// `expires`: the date after which it covers nothing.
        Expires = "expires",
    }
}

keys! {
    /// The keys of an entry.
    EntryKey {
        /// `spoofed`: the spoofed user.
        Spoofed = "spoofed",
        /// `infrastructure`: the sending infrastructure.
        Infrastructure = "infrastructure",
        /// `type`: internal or external.
        Type = "type",
        /// `action`: allow or block.
        Action = "action",
        /// `reason`: why the entry exists.
        Reason = "reason",
        /// `owner`: who answers for it.
        Owner = "owner",
        /// `ticket`: the change that approved it.
        Ticket = "ticket",
        /// `expires`: the review date.
        Expires = "expires",
        /// `id`: the service's `Identity` GUID.
        Id = "id",
    }
}

/// The `policy:` key that adds sending platforms to the shipped list, rather than set a lint's level.
pub const SHARED_INFRASTRUCTURE: &str = "shared-infrastructure";

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
    /// `policy`'s `shared-infrastructure`: the key, and the platforms the list adds to the shipped ones.
    pub shared_infrastructure: Option<(Span, Vec<Located<String>>)>,
    /// `entries`.
    pub entries: Vec<RawEntry>,
    /// `exceptions`.
    pub exceptions: Vec<RawException>,
    /// Each top-level key written, with its place, in file order (written even when its value is not usable).
    pub keys: Vec<Located<TopKey>>,
}

impl RawList {
    /// Where `key` is written, if it is.
    pub fn key(&self, key: TopKey) -> Option<Span> {
        self.keys.iter().find(|k| k.value == key).map(|k| k.span)
    }
}

/// An entry's value as written: its text and place, and the place of its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The text of the value.
    pub value: String,
    /// Where the value starts.
    pub span: Span,
    /// Where its key starts.
    pub key: Span,
}

/// One entry as written: each key a field of its own, present when the key holds a text value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawEntry {
    /// Where the entry starts.
    pub span: Span,
    /// `spoofed`.
    pub spoofed: Option<Field>,
    /// `infrastructure`.
    pub infrastructure: Option<Field>,
    /// `type`.
    pub spoof_type: Option<Field>,
    /// `action`.
    pub action: Option<Field>,
    /// `reason`.
    pub reason: Option<Field>,
    /// `owner`.
    pub owner: Option<Field>,
    /// `ticket`.
    pub ticket: Option<Field>,
    /// `expires`.
    pub expires: Option<Field>,
    /// `id`.
    pub id: Option<Field>,
    /// Where the entry's closing `}` is, when it is written as a flow mapping (`{spoofed: ..., ...}`).
    pub closed_at: Option<Span>,
}

impl RawEntry {
    /// The field of `key`.
    pub fn field(&self, key: EntryKey) -> Option<&Field> {
        match key {
            EntryKey::Spoofed => self.spoofed.as_ref(),
            EntryKey::Infrastructure => self.infrastructure.as_ref(),
            EntryKey::Type => self.spoof_type.as_ref(),
            EntryKey::Action => self.action.as_ref(),
            EntryKey::Reason => self.reason.as_ref(),
            EntryKey::Owner => self.owner.as_ref(),
            EntryKey::Ticket => self.ticket.as_ref(),
            EntryKey::Expires => self.expires.as_ref(),
            EntryKey::Id => self.id.as_ref(),
        }
    }

    /// The fields written, in the order `fmt` writes them.
    pub fn fields(&self) -> impl Iterator<Item = (EntryKey, &Field)> {
        EntryKey::ALL.iter().filter_map(|&k| Some((k, self.field(k)?)))
    }
}

/// One exception as written: each key written with a text value, in the order of [`ExceptionKey::ALL`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawException {
    /// Where the exception starts.
    pub span: Span,
    /// The keys written, each with its value.
    pub fields: Vec<(ExceptionKey, Field)>,
}

impl RawException {
    /// The field of `key`.
    pub fn field(&self, key: ExceptionKey) -> Option<&Field> {
        self.fields.iter().find(|(k, _)| *k == key).map(|(_, f)| f)
    }
}

/// Reads the raw list from a parsed document, reporting every shape problem.
pub fn read(file: &Path, root: &Node) -> (RawList, Vec<Diagnostic>) {
    let mut r = RawReader { file, diagnostics: Vec::new() };
    let list = r.list(root);
    (list, r.diagnostics)
}

/// A mapping's pairs, taken key by key; [`RawReader::finish`] then reports every key nobody took, so a typo
/// is never dropped in silence (cargo-deny's `TableHelper`).
struct Table<'n> {
    pairs: Vec<&'n (Node, Node)>,
}

impl<'n> Table<'n> {
    /// The key and value of `key`, taken out of the table. The YAML reader already refused a key written twice.
    fn take(&mut self, key: &str) -> Option<&'n (Node, Node)> {
        let at = self.pairs.iter().position(|(k, _)| matches!(&k.value, Value::Text(t) if t == key))?;
        Some(self.pairs.remove(at))
    }
}

struct RawReader<'a> {
    file: &'a Path,
    diagnostics: Vec<Diagnostic>,
}

impl RawReader<'_> {
    fn list(&mut self, root: &Node) -> RawList {
        let mut list = RawList::default();
        let hint = "a list file is a mapping: `version: 1`, then the entries under `entries:`";
        let Some(mut table) = self.table(root, "the list file", hint) else {
            return list;
        };
        if let Some(diagnostic) = self.not_a_list(&table) {
            self.diagnostics.push(diagnostic);
            return list;
        }
        for &key in TopKey::ALL {
            let Some((k, value)) = table.take(key.name()) else { continue };
            list.keys.push(Located { value: key, span: k.span });
            match key {
                TopKey::Version => list.version = self.text(value, key.name()),
                TopKey::Tenant => list.tenant = self.text(value, key.name()),
                TopKey::AcceptedDomains => list.accepted_domains = self.text_list(value, key.name()),
                TopKey::Policy => (list.policy, list.shared_infrastructure) = self.policy(value),
                TopKey::Entries => list.entries = self.items(value, "entries", "entry", "spoofed", Self::entry),
                TopKey::Exceptions => {
                    list.exceptions = self.items(value, "exceptions", "exception", "finding", Self::exception);
                }
            }
        }
        self.finish(table, TopKey::NAMES, "a list file");
        list.keys.sort_by_key(|k| k.span);
        for (key, hint) in [
            (TopKey::Version, "add `version: 1` at the top"),
            (TopKey::Entries, "add `entries:` with the list's entries (or `entries: []`)"),
        ] {
            if list.key(key).is_none() {
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

    /// One finding for a YAML file that holds none of a list file's keys (a workflow, a tool's config): it
    /// is not a list, and a finding per key would only bury that.
    fn not_a_list(&self, table: &Table) -> Option<Diagnostic> {
        let keys: Vec<&Node> = table.pairs.iter().map(|(k, _)| k).collect();
        let known = |k: &&Node| matches!(&k.value, Value::Text(t) if TopKey::NAMES.contains(&t.as_str()));
        if keys.is_empty() || keys.iter().any(known) {
            return None;
        }
        let names: Vec<String> = keys
            .iter()
            .take(3)
            .map(|k| match &k.value {
                Value::Text(t) => format!("`{t}`"),
                _ => "a non-text key".to_string(),
            })
            .collect();
        Some(
            Diagnostic::new(
                Code::UnknownKey,
                self.file,
                Some(keys[0].span),
                format!(
                    "this YAML file is not a spoofctl list: none of its keys ({}) is a list file's",
                    names.join(", ")
                ),
            )
            .with_hint(
                "a list file starts with `version: 1` and `entries:`; give spoofctl the list folder only \
                 (`spoofctl validate lists/`), not every YAML file of the repository",
            ),
        )
    }

    /// The items of a top-level list (`entries`, `exceptions`), each read by `item`; `noun` and `first` (the
    /// key that starts an item) make the hint when the value is not a list.
    fn items<T>(
        &mut self,
        node: &Node,
        key: &str,
        noun: &str,
        first: &str,
        item: fn(&mut Self, &Node) -> Option<T>,
    ) -> Vec<T> {
        let Value::List(items) = &node.value else {
            match node.value {
                Value::Null => self.empty(node, key),
                _ => self.wrong(
                    node,
                    &format!("`{key}`"),
                    &format!("`{key}` is a list: start each {noun} with `- {first}:`"),
                ),
            }
            return Vec::new();
        };
        items.iter().filter_map(|i| item(self, i)).collect()
    }

    fn exception(&mut self, node: &Node) -> Option<RawException> {
        let mut t = self.table(
            node,
            "an exception",
            "write an exception as `- finding: ...` with `object:`, `value:`, `reason:` and `owner:` below it",
        )?;
        let mut fields = Vec::new();
        for &key in ExceptionKey::ALL {
            let Some((k, value)) = t.take(key.name()) else { continue };
            if let Some(text) = self.text(value, key.name()) {
                fields.push((key, Field { value: text.value, span: text.span, key: k.span }));
            }
        }
        self.finish(t, ExceptionKey::NAMES, "an exception");
        Some(RawException { span: node.span, fields })
    }

    fn entry(&mut self, node: &Node) -> Option<RawEntry> {
        let mut t = self.table(
            node,
            "an entry",
            "write an entry as `- spoofed: ...` with `infrastructure:` and `action:` below it",
        )?;
        let entry = RawEntry {
            span: node.span,
            spoofed: self.field(&mut t, EntryKey::Spoofed),
            infrastructure: self.field(&mut t, EntryKey::Infrastructure),
            spoof_type: self.field(&mut t, EntryKey::Type),
            action: self.field(&mut t, EntryKey::Action),
            reason: self.field(&mut t, EntryKey::Reason),
            owner: self.field(&mut t, EntryKey::Owner),
            ticket: self.field(&mut t, EntryKey::Ticket),
            expires: self.field(&mut t, EntryKey::Expires),
            id: self.field(&mut t, EntryKey::Id),
            closed_at: node.closed_at,
        };
        self.finish(t, EntryKey::NAMES, "an entry");
        Some(entry)
    }

    /// Takes `key` from an entry's table: its text value, or nothing (a missing key, or a value that is not
    /// text, which is reported).
    fn field(&mut self, table: &mut Table, key: EntryKey) -> Option<Field> {
        let (k, value) = table.take(key.name())?;
        let text = self.text(value, key.name())?;
        Some(Field { value: text.value, span: text.span, key: k.span })
    }

    /// `policy`'s lint levels, and its `shared-infrastructure` list (the one key that is not a lint).
    #[expect(clippy::type_complexity, reason = "the two parts of RawList that `policy` fills")]
    fn policy(
        &mut self,
        node: &Node,
    ) -> (Vec<(Located<String>, Located<String>)>, Option<(Span, Vec<Located<String>>)>) {
        let Some(pairs) = self.map(node, "`policy`", "write `policy:` with one `lint-code: error|warning|off` a line")
        else {
            return (Vec::new(), None);
        };
        let (mut levels, mut shared) = (Vec::new(), None);
        for (k, v) in pairs {
            let Some(key) = self.text(k, "a policy key") else { continue };
            if key.value == SHARED_INFRASTRUCTURE {
                shared = Some((key.span, self.text_list(v, SHARED_INFRASTRUCTURE)));
            } else if let Some(level) = self.text(v, &key.value) {
                levels.push((key, level));
            }
        }
        (levels, shared)
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

    fn table<'n>(&mut self, node: &'n Node, what: &str, hint: &str) -> Option<Table<'n>> {
        Some(Table { pairs: self.map(node, what, hint)?.iter().collect() })
    }

    /// Reports every key left in `table`: none of `known` (often a typo), or not a word at all.
    fn finish(&mut self, table: Table, known: &[&str], within: &str) {
        for (key, _) in table.pairs {
            let Value::Text(text) = &key.value else {
                self.wrong(key, "a key", "keys are words such as `spoofed`");
                continue;
            };
            let hint = match closest(text, known) {
                Some(k) => format!("did you mean `{k}`? ({within} takes: {})", known.join(", ")),
                None => format!("{within} takes: {}", known.join(", ")),
            };
            self.diagnostics.push(
                Diagnostic::new(
                    Code::UnknownKey,
                    self.file,
                    Some(key.span),
                    format!("unknown key `{text}` in {within}"),
                )
                .with_hint(hint),
            );
        }
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
            "exceptions" => "write `exceptions: []`, or remove the key".to_string(),
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
