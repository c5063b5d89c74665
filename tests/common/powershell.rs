#![allow(dead_code, reason = "each test file uses its own part of this module")]

//! Reading PowerShell the way PowerShell does: the scripts spoofctl writes are parsed with the
//! tree-sitter grammar and checked on their syntax tree (commands, their parameters, the blocks they sit
//! in), never by matching lines of text.

use tree_sitter::{Node, Parser, Tree};

/// The script's syntax tree; fails the test on a syntax error.
pub fn parse(script: &str) -> Tree {
    let mut parser = Parser::new();
    parser.set_language(&tree_sitter_powershell::LANGUAGE.into()).expect("grammar loads");
    let tree = parser.parse(script, None).expect("parses");
    assert!(!tree.root_node().has_error(), "syntax error in:\n{script}");
    tree
}

/// One command of a script, as the grammar reads it.
#[derive(Debug, Clone)]
pub struct Command<'t> {
    /// The command's name (`Get-AcceptedDomain`).
    pub name: String,
    /// Each `-Parameter` (without the `-`, a trailing `:` kept for `-Confirm:`) and the text of the value
    /// after it, if one follows.
    pub params: Vec<(String, Option<String>)>,
    /// The positional arguments' text.
    pub args: Vec<String>,
    /// The command node.
    pub node: Node<'t>,
}

impl Command<'_> {
    /// The value given to `-name`, if the parameter is present.
    pub fn param(&self, name: &str) -> Option<Option<&str>> {
        self.params.iter().find(|(p, _)| p.trim_end_matches(':').eq_ignore_ascii_case(name)).map(|(_, v)| v.as_deref())
    }
}

/// The text of a node.
pub fn text<'s>(node: Node<'_>, script: &'s str) -> &'s str {
    &script[node.byte_range()]
}

/// Every node of the tree, in document order.
pub fn nodes(tree: &Tree) -> Vec<Node<'_>> {
    let mut out = Vec::new();
    let mut cursor = tree.walk();
    loop {
        out.push(cursor.node());
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return out;
            }
        }
    }
}

/// Every command of the script, in document order (commands inside script blocks included).
pub fn commands<'t>(tree: &'t Tree, script: &str) -> Vec<Command<'t>> {
    nodes(tree)
        .into_iter()
        .filter(|n| n.kind() == "command")
        .filter_map(|node| {
            let name = text(node.child_by_field_name("command_name")?, script).to_string();
            let mut params = Vec::new();
            let mut args = Vec::new();
            if let Some(elements) = node.child_by_field_name("command_elements") {
                let mut cursor = elements.walk();
                let parts: Vec<Node<'_>> =
                    elements.children(&mut cursor).filter(|c| c.kind() != "command_argument_sep").collect();
                let mut i = 0;
                while i < parts.len() {
                    let part = parts[i];
                    if part.kind() == "command_parameter" {
                        let name = text(part, script).trim_start_matches('-').to_string();
                        let value = parts.get(i + 1).filter(|v| v.kind() != "command_parameter");
                        params.push((name, value.map(|v| text(*v, script).to_string())));
                        i += 1 + usize::from(value.is_some());
                    } else {
                        args.push(text(part, script).to_string());
                        i += 1;
                    }
                }
            }
            Some(Command { name, params, args, node })
        })
        .collect()
}

/// The conditions (their text) of every `if` whose `then` block the node sits in, innermost first (an
/// `else` block is an `else_clause` node, so it does not count).
pub fn conditions<'s>(node: Node<'_>, script: &'s str) -> Vec<&'s str> {
    let mut out = Vec::new();
    let mut child = node;
    while let Some(parent) = child.parent() {
        if parent.kind() == "if_statement"
            && child.kind() == "statement_block"
            && let Some(condition) = parent.child_by_field_name("condition")
        {
            out.push(text(condition, script));
        }
        child = parent;
    }
    out
}

/// True when the node sits in any branch of an `if`.
pub fn in_any_if(node: Node<'_>) -> bool {
    let mut n = node;
    while let Some(parent) = n.parent() {
        if parent.kind() == "if_statement" {
            return true;
        }
        n = parent;
    }
    false
}
