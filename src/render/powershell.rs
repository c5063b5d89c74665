//! PowerShell for the Exchange Online cmdlets: the one table of cmdlets and parameters spoofctl writes,
//! quoting, and the apply script every change goes into (`export` and `plan --format powershell`).
//!
//! Sources, the cmdlet pages in MicrosoftDocs/office-docs-powershell
//! (learn.microsoft.com/powershell/module/exchangepowershell/new-tenantallowblocklistspoofitems, and set-,
//! remove- beside it):
//! - `New-` needs all five parameters; its `-Identity` "uses the value Default", as does `Set-`'s. `Set-`
//!   changes only the action; `Set-` and `Remove-` take the entries' `Identity` GUIDs as `-Ids`.
//! - `Remove-`'s `-Identity`: "Use the value `domain.com\Default` for this parameter. The spoofed sender that
//!   you want to remove is really identified by the Ids parameter." The domain is the list's tenant's.
//! - `-Confirm`: "Destructive cmdlets (for example, Remove-\* cmdlets) have a built-in pause ... you can skip
//!   the confirmation prompt by using this exact syntax: `-Confirm:$false`"; "New-\* and Set-\* cmdlets don't
//!   have a built-in pause". A script that pauses at every removal cannot run unattended.
//! - `-WhatIf` on these cmdlets "is reserved for internal Microsoft use": the script's own `-WhatIf`
//!   (`SupportsShouldProcess`) skips each change through `$PSCmdlet.ShouldProcess` instead of passing the
//!   switch on.
//! - The guard reads the connected tenant's accepted domains with `Get-AcceptedDomain -ResultSize Unlimited`
//!   (`DomainName`; "The default value is 1000" results).

use std::fmt::Write as _;
use std::path::Path;

use crate::model::characters::printable;
use crate::model::date::Date;
use crate::model::domain::Domain;
use crate::model::entry::{Entry, TenantList};
use crate::model::words::{Action, Word};
use crate::read::git_commit::ListCommit;

/// Each cmdlet spoofctl emits, with the only parameters it may be given.
pub const CMDLETS: &[(&str, &[&str])] = &[
    (
        "New-TenantAllowBlockListSpoofItems",
        &["Identity", "Action", "SendingInfrastructure", "SpoofedUser", "SpoofType"],
    ),
    ("Set-TenantAllowBlockListSpoofItems", &["Identity", "Ids", "Action"]),
    ("Remove-TenantAllowBlockListSpoofItems", &["Identity", "Ids"]),
];

/// The cmdlets that pause for confirmation unless given `-Confirm:$false` (see the module's sources).
pub const PAUSING: &[&str] = &["Remove-TenantAllowBlockListSpoofItems"];

/// Stop at the first failing command rather than run the rest.
pub const PREAMBLE: &str = "$ErrorActionPreference = 'Stop'";

/// A PowerShell single-quoted string: nothing inside is expanded; a `'` is written twice.
pub fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// One command line: the cmdlet with each parameter's value single-quoted, and `-Confirm:$false` for a
/// cmdlet that would pause. Panics in debug builds if the cmdlet or a parameter is not in [`CMDLETS`]: that
/// would be a bug in spoofctl, caught by its tests.
pub fn command(cmdlet: &str, params: &[(&str, &str)]) -> String {
    debug_assert!(
        CMDLETS.iter().any(|(c, allowed)| *c == cmdlet && params.iter().all(|(p, _)| allowed.contains(p))),
        "{cmdlet} {params:?} is not in the cmdlet table"
    );
    let mut line = cmdlet.to_string();
    for (name, value) in params {
        let _ = write!(line, " -{name} {}", quote(value));
    }
    if PAUSING.contains(&cmdlet) {
        line.push_str(" -Confirm:$false");
    }
    line
}

/// When a change runs: everything that removes or blocks before anything that allows, so that a plan near
/// the service's limit frees room before it creates, and a script stopped halfway has tightened the tenant,
/// never only loosened it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Removals.
    Remove,
    /// Creates and changes that block.
    Block,
    /// Creates and changes that allow.
    Allow,
}

impl Phase {
    /// The phase of a create or a change to `action`.
    pub fn of(action: Action) -> Phase {
        match action {
            Action::Block => Phase::Block,
            Action::Allow => Phase::Allow,
        }
    }
}

/// One change of a script: the command and the comment above it.
#[derive(Debug, Clone)]
pub struct Step {
    /// When it runs.
    pub phase: Phase,
    /// What it does, for `-WhatIf` and the comment (`Create`, `Change to block`, `Remove`).
    pub operation: String,
    /// The entry it touches in words: pair, type, action (unescaped: escaped when written).
    pub target: String,
    /// Why, one line each (unescaped).
    pub why: Vec<String>,
    /// The command line, from [`command`].
    pub command: String,
}

/// Where a script came from, for its header.
#[derive(Debug, Clone)]
pub struct Provenance<'a> {
    /// The list file.
    pub list: &'a Path,
    /// Its repository's commit, when it is in one.
    pub commit: Option<ListCommit>,
    /// The live export the plan read (`None` for `export`).
    pub live: Option<&'a Path>,
    /// The date it was written.
    pub date: Date,
}

/// Why no script can be written for a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoTenant;

impl std::fmt::Display for NoTenant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "the list does not say which tenant it is for, so the script could not check it runs in the right \
             one: add `tenant: <name>.onmicrosoft.com` or `accepted-domains: [...]` to the list file",
        )
    }
}

