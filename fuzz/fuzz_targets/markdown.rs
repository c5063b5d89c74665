//! Markdown with values from the fuzzer: `render::markdown`'s two forms in a table cell, bold text, a
//! heading and a list item, and the Markdown of `diff` and `plan` around the value, read back with comrak
//! (GFM, raw HTML let through). No tag but spoofctl's own, no `@` or `#` outside code, and each value's
//! visible form is in the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spoofctl::render::markdown::{code, text};
use spoofctl::text::escaped;

#[path = "../../tests/common/inert.rs"]
#[allow(dead_code)]
mod inert;
#[allow(dead_code)]
mod reports;

fuzz_target!(|data: &[u8]| {
    let value = String::from_utf8_lossy(data);
    let page = format!(
        // Bold around words and the value, as `diff` writes a risk ("allow made broader: replaces ...").
        "#### {t}\n\n**risk: {t}**\n\n- x: {t}\n\n| a | b |\n| --- | --- |\n| {c} | {t} |\n",
        t = text(&value),
        c = code(&value)
    );
    if let Some(problem) = inert::markup_problem(&page) {
        panic!("{problem}\n{page}");
    }
    let shown = escaped(&value);
    let html = inert::read_html(&inert::to_html(&page));
    assert!(html.text.contains(shown.trim()), "`{shown}` is not shown:\n{page}\n{}", html.text);
    let reports = reports::reports(&value);
    for markdown in [&reports.diff_markdown, &reports.plan_markdown] {
        if let Some(problem) = inert::markup_problem(markdown) {
            panic!("{problem}\n{markdown}");
        }
    }
});
