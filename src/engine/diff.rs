//! Diff: what changes between two versions of a list, for review before the change reaches the tenant.
//!
//! Entries are compared by identity (spoofed user, infrastructure, type; product spec, "Diff"). Risky
//! changes are named: a new allow, an allow made broader (an address entry replaced by its domain, a domain
//! infrastructure replaced by a /24 or by a parent domain), a block removed, a block turned into an allow;
//! and the lint warnings the change introduces.

use std::collections::{BTreeSet, HashMap};

use crate::model::diagnostic::{Diagnostic, Severity};
use crate::model::entry::{Entry, Identity, TenantList};
use crate::model::pair::{Infrastructure, Rule, Side};
use crate::model::words::Action;

/// What happened to one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// Only in the new version.
    Added,
    /// Only in the old version.
    Removed,
    /// In both, with another action.
    ActionChanged,
    /// In both, same action, other reason, owner, ticket, expiry or id.
    MetadataChanged,
}

impl ChangeKind {
    /// The word for output.
    pub fn word(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::ActionChanged => "action changed",
            ChangeKind::MetadataChanged => "metadata changed",
        }
    }
}

/// Why a change deserves an approver's attention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Risk {
    /// A new allow: mail that was not allowed may be now.
    NewAllow,
    /// A new allow that replaces a narrower one (shown): more senders or hosts are allowed than before.
    Broader(String),
    /// A block removed: mail it stopped may get through.
    BlockRemoved,
    /// A block turned into an allow.
    BlockToAllow,
}

impl Risk {
    /// Why, in words.
    pub fn words(&self) -> String {
        match self {
            Risk::NewAllow => "new allow".to_string(),
            Risk::Broader(old) => format!("allow made broader: replaces {old}"),
            Risk::BlockRemoved => "block removed".to_string(),
            Risk::BlockToAllow => "block turned into an allow".to_string(),
        }
    }
}

/// One changed entry.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    /// What happened.
    pub kind: ChangeKind,
    /// The entry before (none when added).
    pub old: Option<&'a Entry>,
    /// The entry after (none when removed).
    pub new: Option<&'a Entry>,
    /// Why it is risky, if it is.
    pub risk: Option<Risk>,
}

/// A metadata field that differs between two versions of an entry: (field, before, after).
pub type FieldChange = (&'static str, String, String);

impl Change<'_> {
    /// The metadata fields that differ, for a metadata change.
    pub fn fields(&self) -> Vec<FieldChange> {
        let (Some(o), Some(n)) = (self.old, self.new) else { return Vec::new() };
        let show = |v: Option<String>| v.unwrap_or_else(|| "(none)".to_string());
        [
            ("reason", o.meta.reason.clone(), n.meta.reason.clone()),
            ("owner", o.meta.owner.clone(), n.meta.owner.clone()),
            ("ticket", o.meta.ticket.clone(), n.meta.ticket.clone()),
            ("expires", o.meta.expires.map(|d| d.to_string()), n.meta.expires.map(|d| d.to_string())),
            ("id", o.meta.id.as_ref().map(|g| g.to_string()), n.meta.id.as_ref().map(|g| g.to_string())),
        ]
        .into_iter()
        .filter(|(_, a, b)| a != b)
        .map(|(f, a, b)| (f, show(a), show(b)))
        .collect()
    }

    /// The entry as it is now, or as it was when removed.
    pub fn entry(&self) -> &Entry {
        self.new.or(self.old).expect("a change has an entry on one side")
    }
}

/// The diff of one tenant's list.
#[derive(Debug, Clone)]
pub struct ListDiff<'a> {
    /// The tenant file's name (what matches OLD and NEW in folders).
    pub name: String,
    /// The changes, risky ones first, then by kind and identity.
    pub changes: Vec<Change<'a>>,
    /// Lint findings in NEW that OLD did not have (warnings, or errors where the list's policy says so).
    pub new_warnings: Vec<&'a Diagnostic>,
}

