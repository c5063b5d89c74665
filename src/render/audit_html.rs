//! `audit --format html`: the report as one self-contained page a person reads in a browser, and prints.
//!
//! Nothing on the page makes a request: the styles are in the page, there is no script, no image, no font
//! and no link to anywhere but the page's own sections (Microsoft's pages are named as text), and a
//! Content-Security-Policy of `default-src 'none'` tells the browser to refuse any request all the same.
//! Every value from the snapshot or the list is HTML-escaped ([`html`]) after its hidden characters are shown
//! as escapes, so a hostile policy name can neither add markup nor hide what it says.

use std::fmt::Write as _;

use crate::model::characters::escaped;
use crate::render::audit::{AuditReport, FindingJson, codes, summary_line};

/// The page's styles: readable on screen, compact and unbroken on paper.
const STYLE: &str = "
:root { --critical: #7b1fa2; --high: #c62828; --warning: #a15c00; --ok: #2e7d32; --muted: #555; --line: #ddd; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #1a1a1a; margin: 0 auto;
  max-width: 72rem; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; border-bottom: 2px solid var(--line); padding-bottom: .25rem; margin-top: 2rem; }
code { font: .9em ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace; background: #f4f4f4;
  padding: 0 .25em; border-radius: 3px; overflow-wrap: anywhere; }
