//! Tally: counts of an observations file per verdict, and the busiest pairs that no entry covers, in memory
//! that does not grow with the number of rows.

use foldhash::HashMap;

use crate::matcher::Verdict;
use crate::message::Message;

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
    /// Uncovered pairs: (messages, overcount).
    pairs: HashMap<String, (u64, u64)>,
    /// The largest count evicted so far: a pair seen anew may have had up to this many messages before.
    floor: u64,
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
        count.messages = count.messages.saturating_add(messages);
        if matches!(verdict, Verdict::None) {
            message.write_service_pair(&mut self.key);
            self.uncovered(messages);
        }
    }

    fn uncovered(&mut self, messages: u64) {
        if let Some((count, _)) = self.pairs.get_mut(self.key.as_str()) {
            *count = count.saturating_add(messages);
            return;
        }
        if self.pairs.len() >= 2 * TRACKED_PAIRS {
            self.evict();
        }
        self.pairs.insert(self.key.clone(), (self.floor.saturating_add(messages), self.floor));
    }

    /// Keeps the busiest half: the table never holds more than twice [`TRACKED_PAIRS`], and the cost of an
    /// eviction is spread over the [`TRACKED_PAIRS`] new pairs that filled it.
    fn evict(&mut self) {
        let mut counts: Vec<u64> = self.pairs.values().map(|(c, _)| *c).collect();
        let nth = counts.len() - TRACKED_PAIRS;
        let (_, cut, _) = counts.select_nth_unstable(nth);
        let cut = *cut;
        let mut evicted = 0;
        self.pairs.retain(|_, (c, _)| {
            let keep = *c > cut;
            if !keep {
                evicted = evicted.max(*c);
            }
            keep
        });
        self.floor = self.floor.max(evicted);
    }

    /// All rows counted.
    pub fn rows(&self) -> u64 {
        self.allow.rows + self.block.rows + self.none.rows
    }

    /// The `n` busiest uncovered pairs, most messages first (ties by name).
    pub fn busiest_uncovered(&self, n: usize) -> Vec<PairCount> {
        let mut top: Vec<PairCount> =
            self.pairs.iter().map(|(p, (m, o))| PairCount { pair: p.clone(), messages: *m, overcount: *o }).collect();
        top.sort_by(|a, b| b.messages.cmp(&a.messages).then_with(|| a.pair.cmp(&b.pair)));
        top.truncate(n);
        top
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{Host, Sender};

    fn message(domain: &str, ptr: &str) -> Message {
        let mut m = Message::from(Sender::parse(&format!("a@{domain}")).expect("sender"));
        m.ptr = Some(Host::parse(ptr).expect("host"));
        m
    }

    /// Review finding: huge message counts saturate instead of wrapping around.
    #[test]
    fn counts_saturate() {
        let mut t = Tally::default();
        for _ in 0..3 {
            t.add(&message("adatum.com", "mail.tms.mx.com"), u64::MAX, &Verdict::None);
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
            t.add(&message(&format!("s{i}.example"), "mx.relay.example"), 1, &Verdict::None);
            if i % 10 == 0 {
                t.add(&message("heavy.example", "mx.bulk.example"), 3, &Verdict::None);
            }
        }
        let top = t.busiest_uncovered(1);
        assert_eq!(top[0].pair, "heavy.example via bulk.example");
        assert_eq!(top[0].messages, 15_000);
        assert_eq!(top[0].overcount, 0);
        assert!(t.pairs.len() <= 2 * TRACKED_PAIRS);
        assert_eq!(t.rows(), 55_000);
    }
}
