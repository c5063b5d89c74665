//! The YAML reader and scalar writer: the only module that names a YAML library.
//!
//! It turns text into a small located tree ([`Node`]) and the list of comments, and nothing more: keys,
//! types and meanings are `raw.rs`'s business. To swap the YAML library, change this file only.
//!
//! yaml-rust2 is used rather than serde_yaml because it reports the line and column of every value, which
//! every diagnostic needs; serde_yaml (archived upstream) reports positions only for errors.
//! Anchors and aliases are refused outright, so an alias bomb cannot expand; nesting is bounded.

use std::collections::HashMap;
use std::path::Path;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::model::diagnostic::{Code, Diagnostic, Span};

/// How deep mappings and lists may nest. A list file needs 3 levels; the bound keeps hostile input cheap.
const MAX_DEPTH: usize = 16;

/// A value with where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Where the value starts.
    pub span: Span,
    /// The value.
    pub value: Value,
    /// Where a flow mapping's closing `}` is; `None` for anything else.
    pub closed_at: Option<Span>,
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
    /// True when the comment is inside the list item below it, before its first key: after the item's `-` on
    /// its line (`- # note`), or on a line of its own under a `-` written alone on its line.
    pub in_item: bool,
    /// True when the line below is blank (white space only).
    pub blank_below: bool,
    /// True when the line above is blank (white space only).
    pub blank_above: bool,
}

/// A parsed file: its one document and its comments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The document's top value; `None` for a file with no document (empty, or comments only).
    pub root: Option<Node>,
    /// Every comment, in file order.
    pub comments: Vec<Comment>,
}

/// Parses `text` (from `file`, for diagnostics). Returns the document with the problems that did not stop
/// the parse (duplicate keys, tags), or every problem when one did (a syntax error, an alias).
pub fn parse(file: &Path, text: &str) -> Result<(Document, Vec<Diagnostic>), Vec<Diagnostic>> {
    // YAML 1.2 allows no C0 control character but tab, LF and CR (c-printable, section 5.1); yaml-rust2
    // stops reading at a NUL, which would hide the rest of the file from the parser but not from the
    // comment scanner.
    if let Some((at, c)) = text.char_indices().find(|(_, c)| c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r')) {
        let before = &text[..at];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        return Err(vec![
            Diagnostic::new(
                Code::YamlSyntax,
                file,
                Some(Span::new(line, column)),
                format!("this is not valid YAML: it holds the control character U+{:04X}", c as u32),
            )
            .with_hint("remove it; a list file is plain text"),
        ]);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut reader =
        Reader { parser: Parser::new_from_str(text), file, chars: &chars, diagnostics: Vec::new(), quoted: Vec::new() };
    let root = reader.document();
    match root {
        Ok(root) => {
            let comments = find_comments(text, &mut reader.quoted);
            Ok((Document { root, comments }, reader.diagnostics))
        }
        Err(d) => {
            reader.diagnostics.push(*d);
            Err(reader.diagnostics)
        }
    }
}

struct Reader<'a> {
    parser: Parser<std::str::Chars<'a>>,
    file: &'a Path,
    /// The text as characters: parser markers are character indexes.
    chars: &'a [char],
    diagnostics: Vec<Diagnostic>,
    /// Character ranges of quoted and block scalars, where a `#` is not a comment.
    quoted: Vec<(usize, usize)>,
}

type Fatal = Box<Diagnostic>;

fn span_of(m: &Marker) -> Span {
    Span::new(m.line(), m.col() + 1)
}

