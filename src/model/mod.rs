//! The model: what a list is, with no I/O. Values parsed once at the edge (`Domain`, `Address`,
//! `Ipv4Slash24`), the pair and the rule that allows or blocks it, entries and tenant lists, the message that
//! matching takes, and the diagnostics that describe a problem with any of them.

pub mod address;
pub mod characters;
pub mod date;
pub mod diagnostic;
pub mod domain;
pub mod entry;
pub mod exception;
pub mod finding;
pub mod guid;
pub mod header_codes;
pub mod ip_range;
pub mod ipv4;
pub mod message;
pub mod pair;
pub mod policy;
pub mod tenant;
pub mod words;
