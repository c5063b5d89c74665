//! spoofctl: Microsoft 365 spoofed-sender allow/block entries (the Tenant Allow/Block List's "Spoofed
//! senders") as version-controlled YAML.
//!
//! The flow is visible in the modules: read (`source`, `yaml`, `raw`) -> validate (`validate`, `lint`, into
//! the model of `pair` and `entry`) -> act (`format`) -> render (`render`). The library never prints.
//!
//! The promise: an allow is a pair. [`pair::Rule::Allow`] holds a [`pair::Pair`] of a concrete spoofed user
//! and a concrete infrastructure; no wildcard can be put in one.

pub mod address;
pub mod atomic;
pub mod check;
pub mod date;
pub mod diagnostic;
pub mod diff;
pub mod domain;
pub mod encoding;
pub mod entry;
pub mod explain;
pub mod export;
pub mod format;
pub mod guid;
pub mod headers;
pub mod import;
pub mod ipv4;
pub mod lint;
pub mod matcher;
pub mod meaning;
pub mod message;
pub mod observations;
pub mod pair;
pub mod plan;
pub mod policy;
pub mod powershell;
pub mod raw;
pub mod records;
pub mod render;
pub mod replay;
pub mod scan;
pub mod schema;
pub mod source;
pub mod tabl;
pub mod tally;
pub mod text;
pub mod validate;
pub mod yaml;
