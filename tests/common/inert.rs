//! What "inert" means for spoofctl's output, written from issue 16 rather than from the library's own rules:
//! the characters no terminal may receive raw, and the HTML a pull-request comment may hold once a real
//! CommonMark/GFM renderer (comrak, with GitHub's extensions and raw HTML let through) has read it.
//! Shared by `tests/inert_output.rs` and the `markdown` and `terminal` fuzz targets (included by path).

/// A character that must never reach a terminal raw: a C0 control but the line feed, DEL, a C1 control, a
/// bidi control, mark or isolate, or a zero-width or other default-ignorable code point (Unicode's
/// Default_Ignorable_Code_Point list), or a line or paragraph separator.
pub fn hidden(c: char) -> bool {
    let u = c as u32;
    (u < 0x20 && c != '\n')
        || (0x7F..=0x9F).contains(&u)
        || matches!(
            u,
            0x00AD
                | 0x034F
                | 0x061C
                | 0x115F..=0x1160
                | 0x17B4..=0x17B5
                | 0x180B..=0x180F
                | 0x200B..=0x200F
                | 0x2028..=0x202E
                | 0x2060..=0x206F
                | 0x3164
                | 0xFE00..=0xFE0F
                | 0xFEFF
                | 0xFFA0
                | 0xFFF0..=0xFFF8
                | 0x1BCA0..=0x1BCA3
                | 0x1D173..=0x1D17A
                | 0xE0000..=0xE0FFF
        )
}

/// The first hidden character in `text` and its offset, if any.
pub fn first_hidden(text: &str) -> Option<(usize, char)> {
    text.char_indices().find(|&(_, c)| hidden(c))
}

/// The tags spoofctl's own Markdown makes: headings, paragraphs, bold, tables, lists, a block quote and code.
pub const OWN_TAGS: [&str; 14] =
    ["h3", "h4", "p", "strong", "table", "thead", "tbody", "tr", "th", "td", "ul", "li", "blockquote", "code"];

/// Markdown rendered to HTML as GitHub would: tables, strikethrough, autolinks, footnotes, task lists and
/// `$` math on, and raw HTML passed through (GitHub keeps `<b>`, `<img>`, `<a>` and comments), so that any
/// markup a value smuggled in shows as a tag.
pub fn to_html(markdown: &str) -> String {
    let mut options = comrak::Options::default();
    options.extension.table = true;
    options.extension.strikethrough = true;
    options.extension.autolink = true;
    options.extension.footnotes = true;
    options.extension.tasklist = true;
    options.extension.math_dollars = true;
    options.render.r#unsafe = true;
    comrak::markdown_to_html(markdown, &options)
}

/// HTML read back: the name of every tag (opening or closing, lower case), and the text, entities decoded,
/// both all of it and the part outside `<code>` (where GitHub makes mentions, issue links and autolinks).
#[derive(Debug, Default)]
pub struct Html {
    /// Tag names, in order: `p`, `/p`, `!--` for a comment.
    pub tags: Vec<String>,
    /// All the text.
    pub text: String,
    /// The text outside `<code>` elements.
    pub prose: String,
}

/// Reads the HTML comrak writes (it writes every `<` of text as `&lt;`, so each `<` starts a tag).
pub fn read_html(html: &str) -> Html {
    let mut out = Html::default();
    let mut in_code = 0usize;
    let mut rest = html;
    while let Some(start) = rest.find(['<', '&']) {
        push_text(&mut out, &rest[..start], in_code > 0);
        rest = &rest[start..];
        if rest.starts_with('<') {
            let end = rest.find('>').map_or(rest.len(), |e| e + 1);
            let inner = rest[1..end].trim_end_matches('>');
            // `p`, `/p`, `img` of `<img src="x" />`.
            let name: String = inner
                .char_indices()
                .take_while(|&(i, c)| !c.is_whitespace() && (c != '/' || i == 0))
                .map(|(_, c)| c.to_ascii_lowercase())
                .collect();
            match name.as_str() {
                "code" => in_code += 1,
                "/code" => in_code = in_code.saturating_sub(1),
                _ => {}
            }
            out.tags.push(if name.starts_with("!--") { "!--".to_string() } else { name });
            rest = &rest[end..];
        } else {
            let end = rest.find(';').map_or(rest.len(), |e| e + 1);
            let decoded = match &rest[..end] {
                "&lt;" => "<",
                "&gt;" => ">",
                "&amp;" => "&",
                "&quot;" => "\"",
                "&#x27;" | "&#39;" => "'",
                other => other,
            };
            push_text(&mut out, decoded, in_code > 0);
            rest = &rest[end..];
        }
    }
    push_text(&mut out, rest, in_code > 0);
    out
}

fn push_text(out: &mut Html, text: &str, in_code: bool) {
    out.text.push_str(text);
    if !in_code {
        out.prose.push_str(text);
    }
}

/// Why spoofctl's Markdown is not inert, if it is not: a tag of its own making is the only kind allowed,
/// and no `@` or `#` stands outside code (GitHub would make a mention or an issue link of it).
pub fn markup_problem(markdown: &str) -> Option<String> {
    let html = read_html(&to_html(markdown));
    if let Some(tag) = html.tags.iter().find(|t| !OWN_TAGS.contains(&t.trim_start_matches('/'))) {
        return Some(format!("a `<{tag}>` that spoofctl does not write"));
    }
    if let Some(c) = html.prose.chars().find(|c| matches!(c, '@' | '#')) {
        return Some(format!("a `{c}` outside code, which GitHub would link"));
    }
    None
}
