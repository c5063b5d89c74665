//! Character rules shared by every value parser: what a domain, an address or a free-text field may hold.
//!
//! Values travel into PowerShell scripts, CSV cells and the portal; refusing quotes, `$`, `;`, backticks,
//! spaces and control characters at the edge means no later writer has to escape them.

use std::fmt::Write as _;

use crate::model::diagnostic::{Code, ValueError};

/// Describes a character for a message: printable ones quoted, others by code point.
pub fn describe_char(c: char) -> String {
    if c == ' ' {
        "a space".to_string()
    } else if c == '`' {
        "a backtick".to_string()
    } else if is_hidden(c) || c.is_whitespace() {
        format!("the control character U+{:04X}", c as u32)
    } else {
        format!("`{c}`")
    }
}

/// Free text (reason, owner, ticket, tenant): anything printable on one line.
pub fn check_free_text(raw: &str, what: &str) -> Result<(), ValueError> {
    if let Some(c) = raw.chars().find(|c| c.is_control()) {
        return Err(ValueError::new(
            Code::InvalidCharacters,
            format!("{what} holds {}", describe_char(c)),
            "keep free text on one line, without control characters",
        ));
    }
    Ok(())
}

/// The first character that may not appear in a domain (`@` included), if any. Non-ASCII letters are left to
/// IDNA, which decides whether they form a valid internationalized label.
pub fn first_bad_domain_char(raw: &str) -> Option<char> {
    raw.chars().find(|&c| {
        if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
        } else {
            is_hidden(c) || c.is_whitespace()
        }
    })
}

/// Characters that render as nothing, or reorder or break the text around them, and so hide what a value
/// says: Unicode's Default_Ignorable_Code_Point set (zero-width characters, joiners, bidi marks, embeddings,
/// overrides and isolates, variation selectors, fillers, tags), the Arabic letter mark, the line and
/// paragraph separators and the interlinear annotation characters.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFFB}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// Whether a terminal or a reader would not see `c` as itself: a C0 or C1 control (ESC, DEL and
/// U+0080-U+009F included) or an [invisible](is_invisible) character.
pub fn is_hidden(c: char) -> bool {
    c.is_control() || is_invisible(c)
}

/// The error for a character that a value may not hold.
pub fn bad_char_error(raw: &str, c: char, what: &str) -> ValueError {
    ValueError::new(
        Code::InvalidCharacters,
        format!("`{}` is not a valid {what}: it holds {}", printable(raw), describe_char(c)),
        format!("a {what} holds only letters, digits, `-`, `.` and `_`"),
    )
}

/// The longest value quoted in a message; a longer one is cut with `...`.
const MAX_SHOWN_CHARS: usize = 120;

/// The value with control characters (terminal escapes included) shown as escapes, cut to a readable
/// length: safe to put in a message or on a terminal.
pub fn printable(raw: &str) -> String {
    let cut: String = raw.chars().take(MAX_SHOWN_CHARS).collect();
    let shown = escaped(&cut);
    if raw.chars().nth(MAX_SHOWN_CHARS).is_some() { format!("{shown}...") } else { shown }
}

/// The text with every [hidden](is_hidden) character shown as an escape (`\n`, `\u{1b}`, `\u{202e}`),
/// nothing else changed: the one escaping for terminals, which every human renderer and message uses for the
/// values, keys and paths it echoes. It is idempotent: its output holds no hidden character.
pub fn escaped(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else if is_invisible(c) {
            // `escape_debug` leaves some of these raw (U+3164 counts as printable to it).
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}
