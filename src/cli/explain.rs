//! `spoofctl explain`: read message headers and explain the service's decision and the lists' verdict.

use std::io::{BufRead, BufReader};
use std::path::Path;

use spoofctl::engine::admission::{Facts, admit};
use spoofctl::engine::explain::explain;
use spoofctl::engine::matcher::Matcher;
use spoofctl::read::headers::{HeaderBlocks, Stamps, header_fields};
use spoofctl::render;
use spoofctl::render::admission::{admission_json, admission_text};

use super::admission::json_with_admission;
use super::args::{ExplainArgs, Format};
use super::{Exit, fail, load_lists, out, shown, stdout_style, warn};

/// Runs `explain`.
pub fn run(args: ExplainArgs) -> Exit {
    let today = match super::today(args.today.as_deref()) {
        Ok(d) => d,
        Err(exit) => return exit,
    };
    for path in &args.messages {
        if path.as_os_str() != "-" && (!path.exists() || path.is_dir()) {
            return fail(format!(
                "{}: {}",
                shown(path),
                if path.is_dir() { "a folder, not a message file" } else { "no such file" }
            ));
        }
    }
    let lists = match load_lists(&args.list, today, args.format == Format::Json) {
        Ok(l) => l,
        Err(exit) => return exit,
    };
    let matchers: Vec<Matcher<'_>> = lists.iter().map(|c| Matcher::new(&c.list)).collect();
    let tenant = match super::admission::load(args.tenant.as_deref()) {
        Ok(t) => t,
        Err(exit) => return exit,
    };
    let style = stdout_style();
    let (mut exit, mut first) = (Exit::Clean, true);
    if args.format == Format::Json {
        out("{\"version\":1,\"messages\":[");
    }
    for path in &args.messages {
        let name = path.display().to_string();
        let input = match open(path) {
            Ok(i) => i,
            Err(e) => return fail(format!("{name}: {e}")),
        };
        let mut n = 0;
        let mut blocks = HeaderBlocks::new(input);
        while let Some(block) = blocks.next() {
            n += 1;
            let raw = match block {
                Ok(raw) => raw,
                Err(e) => return fail(format!("{name}: {e}")),
            };
            let source = if blocks.is_mbox() { format!("{name} (message {n})") } else { name.clone() };
            let stamps = match Stamps::parse(&raw) {
                Ok(s) if s.from.is_some() || !s.results.is_empty() || !s.antispam.is_empty() => s,
                _ => {
                    warn(format!(
                        "spoofctl: error: {source}: no message headers found (expected an .eml file, an mbox, or pasted headers)"
                    ));
                    exit = Exit::Findings;
                    continue;
                }
            };
            let explanation = explain(stamps, &matchers, today);
            if explanation.message.is_none() {
                exit = Exit::Findings;
            }
            // --tenant: every mechanism of the snapshot that let the message in, or would.
            let admission = tenant.as_ref().zip(explanation.message.clone()).map(|((name, snapshot), m)| {
                let facts = Facts::from_headers(m, &explanation.stamps, header_fields(&raw));
                (name.as_str(), admit(&facts, snapshot, today))
            });
            match args.format {
                Format::Text => {
                    out(&render::explain_text(&source, &explanation, style));
                    if let Some((name, a)) = &admission {
                        out(&admission_text(name, a, style));
                    }
                    out("\n");
                }
                Format::Json => {
                    // Streamed: one message's document at a time, however many an mbox holds.
                    let report = render::explain_json(&source, &explanation);
                    let doc = match &admission {
                        Some((name, a)) => json_with_admission(report, admission_json(name, a)),
                        None => format!("{report:#}"),
                    };
                    out(&format!("{}{doc}", if first { "\n" } else { ",\n" }));
                    first = false;
                }
            }
        }
        if n == 0 {
            warn(format!("spoofctl: error: {name}: no message headers found (the file is empty)"));
            exit = Exit::Findings;
        }
    }
    if args.format == Format::Json {
        out("\n]}\n");
    }
    exit
}

fn open(path: &Path) -> std::io::Result<Box<dyn BufRead>> {
    Ok(if path.as_os_str() == "-" {
        Box::new(BufReader::new(std::io::stdin()))
    } else {
        Box::new(BufReader::new(std::fs::File::open(path)?))
    })
}
