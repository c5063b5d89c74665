//! The YAML reader and scalar writer: the only module that names a YAML library.
//!
//! It turns text into a small located tree ([`Node`]) and the list of comments, and nothing more: keys,
//! types and meanings are `raw.rs`'s business. To swap the YAML library, change this file only.
//!
//! yaml-rust2 is used rather than serde_yaml because it reports the line and column of every value, which
//! every diagnostic needs; serde_yaml (archived upstream) reports positions only for errors.
//! Anchors and aliases are refused outright, so an alias bomb cannot expand; nesting is bounded.

use std::path::Path;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::diagnostic::{Code, Diagnostic, Span};

/// How deep mappings and lists may nest. A list file needs 3 levels; the bound keeps hostile input cheap.
const MAX_DEPTH: usize = 16;

/// A value with where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Where the value starts.
    pub span: Span,
    /// The value.
    pub value: Value,
}

/// The shapes a YAML value can take in a list file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Nothing (`key:`, `~`, `null`).
    Null,
    /// Text. All scalars are text: the reader never guesses numbers, booleans or dates.
    Text(String),
    /// A list.
    List(Vec<Node>),
    /// A mapping, keys in file order (keys are text).
    Map(Vec<(Node, Node)>),
}

impl Value {
    /// The value's kind, for messages: "text", "a list", "a mapping", "nothing".
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "nothing",
            Value::Text(_) => "text",
            Value::List(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

/// A `#` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// Where the `#` is.
    pub span: Span,
    /// The comment from its `#` to the end of the line, trailing spaces removed.
    pub text: String,
    /// True when the line has content before the comment.
    pub trailing: bool,
}

/// A parsed file: its one document and its comments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The document's top value; `None` for a file with no document (empty, or comments only).
    pub root: Option<Node>,
    /// Every comment, in file order.
    pub comments: Vec<Comment>,
}

/// Parses `text` (from `file`, for diagnostics). Returns every problem found; a syntax error stops the parse.
pub fn parse(file: &Path, text: &str) -> Result<Document, Vec<Diagnostic>> {
    let mut reader = Reader { parser: Parser::new_from_str(text), file, text, diagnostics: Vec::new(), quoted: Vec::new() };
    let root = reader.document();
    match root {
        Ok(root) if reader.diagnostics.is_empty() => {
            let comments = find_comments(text, &reader.quoted);
            Ok(Document { root, comments })
        }
        Ok(_) => Err(reader.diagnostics),
        Err(d) => {
            reader.diagnostics.push(*d);
            Err(reader.diagnostics)
        }
    }
}

struct Reader<'a> {
    parser: Parser<std::str::Chars<'a>>,
    file: &'a Path,
    text: &'a str,
    diagnostics: Vec<Diagnostic>,
    /// Character ranges of quoted and block scalars, where a `#` is not a comment.
    quoted: Vec<(usize, usize)>,
}

type Fatal = Box<Diagnostic>;

fn span_of(m: &Marker) -> Span {
    Span::new(m.line(), m.col() + 1)
}

