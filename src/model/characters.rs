//! Character rules shared by every value parser: what a domain, an address or a free-text field may hold.
//!
//! Values travel into PowerShell scripts, CSV cells and the portal; refusing quotes, `$`, `;`, backticks,
//! spaces and control characters at the edge means no later writer has to escape them.

use crate::model::diagnostic::{Code, ValueError};

/// Describes a character for a message: printable ones quoted, others by code point.
pub fn describe_char(c: char) -> String {
    if c == ' ' {
        "a space".to_string()
    } else if c == '`' {
        "a backtick".to_string()
    } else if c.is_control() || c.is_whitespace() || is_invisible(c) {
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
            c.is_control() || c.is_whitespace() || is_invisible(c)
        }
    })
}

/// Format and bidirectional-control characters that render as nothing and so hide what a value says.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
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

/// The text with control and invisible characters shown as escapes (`\u{1b}`), nothing else changed.
pub fn escaped(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_control() || is_invisible(c) {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}
