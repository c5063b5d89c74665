//! `Entry` and `TenantList`: a validated list, the model every command works on.

use std::path::{Path, PathBuf};

use crate::model::date::Date;
use crate::model::diagnostic::{EntryLabel, Span};
use crate::model::domain::{Domain, is_self_or_parent};
use crate::model::exception::Exception;
use crate::model::guid::Guid;
use crate::model::pair::{Infrastructure, Rule, Side, SpoofedUser};
use crate::model::policy::Policy;
use crate::model::words::{Action, SpoofType};

/// The most spoofed-sender entries the service holds for one tenant, allow and block together (TABL-SPOOF,
/// "Limits"; New-TenantAllowBlockListSpoofItems).
pub const MAX_ENTRIES: usize = 1024;

/// What spoofctl keeps beside an entry. The service has no such fields (TABL-ABOUT): they live only in git.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Metadata {
    /// Why the entry exists.
    pub reason: Option<String>,
    /// Who answers for it.
    pub owner: Option<String>,
    /// The change ticket.
    pub ticket: Option<String>,
    /// When to review it. The service never expires spoof entries (TABL-ABOUT); this is a reminder only.
    pub expires: Option<Date>,
    /// The service's `Identity` of this entry in the tenant, when known (kept by `import`, used by `plan`).
    pub id: Option<Guid>,
}

/// One validated entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Entry {
    /// The pair and its action.
    pub rule: Rule,
    /// Internal or external, written or inferred from `accepted-domains`.
    pub spoof_type: SpoofType,
    /// Whether `type` was written in the file (`fmt` keeps an inferred type unwritten).
    pub type_written: bool,
    /// Reason, owner, ticket, expiry.
    pub meta: Metadata,
    /// Where the entry starts in its file.
    pub span: Span,
}

/// What makes two entries the same entry: the pair in normal form and the spoof type (the service keeps
/// one entry per pair and type, CMDLETS). Its order is the canonical order of a list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Identity {
    /// The spoofed side.
    pub spoofed: Side<SpoofedUser>,
    /// The infrastructure side.
    pub infrastructure: Side<Infrastructure>,
    /// The spoof type.
    pub spoof_type: SpoofType,
}

impl Entry {
    /// An entry as a program builds one: its rule (which already holds the pair invariant), its type (as if
    /// written), its metadata, and the place it stands for.
    pub fn new(rule: Rule, spoof_type: SpoofType, meta: Metadata, span: Span) -> Entry {
        Entry { rule, spoof_type, type_written: true, meta, span }
    }

    /// Allow or block.
    pub fn action(&self) -> Action {
        self.rule.action()
    }

    /// The entry's identity.
    pub fn identity(&self) -> Identity {
        Identity {
            spoofed: owned(self.rule.spoofed()),
            infrastructure: owned(self.rule.infrastructure()),
            spoof_type: self.spoof_type,
        }
    }

    /// The entry as findings name it: `gmail.com via tms.mx.com (external, allow)`.
    pub fn label(&self) -> EntryLabel {
        EntryLabel {
            spoofed: self.rule.spoofed().to_string(),
            infrastructure: self.rule.infrastructure().to_string(),
            spoof_type: Some(self.spoof_type),
            action: Some(self.action()),
        }
    }
}

fn owned<T: Clone>(side: Side<&T>) -> Side<T> {
    match side {
        Side::Any => Side::Any,
        Side::Is(t) => Side::Is(t.clone()),
    }
}

/// The spoof type of mail from `domain` for a tenant with these accepted domains: internal when the domain
/// is an accepted domain or a subdomain of one (product spec, "The list file").
pub fn spoof_type_for(accepted_domains: &[Domain], domain: &str) -> SpoofType {
    if accepted_domains.iter().any(|a| is_self_or_parent(a.as_str(), domain)) {
        SpoofType::Internal
    } else {
        SpoofType::External
    }
}

/// A validated tenant list file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantList {
    /// The file it was read from.
    pub path: PathBuf,
    /// Which tenant it describes (free text).
    pub tenant: Option<String>,
    /// The tenant's accepted domains, in normal form.
    pub accepted_domains: Vec<Domain>,
    /// Lint levels set in the file.
    pub policy: Policy,
    /// The entries, in file order.
    pub entries: Vec<Entry>,
    /// Approved exceptions to `audit` findings, in file order.
    pub exceptions: Vec<Exception>,
}

impl TenantList {
    /// A list of `entries`, as a program builds one: no tenant name, no policy. `accepted_domains` gives the
    /// spoof type of messages matched against it.
    pub fn new(path: &Path, accepted_domains: Vec<Domain>, entries: Vec<Entry>) -> TenantList {
        TenantList { accepted_domains, entries, ..TenantList::empty(path) }
    }

    /// A list with nothing in it, for a file that could not be read.
    pub fn empty(path: &Path) -> TenantList {
        TenantList {
            path: path.to_path_buf(),
            tenant: None,
            accepted_domains: Vec::new(),
            policy: Policy::default(),
            entries: Vec::new(),
            exceptions: Vec::new(),
        }
    }
}
