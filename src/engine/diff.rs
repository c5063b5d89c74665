//! Diff: what changes between two versions of a list, for review before the change reaches the tenant.
//!
//! Entries are compared by identity (spoofed user, infrastructure, type; product spec, "Diff"). Risky
//! changes are named: a new allow, an allow made broader (an address entry replaced by its domain, a domain
//! infrastructure replaced by a /24 or by a parent domain), a block removed, a block turned into an allow;
//! and the lint warnings the change introduces.
//!
//! A version with errors is reviewed too (its entries with errors left out, as validation leaves them), so a
//! change that mends a broken base can be: the base's errors are shown as already there, and only the errors
//! the change introduces count against it.

use std::collections::{BTreeSet, HashMap};

use crate::model::diagnostic::{Code, Diagnostic, Severity};
use crate::model::entry::{Entry, Identity, TenantList};
use crate::model::exception::Exception;
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

/// One changed entry, with why it deserves an approver's attention when it does.
#[derive(Debug, Clone)]
pub enum Change<'a> {
    /// Only in the new version; risky when it allows.
    Added {
        /// The new entry.
        entry: &'a Entry,
        /// A new allow, or one broader than an allow it replaces.
        risk: Option<Risk>,
    },
    /// Only in the old version; risky when it blocked.
    Removed {
        /// The old entry.
        entry: &'a Entry,
        /// A block removed.
        risk: Option<Risk>,
    },
    /// In both, with another action; risky when a block becomes an allow.
    ActionChanged {
        /// The entry before.
        old: &'a Entry,
        /// The entry after.
        new: &'a Entry,
        /// A block turned into an allow.
        risk: Option<Risk>,
    },
    /// In both, same action, other reason, owner, ticket, expiry or id: never risky.
    MetadataChanged {
        /// The entry before.
        old: &'a Entry,
        /// The entry after.
        new: &'a Entry,
    },
}

/// A metadata field that differs between two versions of an entry: (field, before, after).
pub type FieldChange = (&'static str, String, String);

impl<'a> Change<'a> {
    /// What happened.
    pub fn kind(&self) -> ChangeKind {
        match self {
            Change::Added { .. } => ChangeKind::Added,
            Change::Removed { .. } => ChangeKind::Removed,
            Change::ActionChanged { .. } => ChangeKind::ActionChanged,
            Change::MetadataChanged { .. } => ChangeKind::MetadataChanged,
        }
    }

    /// Why it is risky, if it is.
    pub fn risk(&self) -> Option<&Risk> {
        match self {
            Change::Added { risk, .. } | Change::Removed { risk, .. } | Change::ActionChanged { risk, .. } => {
                risk.as_ref()
            }
            Change::MetadataChanged { .. } => None,
        }
    }

    /// The entry in the old version (none when added).
    pub fn before(&self) -> Option<&'a Entry> {
        match *self {
            Change::Added { .. } => None,
            Change::Removed { entry, .. } => Some(entry),
            Change::ActionChanged { old, .. } | Change::MetadataChanged { old, .. } => Some(old),
        }
    }

    /// The entry in the new version (none when removed).
    pub fn after(&self) -> Option<&'a Entry> {
        match *self {
            Change::Added { entry, .. } => Some(entry),
            Change::Removed { .. } => None,
            Change::ActionChanged { new, .. } | Change::MetadataChanged { new, .. } => Some(new),
        }
    }

    /// The entry as it is now, or as it was when removed.
    pub fn entry(&self) -> &'a Entry {
        match *self {
            Change::Added { entry, .. } | Change::Removed { entry, .. } => entry,
            Change::ActionChanged { new, .. } | Change::MetadataChanged { new, .. } => new,
        }
    }

    /// The metadata fields that differ, when the entry is in both versions.
    pub fn fields(&self) -> Vec<FieldChange> {
        let (Some(o), Some(n)) = (self.before(), self.after()) else { return Vec::new() };
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
}

/// A change to a list's settings rather than its entries: its tenant, its accepted domains, a lint's level, or
/// an `audit` exception.
/// A pull request can turn a lint off or down as well as add an entry, and the review shows both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingChange {
    /// `tenant`, `accepted-domains`, `policy: <lint>`, or `exception: <code> on <object> = <value>`.
    pub setting: String,
    /// The value before, as written (`(none)` when absent).
    pub old: String,
    /// The value after.
    pub new: String,
    /// Why an approver should look, if they should.
    pub risk: Option<&'static str>,
}

/// The settings that differ between two versions: tenant, accepted domains, and each lint's level (a lint
/// turned down or off is risky: it hides what the review would otherwise show; accepted domains decide each
/// entry's type and the own-domain lint).
fn settings(old: &TenantList, new: &TenantList) -> Vec<SettingChange> {
    let mut found = Vec::new();
    let show = |t: &Option<String>| t.clone().unwrap_or_else(|| "(none)".to_string());
    if old.tenant != new.tenant {
        found.push(SettingChange {
            setting: "tenant".into(),
            old: show(&old.tenant),
            new: show(&new.tenant),
            risk: None,
        });
    }
    if old.accepted_domains != new.accepted_domains {
        let join = |l: &TenantList| l.accepted_domains.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(", ");
        found.push(SettingChange {
            setting: "accepted-domains".into(),
            old: join(old),
            new: join(new),
            risk: Some("accepted domains changed: they decide which entries are internal"),
        });
    }
    for &code in Code::ALL.iter().filter(|c| c.is_lint()) {
        let (before, after) = (old.policy.level(code), new.policy.level(code));
        if before != after {
            found.push(SettingChange {
                setting: format!("policy: {code}"),
                old: before.word().to_string(),
                new: after.word().to_string(),
                risk: (after < before).then_some("lint turned down: its findings no longer show as they did"),
            });
        }
    }
    found.extend(exceptions(old, new));
    found
}