impl ListDiff<'_> {
    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.new_warnings.is_empty()
    }
}

/// True when `wide` allows every message `narrow` allows, or names a /24 where `narrow` named a domain.
fn broadens(wide: &Rule, narrow: &Rule) -> bool {
    let spoofed = match (wide.spoofed(), narrow.spoofed()) {
        (Side::Is(w), Side::Is(n)) => w.covers(n),
        _ => false,
    };
    let infrastructure = match (wide.infrastructure(), narrow.infrastructure()) {
        (Side::Is(Infrastructure::Range(_)), Side::Is(Infrastructure::Domain(_))) => true,
        (Side::Is(w), Side::Is(n)) => w.covers(n),
        _ => false,
    };
    spoofed && infrastructure
}

/// Diffs two versions of one tenant's list. `old_lints` and `new_lints` are each version's findings.
pub fn diff<'a>(
    name: &str,
    old: &'a TenantList,
    new: &'a TenantList,
    old_lints: &'a [Diagnostic],
    new_lints: &'a [Diagnostic],
) -> ListDiff<'a> {
    let old_by: HashMap<Identity, &Entry> = old.entries.iter().map(|e| (e.identity(), e)).collect();
    let new_by: HashMap<Identity, &Entry> = new.entries.iter().map(|e| (e.identity(), e)).collect();
    let mut changes = Vec::new();
    for e in &new.entries {
        match old_by.get(&e.identity()) {
            None => changes.push(Change { kind: ChangeKind::Added, old: None, new: Some(e), risk: None }),
            Some(o) if o.action() != e.action() => {
                changes.push(Change { kind: ChangeKind::ActionChanged, old: Some(o), new: Some(e), risk: None })
            }
            // Writing out a type that was inferred changes nothing: the identity holds the resolved type.
            Some(o) if o.meta != e.meta => {
                changes.push(Change { kind: ChangeKind::MetadataChanged, old: Some(o), new: Some(e), risk: None })
            }
            Some(_) => {}
        }
    }
    for e in &old.entries {
        if !new_by.contains_key(&e.identity()) {
            changes.push(Change { kind: ChangeKind::Removed, old: Some(e), new: None, risk: None });
        }
    }
    let removed_allows: Vec<&Entry> = changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Removed)
        .filter_map(|c| c.old)
        .filter(|e| e.action() == Action::Allow)
        .collect();
    for c in &mut changes {
        c.risk = match (c.kind, c.old.map(Entry::action), c.new.map(Entry::action)) {
            (ChangeKind::Added, _, Some(Action::Allow)) => {
                let e = c.new.expect("added");
                Some(match removed_allows.iter().find(|r| r.spoof_type == e.spoof_type && broadens(&e.rule, &r.rule)) {
                    Some(r) => Risk::Broader(r.label().to_string()),
                    None => Risk::NewAllow,
                })
            }
            (ChangeKind::Removed, Some(Action::Block), _) => Some(Risk::BlockRemoved),
            (ChangeKind::ActionChanged, Some(Action::Block), Some(Action::Allow)) => Some(Risk::BlockToAllow),
            _ => None,
        };
    }
    changes.sort_by_key(|c| (c.risk.is_none(), c.kind, c.entry().identity()));
    let seen: BTreeSet<(crate::model::diagnostic::Code, String)> = old_lints
        .iter()
        .filter(|d| d.code.is_lint())
        .map(|d| (d.code, d.entry.as_ref().map(|e| e.to_string()).unwrap_or_default()))
        .collect();
    let new_warnings = new_lints
        .iter()
        .filter(|d| d.code.is_lint() && d.severity >= Severity::Warning)
        .filter(|d| !seen.contains(&(d.code, d.entry.as_ref().map(|e| e.to_string()).unwrap_or_default())))
        .collect();
    ListDiff { name: name.to_string(), changes, new_warnings }
}
