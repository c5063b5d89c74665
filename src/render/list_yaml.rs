//! The canonical form of a list file, as `fmt` writes it.
//!
//! Canonical form: keys in the order `version`, `tenant`, `accepted-domains`, `policy`, `entries`,
//! `exceptions` (sorted by finding, object and value, keys in the order of [`ExceptionKey::ALL`]); accepted
//! domains sorted; policy lints sorted by code; entries sorted by identity (spoofed domain, then the domain
//! entry before its addresses, then infrastructure, then type; `*` first) within their section, one blank
//! line between entries; entry keys in the order of [`EntryKey::ALL`]; every value in normal form. An
//! unwritten `type` stays unwritten. Comments are kept: each one travels with the key or entry it stands
//! above, or the line it ends.
//!
//! A section heading is a comment (or several) on its own lines among the entries with a blank line right
//! below it: `# ---- Vendors ----`, blank, entries. Headings keep their place in the file, a
//! blank line below each, and each entry stays in its section: entries are sorted within sections, as
//! rustfmt sorts imports within groups, so that a heading never ends up above entries it was not written
//! for.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use std::path::Path;

use crate::model::date::Date;
use crate::model::diagnostic::{Diagnostic, Severity, Span};
use crate::model::domain::Domain;
use crate::model::entry::{Entry, TenantList};
use crate::model::exception::Exception;
use crate::model::words::Word;
use crate::read::raw_list::{EntryKey, ExceptionKey, RawEntry, RawList, SHARED_INFRASTRUCTURE, TopKey};
use crate::read::yaml::{Comment, scalar};
use crate::validate::pipeline::{Checked, check};

/// Why a file cannot be formatted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// The file has errors: its values have no normal form to write.
    #[error("the file has errors; fix them before formatting")]
    HasErrors,
    /// The canonical text would not read back as the same list. A bug in spoofctl: nothing is written.
    #[error(
        "internal error: the formatted file would read back differently ({0}); nothing was written, please report this"
    )]
    WouldLoseData(&'static str),
}

/// Where a comment is attached. Ordered so that, on one line, an entry comes before its first key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Anchor {
    Start,
    Top(TopKey),
    Policy(usize),
    /// `policy`'s `shared-infrastructure` key.
    SharedInfrastructure,
    /// Above entry `i` (in file order), with a blank line right below: it heads a section that starts there.
    Heading(usize),
    Entry(usize),
    Field(usize, EntryKey),
    /// Below an entry's last key, indented like its keys (a commented-out field, say).
    EntryEnd(usize),
    /// Above exception `i` (in file order).
    Exception(usize),
    ExceptionField(usize, ExceptionKey),
    End,
}

#[derive(Default)]
struct Attached {
    leading: Vec<String>,
    trailing: Option<String>,
}

