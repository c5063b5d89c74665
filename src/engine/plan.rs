//! Plan: what must change in the tenant so that it holds exactly the list's entries.
//!
//! The list and a live export are compared by identity (spoofed user, infrastructure, spoof type; product
//! spec, "Plan"): an entry only in the list is created (`New-`); one in both with another action is changed
//! (`Set- -Ids`, which changes only the action, CMDLETS); one only in the tenant is unmanaged, left alone,
//! or removed with `--prune` (`Remove- -Ids`).
//!
//! The live side is whatever the tenant holds, which may include entries no list can (a wildcard allow made
//! in the portal), so it is kept as normalized text with its Identity, never as an [`Entry`]. Scripts name
//! live entries only by their validated GUID.

use std::collections::HashMap;

use crate::model::characters::printable;
use crate::model::date::Date;
use crate::model::entry::{Entry, Identity, TenantList};
use crate::model::guid::Guid;
use crate::model::pair::{Side, WILDCARD};
use crate::model::tenant::SpoofItem;
use crate::model::words::{Action, SpoofType};
use crate::read::tabl_export::{ExportRow, RowProblem, RowWords};
use crate::validate::list::MAX_ENTRIES;

/// A plan that removes more than this share of the tenant's entries is refused without
/// `--allow-mass-removal`...
pub const PRUNE_GUARD_SHARE: f64 = 0.30;
/// ...when it removes at least this many (product spec, "Plan").
pub const PRUNE_GUARD_MIN: usize = 10;

/// One entry of the live tenant, as the export shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveItem {
    /// Where it is in the export.
    pub place: String,
    /// `Identity`, if the export has it.
    pub id: Option<Guid>,
    /// What makes it the same entry as a list's: `None` when a side is not a value a list can hold, so that
    /// it matches no list entry and is reported as unmanaged, never folded into another value.
    pub identity: Option<Identity>,
    /// The spoofed user, in normal form when it parses (as the tenant has it otherwise).
    pub spoofed: String,
    /// The infrastructure, likewise.
    pub infrastructure: String,
    /// Internal or external.
    pub spoof_type: SpoofType,
    /// Allow or block.
    pub action: Action,
}

impl LiveItem {
    /// Reads an export row. Only the type, the action and the Identity must be valid: the pair is kept as the
    /// tenant has it, normalized where it can be.
    pub fn from_row(row: &ExportRow) -> Result<LiveItem, RowProblem> {
        let RowWords { action, spoof_type, id } = row.words()?;
        let spoof_type = spoof_type.ok_or_else(|| {
            row.problem("the export has no SpoofType: export with Get-TenantAllowBlockListSpoofItems".into())
        })?;
        let spoofed = Side::parse_spoofed(&row.spoofed);
        let infrastructure = Side::parse_infrastructure(&row.infrastructure);
        let text = |side: Result<String, _>, raw: &str| side.unwrap_or_else(|_| printable(raw));
        let (spoofed_text, infrastructure_text) = (
            text(spoofed.as_ref().map(ToString::to_string), &row.spoofed),
            text(infrastructure.as_ref().map(ToString::to_string), &row.infrastructure),
        );
        let identity = match (spoofed, infrastructure) {
            (Ok(spoofed), Ok(infrastructure)) => Some(Identity { spoofed, infrastructure, spoof_type }),
            _ => None,
        };
        Ok(LiveItem {
            place: row.place.clone(),
            id,
            identity,
            spoofed: spoofed_text,
            infrastructure: infrastructure_text,
            spoof_type,
            action,
        })
    }

    /// A snapshot's spoof entry (read and typed by `read::snapshot`), found at `place`.
    pub fn from_spoof_item(item: &SpoofItem, place: String) -> LiveItem {
        LiveItem {
            place,
            id: item.identity.clone(),
            identity: Some(Identity {
                spoofed: item.spoofed.clone(),
                infrastructure: item.infrastructure.clone(),
                spoof_type: item.spoof_type,
            }),
            spoofed: item.spoofed.to_string(),
            infrastructure: item.infrastructure.to_string(),
            spoof_type: item.spoof_type,
            action: item.action,
        }
    }

