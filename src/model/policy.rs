//! `Policy`: the lint levels a list file sets in its `policy:` block.

use std::collections::BTreeMap;

use crate::model::diagnostic::{Code, Severity};
use crate::model::domain::Domain;

/// What a lint does in one list: the level a `policy:` block gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Not reported.
    Off,
    /// Reported as a warning.
    Warning,
    /// Reported as an error (the run exits 1).
    Error,
}

impl Level {
    /// The words a `policy:` block takes.
    pub const WORDS: &'static [(&'static str, Level)] =
        &[("error", Level::Error), ("warning", Level::Warning), ("off", Level::Off)];

    /// Reads `error`, `warning` or `off`.
    pub fn parse(raw: &str) -> Option<Level> {
        Level::WORDS.iter().find(|(w, _)| *w == raw).map(|(_, l)| *l)
    }

    /// The word for this level.
    pub fn word(self) -> &'static str {
        Level::WORDS.iter().find(|(_, l)| *l == self).map(|(w, _)| *w).unwrap_or("warning")
    }
}

/// The lint levels of one list (codes not named keep their default), and the sending platforms it adds to the
/// shipped ones (`shared-infrastructure: [...]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    levels: BTreeMap<Code, Level>,
    shared_infrastructure: Vec<Domain>,
}

impl Policy {
    /// Sets a lint's level. Only lints have levels: [`Code::is_lint`].
    pub fn set(&mut self, code: Code, level: Level) {
        debug_assert!(code.is_lint());
        self.levels.insert(code, level);
    }

    /// Adds a sending platform that many customers share, as `allow-shared-infrastructure` sees them.
    pub fn add_shared_infrastructure(&mut self, domain: Domain) {
        if let Err(at) = self.shared_infrastructure.binary_search(&domain) {
            self.shared_infrastructure.insert(at, domain);
        }
    }

    /// The sending platforms this list adds to the shipped ones, sorted, each once.
    pub fn shared_infrastructure(&self) -> &[Domain] {
        &self.shared_infrastructure
    }

    /// The level `code` has in this list: the `policy:` block's, or its default's.
    pub fn level(&self, code: Code) -> Level {
        match self.severity(code) {
            None => Level::Off,
            Some(Severity::Warning) => Level::Warning,
            Some(Severity::Error) => Level::Error,
        }
    }

    /// The severity `code` has in this list: its level, or its default; `None` when turned off.
    pub fn severity(&self, code: Code) -> Option<Severity> {
        match self.levels.get(&code) {
            None => Some(code.default_severity()),
            Some(Level::Off) => None,
            Some(Level::Warning) => Some(Severity::Warning),
            Some(Level::Error) => Some(Severity::Error),
        }
    }
}