impl Reader<'_> {
    fn next(&mut self) -> Result<(Event, Marker), Fatal> {
        self.parser.next_token().map_err(|e| {
            let span = span_of(e.marker());
            Box::new(
                Diagnostic::new(Code::YamlSyntax, self.file, Some(span), format!("this is not valid YAML: {}", e.info()))
                    .with_hint("check the indentation and quoting near this line; `*` must be quoted as \"*\""),
            )
        })
    }

    fn document(&mut self) -> Result<Option<Node>, Fatal> {
        let mut root = None;
        loop {
            let (event, mark) = self.next()?;
            match event {
                Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
                Event::StreamEnd => return Ok(root),
                Event::DocumentStart => {
                    let (event, mark) = self.next()?;
                    let node = self.node(event, mark, 0)?;
                    if root.is_some() {
                        self.diagnostics.push(
                            Diagnostic::new(Code::MultipleDocuments, self.file, Some(node.span), "this file holds a second YAML document")
                                .with_hint("keep one tenant list per file, without a second `---`"),
                        );
                    } else {
                        root = Some(node);
                    }
                }
                other => {
                    let node = self.node(other, mark, 0)?;
                    root.get_or_insert(node);
                }
            }
        }
    }

    fn node(&mut self, event: Event, mark: Marker, depth: usize) -> Result<Node, Fatal> {
        let span = span_of(&mark);
        if depth > MAX_DEPTH {
            return Err(Box::new(
                Diagnostic::new(Code::WrongType, self.file, Some(span), format!("values nest more than {MAX_DEPTH} levels deep"))
                    .with_hint("a list file nests three levels: the file, `entries`, one entry"),
            ));
        }
        let anchored = |id: usize| id != 0;
        match event {
            Event::Alias(_) => Err(self.alias(span)),
            Event::Scalar(_, _, id, _) | Event::SequenceStart(id, _) | Event::MappingStart(id, _) if anchored(id) => Err(self.alias(span)),
            Event::Scalar(text, style, _, _) => {
                if style != TScalarStyle::Plain {
                    self.quoted.push((mark.index(), self.scalar_end(mark.index(), style)));
                }
                let null = style == TScalarStyle::Plain && matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL");
                Ok(Node { span, value: if null { Value::Null } else { Value::Text(text) } })
            }
            Event::SequenceStart(..) => {
                let mut items = Vec::new();
                loop {
                    let (event, mark) = self.next()?;
                    if event == Event::SequenceEnd {
                        return Ok(Node { span, value: Value::List(items) });
                    }
                    items.push(self.node(event, mark, depth + 1)?);
                }
            }
            Event::MappingStart(..) => {
                let mut pairs: Vec<(Node, Node)> = Vec::new();
                loop {
                    let (event, mark) = self.next()?;
                    if event == Event::MappingEnd {
                        // A block mapping's marker sits after its first key: the first key is where it starts.
                        let span = pairs.first().map_or(span, |(k, _)| k.span.min(span));
                        return Ok(Node { span, value: Value::Map(pairs) });
                    }
                    let key = self.node(event, mark, depth + 1)?;
                    let (event, mark) = self.next()?;
                    let value = self.node(event, mark, depth + 1)?;
                    if let Some((first, _)) = pairs.iter().find(|(k, _)| k.value == key.value) {
                        let name = match &key.value {
                            Value::Text(t) => t.clone(),
                            other => other.kind().to_string(),
                        };
                        self.diagnostics.push(
                            Diagnostic::new(
                                Code::DuplicateKey,
                                self.file,
                                Some(key.span),
                                format!("`{name}` is written twice in this mapping"),
                            )
                            .with_hint("keep one of them: YAML readers disagree on which one wins")
                            .with_related(first.span, "first written here"),
                        );
                        continue;
                    }
                    pairs.push((key, value));
                }
            }
            Event::SequenceEnd
            | Event::MappingEnd
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd
            | Event::Nothing => {
                Err(Box::new(Diagnostic::new(Code::YamlSyntax, self.file, Some(span), "this is not valid YAML: unexpected end of a value")))
            }
        }
    }

    fn alias(&self, span: Span) -> Fatal {
        Box::new(
            Diagnostic::new(
                Code::YamlAlias,
                self.file,
                Some(span),
                "YAML anchors and aliases (`&name`, `*name`) are not allowed in list files",
            )
            .with_hint("write each value out in full; to mean the wildcard, quote it: \"*\""),
        )
    }

    /// The character index just past a quoted or block scalar that starts at `start`.
    fn scalar_end(&self, start: usize, style: TScalarStyle) -> usize {
        let mut chars = self.text.chars().skip(start).enumerate().peekable();
        match style {
            TScalarStyle::SingleQuoted => {
                chars.next();
                while let Some((i, c)) = chars.next() {
                    if c == '\'' {
                        if chars.peek().map(|(_, c)| *c) == Some('\'') {
                            chars.next();
                        } else {
                            return start + i + 1;
                        }
                    }
                }
            }
            TScalarStyle::DoubleQuoted => {
                chars.next();
                while let Some((i, c)) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => return start + i + 1,
                        _ => {}
                    }
                }
            }
            // A block scalar's content runs to the next line that is indented no deeper than its first
            // content line; comments cannot sit inside it.
            _ => return block_scalar_end(self.text, start),
        }
        usize::MAX
    }
}

