//! Replay: observation rows run through two versions of a list, counting the messages whose verdict the
//! change would alter, by pair. Memory does not grow with the row count: only counts, and the pairs whose
//! verdict changes (bounded), are kept.

use std::collections::{HashMap, HashSet};

use crate::engine::matcher::Matcher;
use crate::engine::scan::Job;
use crate::engine::tally::Count;
use crate::model::message::Message;
use crate::read::observations::{Row, Shape};

/// How many distinct newly allowed pairs are counted exactly, and how many pairs whose verdict changes are
/// kept with their counts.
const MAX_PAIRS: usize = 100_000;

/// The rows of one pair whose verdict changes the same way, and the messages they stand for.
/// Serialized as it is: its fields are `diff`'s JSON for a changed pair.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChangedPair {
    /// `spoofed via infrastructure`, as the service reports it.
    pub pair: String,
    /// The verdict before.
    pub from: &'static str,
    /// The verdict after.
    pub to: &'static str,
    /// Rows.
    pub rows: u64,
    /// Messages the rows stand for.
    pub messages: u64,
}

/// A verdict change: before, after.
type Turn = (&'static str, &'static str);

/// The traffic a change would affect, for one tenant.
#[derive(Debug, Clone, Default)]
pub struct Replay {
    /// Rows read.
    pub rows: u64,
    /// Rows (and their messages) allowed now that were not allowed before.
    pub newly_allowed: Count,
    /// Rows blocked now that were not blocked before.
    pub newly_blocked: Count,
    /// Rows the list no longer decides (allowed or blocked before).
    pub newly_undecided: Count,
    /// Distinct pairs among the newly allowed rows (exact up to 100,000).
    pub pairs_let_through: usize,
    pairs: HashSet<String>,
    /// The changed rows by pair, and by how their verdict changes (up to [`MAX_PAIRS`] pairs).
    by_pair: HashMap<String, Vec<(Turn, Count)>>,
    /// Changed rows of pairs past [`MAX_PAIRS`]: counted, not kept by pair.
    pub ungrouped: Count,
    key: String,
}

impl Replay {
    /// Runs one observation row through both versions.
    pub fn add(
        &mut self,
        message: &Message,
        messages: u64,
        old: &Matcher<'_>,
        new: &Matcher<'_>,
        scratch: &mut Vec<u32>,
    ) {
        self.rows += 1;
        let before = old.evaluate_with(message, scratch, false).word();
        let after = new.evaluate_with(message, scratch, false).word();
        if before != after {
            let mut pair = std::mem::take(&mut self.key);
            pair.clear();
            message.push_service_pair(&mut pair);
            self.change(&pair, messages, before, after);
            self.key = pair;
        }
    }

    /// Counts one row whose verdict changes from `before` to `after`; `pair` is the pair as the service
    /// sees it.
    fn change(&mut self, pair: &str, messages: u64, before: &'static str, after: &'static str) {
        let bucket = match after {
            "allow" => &mut self.newly_allowed,
            "block" => &mut self.newly_blocked,
            _ => &mut self.newly_undecided,
        };
        bucket.rows += 1;
        bucket.messages = bucket.messages.saturating_add(messages);
        if after == "allow" && self.pairs.len() < MAX_PAIRS && !self.pairs.contains(pair) {
            self.pairs.insert(pair.to_string());
            self.pairs_let_through += 1;
        }
        let (turn, count) = ((before, after), Count { rows: 1, messages });
        if let Some(turns) = self.by_pair.get_mut(pair) {
            match turns.iter_mut().find(|(t, _)| *t == turn) {
                Some((_, c)) => {
                    c.rows += 1;
                    c.messages = c.messages.saturating_add(messages);
                }
                None => turns.push((turn, count)),
            }
        } else if self.by_pair.len() < MAX_PAIRS {
            self.by_pair.insert(pair.to_string(), vec![(turn, count)]);
        } else {
            self.ungrouped.rows += 1;
            self.ungrouped.messages = self.ungrouped.messages.saturating_add(messages);
        }
    }

    /// The pairs whose verdict changes, the most messages first (then the most rows, then by pair), one for
    /// each way a pair's verdict changes.
    pub fn changed_pairs(&self) -> Vec<ChangedPair> {
        let mut pairs: Vec<ChangedPair> = self
            .by_pair
            .iter()
            .flat_map(|(pair, turns)| {
                turns.iter().map(|&((from, to), c)| ChangedPair {
                    pair: pair.clone(),
                    from,
                    to,
                    rows: c.rows,
                    messages: c.messages,
                })
            })
            .collect();
        pairs.sort_by(|a, b| {
            (b.messages, b.rows)
                .cmp(&(a.messages, a.rows))
                .then_with(|| (&a.pair, a.from, a.to).cmp(&(&b.pair, b.from, b.to)))
        });
        pairs
    }
}

/// `diff --observations` on every core ([`crate::engine::scan`]): each row run through every tenant's old and new
/// list on the workers, the changes counted in file order.
pub struct Replaying<'m, 'l> {
    /// Each tenant's old and new list.
    pub tenants: &'m [(Matcher<'l>, Matcher<'l>)],
}

/// A batch of rows replayed: how many, and the rows whose verdict changes.
pub struct Replayed {
    tenants: usize,
    rows: u64,
    changes: Vec<Change>,
    /// The changed rows' pairs, one after the other.
    pairs: String,
}

/// One row whose verdict changes for one tenant.
struct Change {
    tenant: usize,
    messages: u64,
    before: &'static str,
    after: &'static str,
    /// Where the pair ends in `Replayed::pairs` (it starts where the previous one ends).
    pair_end: usize,
}

impl Job for Replaying<'_, '_> {
    type Results = Replayed;

    fn start(&self, _: usize, _: &Shape) -> Replayed {
        Replayed { tenants: self.tenants.len(), rows: 0, changes: Vec::new(), pairs: String::new() }
    }

    fn row(&self, row: &Row, out: &mut Replayed, scratch: &mut Vec<u32>) {
        out.rows += 1;
        for (tenant, (old, new)) in self.tenants.iter().enumerate() {
            let before = old.evaluate_with(&row.message, scratch, false).word();
            let after = new.evaluate_with(&row.message, scratch, false).word();
            if before != after {
                row.message.push_service_pair(&mut out.pairs);
                out.changes.push(Change { tenant, messages: row.count, before, after, pair_end: out.pairs.len() });
            }
        }
    }

    fn results_per_row(&self) -> usize {
        // Only the rows whose verdict changes give a result: few.
        1
    }
}

impl Replayed {
    /// Counts the batch into each tenant's replay: one for each pair of lists of [`Replaying::tenants`], in
    /// the same order (anything else is a caller's bug, and panics).
    pub fn count(self, replays: &mut [Replay]) {
        assert_eq!(replays.len(), self.tenants, "one replay for each tenant");
        for replay in replays.iter_mut() {
            replay.rows += self.rows;
        }
        let mut start = 0;
        for c in &self.changes {
            replays[c.tenant].change(&self.pairs[start..c.pair_end], c.messages, c.before, c.after);
            start = c.pair_end;
        }
    }
}
