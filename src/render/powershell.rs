//! PowerShell for the Exchange Online cmdlets: the one table of cmdlets and parameters spoofctl writes, and
//! quoting.
//!
//! Source: CMDLETS, learn.microsoft.com/powershell/module/exchangepowershell/new-tenantallowblocklistspoofitems
//! (and set-, remove- beside it). `New-` needs all five parameters; `-Identity` is always `Default`; `Set-`
//! changes only the action; `Set-` and `Remove-` take the entries' `Identity` GUIDs as `-Ids`.

/// Each cmdlet spoofctl emits, with the only parameters it may be given.
pub const CMDLETS: &[(&str, &[&str])] = &[
    (
        "New-TenantAllowBlockListSpoofItems",
        &["Identity", "Action", "SendingInfrastructure", "SpoofedUser", "SpoofType"],
    ),
    ("Set-TenantAllowBlockListSpoofItems", &["Identity", "Ids", "Action"]),
    ("Remove-TenantAllowBlockListSpoofItems", &["Identity", "Ids"]),
];

/// The first line of every script: stop at the first failing command rather than run the rest.
pub const PREAMBLE: &str = "$ErrorActionPreference = 'Stop'";

/// A PowerShell single-quoted string: nothing inside is expanded; a `'` is written twice.
pub fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// One command line: the cmdlet with each parameter's value single-quoted. Panics in debug builds if the
/// cmdlet or a parameter is not in [`CMDLETS`]: that would be a bug in spoofctl, caught by its tests.
pub fn command(cmdlet: &str, params: &[(&str, &str)]) -> String {
    debug_assert!(
        CMDLETS.iter().any(|(c, allowed)| *c == cmdlet && params.iter().all(|(p, _)| allowed.contains(p))),
        "{cmdlet} {params:?} is not in the cmdlet table"
    );
    let mut line = cmdlet.to_string();
    for (name, value) in params {
        line.push_str(&format!(" -{name} {}", quote(value)));
    }
    line
}