.meta { color: var(--muted); margin: 0 0 1rem; }
.summary { display: flex; flex-wrap: wrap; gap: .75rem; margin: 1rem 0; }
.count { border: 1px solid var(--line); border-radius: 6px; padding: .5rem 1rem; min-width: 8rem; }
.count b { display: block; font-size: 1.6rem; }
.count.critical b { color: var(--critical); } .count.high b { color: var(--high); }
.count.warning b { color: var(--warning); }
.verdict { font-weight: 600; padding: .5rem 1rem; border-radius: 6px; }
.verdict.fails { background: #fdecea; color: var(--high); } .verdict.passes { background: #edf7ed; color: var(--ok); }
.not-checked { background: #fff8e1; border: 1px solid #f0d98a; border-radius: 6px; padding: .5rem 1rem; }
nav ul { columns: 2; padding-left: 1.2rem; }
.finding { border: 1px solid var(--line); border-left: 6px solid var(--line); border-radius: 4px; padding: .5rem 1rem;
  margin: .75rem 0; break-inside: avoid; }
.finding.critical { border-left-color: var(--critical); } .finding.high { border-left-color: var(--high); }
.finding.warning { border-left-color: var(--warning); } .finding.excepted { opacity: .75; border-left-style: dashed; }
.badge { display: inline-block; font-size: .75rem; font-weight: 700; text-transform: uppercase; color: #fff;
  border-radius: 3px; padding: 0 .4rem; margin-right: .4rem; }
.badge.critical { background: var(--critical); } .badge.high { background: var(--high); }
.badge.warning { background: var(--warning); } .badge.excepted { background: var(--muted); }
.finding h3 { font-size: 1rem; margin: 0 0 .25rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .25rem 0 0; }
dt { color: var(--muted); } dd { margin: 0; }
.replacement { background: #eef5ff; border-radius: 4px; padding: .15rem .5rem; }
.facts { color: var(--muted); font-size: .9rem; }
blockquote { margin: .25rem 0 .5rem; padding-left: .75rem; border-left: 3px solid var(--line); }
footer { color: var(--muted); font-size: .85rem; margin-top: 2rem; border-top: 1px solid var(--line); padding-top: .5rem; }
@media print {
  body { font-size: 10pt; max-width: none; padding: 0; }
  nav { display: none; }
  .finding, .count, .not-checked { break-inside: avoid; }
  h2 { break-after: avoid; }
  code { background: none; }
  .badge { color: #000; border: 1px solid #000; background: none !important; }
}
";

/// A value as HTML text or an attribute's value: hidden characters shown as escapes, then `&`, `<`, `>`,
/// `"` and `'` written as entities.
pub fn html(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in escaped(value).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Words with their `commands` set as code: each part is escaped ([`html`]) on its own.
fn with_code(words: &str) -> String {
    let mut out = String::new();
    for (i, part) in words.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", html(part));
        } else {
            out.push_str(&html(part));
        }
    }
    out
}

/// The report as one self-contained HTML page.
pub fn audit_html(r: &AuditReport<'_>) -> String {
    let mut out = String::with_capacity(4096 + r.groups.iter().map(|g| g.findings.len() * 600).sum::<usize>());
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
    );
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>spoofctl audit: {}</title>", html(&r.snapshot));
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>");
    out.push_str("<header>\n<h1>spoofctl audit</h1>\n");
    let _ = write!(out, "<p class=\"meta\">Snapshot <code>{}</code>", html(&r.snapshot));
    if let Some(l) = &r.list {
        let _ = write!(out, ", list <code>{}</code>", html(l));
    }
    let _ = writeln!(out, ", as of {}.</p>\n</header>", html(&r.today));

    let s = &r.summary;
    out.push_str("<section class=\"summary\" id=\"summary\">\n");
    for (class, n, word) in [
        ("critical", s.critical, "critical"),
        ("high", s.high, "high"),
        ("warning", s.warning, "warning"),
        ("excepted", s.excepted, "excepted"),
        ("not-checked-count", s.not_checked, "not checked"),
    ] {
        let _ = writeln!(out, "<div class=\"count {class}\"><b>{n}</b>{word}</div>");
    }
    out.push_str("</section>\n");
    let (class, verdict) = if r.fails {
        ("fails", "Findings above a warning are not covered by an approved exception: the audit fails (exit 1).")
    } else {
        ("passes", "No finding above a warning is left uncovered (exit 0).")
    };
    let _ = writeln!(out, "<p class=\"verdict {class}\">{verdict} {}</p>", html(&summary_line(r)));

    if !r.not_checked.is_empty() {
        out.push_str(
            "<section class=\"not-checked\" id=\"not-checked\">\n<h2>Not checked (never read as clean)</h2>\n<ul>\n",
        );
        for n in &r.not_checked {
            let _ = writeln!(out, "<li><b>{}</b>: {}</li>", html(n.title), html(&n.reason));
        }
        out.push_str("</ul>\n</section>\n");
    }

    if !r.groups.is_empty() {
        out.push_str("<nav>\n<h2>Findings by mechanism</h2>\n<ul>\n");
        for g in &r.groups {
            let _ = writeln!(
                out,
                "<li><a href=\"#{}\">{}</a> ({})</li>",
                g.mechanism.name(),
                html(g.title),
                g.findings.len()
            );
        }
        out.push_str("</ul>\n</nav>\n");
    }
    for g in &r.groups {
        let _ = writeln!(out, "<section class=\"group\" id=\"{}\">\n<h2>{}</h2>", g.mechanism.name(), html(g.title));
        for f in &g.findings {
            finding(&mut out, f);
        }
        out.push_str("<div class=\"facts\">\n");
        for c in codes(g) {
            if let Some(m) = c.source() {
                let _ = writeln!(
                    out,
                    "<p><code>{}</code>: Microsoft says</p>\n<blockquote>{}<br><small>{}</small></blockquote>",
                    c.name(),
                    html(m.words),
                    html(m.page)
                );
            }
            if !c.controls().is_empty() {
                let _ = writeln!(
                    out,
                    "<p><code>{}</code> is also reported as {}.</p>",
                    c.name(),
                    html(&c.controls().join(", "))
                );
            }
        }
        out.push_str("</div>\n</section>\n");
    }
    if !r.clean.is_empty() {
        out.push_str("<section id=\"clean\">\n<h2>Checked, nothing found</h2>\n<ul>\n");
        for m in &r.clean {
            let _ = writeln!(out, "<li>{}</li>", html(m.title()));
        }
        out.push_str("</ul>\n</section>\n");
    }
    let _ = writeln!(
        out,
        "<footer>Written by spoofctl {} (format version {}).</footer>",
        env!("CARGO_PKG_VERSION"),
        r.version
    );
    out.push_str("</body>\n</html>\n");
    out
}

fn finding(out: &mut String, f: &FindingJson<'_>) {
    let excepted = if f.excepted_by.is_some() { " excepted" } else { "" };
    let _ = writeln!(
        out,
        "<article class=\"finding {}{excepted}\" data-code=\"{}\" data-object=\"{}\">",
        f.severity,
        f.code.name(),
        html(f.object)
    );
    let _ = write!(out, "<h3><span class=\"badge {}\">{}</span>", f.severity, f.severity);
    if f.excepted_by.is_some() {
        out.push_str("<span class=\"badge excepted\">excepted</span>");
    }
    let _ = writeln!(out, "<code>{}</code> {}</h3>", f.code.name(), html(f.object));
    out.push_str("<dl>\n");
    let _ = writeln!(out, "<dt>{}</dt><dd><code>{}</code></dd>", html(f.property), html(f.value));
    if let Some(note) = f.note {
        let _ = writeln!(out, "<dt>Note</dt><dd>{}</dd>", html(note));
    }
    if let Some(e) = &f.excepted_by {
        let until = e.expires.as_deref().map_or_else(String::new, |d| format!(", until {}", html(d)));
        let _ = writeln!(
            out,
            "<dt>Excepted</dt><dd>{} (owner {}{until}; list line {})</dd>",
            html(e.reason),
            html(e.owner),
            e.line
        );
    }
    let _ = writeln!(out, "<dt>Replacement</dt><dd class=\"replacement\">{}</dd>", with_code(f.replacement.how()));
    out.push_str("</dl>\n</article>\n");
}