/// Writes a checked, error-free list in canonical form.
pub fn format(checked: &Checked) -> Result<String, FormatError> {
    let (Some(raw), Some(document)) = (&checked.raw, &checked.document) else { return Err(FormatError::HasErrors) };
    if !checked.is_well_formed()
        || raw.entries.len() != checked.list.entries.len()
        || raw.exceptions.len() != checked.list.exceptions.len()
    {
        return Err(FormatError::HasErrors);
    }
    let comments = attach(raw, &document.comments);
    let mut w = Writer { out: String::new(), comments };
    let list = &checked.list;
    w.leading(Anchor::Start, "");

    w.line(
        Anchor::Top(TopKey::Version),
        "",
        &format!("version: {}", raw.version.as_ref().map_or("1", |v| v.value.as_str())),
    );
    if let Some(tenant) = &list.tenant {
        w.line(Anchor::Top(TopKey::Tenant), "", &format!("tenant: {}", scalar(tenant)));
    }
    if raw.key(TopKey::AcceptedDomains).is_some() {
        let domains: Vec<&str> = list.accepted_domains.iter().map(|d| d.as_str()).collect();
        w.line(Anchor::Top(TopKey::AcceptedDomains), "", &format!("accepted-domains: [{}]", domains.join(", ")));
    }
    if raw.key(TopKey::Policy).is_some() {
        let mut policy: Vec<(Anchor, String)> = raw
            .policy
            .iter()
            .enumerate()
            .map(|(i, (k, l))| (Anchor::Policy(i), format!("{}: {}", k.value, l.value)))
            .collect();
        if raw.shared_infrastructure.is_some() {
            let platforms: Vec<&str> = list.policy.shared_infrastructure().iter().map(|d| d.as_str()).collect();
            policy.push((Anchor::SharedInfrastructure, format!("{SHARED_INFRASTRUCTURE}: [{}]", platforms.join(", "))));
        }
        policy.sort_by(|a, b| a.1.cmp(&b.1));
        w.line(Anchor::Top(TopKey::Policy), "", if policy.is_empty() { "policy: {}" } else { "policy:" });
        for (anchor, text) in policy {
            w.line(anchor, "  ", &text);
        }
    }
    w.line(Anchor::Top(TopKey::Entries), "", if list.entries.is_empty() { "entries: []" } else { "entries:" });
    let mut blank_before = false;
    for (start, mut section) in sections(&w.comments, list.entries.len()) {
        if w.comments.contains_key(&Anchor::Heading(start)) {
            if blank_before {
                w.out.push('\n');
            }
            w.leading(Anchor::Heading(start), "  ");
            w.out.push('\n');
            blank_before = false;
        }
        section.sort_by_key(|&i| list.entries[i].identity());
        for i in section {
            if blank_before {
                w.out.push('\n');
            }
            w.entry(i, &list.entries[i]);
            blank_before = true;
        }
    }
    if raw.key(TopKey::Exceptions).is_some() {
        let exceptions = &list.exceptions;
        w.line(
            Anchor::Top(TopKey::Exceptions),
            "",
            if exceptions.is_empty() { "exceptions: []" } else { "exceptions:" },
        );
        let mut order: Vec<usize> = (0..exceptions.len()).collect();
        order.sort_by_key(|&i| exception_order(&exceptions[i]));
        for (n, i) in order.into_iter().enumerate() {
            if n > 0 {
                w.out.push('\n');
            }
            w.exception(i, &exceptions[i]);
        }
    }
    w.leading(Anchor::End, "");
    verify(checked, &w.out)?;
    Ok(w.out)
}

/// The order of exceptions in canonical form: by finding, object, value (ignoring case, as they match).
fn exception_order(e: &Exception) -> (&'static str, String, String) {
    (e.finding.name(), e.object.to_lowercase(), e.value.to_lowercase())
}

/// The value of an exception's key in normal form, or `None` when the key is not written.
fn exception_field(e: &Exception, key: ExceptionKey) -> Option<String> {
    match key {
        ExceptionKey::Finding => Some(e.finding.name().to_string()),
        ExceptionKey::Object => Some(scalar(&e.object)),
        ExceptionKey::Value => Some(scalar(&e.value)),
        ExceptionKey::Reason => Some(scalar(&e.reason)),
        ExceptionKey::Owner => Some(scalar(&e.owner)),
        ExceptionKey::Expires => e.expires.map(|d| d.to_string()),
    }
}

/// The entries (indexes in file order) split into sections, each with the index that starts it: a new
/// section at each heading.
fn sections(comments: &BTreeMap<Anchor, Attached>, entries: usize) -> Vec<(usize, Vec<usize>)> {
    let mut sections: Vec<(usize, Vec<usize>)> = Vec::new();
    for i in 0..entries {
        match sections.last_mut() {
            Some((_, section)) if !comments.contains_key(&Anchor::Heading(i)) => section.push(i),
            _ => sections.push((i, vec![i])),
        }
    }
    sections
}

