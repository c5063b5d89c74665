//! Tally: counts of an observations file per verdict, and the busiest pairs that no entry covers, in memory
//! that does not grow with the number of rows.

use std::hash::BuildHasher;

use foldhash::fast::RandomState;
use hashbrown::HashTable;

use crate::engine::matcher::{Outcome, Verdict};
use crate::model::message::Message;

/// How many uncovered pairs are tracked at least. The busiest pairs are exact unless the file has more
/// distinct uncovered pairs than fit; then a pair's count is an upper bound, overstated by at most its
/// `overcount` (Space-Saving, Metwally et al. 2005, with evictions in batches).
pub const TRACKED_PAIRS: usize = 1024;

/// Rows and messages for one verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count {
    /// Rows.
    pub rows: u64,
    /// Messages (a pair row counts its message count).
    pub messages: u64,
}

/// A verdict without its entry: what a tally counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An allow decided.
    Allow,
    /// A block decided.
    Block,
    /// No entry decided, and none matches part of the row.
    None,
    /// No entry decided, but one matches part of the row, whose infrastructure (or spoofed user) is coarser
    /// than the entry's ([`crate::engine::matcher::Outcome::partly`]). Never an allow.
    Partly,
}

impl Kind {
    /// The kind of `verdict`.
    pub fn of(verdict: &Verdict<'_>) -> Kind {
        match verdict {
            Verdict::Allow(_) => Kind::Allow,
            Verdict::Block(_) => Kind::Block,
            Verdict::None => Kind::None,
        }
    }

    /// The kind of an outcome: its verdict's, or [`Kind::Partly`].
    pub fn of_outcome(outcome: &Outcome<'_>) -> Kind {
        match (Kind::of(&outcome.verdict), outcome.partly) {
            (Kind::None, Some(_)) => Kind::Partly,
            (kind, _) => kind,
        }
    }
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
    /// Rows with verdict none, and no entry that matches part of them.
    pub none: Count,
    /// Rows with verdict none that an entry matches part of ([`Kind::Partly`]).
    pub partly: Count,
    /// Uncovered pairs, in slots whose text buffers are reused after an eviction: no allocation per pair. With
    /// `index`, saves 10% of matching's instructions against a map from pair to counts (BENCHMARKS.md).
    slots: Vec<Slot>,
    /// The slots in use, found by their pair's hash (a pair's text is compared on every hit).
    index: HashTable<u32>,
    /// Slots free for reuse.
    free: Vec<u32>,
    /// The hasher of pair texts, seeded at random: pairs come from the file, and a known seed would let a
    /// file crowd the table. The results do not depend on it (evictions and the busiest pairs go by counts,
    /// then names).
    hasher: RandomState,
    /// The largest count evicted so far: a pair seen anew may have had up to this many messages before.
    floor: u64,
    key: String,
}

/// One tracked uncovered pair.
#[derive(Debug, Clone, Default)]
struct Slot {
    pair: String,
    hash: u64,
    messages: u64,
    overcount: u64,
}

impl Tally {
    /// Adds one row, whose outcome is `kind` ([`Kind::of_outcome`]).
    pub fn add(&mut self, message: &Message, messages: u64, kind: Kind) {
        if kind == Kind::None {
            let mut key = std::mem::take(&mut self.key);
            key.clear();
            message.push_service_pair(&mut key);
            self.add_counted(kind, messages, &key);
            self.key = key;
        } else {
            self.add_counted(kind, messages, "");
        }
    }

    /// Adds one row whose verdict is `kind`; `pair` is the pair as the service sees it
    /// ([`Message::push_service_pair`]), counted when no entry covers it.
    pub fn add_counted(&mut self, kind: Kind, messages: u64, pair: &str) {
        let count = match kind {
            Kind::Allow => &mut self.allow,
            Kind::Block => &mut self.block,
            Kind::None => &mut self.none,
            Kind::Partly => &mut self.partly,
        };
        count.rows += 1;
        count.messages = count.messages.saturating_add(messages);
        if kind == Kind::None {
            self.uncovered(pair, messages);
        }
    }

