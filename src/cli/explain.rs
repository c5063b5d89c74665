//! `spoofctl explain`: read message headers and explain the service's decision and the lists' verdict.

use std::io::Read;
use std::path::Path;

use serde_json::json;
use spoofctl::explain::explain;
use spoofctl::headers::{Stamps, split_mbox};
use spoofctl::matcher::Matcher;
use spoofctl::render;

use super::args::{ExplainArgs, Format};
use super::{Exit, fail, load_lists, out, stdout_style};

/// The most read from one message source: headers are kilobytes; a larger file is read up to here.
const MAX_MESSAGE_BYTES: u64 = 64 * 1024 * 1024;

/// Runs `explain`.
pub fn run(args: ExplainArgs) -> Exit {
    let today = match super::today(args.today.as_deref()) {
        Ok(d) => d,
        Err(exit) => return exit,
    };
    let mut sources = Vec::new();
    for path in &args.messages {
        match read(path) {
            Ok(bytes) => sources.push((path.display().to_string(), bytes)),
            Err(e) => return fail(format!("{}: {e}", path.display())),
        }
    }
    let lists = match load_lists(&args.list) {
        Ok(l) => l,
        Err(exit) => return exit,
    };
    let matchers: Vec<Matcher<'_>> = lists.iter().map(|c| Matcher::new(&c.list)).collect();
    let style = stdout_style();
    let (mut exit, mut docs) = (Exit::Clean, Vec::new());
    for (name, bytes) in &sources {
        let messages = split_mbox(bytes);
        let several = messages.len() > 1;
        for (n, raw) in messages.into_iter().enumerate() {
            let source = if several { format!("{name} (message {})", n + 1) } else { name.clone() };
            let stamps = match Stamps::parse(raw) {
                Ok(s) if s.from.is_some() || !s.results.is_empty() || !s.antispam.is_empty() => s,
                _ => {
                    eprintln!("spoofctl: error: {source}: no message headers found (expected an .eml file, an mbox, or pasted headers)");
                    exit = Exit::Findings;
                    continue;
                }
            };
            let explanation = explain(stamps, &matchers, today);
            if explanation.message.is_none() {
                exit = Exit::Findings;
            }
            match args.format {
                Format::Text => {
                    out(&render::explain_text(&source, &explanation, style));
                    out("\n");
                }
                Format::Json => docs.push(render::explain_json(&source, &explanation)),
            }
        }
    }
    if args.format == Format::Json {
        out(&format!("{:#}\n", json!({"version": 1, "messages": docs})));
    }
    exit
}

fn read(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin().lock().take(MAX_MESSAGE_BYTES).read_to_end(&mut bytes)?;
    } else {
        std::fs::File::open(path)?.take(MAX_MESSAGE_BYTES).read_to_end(&mut bytes)?;
    }
    Ok(bytes)
}
