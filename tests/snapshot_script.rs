//! `spoofctl snapshot-script`: the script parses, calls only read-only commands, writes every file the
//! spec names, goes on past a failing cmdlet, and exports mailboxes only with `-IncludeMailboxes`.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

#[path = "common/powershell.rs"]
mod powershell;

use powershell::{commands, nodes, parse, text};
use spoofctl::render::snapshot_script::snapshot_script;

/// The snapshot files of the product spec ("The whole tenant: snapshot and audit"), written out here rather
/// than read from the generator's table, so that a cmdlet dropped from the table fails this test.
const SPEC_FILES: &[&str] = &[
    "Get-TenantAllowBlockListSpoofItems",
    "Get-TenantAllowBlockListItems",
    "Get-HostedContentFilterPolicy",
    "Get-HostedContentFilterRule",
    "Get-HostedConnectionFilterPolicy",
    "Get-TransportRule",
    "Get-AntiPhishPolicy",
    "Get-AntiPhishRule",
    "Get-InboundConnector",
    "Get-ExoPhishSimOverrideRule",
    "Get-ArcConfig",
    "Get-AcceptedDomain",
    "Get-OrganizationConfig",
    "Get-MailboxJunkEmailConfiguration",
];

/// Commands that read, or write only the local snapshot folder; besides these, only `Get-` cmdlets.
const HARMLESS: &[&str] = &[
    "ConvertTo-Json",
    "Export-Snapshot", // the script's own function, checked below
    "$Read",           // `& $Read` runs the block given to Export-Snapshot: its commands are checked too
    "ForEach-Object",
    "Join-Path",
    "New-Item",
    "Out-File",
    "Out-Null",
    "Select-Object",
    "Sort-Object",
    "Where-Object",
    "Write-Output",
    "Write-Warning",
];

#[test]
fn the_script_calls_only_read_only_commands() {
    let script = snapshot_script();
    let tree = parse(&script);
    let all = commands(&tree, &script);
    assert!(all.len() > 20, "{all:?}");
    for c in &all {
        assert!(
            c.name.starts_with("Get-") || HARMLESS.contains(&c.name.as_str()),
            "`{}` is neither a Get- cmdlet nor a harmless local command",
            c.name
        );
    }
    // New-Item only makes the snapshot folder.
    for c in all.iter().filter(|c| c.name == "New-Item") {
        assert_eq!(c.param("ItemType"), Some(Some("Directory")), "{:?}", c.params);
    }
    // Get-TenantAllowBlockListItems requires -ListType (its page); the senders tab is `Sender`.
    let items = all.iter().find(|c| c.name == "Get-TenantAllowBlockListItems").expect("the sender allows are read");
    assert_eq!(items.param("ListType"), Some(Some("Sender")));
}

/// Each spec file is written by one `Export-Snapshot` call whose script block runs that very cmdlet.
#[test]
fn every_spec_file_is_written() {
    let script = snapshot_script();
    let tree = parse(&script);
    let all = commands(&tree, &script);
    let exports: Vec<_> = all.iter().filter(|c| c.name == "Export-Snapshot").collect();
    for file in SPEC_FILES {
        let export = exports
            .iter()
            .find(|c| c.args.first().map(String::as_str) == Some(&format!("'{file}'")))
            .unwrap_or_else(|| panic!("no Export-Snapshot writes {file}.json"));
        let block = export.args.get(1).expect("a script block that reads");
        let inner = parse(block);
        assert!(commands(&inner, block).iter().any(|c| c.name == *file), "{file}: the block runs {block}");
    }
    assert_eq!(exports.len(), SPEC_FILES.len(), "one export per file");
}

/// The slow per-mailbox export runs only under `-IncludeMailboxes`; everything else runs unconditionally.
#[test]
fn include_mailboxes_gates_the_mailbox_export() {
    let script = snapshot_script();
    let tree = parse(&script);
    for c in commands(&tree, &script).iter().filter(|c| c.name == "Export-Snapshot") {
        if c.args.first().map(String::as_str) == Some("'Get-MailboxJunkEmailConfiguration'") {
            assert_eq!(c.conditions, ["$IncludeMailboxes"]);
        } else {
            assert!(!c.in_if, "{} is exported only sometimes", c.args[0]);
        }
    }
    let params = nodes(&tree).into_iter().find(|n| n.kind() == "param_block").expect("a param block");
    let params = text(params, &script);
    assert!(params.contains("[switch] $IncludeMailboxes"), "{params}");
    assert!(params.contains("[Parameter(Mandatory = $true)]\n    [string] $Path"), "{params}");
}

/// A failing cmdlet is caught, recorded in the manifest's results and the script goes on; the manifest is
/// written after every export.
#[test]
fn a_failing_cmdlet_is_recorded_and_the_script_goes_on() {
    let script = snapshot_script();
    let tree = parse(&script);
    let function = nodes(&tree)
        .into_iter()
        .find(|n| n.kind() == "function_statement" && text(*n, &script).starts_with("function Export-Snapshot"))
        .expect("the export function");
    let body = text(function, &script);
    let inner = parse(body);
    let try_node = nodes(&inner).into_iter().find(|n| n.kind() == "try_statement").expect("a try");
    let try_text = text(try_node, body);
    assert!(try_text.contains("catch {"), "{try_text}");
    assert!(try_text.contains("Status = 'Failed'; Error = $_.Exception.Message"), "{try_text}");
    let all = commands(&tree, &script);
    let last_export = all.iter().rposition(|c| c.name == "Export-Snapshot").expect("exports");
    let manifest = all
        .iter()
        .rposition(|c| {
            c.name == "Out-File"
                && c.param("LiteralPath").is_some_and(|p| p.is_some_and(|p| p.contains("manifest.json")))
        })
        .expect("the manifest is written");
    assert!(manifest > last_export);
    for key in ["Tenant = ", "Time = ", "ModuleVersion = [string] $module.Version", "Cmdlets = $results"] {
        assert!(script.contains(key), "the manifest has no {key}");
    }
}
