//! The words of the model that every layer names: an entry's action and spoof type, and how each is written
//! in a list and by the service. A leaf: it uses nothing else in the crate, so diagnostics and values can both
//! use it without a cycle.

use std::fmt;

/// The wildcard as written in lists and in the service: `*` alone is "any" on one side of an entry (TABL-SPOOF,
/// "Domain pair syntax"); inside a value it is refused, the service documents no partial wildcards.
pub const WILDCARD: &str = "*";

/// Allow or block: the service's two actions (TABL-ABOUT). Within a list, block beats allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// Let the pair's spoofed mail through.
    Allow,
    /// Block the pair's mail.
    Block,
}

/// Internal (the spoofed domain is one of the tenant's accepted domains) or external (CMDLETS, `-SpoofType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SpoofType {
    /// Spoofing one of the tenant's own domains.
    Internal,
    /// Spoofing any other domain.
    External,
}

/// Words that name one value of a small set: lowercase in lists, capitalised as the service writes them.
pub trait Word: Sized + Copy + 'static {
    /// Every value with its list word (lowercase) and the service's word.
    const WORDS: &'static [(Self, &'static str, &'static str)];

    /// The list's word: `allow`, `external`.
    fn list_word(self) -> &'static str;

    /// The service's capitalisation, as the cmdlets and `Export-Csv` write it: `Allow`, `External` (CMDLETS).
    fn service_word(self) -> &'static str;

    /// Reads a word in any case (`External`, `external`, `EXTERNAL`).
    fn parse_word(raw: &str) -> Option<Self> {
        Self::WORDS.iter().find(|(_, list, _)| list.eq_ignore_ascii_case(raw)).map(|(v, _, _)| *v)
    }
}

macro_rules! word {
    ($ty:ident, $( $v:ident => $list:literal, $svc:literal; )+) => {
        impl Word for $ty {
            const WORDS: &'static [(Self, &'static str, &'static str)] = &[$(($ty::$v, $list, $svc)),+];
            fn list_word(self) -> &'static str { match self { $($ty::$v => $list,)+ } }
            fn service_word(self) -> &'static str { match self { $($ty::$v => $svc,)+ } }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.list_word()) }
        }
    };
}

word!(Action, Allow => "allow", "Allow"; Block => "block", "Block";);
word!(SpoofType, Internal => "internal", "Internal"; External => "external", "External";);
