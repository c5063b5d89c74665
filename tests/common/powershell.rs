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
    /// Each `-Parameter` (without the `-`) and the text after it up to the end of its value, if one
    /// follows (`:$false` for `-Confirm:$false`).
    pub params: Vec<(String, Option<String>)>,
    /// The positional arguments' text.
    pub args: Vec<String>,
    /// The command node.
    pub node: Node<'t>,
    /// The conditions (their text) of every `if` whose `then` block the command sits in, innermost first
    /// (an `else` block is an `else_clause` node, so it does not count).
    pub conditions: Vec<String>,
    /// Whether the command sits in any branch of an `if`.
    pub in_if: bool,
    /// Where the innermost `if` around it starts.
    pub if_start: Option<usize>,
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

/// Every command of the script, in document order (commands inside script blocks included). One walk with
/// a cursor, which knows each node's ancestors: tree-sitter's `Node::parent` searches from the root, which
/// makes a walk up from every command quadratic on a script of a thousand changes.
pub fn commands<'t>(tree: &'t Tree, script: &str) -> Vec<Command<'t>> {
    let mut out = Vec::new();
    let mut cursor = tree.walk();
    // The ancestors of the cursor's node.
    let mut stack: Vec<Node<'t>> = Vec::new();
    loop {
        let node = cursor.node();
        if node.kind() == "command"
            && let Some(command) = command(node, &stack, script)
        {
            out.push(command);
        }
        if cursor.goto_first_child() {
            stack.push(node);
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return out;
            }
            stack.pop();
        }
    }
}

fn command<'t>(node: Node<'t>, ancestors: &[Node<'t>], script: &str) -> Option<Command<'t>> {
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
                let next = parts.get(i + 1).filter(|v| v.kind() != "command_parameter");
                // From the end of the name: `-Confirm:$false` keeps its `:` (`-Confirm $false` would pass
                // `$false` as a positional argument instead).
                let value = next.map(|v| script[part.end_byte()..v.end_byte()].trim_start().to_string());
                params.push((name, value));
                i += 1 + usize::from(next.is_some());
            } else {
                args.push(text(part, script).to_string());
                i += 1;
            }
        }
    }
    let mut conditions = Vec::new();
    let mut if_start = None;
    let chain: Vec<Node<'t>> = ancestors.iter().copied().chain(std::iter::once(node)).collect();
    for pair in chain.windows(2).rev() {
        let (parent, child) = (pair[0], pair[1]);
        if parent.kind() == "if_statement" {
            if_start.get_or_insert(parent.start_byte());
            if child.kind() == "statement_block"
                && let Some(condition) = parent.child_by_field_name("condition")
            {
                conditions.push(text(condition, script).to_string());
            }
        }
    }
    Some(Command { name, params, args, node, conditions, in_if: if_start.is_some(), if_start })
}