/// Reads the formatted text back and checks that nothing was lost: the same entries with the same fields,
/// the same header values, the same comments. Cheap next to the cost of a lost entry.
fn verify(before: &Checked, text: &str) -> Result<(), FormatError> {
    let after = crate::validate::pipeline::check(
        &before.list.path,
        text,
        crate::model::date::Date::parse("2000-01-01").map_err(|_| FormatError::WouldLoseData("date"))?,
    );
    if !after.is_well_formed() {
        return Err(FormatError::WouldLoseData("errors"));
    }
    let key = |e: &Entry| (e.identity(), e.action(), e.type_written, e.meta.clone());
    let mut a: Vec<_> = before.list.entries.iter().map(key).collect();
    let mut b: Vec<_> = after.list.entries.iter().map(key).collect();
    // Identities are unique in a valid list, so sorting by identity alone gives one order.
    a.sort_by(|x, y| x.0.cmp(&y.0));
    b.sort_by(|x, y| x.0.cmp(&y.0));
    if a != b {
        return Err(FormatError::WouldLoseData("entries"));
    }
    let exceptions = |l: &crate::model::entry::TenantList| {
        let mut all: Vec<Exception> =
            l.exceptions.iter().map(|e| Exception { span: Span::default(), ..e.clone() }).collect();
        all.sort_by(|x, y| {
            exception_order(x).cmp(&exception_order(y)).then_with(|| format!("{x:?}").cmp(&format!("{y:?}")))
        });
        all
    };
    if exceptions(&before.list) != exceptions(&after.list) {
        return Err(FormatError::WouldLoseData("exceptions"));
    }
    let (l, r) = (&before.list, &after.list);
    if (&l.tenant, &l.accepted_domains, &l.policy) != (&r.tenant, &r.accepted_domains, &r.policy) {
        return Err(FormatError::WouldLoseData("header"));
    }
    let (a, b) = (placement(before), placement(&after));
    if a.owners != b.owners {
        return Err(FormatError::WouldLoseData("comments"));
    }
    if a.members != b.members {
        return Err(FormatError::WouldLoseData("sections"));
    }
    Ok(())
}

struct Writer {
    out: String,
    comments: BTreeMap<Anchor, Attached>,
}

impl Writer {
    fn leading(&mut self, anchor: Anchor, indent: &str) {
        if let Some(a) = self.comments.get(&anchor) {
            for c in &a.leading {
                let _ = writeln!(self.out, "{indent}{c}");
            }
        }
    }

    fn line(&mut self, anchor: Anchor, indent: &str, text: &str) {
        self.leading(anchor, indent);
        self.trailing_line(anchor, indent, text);
    }

    fn trailing_line(&mut self, anchor: Anchor, indent: &str, text: &str) {
        match self.comments.get(&anchor).and_then(|a| a.trailing.as_ref()) {
            Some(c) => {
                let _ = writeln!(self.out, "{indent}{text}  {c}");
            }
            None => {
                let _ = writeln!(self.out, "{indent}{text}");
            }
        }
    }

    fn entry(&mut self, i: usize, entry: &Entry) {
        self.leading(Anchor::Entry(i), "  ");
        for (n, (key, value)) in EntryKey::ALL.iter().filter_map(|&k| field(entry, k).map(|v| (k, v))).enumerate() {
            // The first key's line opens the item (`  - `): comments above it go above the item, at the
            // item's indent, where they read back as the entry's own.
            let (indent, comment_indent) = if n == 0 { ("  - ", "  ") } else { ("    ", "    ") };
            self.leading(Anchor::Field(i, key), comment_indent);
            self.trailing_line(Anchor::Field(i, key), indent, &format!("{key}: {value}"));
        }
        self.leading(Anchor::EntryEnd(i), "    ");
    }

    fn exception(&mut self, i: usize, e: &Exception) {
        self.leading(Anchor::Exception(i), "  ");
        let fields = ExceptionKey::ALL.iter().filter_map(|&k| exception_field(e, k).map(|v| (k, v)));
        for (n, (key, value)) in fields.enumerate() {
            let (indent, comment_indent) = if n == 0 { ("  - ", "  ") } else { ("    ", "    ") };
            self.leading(Anchor::ExceptionField(i, key), comment_indent);
            self.trailing_line(Anchor::ExceptionField(i, key), indent, &format!("{key}: {value}"));
        }
    }
}

