//! Replay: observation rows run through two versions of a list, counting the messages whose verdict the
//! change would alter. Memory does not grow with the row count: only counts, the distinct pairs newly let
//! through (bounded), and the first rows are kept.

use std::collections::HashSet;

use crate::matcher::Matcher;
use crate::message::Message;
use crate::tally::Count;

/// How many changed rows are kept to show.
pub const SHOWN_ROWS: usize = 50;
/// How many distinct newly allowed pairs are counted exactly.
const MAX_PAIRS: usize = 100_000;

/// One row whose verdict changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedRow {
    /// The row number in the observations file.
    pub row: u64,
    /// `spoofed via infrastructure`, as the service reports it.
    pub pair: String,
    /// Messages the row stands for.
    pub messages: u64,
    /// The verdict before, and after.
    pub from: &'static str,
    /// The verdict after.
    pub to: &'static str,
}

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
    /// The first changed rows.
    pub shown: Vec<ChangedRow>,
    key: String,
}

impl Replay {
    /// Runs one observation row through both versions.
    pub fn add(&mut self, row: u64, message: &Message, messages: u64, old: &Matcher<'_>, new: &Matcher<'_>, scratch: &mut Vec<u32>) {
        self.rows += 1;
        let before = old.evaluate_with(message, scratch, false).verdict.word();
        let after = new.evaluate_with(message, scratch, false).verdict.word();
        if before == after {
            return;
        }
        let bucket = match after {
            "allow" => &mut self.newly_allowed,
            "block" => &mut self.newly_blocked,
            _ => &mut self.newly_undecided,
        };
        bucket.rows += 1;
        bucket.messages = bucket.messages.saturating_add(messages);
        message.write_service_pair(&mut self.key);
        if after == "allow" && self.pairs.len() < MAX_PAIRS && self.pairs.insert(self.key.clone()) {
            self.pairs_let_through += 1;
        }
        if self.shown.len() < SHOWN_ROWS {
            self.shown.push(ChangedRow { row, pair: self.key.clone(), messages, from: before, to: after });
        }
    }
}
