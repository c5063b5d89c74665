//! Reports built around one value from the fuzzer, for the `markdown` and `terminal` targets: the value is
//! the new reason of a list entry (control characters taken out, as a list refuses them), the name of the
//! list file and the tenant, an unknown key, and an export's SpoofedUser (as it is).

use std::path::Path;

use spoofctl::check::check;
use spoofctl::date::Date;
use spoofctl::diff::diff;
use spoofctl::plan::{LiveItem, plan};
use spoofctl::render::Style;
use spoofctl::render::diff::{TenantReview, diff_markdown, diff_text};
use spoofctl::render::plan::{plan_markdown, plan_text};
use spoofctl::render::validate_text;
use spoofctl::tabl::ExportRow;

/// The reports, as spoofctl prints them.
pub struct Reports {
    /// `diff --format markdown`.
    pub diff_markdown: String,
    /// `diff`.
    pub diff_text: String,
    /// `plan --format markdown`.
    pub plan_markdown: String,
    /// `plan`.
    pub plan_text: String,
    /// `validate` of a list whose tenant and an unknown key are the value.
    pub validate_text: String,
}

/// A YAML double-quoted scalar holding `value` exactly.
pub fn yaml_quoted(value: &str) -> String {
    let mut out = String::from('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() || (c as u32) > 0x7E => out.push_str(&format!("\\U{:08X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn list(tenant: &str, reason: &str) -> String {
    format!(
        "version: 1\ntenant: {}\naccepted-domains: [contoso.com]\nentries:\n  - spoofed: adatum.com\n    infrastructure: tms.mx.com\n    action: block\n    reason: {}\n",
        yaml_quoted(tenant),
        yaml_quoted(reason)
    )
}

/// Every report, with `value` in each place a value goes.
pub fn reports(value: &str) -> Reports {
    let today = Date::parse("2026-11-22").expect("date");
    let reason: String = value.chars().filter(|c| !c.is_control()).collect();
    let name = Path::new(value);
    let old = check(Path::new("old.yaml"), &list("contoso.onmicrosoft.com", "old"), today);
    let new = check(name, &list("contoso.onmicrosoft.com", &reason), today);
    let review = TenantReview { diff: diff(value, &old.list, &new.list, &[], &[]), replay: None };
    let reviews = [review];
    let row = ExportRow {
        place: "row 2".to_string(),
        identity: Some("55555555-0000-4000-8000-000000000001".to_string()),
        spoofed: value.to_string(),
        infrastructure: "tms.mx.com".to_string(),
        spoof_type: Some("External".to_string()),
        action: "Allow".to_string(),
        defect: None,
    };
    let live: Vec<LiveItem> = LiveItem::from_row(&row).into_iter().collect();
    let p = plan(&new.list, &live, true, true);
    let bad = format!("{}{}: 1\n", list(value, &reason), yaml_quoted(value));
    let invalid = check(name, &bad, today);
    Reports {
        diff_markdown: diff_markdown(&reviews),
        diff_text: diff_text(&reviews, Style::default()),
        plan_markdown: plan_markdown(&p, value),
        plan_text: plan_text(&p, Style::default()),
        validate_text: validate_text(&[new, invalid], Style::default()),
    }
}
