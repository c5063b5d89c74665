//! `Guid`: the service's `Identity` of a spoofed-sender entry, a random GUID that `Set-` and `Remove-`
//! take as `-Ids` (CMDLETS, Get-TenantAllowBlockListSpoofItems). Kept in lists as `id`, for `plan`.

use std::fmt;

use crate::model::characters::printable;
use crate::model::diagnostic::{Code, ValueError};

/// A GUID in normal form: lowercase `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Guid(String);

impl Guid {
    /// Parses a GUID: 32 hex digits in groups of 8-4-4-4-12, optionally in braces.
    pub fn parse(raw: &str) -> Result<Guid, ValueError> {
        let inner = raw.strip_prefix('{').and_then(|r| r.strip_suffix('}')).unwrap_or(raw);
        let groups: Vec<&str> = inner.split('-').collect();
        let shape = groups.len() == 5
            && groups
                .iter()
                .zip([8, 4, 4, 4, 12])
                .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()));
        if !shape {
            return Err(ValueError::new(
                Code::InvalidId,
                format!("`{}` is not a GUID", printable(raw)),
                "an `id` is the entry's Identity from Get-TenantAllowBlockListSpoofItems, e.g. 375e76f1-eefb-1626-c8bc-5efefd057488",
            ));
        }
        Ok(Guid(inner.to_ascii_lowercase()))
    }

    /// The GUID in normal form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
