//! Tally: counts of an observations file per verdict, and the busiest pairs that no entry covers, in memory
//! that does not grow with the number of rows.

use std::collections::HashMap;

use crate::matcher::Verdict;
use crate::message::Message;

/// How many uncovered pairs are tracked. The top ones are exact unless the file has more distinct uncovered
/// pairs than this; then counts are upper bounds (the Space-Saving algorithm, Metwally et al. 2005).
pub const TRACKED_PAIRS: usize = 1024;

/// Rows and messages for one verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count {
    /// Rows.
    pub rows: u64,
    /// Messages (a pair row counts its message count).
    pub messages: u64,
}

/// An uncovered pair with its message count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairCount {
    /// `spoofed via infrastructure`, as the service would see it.
    pub pair: String,
    /// Messages (an upper bound when `overcount` is not 0).
    pub messages: u64,
    /// How much `messages` may overstate the truth.
    pub overcount: u64,
}

/// The counts of one list over an observations file.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Rows with verdict allow.
    pub allow: Count,
    /// Rows with verdict block.
    pub block: Count,
    /// Rows with verdict none.
    pub none: Count,
    slots: Vec<PairCount>,
    index: HashMap<String, usize>,
    key: String,
}

impl Tally {
    /// Adds one row.
    pub fn add(&mut self, message: &Message, messages: u64, verdict: &Verdict<'_>) {
        let count = match verdict {
            Verdict::Allow(_) => &mut self.allow,
            Verdict::Block(_) => &mut self.block,
            Verdict::None => &mut self.none,
        };
        count.rows += 1;
        count.messages += messages;
        if matches!(verdict, Verdict::None) {
            self.uncovered(message, messages);
        }
    }

    fn uncovered(&mut self, message: &Message, messages: u64) {
        self.key.clear();
        match message.service_pair() {
            Some((spoofed, infra)) => {
                self.key.push_str(spoofed);
                self.key.push_str(" via ");
                self.key.push_str(&infra);
            }
            None => {
                self.key.push_str(message.from.domain().as_str());
                self.key.push_str(" via (no infrastructure)");
            }
        }
        if let Some(&i) = self.index.get(self.key.as_str()) {
            self.slots[i].messages += messages;
            return;
        }
        if self.slots.len() < TRACKED_PAIRS {
            self.index.insert(self.key.clone(), self.slots.len());
            self.slots.push(PairCount { pair: self.key.clone(), messages, overcount: 0 });
            return;
        }
        // Space-Saving: the new pair takes the slot of the least counted one, inheriting its count as error.
        let (i, min) = self.slots.iter().enumerate().min_by_key(|(_, s)| s.messages).map(|(i, s)| (i, s.messages)).unwrap_or((0, 0));
        self.index.remove(self.slots[i].pair.as_str());
        self.index.insert(self.key.clone(), i);
        self.slots[i] = PairCount { pair: self.key.clone(), messages: min + messages, overcount: min };
    }

    /// All rows counted.
    pub fn rows(&self) -> u64 {
        self.allow.rows + self.block.rows + self.none.rows
    }

    /// The `n` busiest uncovered pairs, most messages first (ties by name).
    pub fn busiest_uncovered(&self, n: usize) -> Vec<PairCount> {
        let mut top = self.slots.clone();
        top.sort_by(|a, b| b.messages.cmp(&a.messages).then_with(|| a.pair.cmp(&b.pair)));
        top.truncate(n);
        top
    }
}
