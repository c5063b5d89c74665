//! `Exception`: an approved exception to an `audit` finding, kept in the tenant's list file (`exceptions:`).
//!
//! It names one finding by its code, object and value, and says why and who answers for it. An exception
//! that covers no finding, or whose `expires` has passed, is itself a finding (product spec, "The whole
//! tenant").

use crate::model::date::Date;
use crate::model::diagnostic::Span;
use crate::model::finding::FindingCode;

/// One validated exception.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Exception {
    /// The finding it covers.
    pub finding: FindingCode,
    /// The finding's object (a policy, rule, connector or mailbox name), as `audit` shows it.
    pub object: String,
    /// The finding's value, as `audit` shows it.
    pub value: String,
    /// Why the finding is accepted.
    pub reason: String,
    /// Who answers for it.
    pub owner: String,
    /// The date after which it covers nothing; none means until it is removed.
    pub expires: Option<Date>,
    /// Where it starts in its file.
    pub span: Span,
}

impl Exception {
    /// Whether it names this finding: the same code, and the same object and value ignoring ASCII case
    /// (Exchange compares names and domains that way).
    pub fn names(&self, finding: FindingCode, object: &str, value: &str) -> bool {
        self.finding == finding && self.object.eq_ignore_ascii_case(object) && self.value.eq_ignore_ascii_case(value)
    }

    /// Whether its date has passed on `today` (it still covers the finding on its `expires` day).
    pub fn expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|d| d < today)
    }
}
