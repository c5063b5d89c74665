//! The house has no circles: the library's modules, read from `src/` as text, name each other without a cycle,
//! and no stage names a later one (model, read, validate, engine, render; `lib.rs` names the order).
//!
//! An edge is any path `crate::stage::module` outside comments and test modules, or `super::name` inside a
//! stage folder. The binary's `src/cli/` sits above every stage and is not checked.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The stages in pipeline order: a module may name its own stage and the ones before it.
const STAGES: [&str; 5] = ["model", "read", "validate", "engine", "render"];

/// Every library module (`stage::file`, or `stage` for a folder's `mod.rs`) and the modules it names.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut texts = BTreeMap::new();
    for stage in STAGES {
        for entry in std::fs::read_dir(src.join(stage)).unwrap_or_else(|e| panic!("src/{stage}: {e}")) {
            let path = entry.unwrap_or_else(|e| panic!("src/{stage}: {e}")).path();
            let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else { continue };
            if path.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let name = if stem == "mod" { stage.to_string() } else { format!("{stage}::{stem}") };
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            texts.insert(name, code_only(&text));
        }
    }
    let mut graph = BTreeMap::new();
    for (name, text) in &texts {
        let stage = name.split("::").next().unwrap_or_default();
        let mut deps = BTreeSet::new();
        for (prefix, base) in [("crate::", None), ("super::", Some(stage))] {
            for (at, _) in text.match_indices(prefix) {
                let path: String = text[at + prefix.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                let mut parts = path.split("::").filter(|p| !p.is_empty());
                let target = match base {
                    None => match (parts.next(), parts.next()) {
                        (Some(a), Some(b)) if texts.contains_key(&format!("{a}::{b}")) => format!("{a}::{b}"),
                        (Some(a), _) => a.to_string(),
                        _ => continue,
                    },
                    // `super::x` inside `stage/file.rs` is `stage::x`, or an item of `stage/mod.rs`.
                    Some(stage) if name != stage => match parts.next() {
                        Some(b) if texts.contains_key(&format!("{stage}::{b}")) => format!("{stage}::{b}"),
                        _ => stage.to_string(),
                    },
                    Some(_) => continue,
                };
                if texts.contains_key(&target) && &target != name {
                    deps.insert(target);
                }
            }
        }
        graph.insert(name.clone(), deps);
    }
    graph
}

/// The text without comments and without the `#[cfg(test)]` module that ends a file.
fn code_only(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines().map(|l| l.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

fn stage_index(module: &str) -> usize {
    let stage = module.split("::").next().unwrap_or_default();
    STAGES.iter().position(|s| *s == stage).unwrap_or(usize::MAX)
}

/// A cycle through `start`, if there is one.
fn cycle_from(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    fn walk(
        graph: &BTreeMap<String, BTreeSet<String>>,
        at: &str,
        start: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in graph.get(at).into_iter().flatten() {
            if next == start {
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(graph, next, start, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_string()];
    walk(graph, start, start, &mut path, &mut BTreeSet::new()).then_some(path)
}

/// No module reaches itself through the modules it names.
#[test]
fn library_modules_have_no_cycle() {
    let graph = graph();
    assert!(graph.len() > 30, "the walk found only {} modules: is src/ laid out by stage?", graph.len());
    for module in graph.keys() {
        if let Some(cycle) = cycle_from(&graph, module) {
            panic!("a module cycle: {} -> {module}", cycle.join(" -> "));
        }
    }
}

/// Each stage names only itself and the stages before it: the engine never names a renderer, a reader never
/// names the engine.
#[test]
fn no_stage_names_a_later_stage() {
    let upward: Vec<String> = graph()
        .iter()
        .flat_map(|(from, deps)| deps.iter().map(move |to| (from, to)))
        .filter(|(from, to)| stage_index(to) > stage_index(from))
        .map(|(from, to)| format!("{from} -> {to}"))
        .collect();
    assert!(upward.is_empty(), "a stage names a later one:\n{}", upward.join("\n"));
}

/// The check itself sees an edge: a planted upward use and a planted cycle are both caught.
#[test]
fn the_check_sees_edges() {
    let mut graph = graph();
    graph.entry("model::pair".into()).or_default().insert("engine::matcher".into());
    assert!(cycle_from(&graph, "model::pair").is_some(), "matcher names pair, so pair -> matcher closes a cycle");
    assert!(stage_index("engine::matcher") > stage_index("model::pair"));
    let text = code_only("use crate::model::pair::Pair; // crate::engine::scan\n#[cfg(test)]\nuse crate::render;");
    assert!(text.contains("crate::model::pair") && !text.contains("engine") && !text.contains("render"));
}
