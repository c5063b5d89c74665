//! Nothing is lost moving entries to and from the tenant: a list exported as CSV or JSON imports back to the
//! same entries; every PowerShell script is valid PowerShell that uses only the documented cmdlets and
//! parameters; hostile values never reach a script or a cell.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;
use std::path::Path;

#[path = "common/powershell.rs"]
mod powershell;

use proptest::prelude::*;
use spoofctl::diagnostic::Span;
use spoofctl::entry::{Entry, Metadata, TenantList};
use spoofctl::export;
use spoofctl::guid::Guid;
use spoofctl::import::{Merged, merge};
use spoofctl::pair::{Action, Rule, Side, SpoofType};
use spoofctl::plan::Options;
use spoofctl::powershell::{CMDLETS, PAUSING};
use spoofctl::tabl::read_export;

/// A list of distinct entries from generated values (wildcards only in blocks), with Identity GUIDs.
fn list_strategy() -> impl Strategy<Value = TenantList> {
    let entry = (0u32..5000, 0u32..5000, 0u8..10, any::<bool>(), any::<bool>(), any::<u128>());
    prop::collection::vec(entry, 1..1024).prop_map(|picks| {
        let mut seen = BTreeSet::new();
        let mut entries = Vec::new();
        for (n, (s, i, shape, block, internal, id)) in picks.into_iter().enumerate() {
            let spoofed = match shape % 5 {
                0 if block => "*".to_string(),
                1 => format!("user{s}@s{s}.example"),
                _ => format!("s{s}.example"),
            };
            let infrastructure = match shape / 5 {
                0 if block && spoofed != "*" => "*".to_string(),
                1 => format!("11.{}.{}.0/24", i / 256 % 256, i % 256),
                _ => format!("relay{i}.example.net"),
            };
            let action = if block { Action::Block } else { Action::Allow };
            let Ok(rule) = Rule::new(
                action,
                Side::parse_spoofed(&spoofed).expect("valid"),
                Side::parse_infrastructure(&infrastructure).expect("valid"),
            ) else {
                continue;
            };
            let spoof_type = if internal { SpoofType::Internal } else { SpoofType::External };
            let entry = Entry::new(
                rule,
                spoof_type,
                Metadata { id: Some(Guid::parse(&uuid(id)).expect("guid")), ..Metadata::default() },
                Span::new(n + 1, 5),
            );
            if seen.insert((entry.rule.spoofed().to_string(), entry.rule.infrastructure().to_string(), spoof_type)) {
                entries.push(entry);
            }
        }
        TenantList::new(Path::new("generated.yaml"), Vec::new(), entries)
    })
}

/// The list as a tenant's file has it: naming its tenant, so that a script can check where it runs.
fn with_tenant(mut list: TenantList) -> TenantList {
    list.tenant = Some("contoso.onmicrosoft.com".into());
    list
}

fn provenance(live: Option<&Path>) -> spoofctl::powershell::Provenance<'_> {
    spoofctl::powershell::Provenance {
        list: Path::new("generated.yaml"),
        commit: None,
        live,
        date: spoofctl::date::Date::parse("2026-05-01").expect("a date"),
    }
}

fn uuid(n: u128) -> String {
    let h = format!("{n:032x}");
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// (identity, action, id) of every entry, sorted.
fn summary(entries: &[Entry], with_ids: bool) -> Vec<String> {
    let mut v: Vec<String> = entries
        .iter()
        .map(|e| format!("{:?} {:?} {:?}", e.identity(), e.action(), e.meta.id.as_ref().filter(|_| with_ids)))
        .collect();
    v.sort();
    v
}

fn import(bytes: String) -> Merged {
    let rows = read_export(Cursor::new(bytes.into_bytes())).expect("an export");
    let mut merged = Merged::default();
    merge(&mut merged, "export", &rows, &[]);
    merged
}

fn parse_powershell(script: &str) -> tree_sitter::Tree {
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&tree_sitter_powershell::LANGUAGE.into()).expect("grammar loads");
    parser.parse(script, None).expect("parses")
}

/// One change an apply script makes: the cmdlet and its parameters' values (unquoted).
type Change = (String, BTreeMap<String, String>);