    /// An allow with `*` on a side: the service accepts it, a spoofctl list never holds it.
    pub fn is_wildcard_allow(&self) -> bool {
        self.action == Action::Allow && (self.spoofed == WILDCARD || self.infrastructure == WILDCARD)
    }
}

/// An entry whose action differs between the list and the tenant.
#[derive(Debug, Clone)]
pub struct ActionChange<'a> {
    /// The list's entry (the action wanted).
    pub entry: &'a Entry,
    /// The tenant's entry (its Identity is what `Set-` takes).
    pub live: &'a LiveItem,
}

/// A list entry's `id` that does not name it in the tenant: the tenant holds no entry with that Identity,
/// or holds it for another pair or type. The plan goes by pair, not by `id`, so it is still right; the list's
/// `id` is stale (an entry removed and made again, an id copied to another entry) and misleads a reader.
#[derive(Debug, Clone)]
pub struct IdMismatch<'a> {
    /// The list's entry.
    pub entry: &'a Entry,
    /// The tenant's entry with that Identity, if it holds one.
    pub held: Option<&'a LiveItem>,
}

/// Why a plan cannot be applied as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// It would remove more than 30% of the tenant's entries (and at least 10); `--allow-mass-removal` accepts
    /// it.
    TooManyRemovals {
        /// Entries removed.
        removed: usize,
        /// Entries in the tenant.
        live: usize,
    },
    /// The tenant would hold more than 1024 entries (TABL-SPOOF, "Limits"). Nothing accepts it.
    OverLimit {
        /// Entries after the plan.
        result: usize,
    },
    /// Changes or removals need the live entries' Identity, which the export lacks.
    MissingIds {
        /// How many entries need one.
        count: usize,
    },
}

/// An allow of the list whose `expires` has passed, retired (`--retire-expired`): the tenant's entry for it
/// is removed.
#[derive(Debug, Clone)]
pub struct Retired<'a> {
    /// The list's entry.
    pub entry: &'a Entry,
    /// The tenant's entry, removed by its Identity.
    pub live: &'a LiveItem,
    /// The entry's `expires`: the date it expired.
    pub since: Date,
}

/// How to plan.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Remove the tenant's entries that the list does not hold.
    pub prune: bool,
    /// Accept a plan that removes many of the tenant's entries.
    pub allow_mass_removal: bool,
    /// Leave the allows whose `expires` is before this date out of the desired state.
    pub retire_expired: Option<Date>,
}

/// What must change.
#[derive(Debug, Clone)]
pub struct Plan<'a> {
    /// Entries to create, in canonical order.
    pub create: Vec<&'a Entry>,
    /// Entries whose action must change.
    pub change: Vec<ActionChange<'a>>,
    /// Tenant entries to remove (`--prune`).
    pub remove: Vec<&'a LiveItem>,
    /// Tenant entries of expired allows, removed (`--retire-expired`); in canonical order.
    pub retire: Vec<Retired<'a>>,
    /// Tenant entries the list does not hold, left alone.
    pub unmanaged: Vec<&'a LiveItem>,
    /// List entries whose `id` the tenant does not hold, or holds for another pair.
    pub id_mismatches: Vec<IdMismatch<'a>>,
    /// How many entries the tenant holds now.
    pub live_count: usize,
    /// Why the plan cannot be applied, if it cannot; the first reason found.
    pub refusal: Option<Refusal>,
}

impl Plan<'_> {
    /// True when nothing must be created, changed or removed.
    pub fn is_empty(&self) -> bool {
        self.create.is_empty() && self.change.is_empty() && self.removed() == 0
    }

    /// How many tenant entries the plan removes: the unmanaged ones pruned and the expired allows retired.
    pub fn removed(&self) -> usize {
        self.remove.len() + self.retire.len()
    }

    /// How many entries the tenant holds once the plan is applied.
    pub fn result_count(&self) -> usize {
        self.live_count + self.create.len() - self.removed()
    }
}

