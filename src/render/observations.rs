//! `match --observations`: per-row verdicts (CSV, JSON) and the summary (text, JSON).

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{entry_json, safe_cell, thousands};
use crate::entry::TenantList;
use crate::matcher::Outcome;
use crate::message::Message;
use crate::observations::Row;
use crate::pair::Word;
use crate::tally::Tally;

/// How many uncovered pairs the summary lists.
pub const BUSIEST: usize = 10;

/// The columns of `--format csv`.
/// `infrastructure` is the pair's infrastructure as the service reports it (an observed pair's own, or a
/// message's PTR organizational domain, else its /24); `ptr`, `ip` and `dkim` are a message row's details.
pub const CSV_HEADER: &[&str] = &[
    "row",
    "list",
    "from",
    "infrastructure",
    "ptr",
    "ip",
    "dkim",
    "type",
    "messages",
    "verdict",
    "entry_spoofed",
    "entry_infrastructure",
    "entry_line",
];

/// A message row's own details; an observed pair has none beyond its infrastructure.
fn details(m: &Message, pair_row: bool) -> (String, String, String) {
    if pair_row {
        return Default::default();
    }
    (
        m.ptr.as_ref().map(|h| h.to_string()).unwrap_or_default(),
        m.ip.map(|i| i.to_string()).unwrap_or_default(),
        m.dkim_pass.iter().map(|h| h.as_str()).collect::<Vec<_>>().join(" "),
    )
}

fn infrastructure(m: &Message) -> String {
    m.service_infrastructure().map(|i| i.to_string()).unwrap_or_default()
}

/// One CSV record for one row and one list; `pair_row` when the file has pair rows.
pub fn row_csv(row: &Row, outcome: &Outcome<'_>, pair_row: bool) -> [String; 13] {
    let m = &row.message;
    let d = outcome.verdict.decision();
    let (ptr, ip, dkim) = details(m, pair_row);
    [
        row.row.to_string(),
        outcome.list.path.display().to_string(),
        m.from.to_string(),
        infrastructure(m),
        ptr,
        ip,
        dkim,
        outcome.spoof_type.map(|t| t.list_word()).unwrap_or_default().to_string(),
        row.count.to_string(),
        outcome.verdict.word().to_string(),
        d.map(|d| d.entry().rule.spoofed().to_string()).unwrap_or_default(),
        d.map(|d| d.entry().rule.infrastructure().to_string()).unwrap_or_default(),
        d.map(|d| d.entry().span.line.to_string()).unwrap_or_default(),
    ]
    .map(safe_cell)
}

/// One JSON row for one row and one list; `pair_row` when the file has pair rows.
pub fn row_json(row: &Row, outcome: &Outcome<'_>, pair_row: bool) -> Value {
    let m = &row.message;
    let mut v = json!({"row": row.row, "from": m.from.to_string(), "infrastructure": infrastructure(m)});
    if !pair_row {
        v["ptr"] = json!(m.ptr.as_ref().map(|h| h.as_str()));
        v["ip"] = json!(m.ip.map(|i| i.to_string()));
        v["dkim"] = json!(m.dkim_pass.iter().map(|h| h.as_str()).collect::<Vec<_>>());
    }
    v["list"] = json!(outcome.list.path.display().to_string());
    v["type"] = json!(outcome.spoof_type.map(|t| t.list_word()));
    v["messages"] = json!(row.count);
    v["verdict"] = json!(outcome.verdict.word());
    v["entry"] = outcome.verdict.decision().map_or(Value::Null, |d| {
        let mut e = entry_json(&d.entry().label());
        e["line"] = json!(d.entry().span.line);
        e
    });
    v
}

/// What a run over an observations file found, for the summary.
pub struct Run<'a> {
    /// The file.
    pub file: &'a str,
    /// `pair rows` or `message rows`.
    pub shape: &'a str,
    /// Rows skipped for errors.
    pub skipped: u64,
    /// Each list with its tally.
    pub lists: Vec<(&'a TenantList, &'a Tally)>,
}

/// The summary as text.
pub fn summary_text(run: &Run<'_>) -> String {
    let rows = run.lists.first().map_or(0, |(_, t)| t.rows());
    let mut out = format!("{}: {} ({} rows read", run.file, run.shape, thousands(rows));
    if run.skipped > 0 {
        let _ = write!(out, ", {} skipped for errors", thousands(run.skipped));
    }
    out.push_str(")\n");
    for (list, t) in &run.lists {
        let _ = writeln!(out, "{}:", list.path.display());
        let _ = writeln!(out, "  {:<8}{:>12} {:>14}", "verdict", "rows", "messages");
        for (word, c) in [("allow", t.allow), ("block", t.block), ("none", t.none)] {
            let _ = writeln!(out, "  {word:<8}{:>12} {:>14}", thousands(c.rows), thousands(c.messages));
        }
        let top = t.busiest_uncovered(BUSIEST);
        if !top.is_empty() {
            let _ = writeln!(out, "  busiest pairs no entry covers:");
            for p in top {
                let approx = if p.overcount > 0 { " (at most)" } else { "" };
                let _ = writeln!(out, "    {:<50}{:>12} messages{approx}", p.pair, thousands(p.messages));
            }
        }
    }
    out
}

/// The summary as JSON.
pub fn summary_json(run: &Run<'_>) -> Value {
    json!({
        "file": run.file,
        "shape": run.shape,
        "skipped_rows": run.skipped,
        "lists": run.lists.iter().map(|(list, t)| json!({
            "list": list.path.display().to_string(),
            "tenant": list.tenant,
            "rows": t.rows(),
            "allow": {"rows": t.allow.rows, "messages": t.allow.messages},
            "block": {"rows": t.block.rows, "messages": t.block.messages},
            "none": {"rows": t.none.rows, "messages": t.none.messages},
            "busiest_uncovered": t.busiest_uncovered(BUSIEST).iter().map(|p| json!({
                "pair": p.pair, "messages": p.messages, "overcount": p.overcount,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}
