//! Header columns found by name, the way every CSV reader here compares them (ignoring case, spaces, `_`,
//! `-` and a BOM), and refused when two columns answer to one name: taking either would be a silent pick.

use crate::model::characters::printable;
use crate::read::csv_records::folded_name;

/// Two columns of a header whose names compare the same, such as `Action` and `action`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "columns {} (`{}`) and {} (`{}`) are the same column to spoofctl: keep one of them",
    .first.0 + 1,
    printable(&.first.1),
    .second.0 + 1,
    printable(&.second.1)
)]
pub struct SameColumn {
    /// The first column: its index (from 0) and its name as written.
    pub first: (usize, String),
    /// The second.
    pub second: (usize, String),
}

/// What to add to a "these are not the columns" message when the header (its names joined with `, `) is one
/// column holding `;`: a CSV saved by Excel where the list separator is `;` (where a comma is the decimal
/// mark, as in German). Empty otherwise.
pub fn semicolon_hint(names: &str) -> &'static str {
    if names.contains(';') && !names.contains(", ") {
        "; the columns are separated by `;`, not `,` (Excel where a comma is the decimal mark): convert the file \
         with PowerShell, `Import-Csv FILE -Delimiter ';' | Export-Csv NEW.csv -NoTypeInformation`"
    } else {
        ""
    }
}

/// A header row's names, as written and folded.
#[derive(Debug, Clone)]
pub struct Header {
    written: Vec<String>,
    folded: Vec<String>,
}

impl Header {
    /// The header of these names.
    pub fn new(written: Vec<String>) -> Header {
        let folded = written.iter().map(|n| folded_name(n)).collect();
        Header { written, folded }
    }

    /// The column whose folded name is `name` (already folded), if one is; an error if two are.
    pub fn column(&self, name: &str) -> Result<Option<usize>, SameColumn> {
        let mut found = self.folded.iter().enumerate().filter(|(_, n)| *n == name).map(|(i, _)| i);
        match (found.next(), found.next()) {
            (Some(a), Some(b)) => {
                Err(SameColumn { first: (a, self.written[a].clone()), second: (b, self.written[b].clone()) })
            }
            (first, _) => Ok(first),
        }
    }

    /// The column of whichever of `names` (folded spellings of one column, such as `ip`, `cip`) the header
    /// has; an error when two columns answer to them (`IP` and `CIP`), as for one name written twice.
    pub fn first_of(&self, names: &[&str]) -> Result<Option<usize>, SameColumn> {
        let mut found: Option<usize> = None;
        for name in names {
            if let Some(i) = self.column(name)? {
                if let Some(first) = found {
                    let (a, b) = (first.min(i), first.max(i));
                    return Err(SameColumn {
                        first: (a, self.written[a].clone()),
                        second: (b, self.written[b].clone()),
                    });
                }
                found = Some(i);
            }
        }
        Ok(found)
    }

    /// The names as written.
    pub fn written(&self) -> &[String] {
        &self.written
    }
}

/// Two keys of one JSON object whose names compare the same (`Action` and `action`, or `Action` written twice),
/// among `wanted` (folded names): the first such pair.
pub fn same_keys<'k>(keys: &'k [String], wanted: &[&str]) -> Option<(&'k str, &'k str)> {
    let folded: Vec<String> = keys.iter().map(|k| folded_name(k)).collect();
    for (i, a) in folded.iter().enumerate() {
        if wanted.contains(&a.as_str())
            && let Some(j) = folded[i + 1..].iter().position(|b| b == a)
        {
            return Some((&keys[i], &keys[i + 1 + j]));
        }
    }
    None
}