/// The message and hint for a YAML syntax error, from the parser's words (`info`) and the characters just
/// before and at the place it stopped: a hint that fits the error met, not one hint for all.
fn syntax_error(info: &str, before: Option<char>, here: Option<char>) -> (String, &'static str) {
    let message = format!("this is not valid YAML: {info}");
    let near = |c: char| before == Some(c) || here == Some(c);
    if near('*') || near('&') || info.contains("anchor") || info.contains("alias") {
        return (message, "quote the wildcard as \"*\": unquoted, `*` (and `&`) start a YAML alias (an anchor)");
    }
    if near('\t') {
        // yaml-rust2 says a tab after `:` is not whitespace; it is, but this reader takes only spaces there.
        let message = if info.contains("must be followed by") {
            "this is not valid YAML: a tab after `:`".to_string()
        } else {
            message
        };
        return (message, "use spaces, not tabs, after `:` and to indent (set your editor to insert spaces)");
    }
    let hint = if info.contains("quoted scalar") {
        "close the quote on this value: a value that starts with `\"` or `'` ends with the same quote"
    } else if info.contains("flow sequence") || info.contains("flow mapping") {
        "close the `[` or `{` opened above with `]` or `}`, and separate its items with `,`"
    } else if info.contains("mapping values are not allowed") {
        "quote a value that holds `: `, as in `reason: \"Vendor: invoices\"`"
    } else if info.contains("block") || info.contains("indentation") {
        "line this key up with the keys above it: an entry's keys start two spaces after its `- `"
    } else {
        "check the indentation and quoting near this line"
    };
    (message, hint)
}

/// Where the `}` closing a flow mapping is. The parser marks a flow mapping's end at its last token before
/// the `}` (the last value, or a comma after it), so this goes on from there, line by line, to the next `}`
/// outside a comment.
fn flow_mapping_close(chars: &[char], end: &Marker) -> Option<Span> {
    let (mut line, mut line_start, mut from) = (end.line(), end.index().saturating_sub(end.col()), end.index());
    loop {
        let stop = line_end(chars, from);
        for i in from..stop {
            match chars[i] {
                '}' => return Some(Span::new(line, i - line_start + 1)),
                '#' if i == line_start || matches!(chars[i - 1], ' ' | '\t') => break,
                _ => {}
            }
        }
        if stop == chars.len() {
            return None;
        }
        (line, line_start) = (line + 1, next_line(chars, stop));
        from = line_start;
    }
}