/// The domains the connected tenant must hold as accepted domains for the script to run: the list's
/// `tenant` when it is a domain name (the `<name>.onmicrosoft.com` domain a tenant is made with is among its
/// accepted domains; were it not, the guard would stop the script, never let it run in the wrong tenant),
/// then its `accepted-domains`. An error when there is none.
pub fn tenant_domains(list: &TenantList) -> Result<Vec<String>, NoTenant> {
    let tenant = list.tenant.as_deref().and_then(|t| Domain::parse(t.trim()).ok());
    let mut domains: Vec<String> = tenant.map(|d| d.as_str().to_string()).into_iter().collect();
    for d in &list.accepted_domains {
        if !domains.iter().any(|have| have == d.as_str()) {
            domains.push(d.as_str().to_string());
        }
    }
    if domains.is_empty() { Err(NoTenant) } else { Ok(domains) }
}

/// `Remove-`'s `-Identity`, `domain.com\Default` with the tenant's first domain.
pub fn remove_identity(domains: &[String]) -> String {
    format!("{}\\Default", domains.first().map_or("", String::as_str))
}

/// The comment lines that describe an entry of the list: its reason, owner, ticket and review date.
pub fn entry_notes(entry: &Entry) -> Vec<String> {
    let m = &entry.meta;
    let mut notes = Vec::new();
    if let Some(reason) = &m.reason {
        notes.push(format!("reason: {reason}"));
    }
    let mut who = Vec::new();
    if let Some(owner) = &m.owner {
        who.push(format!("owner: {owner}"));
    }
    if let Some(ticket) = &m.ticket {
        who.push(format!("ticket: {ticket}"));
    }
    if let Some(expires) = &m.expires {
        who.push(format!("expires: {expires}"));
    }
    if !who.is_empty() {
        notes.push(who.join("; "));
    }
    notes
}

/// The step that creates `entry`, and why when there is more to say than the entry's own notes.
pub fn create_step(entry: &Entry, why: Option<&str>) -> Step {
    let mut notes: Vec<String> = why.map(str::to_string).into_iter().collect();
    notes.extend(entry_notes(entry));
    Step {
        phase: Phase::of(entry.action()),
        operation: format!("Create ({})", entry.action().list_word()),
        target: entry.label().to_string(),
        why: notes,
        command: command(
            "New-TenantAllowBlockListSpoofItems",
            &[
                ("Identity", "Default"),
                ("Action", entry.action().service_word()),
                ("SendingInfrastructure", &entry.rule.infrastructure().to_string()),
                ("SpoofedUser", &entry.rule.spoofed().to_string()),
                ("SpoofType", entry.spoof_type.service_word()),
            ],
        ),
    }
}

/// A comment line: the text escaped so that nothing in it (a newline in a reason) can end the comment and
/// start a command.
fn comment(out: &mut String, text: &str) {
    let _ = writeln!(out, "# {}", crate::model::characters::escaped(text));
}

/// The whole script: a header with what it does and where it came from, the guard, then each step in phase
/// order (steps of one phase keep their order), each behind `ShouldProcess` with its comment above.
pub fn script(title: &str, provenance: &Provenance<'_>, domains: &[String], mut steps: Vec<Step>) -> String {
    steps.sort_by_key(|s| s.phase);
    let mut out = String::new();
    for line in title.lines() {
        comment(&mut out, line);
    }
    comment(&mut out, &format!("Generated by spoofctl {} on {}.", env!("CARGO_PKG_VERSION"), provenance.date));
    let list = printable(&provenance.list.display().to_string());
    let at = match &provenance.commit {
        Some(ListCommit { commit, changed: false }) => format!(" at git commit {commit}"),
        Some(ListCommit { commit, changed: true }) => {
            format!(" at git commit {commit}, with changes not committed")
        }
        None => " (not in a git repository)".to_string(),
    };
    comment(&mut out, &format!("List: {list}{at}"));
    if let Some(live) = provenance.live {
        comment(&mut out, &format!("Live export read: {}", printable(&live.display().to_string())));
    }
    comment(&mut out, &format!("Tenant: the one whose accepted domains include {}", domains.join(", ")));
    out.push_str(
        "# Run in Exchange Online PowerShell (Connect-ExchangeOnline). -WhatIf lists each change without making it.\n\
         # Removals and blocks run first, allows last: the tenant never holds more entries than it will at the end,\n\
         # and a run stopped halfway has only tightened it. The first error stops the script.\n\
         [CmdletBinding(SupportsShouldProcess = $true)]\n\
         param()\n",
    );
    let _ = writeln!(out, "{PREAMBLE}\n");
    out.push_str("# Stop unless this session is connected to the list's tenant.\n");
    out.push_str(
        "$acceptedDomains = @(Get-AcceptedDomain -ResultSize Unlimited | ForEach-Object { [string] $_.DomainName })\n",
    );
    let quoted: Vec<String> = domains.iter().map(|d| quote(d)).collect();
    let _ = writeln!(out, "foreach ($domain in @({})) {{", quoted.join(", "));
    out.push_str(
        "    if ($acceptedDomains -notcontains $domain) {\n        \
         throw ('Not the list''s tenant: {0} is not an accepted domain of the tenant this session is connected to. Connect-ExchangeOnline to the right tenant.' -f $domain)\n    \
         }\n}\n",
    );
    for step in &steps {
        out.push('\n');
        comment(&mut out, &format!("{}: {}", step.operation, step.target));
        for line in &step.why {
            comment(&mut out, &format!("  {line}"));
        }
        let _ = writeln!(
            out,
            "if ($PSCmdlet.ShouldProcess({}, {})) {{\n    {}\n}}",
            quote(&printable(&step.target)),
            quote(&step.operation),
            step.command
        );
    }
    out
}