/// The end (character index) of a `|` or `>` block scalar whose indicator is at `start`.
fn block_scalar_end(text: &str, start: usize) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let mut i = start;
    while i < chars.len() && chars[i] != '\n' {
        i += 1;
    }
    let mut content_indent = None;
    let mut end = i;
    while i < chars.len() {
        let line_start = i + 1;
        let mut j = line_start;
        while j < chars.len() && chars[j] == ' ' {
            j += 1;
        }
        let blank = j >= chars.len() || chars[j] == '\n';
        let indent = j - line_start;
        if !blank {
            match content_indent {
                None if indent > 0 => content_indent = Some(indent),
                Some(ci) if indent >= ci => {}
                _ => break,
            }
        }
        i = j;
        while i < chars.len() && chars[i] != '\n' {
            i += 1;
        }
        if !blank {
            end = i;
        }
    }
    end
}

/// Finds every `#` comment: a `#` at the start of a line or after a space or tab, outside quoted and block
/// scalars (YAML 1.2, section 6.6).
fn find_comments(text: &str, quoted: &[(usize, usize)]) -> Vec<Comment> {
    let mut comments = Vec::new();
    let mut index = 0;
    for (line_no, line) in text.split('\n').enumerate() {
        let mut prev = None;
        for (col, c) in line.chars().enumerate() {
            let at = index + col;
            if c == '#' && matches!(prev, None | Some(' ') | Some('\t')) && !quoted.iter().any(|&(s, e)| s <= at && at < e) {
                let body: String = line.chars().skip(col).collect();
                let trailing = line.chars().take(col).any(|c| !c.is_whitespace());
                comments.push(Comment { span: Span::new(line_no + 1, col + 1), text: body.trim_end().to_string(), trailing });
                break;
            }
            prev = Some(c);
        }
        index += line.chars().count() + 1;
    }
    comments
}

/// Writes `text` as a YAML scalar, for block context (a `key: value` line), that any YAML reader gives back
/// as the same string: plain when that is unambiguous, double-quoted otherwise.
pub fn scalar(text: &str) -> String {
    if plain_is_safe(text) { text.to_string() } else { double_quoted(text) }
}

fn plain_is_safe(text: &str) -> bool {
    let Some(first) = text.chars().next() else { return false };
    let looks_typed = matches!(
        text.to_ascii_lowercase().as_str(),
        "~" | "null" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | ".nan" | ".inf" | "-.inf" | "+.inf"
    ) || text.parse::<f64>().is_ok()
        || text.starts_with("0x")
        || text.starts_with("0o");
    !looks_typed
        && !"-?:,[]{}#&*!|>'\"%@`".contains(first)
        && !first.is_whitespace()
        && !text.ends_with(char::is_whitespace)
        && !text.ends_with(':')
        && !text.contains(": ")
        && !text.contains(" #")
        && !text.chars().any(|c| c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}'))
}

fn double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}') => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document {
        parse(Path::new("t.yaml"), text).expect("parses")
    }

    /// Positions are 1-based lines and columns, as editors show them.
    #[test]
    fn positions_are_one_based() {
        let d = doc("a: 1\nb:\n  - x\n");
        let Some(Node { value: Value::Map(pairs), .. }) = d.root else { panic!("not a map") };
        assert_eq!(pairs[0].0.span, Span::new(1, 1));
        let Value::List(items) = &pairs[1].1.value else { panic!("not a list") };
        assert_eq!(items[0].span, Span::new(3, 5));
    }

    /// A `#` inside quotes or a word is not a comment; after a space it is.
    #[test]
    fn comments_outside_quotes_only() {
        let d = doc("# top\na: \"x # y\" # real\nb: 'it''s # no'\nc: a#b\nd: |\n  # inside\n  text\n# after\n");
        let found: Vec<_> = d.comments.iter().map(|c| (c.span.line, c.text.as_str(), c.trailing)).collect();
        assert_eq!(found, vec![(1, "# top", false), (2, "# real", true), (8, "# after", false)]);
    }

    /// Scalars written by `scalar` read back as the same text.
    #[test]
    fn scalar_round_trips() {
        for text in ["plain text", "*", "yes", "1", "a: b", "x #y", "-lead", "tab\there", "q\"uote", "", " pad", "2027-05-01", "é"] {
            let d = doc(&format!("k: {}\n", scalar(text)));
            let Some(Node { value: Value::Map(pairs), .. }) = d.root else { panic!("not a map") };
            let want = if text.is_empty() { Value::Text(String::new()) } else { Value::Text(text.to_string()) };
            assert_eq!(pairs[0].1.value, want, "{text:?} written as {}", scalar(text));
        }
    }
}