/// Compares the list with the live entries, as `options` say.
pub fn plan<'a>(list: &'a TenantList, live: &'a [LiveItem], options: Options) -> Plan<'a> {
    let mut by_key: HashMap<&Identity, &LiveItem> = HashMap::new();
    let mut unmanaged = Vec::new();
    for item in live {
        let Some(identity) = &item.identity else {
            unmanaged.push(item);
            continue;
        };
        // Two live items for one pair and type (spelled differently in the tenant, say `1.2.3.4/24` and
        // `1.2.3.0/24`): the first one stands for the list's entry, the others are unmanaged.
        match by_key.entry(identity) {
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(item);
            }
            std::collections::hash_map::Entry::Occupied(_) => unmanaged.push(item),
        }
    }
    let mut entries: Vec<&Entry> = list.entries.iter().collect();
    entries.sort_by_key(|e| e.identity());
    let id_mismatches = id_mismatches(&entries, live);
    let (mut create, mut change, mut retire) = (Vec::new(), Vec::new(), Vec::new());
    for entry in entries {
        let expired = (entry.action() == Action::Allow)
            .then_some(entry.meta.expires)
            .flatten()
            .filter(|&e| options.retire_expired.is_some_and(|today| e < today));
        match (by_key.remove(&entry.identity()), expired) {
            // An expired allow is not in the desired state: never created, removed where the tenant has it.
            (None, Some(_)) => {}
            (Some(live), Some(since)) => retire.push(Retired { entry, live, since }),
            (None, None) => create.push(entry),
            (Some(item), None) if item.action != entry.action() => change.push(ActionChange { entry, live: item }),
            (Some(_), None) => {}
        }
    }
    unmanaged.extend(by_key.into_values());
    unmanaged.sort_by(|a, b| {
        (&a.spoofed, &a.infrastructure, a.spoof_type).cmp(&(&b.spoofed, &b.infrastructure, b.spoof_type))
    });
    let remove = if options.prune { std::mem::take(&mut unmanaged) } else { Vec::new() };
    let mut plan =
        Plan { create, change, remove, retire, unmanaged, id_mismatches, live_count: live.len(), refusal: None };
    let missing = plan.change.iter().filter(|c| c.live.id.is_none()).count()
        + plan.remove.iter().filter(|r| r.id.is_none()).count()
        + plan.retire.iter().filter(|r| r.live.id.is_none()).count();
    plan.refusal = if plan.result_count() > MAX_ENTRIES {
        Some(Refusal::OverLimit { result: plan.result_count() })
    } else if missing > 0 {
        Some(Refusal::MissingIds { count: missing })
    } else if !options.allow_mass_removal
        && plan.removed() >= PRUNE_GUARD_MIN
        && plan.removed() as f64 > PRUNE_GUARD_SHARE * plan.live_count as f64
    {
        Some(Refusal::TooManyRemovals { removed: plan.removed(), live: plan.live_count })
    } else {
        None
    };
    plan
}

/// The list entries whose `id` does not name them in the tenant. An export without Identity (a tenant's
/// entries, none with one) says nothing about ids, so nothing is reported then; an empty tenant holds none.
fn id_mismatches<'a>(entries: &[&'a Entry], live: &'a [LiveItem]) -> Vec<IdMismatch<'a>> {
    if !live.is_empty() && live.iter().all(|i| i.id.is_none()) {
        return Vec::new();
    }
    let by_id: HashMap<&Guid, &LiveItem> = live.iter().filter_map(|i| Some((i.id.as_ref()?, i))).collect();
    entries
        .iter()
        .filter_map(|&entry| {
            let id = entry.meta.id.as_ref()?;
            match by_id.get(id) {
                None => Some(IdMismatch { entry, held: None }),
                Some(&held) if held.identity.as_ref() != Some(&entry.identity()) => {
                    Some(IdMismatch { entry, held: Some(held) })
                }
                Some(_) => None,
            }
        })
        .collect()
}
