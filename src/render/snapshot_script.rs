//! The read-only PowerShell script that writes a tenant snapshot (product spec, "The whole tenant: snapshot
//! and audit"): one `<Cmdlet>.json` per cmdlet of [`files::CMDLETS`] and `manifest.json`.
//!
//! The script holds no value from any input: it is the same text for every tenant, so nothing in it needs
//! quoting. It calls only `Get-` cmdlets of Exchange Online, plus the local commands that write files.
//!
//! Sources, each cmdlet's page in MicrosoftDocs/office-docs-powershell,
//! `exchange/exchange-ps/ExchangePowerShell/<Cmdlet>.md` (learn.microsoft.com/powershell/module/exchangepowershell/<cmdlet>):
//! - Get-TenantAllowBlockListItems: `-ListType` is required; `Sender` is the domains and addresses tab.
//! - Get-TransportRule, Get-InboundConnector, Get-AcceptedDomain, Get-Mailbox: `-ResultSize` "The default
//!   value is 1000"; `Unlimited` returns all.
//! - Get-MailboxJunkEmailConfiguration: `-Identity` is required (one mailbox a call); its Example 2 walks
//!   `Get-Mailbox -ResultSize unlimited` and passes each `UserPrincipalName`.
//! - Get-ExoPhishSimOverrideRule, Get-ArcConfig, Get-HostedContentFilterPolicy, Get-HostedContentFilterRule,
//!   Get-HostedConnectionFilterPolicy, Get-AntiPhishPolicy, Get-AntiPhishRule, Get-OrganizationConfig,
//!   Get-TenantAllowBlockListSpoofItems: no parameter needed to list everything.
//! - Get-ConnectionInformation: `TenantID`, `UserPrincipalName`, `Organization` (set for certificate
//!   connections), `State` of each active connection, and `IsEopSession` (True for Security & Compliance
//!   PowerShell, which these cmdlets do not run in).

use std::fmt::Write as _;

use crate::model::tenant::files;

/// The PowerShell that reads every object of a snapshot file's cmdlet (the file is `<cmdlet>.json`).
fn reader(cmdlet: &str) -> String {
    match cmdlet {
        files::SENDER_ITEMS => format!("{cmdlet} -ListType Sender"),
        files::TRANSPORT_RULES | files::INBOUND_CONNECTORS | files::ACCEPTED_DOMAINS => {
            format!("{cmdlet} -ResultSize Unlimited")
        }
        files::JUNK_EMAIL_CONFIGURATIONS => {
            format!("Get-Mailbox -ResultSize Unlimited | ForEach-Object {{ {cmdlet} -Identity $_.UserPrincipalName }}")
        }
        _ => cmdlet.to_string(),
    }
}

/// The script's start: help, parameters, the connection check, and the one function that writes a file.
const HEAD: &str = r#"<#
.SYNOPSIS
Writes a read-only snapshot of the tenant's mail-protection settings, for `spoofctl audit`.

.DESCRIPTION
Calls only Get- cmdlets: nothing in the tenant changes. Run it in a session opened with Connect-ExchangeOnline,
interactively or with app-only certificate authentication (CI). Each cmdlet's output is written to
<Path>/<Cmdlet>.json (ConvertTo-Json -Depth 6, UTF-8), always as a JSON array (`[]` when the cmdlet returns
nothing). manifest.json records the tenant, the time, the ExchangeOnlineManagement module version and, for each
cmdlet, "written" or the error it gave: a cmdlet that fails (a licence the tenant lacks) is recorded and the
script goes on.

.PARAMETER Path
The snapshot folder to write (created when missing; files in it are replaced).

.PARAMETER IncludeMailboxes
Also export every mailbox's Safe Senders (Get-MailboxJunkEmailConfiguration, one call per mailbox): slow in a
large tenant.

.EXAMPLE
./snapshot.ps1 -Path snapshot/contoso -IncludeMailboxes
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)]
    [string] $Path,
    [switch] $IncludeMailboxes
)
$ErrorActionPreference = 'Stop'

$connection = Get-ConnectionInformation | Where-Object { $_.State -eq 'Connected' -and -not $_.IsEopSession } | Select-Object -First 1
if ($null -eq $connection) {
    throw 'No Exchange Online connection: run Connect-ExchangeOnline first.'
}
New-Item -ItemType Directory -Force -Path $Path | Out-Null
$results = [ordered]@{}

function Export-Snapshot([string] $Name, [scriptblock] $Read) {
    try {
        $items = @(& $Read)
        $json = ConvertTo-Json -InputObject $items -Depth 6
        Out-File -LiteralPath (Join-Path $Path "$Name.json") -InputObject $json -Encoding utf8
        $results[$Name] = [ordered]@{ Status = 'Written'; Count = $items.Count }
    } catch {
        $results[$Name] = [ordered]@{ Status = 'Failed'; Error = $_.Exception.Message }
        Write-Warning ('{0}: {1}' -f $Name, $_.Exception.Message)
    }
}

"#;

/// The script's end: the manifest.
const TAIL: &str = r#"
$module = Get-Module -Name ExchangeOnlineManagement | Sort-Object -Property Version -Descending | Select-Object -First 1
$manifest = [ordered]@{
    Version = 1
    Tenant = [string] $connection.Organization
    TenantId = [string] $connection.TenantID
    User = [string] $connection.UserPrincipalName
    Time = (Get-Date).ToUniversalTime().ToString('o')
    ModuleVersion = [string] $module.Version
    Cmdlets = $results
}
Out-File -LiteralPath (Join-Path $Path 'manifest.json') -InputObject (ConvertTo-Json -InputObject $manifest -Depth 4) -Encoding utf8
Write-Output ('Snapshot written to {0}' -f $Path)
"#;

/// The script, with the version of spoofctl that wrote it in its first line.
pub fn snapshot_script() -> String {
    let mut out = format!(
        "# Generated by spoofctl {} (`spoofctl snapshot-script`). Read-only: it calls only Get- cmdlets.\n{HEAD}",
        env!("CARGO_PKG_VERSION")
    );
    for name in files::CMDLETS {
        let read = reader(name);
        // The per-mailbox export, slow in a large tenant: only with the script's `-IncludeMailboxes` switch.
        if name == files::JUNK_EMAIL_CONFIGURATIONS {
            let _ = write!(
                out,
                "if ($IncludeMailboxes) {{\n    Export-Snapshot '{name}' {{ {read} }}\n}} else {{\n    \
                 $results['{name}'] = [ordered]@{{ Status = 'Skipped'; Error = 'run with -IncludeMailboxes' }}\n}}\n"
            );
        } else {
            let _ = writeln!(out, "Export-Snapshot '{name}' {{ {read} }}");
        }
    }
    out.push_str(TAIL);
    out
}