/// One entry as a YAML list item, in canonical form (two-space indent, as under `entries:`).
pub fn entry_yaml(entry: &Entry) -> String {
    let mut out = String::new();
    for (n, (key, value)) in EntryKey::ALL.iter().filter_map(|&k| field(entry, k).map(|v| (k, v))).enumerate() {
        let indent = if n == 0 { "  - " } else { "    " };
        let _ = writeln!(out, "{indent}{key}: {value}");
    }
    out
}

/// Why an entry cannot be added to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AddError {
    /// The file has errors: it has no canonical form to add to.
    #[error("the file has errors; fix them first (`spoofctl validate`)")]
    HasErrors,
    /// The file is not in canonical form: the new entry's place would not be where `fmt` puts it.
    #[error("the file is not in canonical form; run `spoofctl fmt` on it first, so that only the new entry changes")]
    NotCanonical,
    /// The list already has an entry with this identity, at this line.
    #[error("the list already has this entry (spoofed user, infrastructure and type), at line {0}")]
    Duplicate(usize),
    /// The text with the entry would not be in canonical form. A bug in spoofctl: nothing is written.
    #[error("internal error: the entry would not stand where `fmt` puts it; nothing was written, please report this")]
    Misplaced,
}

/// A file's text with an entry added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    /// The whole new text.
    pub text: String,
    /// The 0-based line of the old text before which lines were inserted.
    pub line: usize,
    /// The lines inserted.
    pub inserted: String,
    /// The old text's line replaced, when the list was empty (`entries: []` becomes `entries:`).
    pub replaced: Option<String>,
}

