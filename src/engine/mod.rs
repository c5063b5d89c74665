//! The engine: valid values to results. Matching a message against lists, explaining a message, diffing two
//! versions of a list, planning the tenant's changes, importing exports, and running observation files
//! through lists (the scan, its replay and tally). It touches no files and prints nothing; `render` turns its
//! results into text.

pub mod admission;
pub mod audit;
pub mod diff;
pub mod explain;
pub mod import;
pub mod matcher;
pub mod plan;
pub mod replay;
pub mod scan;
pub mod tally;
pub mod trust;