impl Reader<'_> {
    fn next(&mut self) -> Result<(Event, Marker), Fatal> {
        self.parser.next_token().map_err(|e| {
            let span = span_of(e.marker());
            let at = e.marker().index();
            let (before, here) = (at.checked_sub(1).and_then(|i| self.chars.get(i)), self.chars.get(at));
            let (message, hint) = syntax_error(e.info(), before.copied(), here.copied());
            Box::new(Diagnostic::new(Code::YamlSyntax, self.file, Some(span), message).with_hint(hint))
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
                            Diagnostic::new(
                                Code::MultipleDocuments,
                                self.file,
                                Some(node.span),
                                "this file holds a second YAML document",
                            )
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
        self.value(event, mark, depth, None)
    }

    /// Reads one value; `key` is the marker of the key it belongs to, when it is a mapping's value.
    fn value(&mut self, event: Event, mark: Marker, depth: usize, key: Option<Marker>) -> Result<Node, Fatal> {
        let span = span_of(&mark);
        if depth > MAX_DEPTH {
            return Err(Box::new(
                Diagnostic::new(
                    Code::WrongType,
                    self.file,
                    Some(span),
                    format!("values nest more than {MAX_DEPTH} levels deep"),
                )
                .with_hint("a list file nests three levels: the file, `entries`, one entry"),
            ));
        }
        let anchored = |id: usize| id != 0;
        if matches!(
            &event,
            Event::Scalar(_, _, _, Some(_)) | Event::SequenceStart(_, Some(_)) | Event::MappingStart(_, Some(_))
        ) {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::YamlTag,
                    self.file,
                    Some(span),
                    "YAML tags (`!!str`, `!name`) are not allowed in list files",
                )
                .with_hint("remove the tag: every value in a list file is text"),
            );
        }
        match event {
            Event::Alias(_) => Err(self.alias(span)),
            Event::Scalar(_, _, id, _) | Event::SequenceStart(id, _) | Event::MappingStart(id, _) if anchored(id) => {
                Err(self.alias(span))
            }
            Event::Scalar(text, style, _, _) => {
                match (style, key) {
                    (TScalarStyle::Plain, _) => {}
                    // A block scalar's marker is at its content; its extent follows from its key's line and column.
                    // The key's line (`reason: >-  # note`) is not content: a comment there is a comment.
                    (TScalarStyle::Literal | TScalarStyle::Folded, Some(k)) => self
                        .quoted
                        .push((line_end(self.chars, k.index()), block_scalar_end(self.chars, k.index(), k.col()))),
                    (TScalarStyle::Literal | TScalarStyle::Folded, None) => {
                        let line_start = self.chars[..mark.index().min(self.chars.len())]
                            .iter()
                            .rposition(|c| matches!(c, '\n' | '\r'))
                            .map_or(0, |p| p + 1);
                        self.quoted
                            .push((line_start, block_scalar_end(self.chars, line_start, mark.col().saturating_sub(1))));
                    }
                    _ => self.quoted.push((mark.index(), self.scalar_end(mark.index(), style))),
                }
                let null = style == TScalarStyle::Plain && matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL");
                Ok(Node { span, value: if null { Value::Null } else { Value::Text(text) }, closed_at: None })
            }
            Event::SequenceStart(..) => {
                let mut items = Vec::new();
                loop {
                    let (event, mark) = self.next()?;
                    if event == Event::SequenceEnd {
                        return Ok(Node { span, value: Value::List(items), closed_at: None });
                    }
                    items.push(self.node(event, mark, depth + 1)?);
                }
            }
            Event::MappingStart(..) => {
                let flow = self.chars.get(mark.index()) == Some(&'{');
                let mut pairs: Vec<(Node, Node)> = Vec::new();
                let mut seen: HashMap<String, Span> = HashMap::new();
                loop {
                    let (event, mark) = self.next()?;
                    if event == Event::MappingEnd {
                        // A block mapping's marker sits after its first key: the first key is where it starts.
                        let span = pairs.first().map_or(span, |(k, _)| k.span.min(span));
                        let closed_at = if flow { flow_mapping_close(self.chars, &mark) } else { None };
                        return Ok(Node { span, value: Value::Map(pairs), closed_at });
                    }
                    let key_mark = mark;
                    let key = self.node(event, mark, depth + 1)?;
                    let (event, mark) = self.next()?;
                    let value = self.value(event, mark, depth + 1, Some(key_mark))?;
                    if let Value::Text(name) = &key.value {
                        if let Some(first) = seen.get(name) {
                            self.diagnostics.push(
                                Diagnostic::new(
                                    Code::DuplicateKey,
                                    self.file,
                                    Some(key.span),
                                    format!("`{name}` is written twice in this mapping"),
                                )
                                .with_hint("keep one of them: YAML readers disagree on which one wins")
                                .with_related(*first, "first written here"),
                            );
                            continue;
                        }
                        seen.insert(name.clone(), key.span);
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
            | Event::Nothing => Err(Box::new(Diagnostic::new(
                Code::YamlSyntax,
                self.file,
                Some(span),
                "this is not valid YAML: unexpected end of a value",
            ))),
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
        let chars = self.chars;
        let mut i = start + 1;
        match style {
            TScalarStyle::SingleQuoted => {
                while i < chars.len() {
                    if chars[i] == '\'' {
                        if chars.get(i + 1) == Some(&'\'') {
                            i += 2;
                            continue;
                        }
                        return i + 1;
                    }
                    i += 1;
                }
            }
            TScalarStyle::DoubleQuoted => {
                while i < chars.len() {
                    match chars[i] {
                        '\\' => i += 2,
                        '"' => return i + 1,
                        _ => i += 1,
                    }
                }
            }
            _ => {}
        }
        chars.len()
    }
}

/// The end (character index) of a `|` or `>` block scalar whose key starts at `key` in column `key_col`
/// (0-based). Its content is the following lines indented deeper than the key (YAML 1.2, section 8.1); the
/// first line indented no deeper ends it, whatever it holds (a comment there is a comment).
fn block_scalar_end(chars: &[char], key: usize, key_col: usize) -> usize {
    let parent_indent = key_col;
    let mut i = line_end(chars, key);
    let mut end = i;
    while i < chars.len() {
        let line = next_line(chars, i);
        let mut j = line;
        while j < chars.len() && chars[j] == ' ' {
            j += 1;
        }
        let blank = j >= chars.len() || chars[j] == '\n' || chars[j] == '\r';
        if !blank && j - line <= parent_indent {
            break;
        }
        i = line_end(chars, j);
        if !blank {
            end = i;
        }
    }
    end
}

/// The character index of the line break (LF or CR) ending the line that holds `from`, or the end of the
/// text.
fn line_end(chars: &[char], from: usize) -> usize {
    let from = from.min(chars.len());
    chars[from..].iter().position(|c| matches!(c, '\n' | '\r')).map_or(chars.len(), |p| from + p)
}

/// Where the line after the line break at `at` starts (CRLF is one line break).
fn next_line(chars: &[char], at: usize) -> usize {
    if chars[at] == '\r' && chars.get(at + 1) == Some(&'\n') { at + 2 } else { at + 1 }
}

/// Finds every `#` comment: a `#` at the start of a line or after a space or tab, outside quoted and block
/// scalars (YAML 1.2, section 6.6).
fn find_comments(text: &str, quoted: &mut [(usize, usize)]) -> Vec<Comment> {
    quoted.sort_unstable();
    // Ranges do not overlap, so the one that could hold `at` is the last one starting at or before it.
    let inside = |at: usize| {
        let n = quoted.partition_point(|&(s, _)| s <= at);
        n > 0 && at < quoted[n - 1].1
    };
    let mut comments = Vec::new();
    let mut index = 0;
    let lines = lines(text);
    // The last line with content before a comment (or with any content) was a list item's `-` alone.
    let mut lone_dash = false;
    for (line_no, &(line, line_break)) in lines.iter().enumerate() {
        let mut prev = None;
        // The line up to its comment, in bytes.
        let mut content_ends = line.len();
        for (col, (byte, c)) in line.char_indices().enumerate() {
            let at = index + col;
            if c == '#' && matches!(prev, None | Some(' ') | Some('\t')) && !inside(at) {
                let body: String = line.chars().skip(col).collect();
                // Content before the comment makes it trailing, unless that content is only the `-` of a
                // list item: `- # note` stands above the item's first key.
                let before: String = line.chars().take(col).filter(|c| !c.is_whitespace()).collect();
                let trailing = before.chars().any(|c| c != '-');
                let blank = |n: Option<usize>| n.and_then(|n| lines.get(n)).is_some_and(|(l, _)| l.trim().is_empty());
                comments.push(Comment {
                    span: Span::new(line_no + 1, col + 1),
                    text: body.trim_end().to_string(),
                    trailing,
                    in_item: if before.is_empty() { lone_dash } else { !trailing },
                    blank_below: blank(Some(line_no + 1)),
                    blank_above: blank(line_no.checked_sub(1)),
                });
                content_ends = byte;
                break;
            }
            prev = Some(c);
        }
        let content = &line[..content_ends];
        if let Some(first) = content.chars().position(|c| !c.is_whitespace()) {
            // A `-` inside a quoted or block scalar is text, not an item.
            lone_dash = content.trim() == "-" && !inside(index + first);
        }
        index += line.chars().count() + line_break;
    }
    comments
}

/// The lines of `text`, each with the length of the line break after it: LF, CRLF or CR, as YAML reads
/// them (YAML 1.2, section 5.4), so that lines are numbered as the parser numbers them.
fn lines(text: &str) -> Vec<(&str, usize)> {
    let mut lines = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(['\n', '\r']) {
        let line_break = if rest[at..].starts_with("\r\n") { 2 } else { 1 };
        lines.push((&rest[..at], line_break));
        rest = &rest[at + line_break..];
    }
    lines.push((rest, 0));
    lines
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

/// The document as an editor's YAML language server sees it, as JSON: plain scalars typed by YAML's core
/// schema (`1` a number, `true` a boolean, `~` null), everything else text. For checking a file against
/// the list schema (`schema.rs`). Files the reader refuses (syntax errors, aliases) give their diagnostics.
pub fn to_json(file: &Path, text: &str) -> Result<serde_json::Value, Vec<Diagnostic>> {
    parse(file, text)?;
    let docs = yaml_rust2::YamlLoader::load_from_str(text)
        .map_err(|e| vec![Diagnostic::new(Code::YamlSyntax, file, None, format!("YAML syntax error: {e}"))])?;
    Ok(docs.first().map_or(serde_json::Value::Null, typed_json))
}

fn typed_json(yaml: &yaml_rust2::Yaml) -> serde_json::Value {
    use serde_json::Value as J;
    use yaml_rust2::Yaml as Y;
    match yaml {
        Y::Real(r) => {
            r.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map_or_else(|| J::String(r.clone()), J::Number)
        }
        Y::Integer(i) => J::from(*i),
        Y::String(s) => J::String(s.clone()),
        Y::Boolean(b) => J::Bool(*b),
        Y::Array(items) => J::Array(items.iter().map(typed_json).collect()),
        Y::Hash(map) => J::Object(
            map.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Y::String(s) | Y::Real(s) => s.clone(),
                        Y::Integer(i) => i.to_string(),
                        Y::Boolean(b) => b.to_string(),
                        _ => String::new(),
                    };
                    (key, typed_json(v))
                })
                .collect(),
        ),
        Y::Null | Y::Alias(_) | Y::BadValue => J::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document {
        parse(Path::new("t.yaml"), text).expect("parses").0
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

    /// Each syntax error gets the hint that fits it: the wildcard's only where a `*` or `&` was met.
    #[test]
    fn syntax_hints_fit_the_error() {
        // The parser's words, the characters before and at the error, a part of the message, the hint's start.
        type Case = (&'static str, Option<char>, Option<char>, &'static str, &'static str);
        let cases: [Case; 8] = [
            (
                "while scanning an anchor or alias, did not find expected alphabetic or numeric character",
                Some(' '),
                Some('*'),
                "alias",
                "quote the wildcard",
            ),
            ("while parsing node, found unknown anchor", Some(' '), Some('*'), "unknown anchor", "quote the wildcard"),
            ("':' must be followed by a valid YAML whitespace", Some('\t'), Some('f'), "a tab after `:`", "use spaces"),
            (
                "tabs disallowed within this context (block indentation)",
                None,
                Some('\t'),
                "tabs disallowed",
                "use spaces",
            ),
            ("invalid indentation in quoted scalar", Some(' '), Some('"'), "quoted scalar", "close the quote"),
            (
                "while parsing a block collection, did not find expected '-' indicator",
                Some(' '),
                Some('i'),
                "block collection",
                "line this key up",
            ),
            (
                "mapping values are not allowed in this context",
                Some(':'),
                Some(' '),
                "mapping values",
                "quote a value that holds",
            ),
            (
                "while parsing a flow sequence, expected ',' or ']'",
                Some('\n'),
                Some('e'),
                "flow sequence",
                "close the `[`",
            ),
        ];
        for (info, before, here, message, hint) in cases {
            let (m, h) = syntax_error(info, before, here);
            assert!(m.starts_with("this is not valid YAML: ") && m.contains(message), "{info}: {m}");
            assert!(h.starts_with(hint), "{info}: {h}");
            assert_eq!(h.contains("wildcard"), hint == "quote the wildcard", "{info}: {h}");
        }
    }

    /// A `#` inside quotes or a word is not a comment; after a space it is.
    #[test]
    fn comments_outside_quotes_only() {
        let d = doc("# top\na: \"x # y\" # real\nb: 'it''s # no'\nc: a#b\nd: |\n  # inside\n  text\n# after\n");
        let found: Vec<_> = d.comments.iter().map(|c| (c.span.line, c.text.as_str(), c.trailing)).collect();
        assert_eq!(found, vec![(1, "# top", false), (2, "# real", true), (8, "# after", false)]);
    }

    /// Regression: a block scalar ends at the first line indented no deeper than its key, so the comment
    /// there is a comment, whether the scalar is empty or not.
    #[test]
    fn block_scalar_ends_at_its_key_indent() {
        for text in ["e:\n  - r: >-\n    # kept\n    k: v\n", "e:\n  - r: |\n      text\n    # kept\n    k: v\n"] {
            let d = doc(text);
            assert_eq!(d.comments.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(), vec!["# kept"], "{text}");
        }
    }

    /// Scalars written by `scalar` read back as the same text.
    #[test]
    fn scalar_round_trips() {
        for text in [
            "plain text",
            "*",
            "yes",
            "1",
            "a: b",
            "x #y",
            "-lead",
            "tab\there",
            "q\"uote",
            "",
            " pad",
            "2027-05-01",
            "é",
        ] {
            let d = doc(&format!("k: {}\n", scalar(text)));
            let Some(Node { value: Value::Map(pairs), .. }) = d.root else { panic!("not a map") };
            let want = if text.is_empty() { Value::Text(String::new()) } else { Value::Text(text.to_string()) };
            assert_eq!(pairs[0].1.value, want, "{text:?} written as {}", scalar(text));
        }
    }
}