/// The changes of an apply script, in the order it makes them, each checked on the syntax tree: the script
/// takes `-WhatIf` (`SupportsShouldProcess`); the tenant guard comes before any change; every change is a
/// table cmdlet with table parameters, each value one single-quoted string, `-Confirm:$false` exactly on
/// the cmdlets that pause, alone inside `if ($PSCmdlet.ShouldProcess(...))`, under a comment that names what
/// it touches.
fn changes(script: &str) -> Vec<Change> {
    let tree = powershell::parse(script);
    let all = powershell::nodes(&tree);
    let attribute = all.iter().find(|n| n.kind() == "attribute").expect("an attribute");
    assert_eq!(powershell::text(*attribute, script), "[CmdletBinding(SupportsShouldProcess = $true)]");
    assert!(attribute.parent().and_then(|p| p.parent()).is_some_and(|b| b.kind() == "param_block"));
    let guard =
        all.iter().find(|n| n.kind() == "foreach_statement").map(|n| powershell::text(*n, script)).expect("the guard");
    assert!(guard.contains("if ($acceptedDomains -notcontains $domain) {\n        throw ("), "{guard}");
    let guard_end = all.iter().find(|n| n.kind() == "foreach_statement").expect("guard").end_byte();
    let mut out = Vec::new();
    for c in powershell::commands(&tree, script) {
        match c.name.as_str() {
            "Get-AcceptedDomain" | "ForEach-Object" => {
                assert!(c.node.end_byte() < guard_end, "{} outside the guard", c.name);
                continue;
            }
            _ => {}
        }
        assert!(c.node.start_byte() > guard_end, "{} before the guard", c.name);
        let allowed = CMDLETS
            .iter()
            .find(|(name, _)| *name == c.name)
            .map(|(_, p)| *p)
            .unwrap_or_else(|| panic!("{} is not in the table", c.name));
        assert!(c.args.is_empty(), "{:?}", c.args);
        let mut params = BTreeMap::new();
        for (name, value) in &c.params {
            let value = value.as_deref().expect("every parameter has a value");
            if name == "Confirm" {
                assert_eq!(value, ":$false");
                continue;
            }
            assert!(allowed.contains(&name.as_str()), "{} -{name} is not documented", c.name);
            assert!(
                value.len() >= 2
                    && value.starts_with('\'')
                    && value.ends_with('\'')
                    && !value[1..value.len() - 1].replace("''", "").contains('\''),
                "{value}"
            );
            params.insert(name.clone(), value[1..value.len() - 1].replace("''", "'"));
        }
        assert_eq!(c.param("Confirm").is_some(), PAUSING.contains(&c.name.as_str()), "{}: -Confirm:$false", c.name);
        assert_eq!(c.conditions.len(), 1, "{}: {:?}", c.name, c.conditions);
        assert!(c.conditions[0].starts_with("$PSCmdlet.ShouldProcess('"), "{:?}", c.conditions);
        // The comment above the `if`: what the change touches.
        // The comment lines right above it (read from the text: walking siblings in the tree is quadratic).
        let above: Vec<&str> = script[..c.if_start.expect("inside an if")]
            .lines()
            .rev()
            .skip_while(|l| l.trim().is_empty())
            .take_while(|l| l.starts_with('#'))
            .collect();
        let above = above.join("\n");
        let names = match params.get("Ids") {
            Some(id) => vec![id.clone()],
            None => vec![params["SpoofedUser"].clone(), params["SendingInfrastructure"].clone()],
        };
        for name in names {
            assert!(above.contains(&name), "the comment above {} does not name {name}: {above}", c.name);
        }
        out.push((c.name.clone(), params));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    /// list -> export csv -> import gives the same entries (identity and action).
    #[test]
    fn csv_round_trip(list in list_strategy()) {
        let merged = import(export::csv(&list));
        prop_assert!(merged.problems.is_empty(), "{:?}", merged.problems);
        prop_assert_eq!(summary(&merged.entries, false), summary(&list.entries, false));
    }

    /// list -> export json -> import gives the same entries, Identity GUIDs included.
    #[test]
    fn json_round_trip(list in list_strategy()) {
        let merged = import(format!("{:#}", export::json(&list)));
        prop_assert!(merged.problems.is_empty(), "{:?}", merged.problems);
        prop_assert_eq!(summary(&merged.entries, true), summary(&list.entries, true));
    }

    /// Every script export writes is valid PowerShell that uses only the documented cmdlets and parameters,
    /// creates every entry once, and creates the blocks before the allows.
    #[test]
    fn powershell_is_valid(list in list_strategy()) {
        let script = export::powershell(&with_tenant(list.clone()), &provenance(None)).expect("a tenant");
        let made = changes(&script);
        prop_assert!(made.iter().all(|(c, _)| c == "New-TenantAllowBlockListSpoofItems"));
        prop_assert_eq!(made.len(), list.entries.len());
        let actions: Vec<&str> = made.iter().map(|(_, p)| p["Action"].as_str()).collect();
        prop_assert!(actions.is_sorted_by_key(|a| *a != "Block"), "an allow before a block: {actions:?}");
    }

    /// The portal text has at most 20 pairs a group, each group of one type and action, and every entry once.
    #[test]
    fn pairs_groups(list in list_strategy()) {
        let text = export::pairs(&list);
        let mut count = 0;
        for group in text.split("\n\n") {
            let lines: Vec<&str> = group.lines().skip(1).collect();
            prop_assert!(!lines.is_empty() && lines.len() <= 20);
            count += lines.len();
        }
        prop_assert_eq!(count, list.entries.len());
    }
}

/// The grammar check can fail: a broken quote is a syntax error.
#[test]
fn the_grammar_catches_a_broken_script() {
    assert!(
        parse_powershell("New-TenantAllowBlockListSpoofItems -Identity 'Default -Action 'Allow'\n")
            .root_node()
            .has_error()
    );
}

/// Values that could escape a quote or a cell are refused at import, so no script or CSV can carry them.
#[test]
fn hostile_values_never_reach_a_script_or_a_cell() {
    let hostile = [
        "o'brien@contoso.com",
        "$(calc)@evil.example",
        "evil.example`;calc",
        "evil.example; rm x",
        "evil.example\nNew-Thing",
        "=1+1",
        "+cmd@evil.example",
        "-cmd@evil.example",
        "@evil.example",
        "evil\u{7}.example",
    ];
    let mut csv = String::from("SpoofedUser,SendingInfrastructure,SpoofType,Action\n");
    for h in hostile {
        csv.push_str(&format!("\"{}\",tms.mx.com,External,Block\n", h.replace('"', "\"\"")));
        csv.push_str(&format!("fabrikam.com,\"{}\",External,Block\n", h.replace('"', "\"\"")));
    }
    let merged = import(csv);
    assert_eq!(merged.entries.len(), 0, "{:?}", merged.entries);
    assert_eq!(merged.problems.len(), hostile.len() * 2);
}

fn live_of(list: &TenantList) -> Vec<spoofctl::plan::LiveItem> {
    let rows = read_export(Cursor::new(format!("{:#}", export::json(list)).into_bytes())).expect("an export");
    rows.iter().map(|r| spoofctl::plan::LiveItem::from_row(r).expect("live row")).collect()
}

/// (spoofed, infrastructure, type, action) of an entry.
type Held = (String, String, String, String);

/// What the tenant should hold for a list.
fn wanted(list: &TenantList) -> BTreeSet<Held> {
    list.entries
        .iter()
        .map(|e| {
            (
                e.rule.spoofed().to_string(),
                e.rule.infrastructure().to_string(),
                e.spoof_type.to_string(),
                e.action().to_string(),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    /// A list planned against its own export changes nothing.
    #[test]
    fn plan_against_own_export_is_empty(list in list_strategy()) {
        let live = live_of(&list);
        let p = spoofctl::plan::plan(&list, &live, Options { prune: true, ..Options::default() });
        prop_assert!(p.is_empty());
        prop_assert!(p.unmanaged.is_empty());
        prop_assert!(p.id_mismatches.is_empty());
        prop_assert!(p.refusal.is_none());
    }

    /// Running the plan's script on the tenant (simulated from the script's syntax tree: removals and changes
    /// by Identity, creations) leaves the tenant holding exactly the list, and removals run first, so the
    /// tenant never holds more entries on the way than before or after.
    #[test]
    fn applying_a_plan_gives_the_list(list in list_strategy(), tenant in list_strategy()) {
        let live = live_of(&tenant);
        let p = spoofctl::plan::plan(&list, &live, Options { prune: true, allow_mass_removal: true, ..Options::default() });
        prop_assume!(p.refusal.is_none());
        let list = with_tenant(list.clone());
        let script = spoofctl::render::plan::plan_powershell(&p, &list, &provenance(Some(Path::new("live.json"))))
            .expect("a script");
        let mut held: Vec<(Option<String>, Held)> =
            live.iter().map(|i| (i.id.as_ref().map(|g| g.to_string()), (i.spoofed.clone(), i.infrastructure.clone(), i.spoof_type.to_string(), i.action.to_string()))).collect();
        let most = held.len().max(p.result_count());
        for (cmdlet, params) in changes(&script) {
            match cmdlet.as_str() {
                "Remove-TenantAllowBlockListSpoofItems" => {
                    prop_assert_eq!(&params["Identity"], "contoso.onmicrosoft.com\\Default");
                    held.retain(|(i, _)| i.as_deref() != Some(params["Ids"].as_str()));
                }
                "Set-TenantAllowBlockListSpoofItems" => {
                    for (i, e) in held.iter_mut() {
                        if i.as_deref() == Some(params["Ids"].as_str()) {
                            e.3 = params["Action"].to_lowercase();
                        }
                    }
                }
                _ => held.push((None, (params["SpoofedUser"].clone(), params["SendingInfrastructure"].clone(), params["SpoofType"].to_lowercase(), params["Action"].to_lowercase()))),
            }
            prop_assert!(held.len() <= most, "{} entries on the way, {most} before or after", held.len());
        }
        let result: BTreeSet<_> = held.into_iter().map(|(_, e)| e).collect();
        prop_assert_eq!(result, wanted(&list));
    }
}

/// Regression: two live rows for one pair (spelled differently) are both kept: the second is
/// unmanaged, and a prune removes each GUID once.
#[test]
fn two_live_rows_for_one_pair_are_both_kept() {
    let csv = "Identity,SpoofedUser,SendingInfrastructure,SpoofType,Action\n11111111-1111-1111-1111-111111111111,contoso.com,192.0.2.0/24,External,Block\n22222222-2222-2222-2222-222222222222,CONTOSO.COM.,192.0.2.7/24,External,Allow\n";
    let rows = read_export(Cursor::new(csv.as_bytes().to_vec())).expect("export");
    let live: Vec<spoofctl::plan::LiveItem> =
        rows.iter().map(|r| spoofctl::plan::LiveItem::from_row(r).expect("row")).collect();
    let empty = TenantList::new(Path::new("empty.yaml"), Vec::new(), Vec::new());
    let p =
        spoofctl::plan::plan(&empty, &live, Options { prune: true, allow_mass_removal: true, ..Options::default() });
    let mut ids: Vec<String> = p.remove.iter().map(|r| r.id.as_ref().expect("id").to_string()).collect();
    ids.sort();
    assert_eq!(ids, ["11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"]);
}

/// A live value no list can hold keeps its own identity: it is shown as the tenant wrote it (not lowercased
/// into something else), matches no list entry, and is left to the admin as unmanaged.
#[test]
fn an_invalid_live_value_is_kept_as_written_and_unmanaged() {
    let csv = "Identity,SpoofedUser,SendingInfrastructure,SpoofType,Action\n11111111-1111-1111-1111-111111111111,Contoso.COM,TMS.mx.com$,External,Allow\n";
    let rows = read_export(Cursor::new(csv.as_bytes().to_vec())).expect("export");
    let live: Vec<spoofctl::plan::LiveItem> =
        rows.iter().map(|r| spoofctl::plan::LiveItem::from_row(r).expect("row")).collect();
    assert_eq!((live[0].spoofed.as_str(), live[0].infrastructure.as_str()), ("contoso.com", "TMS.mx.com$"));
    assert!(live[0].identity.is_none());
    let list = spoofctl::check::check(
        std::path::Path::new("l.yaml"),
        "version: 1\nentries:\n  - {spoofed: contoso.com, infrastructure: tms.mx.com, type: external, action: allow}\n",
        spoofctl::date::Date::parse("2026-01-01").expect("date"),
    )
    .list;
    let p = spoofctl::plan::plan(&list, &live, Options::default());
    assert_eq!(p.create.len(), 1, "the list's entry is not the invalid live one");
    assert_eq!(p.unmanaged.len(), 1);
}

/// Regression: an address starting with `#` survives a CSV round trip (no row is taken for a comment).
#[test]
fn hash_addresses_survive_a_csv_round_trip() {
    let rule = Rule::new(
        Action::Block,
        Side::parse_spoofed("#ops@contoso.com").expect("valid"),
        Side::parse_infrastructure("tms.mx.com").expect("valid"),
    )
    .expect("rule");
    let entry = Entry::new(rule, SpoofType::External, Metadata::default(), Span::new(1, 5));
    let list = TenantList::new(Path::new("l.yaml"), Vec::new(), vec![entry]);
    let merged = import(export::csv(&list));
    assert_eq!(summary(&merged.entries, false), summary(&list.entries, false));
}
