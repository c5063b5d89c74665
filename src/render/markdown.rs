//! Values in Markdown that stay text: whatever a list, an export or a message holds, a pull-request comment
//! shows it and makes nothing of it (no tag, image, link, emphasis, table cell or mention).
//!
//! Two forms: [`code`] for a value in a table cell (an inline code span that nothing in the value can end),
//! [`text`] for a value in prose or in bold. Both first show hidden characters as escapes
//! ([`escaped`](crate::model::characters::escaped)), so no line break ends a table row or a paragraph, and no
//! bidi override reorders what a reviewer reads.

use crate::model::characters::escaped;

/// A value as an inline code span for a table cell: the fence is one backtick longer than the longest run of
/// backticks in the value, and a space pads each side when the value starts or ends with a backtick or a
/// space (CommonMark strips one from each side), so the value can neither close the span nor lose a space.
/// Inside a code span nothing is markup and GitHub makes no mention or link; `|` is written `\|`, which GFM
/// tables read as a `|` of the cell even inside code. An empty value is an empty cell.
pub fn code(value: &str) -> String {
    let value = escaped(value).replace('|', "\\|");
    if value.is_empty() {
        return String::new();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in value.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = value.starts_with(['`', ' ']) || value.ends_with(['`', ' ']);
    let pad = if pad { " " } else { "" };
    format!("{fence}{pad}{value}{pad}{fence}")
}

/// A value as plain text in prose, a heading, bold text or a table cell (where only inline Markdown is
/// read): the punctuation that can start inline markup is backslash-escaped (`\`, `` ` ``, `*`, `_`, `~`,
/// `[`, `]`, `!`, `|`, `$`, `^`), `<`, `>` and `&` are entities, `:` is escaped unless a space or the end
/// follows (`http://` and `:emoji:` need a character after it), and so is the `.` of `www.` (GFM links
/// those); `@` and `#` are each a code span of their own, because GitHub makes mentions, issue links and
/// email links from the text Markdown produces, escapes resolved, but never inside code.
pub fn text(value: &str) -> String {
    let value = escaped(value);
    let mut out = String::with_capacity(value.len() + value.len() / 4);
    let mut chars = value.chars().peekable();
    let mut last_three = ['\0'; 3];
    while let Some(c) = chars.next() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '@' | '#' => {
                out.push('`');
                out.push(c);
                out.push('`');
            }
            '\\' | '`' | '*' | '_' | '~' | '[' | ']' | '!' | '|' | '$' | '^' => {
                out.push('\\');
                out.push(c);
            }
            ':' if chars.peek().is_some_and(|n| *n != ' ') => out.push_str("\\:"),
            '.' if last_three.iter().all(|w| w.eq_ignore_ascii_case(&'w')) => out.push_str("\\."),
            c => out.push(c),
        }
        last_three = [last_three[1], last_three[2], c];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_outlast_the_backticks_in_the_value() {
        assert_eq!(code("a.com"), "`a.com`");
        assert_eq!(code("a``b`"), "``` a``b` ```");
        assert_eq!(code(" x "), "`  x  `");
        assert_eq!(code("x|y"), "`x\\|y`");
        assert_eq!(code("two\nlines"), "`two\\nlines`");
        assert_eq!(code(""), "");
    }

    #[test]
    fn text_escapes_markup_and_breaks_mentions() {
        assert_eq!(text("**b** <i>"), "\\*\\*b\\*\\* &lt;i&gt;");
        assert_eq!(text("@team #12"), "`@`team `#`12");
        assert_eq!(text("a.com: see http://x and www.y"), "a.com: see http\\://x and www\\.y");
        assert_eq!(text("a\u{202e}b"), "a\\\\u{202e}b");
    }
}
