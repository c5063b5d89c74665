//! Using spoofctl as a library: build a list in code, match a message against it, and diff two versions.
//!
//! Run with `cargo run --example library` (CI runs it).
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

use std::path::PathBuf;

use spoofctl::diagnostic::Span;
use spoofctl::diff::diff;
use spoofctl::entry::{Entry, Metadata, TenantList};
use spoofctl::matcher::{Matcher, Verdict};
use spoofctl::message::{Host, Message, Sender};
use spoofctl::pair::{Action, Rule, Side, SpoofType};

/// An entry from its two sides and action: `Rule::new` refuses a wildcard allow, so this cannot build one.
fn entry(spoofed: &str, infrastructure: &str, action: Action, line: usize) -> Entry {
    let rule = Rule::new(
        action,
        Side::parse_spoofed(spoofed).expect("valid spoofed"),
        Side::parse_infrastructure(infrastructure).expect("valid infrastructure"),
    )
    .expect("a concrete allow, or a block");
    Entry {
        rule,
        spoof_type: SpoofType::External,
        type_written: true,
        meta: Metadata::default(),
        span: Span::new(line, 5),
    }
}

fn main() {
    // A wildcard allow cannot even be built.
    assert!(Rule::new(Action::Allow, Side::Any, Side::parse_infrastructure("tms.mx.com").expect("valid")).is_err());

    let before = TenantList {
        path: PathBuf::from("before.yaml"),
        tenant: Some("contoso.onmicrosoft.com".into()),
        accepted_domains: Vec::new(),
        policy: Default::default(),
        entries: vec![
            entry("laura@adatum.com", "crm.adatum.example", Action::Allow, 1),
            entry("fabrikam.com", "*", Action::Block, 2),
        ],
        exceptions: Vec::new(),
    };
    let after = TenantList {
        path: PathBuf::from("after.yaml"),
        entries: vec![entry("adatum.com", "crm.adatum.example", Action::Allow, 1)],
        ..before.clone()
    };

    // Match a message: allowed only when one allow matches both its From and its infrastructure.
    let mut message = Message::from(Sender::parse("orders@adatum.com").expect("an address"));
    message.ptr = Some(Host::parse("mail.crm.adatum.example").expect("a host"));
    for list in [&before, &after] {
        let matcher = Matcher::new(list);
        let outcome = matcher.evaluate(&message);
        let by = outcome.verdict.decision().map(|d| d.entry().label().to_string()).unwrap_or_default();
        println!("{}: {} {by}", list.path.display(), outcome.verdict.word());
        if let Verdict::Allow(d) = &outcome.verdict {
            assert_eq!(d.entry().action(), Action::Allow);
        }
    }

    // Diff the two versions: the broadened allow and the removed block come first.
    let review = diff("contoso", &before, &after, &[], &[]);
    for change in &review.changes {
        let why = change.risk().map(|r| r.words()).unwrap_or_default();
        println!("{} {} [{why}]", change.kind().word(), change.entry().label());
    }
}
