//! Reading: bytes to located raw values. The only home of the YAML, CSV and mail crates: list files and the
//! files a path names, git revisions, encodings, CSV records, TABL exports, observation files and message
//! headers.

pub mod columns;
pub mod csv_records;
pub mod encoding;
pub mod headers;
pub mod list_files;
pub mod observations;
pub mod raw_list;
pub mod snapshot;
pub mod tabl_export;
pub mod yaml;