    #[expect(
        clippy::cast_possible_truncation,
        reason = "the table holds at most a few times TRACKED_PAIRS (1024) slots, far below u32::MAX"
    )]
    fn uncovered(&mut self, pair: &str, messages: u64) {
        let hash = self.hasher.hash_one(pair);
        let Tally { slots, index, .. } = self;
        if let Some(&i) = index.find(hash, |&i| slots[i as usize].pair == pair) {
            let slot = &mut slots[i as usize];
            slot.messages = slot.messages.saturating_add(messages);
            return;
        }
        if index.len() >= 2 * TRACKED_PAIRS {
            self.evict();
        }
        let Tally { slots, index, free, floor, .. } = self;
        let i = free.pop().unwrap_or_else(|| {
            slots.push(Slot::default());
            (slots.len() - 1) as u32
        });
        let slot = &mut slots[i as usize];
        slot.pair.clear();
        slot.pair.push_str(pair);
        (slot.hash, slot.messages, slot.overcount) = (hash, floor.saturating_add(messages), *floor);
        index.insert_unique(hash, i, |&j| slots[j as usize].hash);
    }

    /// Keeps the busiest half: the table never holds more than twice [`TRACKED_PAIRS`], and the cost of an
    /// eviction is spread over the [`TRACKED_PAIRS`] new pairs that filled it.
    fn evict(&mut self) {
        let Tally { slots, index, free, floor, .. } = self;
        let mut counts: Vec<u64> = index.iter().map(|&i| slots[i as usize].messages).collect();
        let nth = counts.len() - TRACKED_PAIRS;
        let (_, cut, _) = counts.select_nth_unstable(nth);
        let cut = *cut;
        let mut evicted = 0;
        index.retain(|&mut i| {
            let messages = slots[i as usize].messages;
            let keep = messages > cut;
            if !keep {
                evicted = evicted.max(messages);
                free.push(i);
            }
            keep
        });
        *floor = (*floor).max(evicted);
    }

    /// All rows counted.
    pub fn rows(&self) -> u64 {
        self.allow.rows + self.block.rows + self.none.rows + self.partly.rows
    }

    /// The `n` busiest uncovered pairs, most messages first (ties by name).
    pub fn busiest_uncovered(&self, n: usize) -> Vec<PairCount> {
        let mut top: Vec<PairCount> = self
            .index
            .iter()
            .map(|&i| &self.slots[i as usize])
            .map(|s| PairCount { pair: s.pair.clone(), messages: s.messages, overcount: s.overcount })
            .collect();
        top.sort_by(|a, b| b.messages.cmp(&a.messages).then_with(|| a.pair.cmp(&b.pair)));
        top.truncate(n);
        top
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::message::{Host, Sender};

    fn message(domain: &str, ptr: &str) -> Message {
        let mut m = Message::from(Sender::parse(&format!("a@{domain}")).expect("sender"));
        m.ptr = Some(Host::parse(ptr).expect("host"));
        m
    }

    /// Regression: huge message counts saturate instead of wrapping around.
    #[test]
    fn counts_saturate() {
        let mut t = Tally::default();
        for _ in 0..3 {
            t.add(&message("adatum.com", "mail.tms.mx.com"), u64::MAX, Kind::None);
        }
        assert_eq!(t.none.messages, u64::MAX);
        assert_eq!(t.busiest_uncovered(1)[0].messages, u64::MAX);
    }

    /// Heavy pairs survive any number of distinct light ones, with exact counts while nothing heavier was
    /// evicted.
    #[test]
    fn busiest_pairs_survive_many_distinct_ones() {
        let mut t = Tally::default();
        for i in 0..50_000u64 {
            t.add(&message(&format!("s{i}.example"), "mx.relay.example"), 1, Kind::None);
            if i % 10 == 0 {
                t.add(&message("heavy.example", "mx.bulk.example"), 3, Kind::None);
            }
        }
        let top = t.busiest_uncovered(1);
        assert_eq!(top[0].pair, "heavy.example via bulk.example");
        assert_eq!(top[0].messages, 15_000);
        assert_eq!(top[0].overcount, 0);
        assert!(t.index.len() <= 2 * TRACKED_PAIRS);
        assert_eq!(t.rows(), 55_000);
    }
}