/// The `exceptions:` that differ: an exception silences an `audit` finding, so one added, or one whose
/// `expires` moved later or went away, is risky (it hides what `audit` would otherwise fail on); one removed
/// or shortened makes the audit stricter.
fn exceptions(old: &TenantList, new: &TenantList) -> Vec<SettingChange> {
    let key = |e: &Exception| format!("exception: {} on {} = {}", e.finding, e.object, e.value);
    let terms = |e: &Exception| {
        let expires = e.expires.map_or_else(|| "never".to_string(), |d| d.to_string());
        format!("reason: {}; owner: {}; expires: {expires}", e.reason, e.owner)
    };
    let find = |list: &TenantList, e: &Exception| {
        list.exceptions.iter().find(|o| o.names(e.finding, &e.object, &e.value)).cloned()
    };
    let mut found = Vec::new();
    for e in &new.exceptions {
        match find(old, e) {
            None => found.push(SettingChange {
                setting: key(e),
                old: "(none)".to_string(),
                new: terms(e),
                risk: Some("exception added: audit no longer fails on the finding it names"),
            }),
            Some(o) if terms(&o) != terms(e) => {
                let longer = match (o.expires, e.expires) {
                    (Some(before), Some(after)) => after > before,
                    (Some(_), None) => true,
                    (None, _) => false,
                };
                found.push(SettingChange {
                    setting: key(e),
                    old: terms(&o),
                    new: terms(e),
                    risk: longer.then_some("exception extended: the finding stays silenced for longer"),
                });
            }
            Some(_) => {}
        }
    }
    for o in old.exceptions.iter().filter(|o| find(new, o).is_none()) {
        found.push(SettingChange { setting: key(o), old: terms(o), new: "(none)".to_string(), risk: None });
    }
    found
}

/// The diff of one tenant's list.
#[derive(Debug, Clone)]
pub struct ListDiff<'a> {
    /// The tenant file's name (what matches OLD and NEW in folders).
    pub name: String,
    /// The changes, risky ones first, then by kind and identity.
    pub changes: Vec<Change<'a>>,
    /// The list's settings that changed (tenant, accepted domains, lint levels).
    pub settings: Vec<SettingChange>,
    /// Lint findings in NEW that OLD did not have (warnings, or errors where the list's policy says so).
    pub new_warnings: Vec<&'a Diagnostic>,
    /// The errors OLD has (the base's): already there, so never counted against the change.
    pub base_errors: Vec<&'a Diagnostic>,
    /// The errors NEW has that OLD did not: the change introduces them.
    pub new_errors: Vec<&'a Diagnostic>,
}

impl ListDiff<'_> {
    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
            && self.settings.is_empty()
            && self.new_warnings.is_empty()
            && self.new_errors.is_empty()
    }

    /// The review of a tenant file that one version does not have (compared with an empty list): it is
    /// reviewed by its entries, and its settings come and go with it.
    pub fn of_added_or_removed_file(mut self) -> Self {
        self.settings.clear();
        self
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

/// Why an added entry is risky: an allow is new, or broader than an allow the change removes (`removed`).
fn added_risk(e: &Entry, removed: &[&Entry]) -> Option<Risk> {
    if e.action() != Action::Allow {
        return None;
    }
    let replaced = removed
        .iter()
        .filter(|r| r.action() == Action::Allow)
        .find(|r| r.spoof_type == e.spoof_type && broadens(&e.rule, &r.rule));
    Some(match replaced {
        Some(r) => Risk::Broader(r.label().to_string()),
        None => Risk::NewAllow,
    })
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
    let removed: Vec<&Entry> = old.entries.iter().filter(|e| !new_by.contains_key(&e.identity())).collect();
    let mut changes = Vec::new();
    for e in &new.entries {
        match old_by.get(&e.identity()) {
            None => changes.push(Change::Added { entry: e, risk: added_risk(e, &removed) }),
            Some(o) if o.action() != e.action() => {
                let risk = (o.action() == Action::Block && e.action() == Action::Allow).then_some(Risk::BlockToAllow);
                changes.push(Change::ActionChanged { old: o, new: e, risk })
            }
            // Writing out a type that was inferred changes nothing: the identity holds the resolved type.
            Some(o) if o.meta != e.meta => changes.push(Change::MetadataChanged { old: o, new: e }),
            Some(_) => {}
        }
    }
    for e in removed {
        changes.push(Change::Removed { entry: e, risk: (e.action() == Action::Block).then_some(Risk::BlockRemoved) });
    }
    changes.sort_by_key(|c| (c.risk().is_none(), c.kind(), c.entry().identity()));
    // A finding is the same in both versions when its code, entry and message are: its line may move.
    let same =
        |d: &Diagnostic| (d.code, d.entry.as_ref().map(|e| e.to_string()).unwrap_or_default(), d.message.clone());
    let seen: BTreeSet<(Code, String, String)> = old_lints.iter().map(same).collect();
    let is_error = |d: &&Diagnostic| d.severity == Severity::Error && !d.code.is_lint();
    let new_warnings = new_lints
        .iter()
        .filter(|d| d.code.is_lint() && d.severity >= Severity::Warning)
        .filter(|d| !seen.contains(&same(d)))
        .collect();
    ListDiff {
        name: name.to_string(),
        changes,
        settings: settings(old, new),
        new_warnings,
        base_errors: old_lints.iter().filter(is_error).collect(),
        new_errors: new_lints.iter().filter(is_error).filter(|d| !seen.contains(&same(d))).collect(),
    }
}
