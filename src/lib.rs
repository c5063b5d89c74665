//! spoofctl: Microsoft 365 spoofed-sender allow/block entries (the Tenant Allow/Block List's "Spoofed
//! senders") as version-controlled YAML.
//!
//! The pipeline, one folder a stage:
//! - [`read`]: bytes to located raw values (list files, git revisions, exports, observations, headers);
//! - [`validate`]: raw values to the [`model`], with every diagnostic and lint;
//! - [`engine`]: valid values to results (a verdict, an explanation, a diff, a plan, an import, a scan);
//! - [`render`]: results to text, Markdown, JSON, CSV, PowerShell and YAML.
//!
//! The command line (`src/cli/`, in the binary) is the only code that prints or writes files.
//!
//! The promise: an allow is a pair. [`model::pair::Rule::Allow`] holds a [`model::pair::Pair`] of a concrete
//! spoofed user and a concrete infrastructure; no wildcard can be put in one.

// The library builds values; only the command line prints (clippy enforces it).
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod engine;
pub mod model;
pub mod read;
pub mod render;
pub mod validate;

// The paths callers used before the stages had folders (`spoofctl::domain::Domain`), kept so they still work.
pub use engine::{diff, explain, import, matcher, plan, replay, scan, tally};
pub use model::characters as text;
pub use model::header_codes as meaning;
pub use model::{address, date, diagnostic, domain, entry, guid, ipv4, message, pair, policy, words};
pub use read::csv_records as records;
pub use read::list_files as source;
pub use read::raw_list as raw;
pub use read::tabl_export as tabl;
pub use read::{encoding, headers, observations, yaml};
pub use render::list_yaml as format;
pub use render::{export, powershell, schema};
pub use validate::lint;
pub use validate::pipeline as check;
