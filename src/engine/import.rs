//! Import: entries from TABL exports, merged into one set of entries (`render::list_yaml::list_text` writes
//! them as a list file).

use std::collections::HashMap;

use crate::model::domain::Domain;
use crate::model::entry::{Entry, Identity};
use crate::model::guid::Guid;
use crate::read::tabl_export::{ExportRow, RowProblem, entry_of};

/// The entries of several exports, merged, and the rows that could not be used.
#[derive(Debug, Default)]
pub struct Merged {
    /// One entry per identity, in the order first seen.
    pub entries: Vec<Entry>,
    /// Each refused row with its source file.
    pub problems: Vec<(String, RowProblem)>,
    /// Where each entry came from (file, place), to name the first row of a conflict.
    origins: HashMap<Identity, (String, String)>,
    /// Pairs refused because the exports give them two actions: every row for them is left out.
    conflicted: std::collections::HashSet<Identity>,
}

/// Merges export rows (`source` names the file in problems). The same pair and type with the same action
/// twice is one entry. With two actions, every row of the pair is refused (keeping either would be a
/// guess, and keeping the allow would weaken what the tenant enforces); with two Identity values, the later
/// row is refused.
pub fn merge(merged: &mut Merged, source: &str, rows: &[ExportRow], accepted: &[Domain]) {
    let mut by_identity: HashMap<Identity, usize> =
        merged.entries.iter().enumerate().map(|(i, e)| (e.identity(), i)).collect();
    let mut by_id: HashMap<Guid, Identity> =
        merged.entries.iter().filter_map(|e| Some((e.meta.id.clone()?, e.identity()))).collect();
    for row in rows {
        let refuse = |merged: &mut Merged, message: String| {
            merged.problems.push((source.to_string(), RowProblem { place: row.place.clone(), message }))
        };
        let entry = match entry_of(row, accepted) {
            Ok(e) => e,
            Err(p) => {
                merged.problems.push((source.to_string(), p));
                continue;
            }
        };
        let identity = entry.identity();
        if let Some(id) = &entry.meta.id {
            match by_id.get(id) {
                Some(other) if *other != identity => {
                    refuse(
                        merged,
                        format!(
                            "Identity {id} is already on another entry ({} via {})",
                            other.spoofed, other.infrastructure
                        ),
                    );
                    continue;
                }
                _ => {
                    by_id.insert(id.clone(), identity.clone());
                }
            }
        }
        if merged.conflicted.contains(&identity) {
            refuse(
                merged,
                format!("{} is both allowed and blocked in the exports; a pair has one action", entry.label()),
            );
            continue;
        }
        match by_identity.get(&identity) {
            None => {
                by_identity.insert(identity.clone(), merged.entries.len());
                merged.origins.insert(identity, (source.to_string(), row.place.clone()));
                merged.entries.push(entry);
            }
            Some(&i) => {
                let first = &merged.entries[i];
                if first.action() != entry.action() {
                    let message =
                        format!("{} is both allowed and blocked in the exports; a pair has one action", entry.label());
                    if let Some((file, place)) = merged.origins.get(&identity).cloned() {
                        merged.problems.push((file, RowProblem { place, message: message.clone() }));
                    }
                    refuse(merged, message);
                    merged.entries.remove(i);
                    merged.conflicted.insert(identity);
                    by_identity = merged.entries.iter().enumerate().map(|(i, e)| (e.identity(), i)).collect();
                    continue;
                }
                match (&first.meta.id, &entry.meta.id) {
                    (Some(a), Some(b)) if a != b => {
                        refuse(merged, format!("{} appears with two Identity values ({a} and {b})", entry.label()))
                    }
                    (None, Some(_)) => merged.entries[i].meta.id = entry.meta.id,
                    _ => {}
                }
            }
        }
    }
}