/// `text` (the text of `checked`, in canonical form) with `entry` added where `fmt` puts it, every other byte
/// as it was: in the last section that holds an entry with the same spoofed user, else the last that holds
/// one with the same action, else the last section; in canonical order within it, with the blank lines
/// canonical form puts around entries. The new text is checked to be in canonical form.
pub fn add_entry(checked: &Checked, text: &str, entry: &Entry) -> Result<Added, AddError> {
    let (Some(raw), Some(document)) = (&checked.raw, &checked.document) else { return Err(AddError::HasErrors) };
    match format(checked) {
        Ok(f) if f == text => {}
        Ok(_) => return Err(AddError::NotCanonical),
        Err(_) => return Err(AddError::HasErrors),
    }
    let entries = &checked.list.entries;
    if let Some(e) = entries.iter().find(|e| e.identity() == entry.identity()) {
        return Err(AddError::Duplicate(e.span.line));
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let item = entry_yaml(entry);
    let mut replaced = None;
    let (line, inserted) = if entries.is_empty() {
        // `entries: []` (a comment may end the line) opens a block for the item.
        let at = raw.key(TopKey::Entries).map_or(0, |s| s.line.saturating_sub(1));
        let old = lines.get(at).copied().unwrap_or_default();
        let Some(rest) = old.strip_prefix("entries: []") else { return Err(AddError::NotCanonical) };
        replaced = Some(format!("entries:{rest}"));
        (at, item)
    } else {
        let comments = attach(raw, &document.comments);
        let sections = sections(&comments, entries.len());
        let last_with =
            |same: &dyn Fn(&Entry) -> bool| sections.iter().rposition(|(_, s)| s.iter().any(|&i| same(&entries[i])));
        let n = last_with(&|e| e.rule.spoofed() == entry.rule.spoofed())
            .or_else(|| last_with(&|e| e.action() == entry.action()))
            .unwrap_or(sections.len() - 1);
        let first_line = |i: usize| raw.entries[i].span.line.saturating_sub(1);
        match sections[n].1.iter().find(|&&i| entries[i].identity() > entry.identity()) {
            // Before the next entry and the comments above it.
            Some(&i) => (comments_above(&lines, first_line(i)), format!("{item}\n")),
            None => match sections.get(n + 1) {
                // Last in its section: before the next section's heading.
                Some(&(start, _)) => {
                    let entry_comments = comments_above(&lines, first_line(start));
                    (comments_above(&lines, entry_comments.saturating_sub(1)), format!("{item}\n"))
                }
                // Last in the list: before the comments that end the file (written at the margin).
                None => {
                    let end = lines.len() - lines.iter().rev().take_while(|l| l.starts_with('#')).count();
                    (end, format!("\n{item}"))
                }
            },
        }
    };
    let mut new = String::with_capacity(text.len() + inserted.len());
    for (k, l) in lines.iter().enumerate() {
        if k == line {
            if let Some(r) = &replaced {
                new.push_str(r);
                new.push_str(&inserted);
                continue;
            }
            new.push_str(&inserted);
        }
        new.push_str(l);
    }
    if line == lines.len() {
        new.push_str(&inserted);
    }
    let after = check(&checked.list.path, &new, Date::parse("2000-01-01").map_err(|_| AddError::Misplaced)?);
    if format(&after).ok().as_deref() != Some(new.as_str()) || after.list.entries.len() != entries.len() + 1 {
        return Err(AddError::Misplaced);
    }
    Ok(Added { text: new, line, inserted, replaced })
}

/// A new entry from the values a user typed (`add`, `explain --add-to`), each key with its value as typed,
/// read as it would be in `list` (whose `accepted-domains` give an unwritten type): the values are written
/// as YAML (quoted where they must be) and checked as a list file would be. Errors come with the key whose
/// value is wrong (`None`: the entry as a whole).
pub fn new_entry(list: &TenantList, values: &[(EntryKey, &str)]) -> Result<Entry, Vec<(Option<EntryKey>, Diagnostic)>> {
    let mut text = String::from("version: 1\n");
    if !list.accepted_domains.is_empty() {
        let names: Vec<&str> = list.accepted_domains.iter().map(Domain::as_str).collect();
        let _ = writeln!(text, "accepted-domains: [{}]", names.join(", "));
    }
    text.push_str("entries:\n");
    let first_line = text.lines().count() + 1;
    for (n, (key, value)) in values.iter().enumerate() {
        let _ = writeln!(text, "{}{key}: {}", if n == 0 { "  - " } else { "    " }, scalar(value));
    }
    let checked = check(&list.path, &text, Date::parse("2000-01-01").map_err(|_| Vec::new())?);
    let errors: Vec<(Option<EntryKey>, Diagnostic)> = checked
        .diagnostics
        .into_iter()
        .filter(|d| d.severity == Severity::Error && !d.code.is_lint())
        .map(|d| {
            let key = d.span.and_then(|s| s.line.checked_sub(first_line)).and_then(|k| values.get(k)).map(|(k, _)| *k);
            (key, d)
        })
        .collect();
    match checked.list.entries.into_iter().next() {
        Some(entry) if errors.is_empty() => Ok(entry),
        _ => Err(errors),
    }
}

/// The first line of the comments right above line `at` (0-based), or `at` when there are none.
fn comments_above(lines: &[&str], mut at: usize) -> usize {
    while at > 0 && lines[at - 1].trim_start().starts_with('#') {
        at -= 1;
    }
    at
}

/// The value of an entry's key in normal form, or `None` when the key is not written.
fn field(entry: &Entry, key: EntryKey) -> Option<String> {
    let text = |t: &Option<String>| t.as_deref().map(scalar);
    match key {
        EntryKey::Spoofed => Some(scalar(&entry.rule.spoofed().to_string())),
        EntryKey::Infrastructure => Some(scalar(&entry.rule.infrastructure().to_string())),
        EntryKey::Type => entry.type_written.then(|| entry.spoof_type.list_word().to_string()),
        EntryKey::Action => Some(entry.action().list_word().to_string()),
        EntryKey::Reason => text(&entry.meta.reason),
        EntryKey::Owner => text(&entry.meta.owner),
        EntryKey::Ticket => text(&entry.meta.ticket),
        EntryKey::Expires => entry.meta.expires.map(|d| d.to_string()),
        EntryKey::Id => entry.meta.id.as_ref().map(|g| g.to_string()),
    }
}

/// Gives each comment an anchor: a comment that ends a line belongs to the last key on that line (or the key
/// above, inside a multi-line value); a comment on a line of its own belongs to the next key or entry, except
/// that one right after an entry's last key, with no blank line above it, stays with that entry when it is
/// indented like the entry's keys or inside the entry's `{ }`; comments above the first key stay at the top
/// of the file. Comments above an entry down to the last one with a blank line below it head a section.
fn attach(raw: &RawList, comments: &[Comment]) -> BTreeMap<Anchor, Attached> {
    // Sorted by place, so that on one line the last key written comes last (and an entry before its first key).
    let mut anchors: Vec<(Span, Anchor)> = raw.keys.iter().map(|k| (k.span, Anchor::Top(k.value))).collect();
    anchors.extend(raw.policy.iter().enumerate().map(|(i, (k, _))| (k.span, Anchor::Policy(i))));
    anchors.extend(raw.shared_infrastructure.iter().map(|(key, _)| (*key, Anchor::SharedInfrastructure)));
    for (i, e) in raw.entries.iter().enumerate() {
        anchors.push((e.span, Anchor::Entry(i)));
        anchors.extend(e.fields().map(|(key, f)| (f.key, Anchor::Field(i, key))));
    }
    for (i, e) in raw.exceptions.iter().enumerate() {
        anchors.push((e.span, Anchor::Exception(i)));
        anchors.extend(e.fields.iter().map(|(key, f)| (f.key, Anchor::ExceptionField(i, *key))));
    }
    anchors.sort();
    let mut attached: BTreeMap<Anchor, Attached> = BTreeMap::new();
    // The comments on lines of their own above each entry, with their lines: the ones above a blank line
    // head a section.
    let mut above_entry: BTreeMap<usize, Vec<&Comment>> = BTreeMap::new();
    for c in comments {
        let line = c.span.line;
        let after = anchors.partition_point(|(s, _)| s.line <= line);
        let before = after.checked_sub(1).map(|i| anchors[i].1);
        let next = anchors.get(after).map(|(_, a)| *a);
        let anchor = if c.trailing {
            before.unwrap_or(Anchor::End)
        } else if anchors.first().is_none_or(|(s, _)| s.line > line) {
            Anchor::Start
        } else {
            match before {
                Some(Anchor::Entry(i) | Anchor::Field(i, _))
                    if !c.in_item
                        && !c.blank_above
                        && !matches!(next, Some(Anchor::Field(j, _)) if j == i)
                        && inside_or_under(&raw.entries[i], c) =>
                {
                    Anchor::EntryEnd(i)
                }
                _ => next.unwrap_or(Anchor::End),
            }
        };
        if let (Anchor::Entry(i), false) = (anchor, c.trailing) {
            above_entry.entry(i).or_default().push(c);
            continue;
        }
        let slot = attached.entry(anchor).or_default();
        if c.trailing && slot.trailing.is_none() && anchor != Anchor::End {
            slot.trailing = Some(c.text.clone());
        } else {
            slot.leading.push(c.text.clone());
        }
    }
    for (i, above) in above_entry {
        // Everything down to the last comment with a blank line right below it heads a section (comments come
        // in file order); a comment inside the item (`- # note`) never does.
        let heading = above.iter().rposition(|c| c.blank_below && !c.in_item).map_or(0, |k| k + 1);
        let text = |cs: &[&Comment]| cs.iter().map(|c| c.text.clone()).collect::<Vec<_>>();
        if heading > 0 {
            attached.entry(Anchor::Heading(i)).or_default().leading = text(&above[..heading]);
        }
        if heading < above.len() {
            attached.entry(Anchor::Entry(i)).or_default().leading = text(&above[heading..]);
        }
    }
    attached
}

/// Where a list's comments and entries are, for comparing a file with its formatted text.
#[derive(Default)]
struct Placement {
    /// Each comment with the part of the list it belongs to: the entry (by identity), the top-level key, the
    /// policy lint, the heading (by its place among the headings), the top or the end of the file. `fmt` may
    /// move a comment within its entry, never to another.
    owners: Vec<(String, String)>,
    /// Each entry (by identity) with the number of its section: `fmt` sorts entries within sections, never
    /// across them.
    members: Vec<(String, usize)>,
}

fn placement(checked: &Checked) -> Placement {
    let (Some(raw), Some(document)) = (&checked.raw, &checked.document) else { return Default::default() };
    let attached = attach(raw, &document.comments);
    let identity = |i: usize| {
        checked.list.entries.get(i).map_or_else(|| format!("entry #{i}"), |e| format!("entry {:?}", e.identity()))
    };
    let mut members: Vec<(String, usize)> = sections(&attached, checked.list.entries.len())
        .into_iter()
        .enumerate()
        .flat_map(|(n, (_, section))| section.into_iter().map(move |i| (i, n)))
        .map(|(i, n)| (identity(i), n))
        .collect();
    members.sort();
    let headings: Vec<usize> =
        attached.keys().filter_map(|a| if let Anchor::Heading(i) = a { Some(*i) } else { None }).collect();
    let mut owners: Vec<(String, String)> = attached
        .into_iter()
        .flat_map(|(anchor, a)| {
            let owner = match anchor {
                Anchor::Start => "start".to_string(),
                Anchor::Top(k) => format!("key {k}"),
                Anchor::Policy(i) => format!("policy {}", raw.policy[i].0.value),
                Anchor::SharedInfrastructure => format!("policy {SHARED_INFRASTRUCTURE}"),
                // Headings by their place among the headings: they never move past one another.
                Anchor::Heading(i) => format!("heading {}", headings.partition_point(|&h| h < i)),
                Anchor::Entry(i) | Anchor::Field(i, _) | Anchor::EntryEnd(i) => identity(i),
                Anchor::Exception(i) | Anchor::ExceptionField(i, _) => checked.list.exceptions.get(i).map_or_else(
                    || format!("exception #{i}"),
                    |e| {
                        let (f, o, v) = exception_order(e);
                        format!("exception {f} {o} {v}")
                    },
                ),
                Anchor::End => "end".to_string(),
            };
            a.leading.into_iter().chain(a.trailing).map(move |c| (owner.clone(), c))
        })
        .collect();
    owners.sort();
    Placement { owners, members }
}

/// Whether a comment after an entry's last key is still the entry's (a commented-out field, say): before
/// the `}` of an entry written as a flow mapping, or indented at least like the keys of a block one.
fn inside_or_under(entry: &RawEntry, c: &Comment) -> bool {
    match entry.closed_at {
        Some(end) => c.span < end,
        None => entry.fields().map(|(_, f)| f.key.column).min().is_some_and(|keys| c.span.column >= keys),
    }
}

/// The list file for these entries, in canonical form. Errors mean the entries do not make a valid list
/// (more than 1024 of them, say); nothing should be written then.
pub fn list_text(tenant: Option<&str>, accepted: &[Domain], entries: &[Entry]) -> Result<String, Vec<Diagnostic>> {
    let mut text = String::from("version: 1\n");
    if let Some(t) = tenant {
        text.push_str(&format!("tenant: {}\n", scalar(t)));
    }
    if !accepted.is_empty() {
        let names: Vec<&str> = accepted.iter().map(Domain::as_str).collect();
        text.push_str(&format!("accepted-domains: [{}]\n", names.join(", ")));
    }
    text.push_str(if entries.is_empty() { "entries: []\n" } else { "entries:\n" });
    for e in entries {
        text.push_str(&entry_yaml(e));
    }
    // Lints do not depend on the date for what is checked here; any date will do.
    let checked = check(Path::new("imported.yaml"), &text, Date::today_utc());
    format(&checked).map_err(|_| {
        checked.diagnostics.into_iter().filter(|d| d.severity == Severity::Error && !d.code.is_lint()).collect()
    })
}
