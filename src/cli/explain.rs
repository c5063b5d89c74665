//! `spoofctl explain`: read message headers and explain the service's decision and the lists' verdict.

use std::io::{BufRead, BufReader};
use std::path::Path;

use spoofctl::engine::admission::{Facts, admit};
use spoofctl::engine::explain::{Suggestion, explain};
use spoofctl::engine::matcher::Matcher;
use spoofctl::model::entry::Entry;
use spoofctl::read::headers::{HeaderBlocks, Stamps, header_fields};
use spoofctl::render;
use spoofctl::render::admission::{admission_json, admission_text};

use super::admission::json_with_admission;
use super::args::{ExplainArgs, Format};
use super::{Exit, error, fail, load_lists, open_input, out, stdout_style};

/// Runs `explain`.
pub fn run(args: ExplainArgs) -> Exit {
    let today = match super::today(args.today.as_deref()) {
        Ok(d) => d,
        Err(exit) => return exit,
    };
    if args.add_to.is_some() && args.format == Format::Json {
        return fail("--add-to prints the list file's diff: use it with --format text");
    }
    for path in &args.messages {
        if path.as_os_str() != "-"
            && let Err(exit) = open_input(path, "a message file")
        {
            return exit;
        }
    }
    let lists = match load_lists(&args.list, today, args.format == Format::Json) {
        Ok(l) => l,
        Err(exit) => return exit,
    };
    // --add-to: the list whose suggestions are added, and the entries suggested for it.
    let add_to = match args.add_to.as_deref().map(|p| super::add::list_among(p, &lists)).transpose() {
        Ok(i) => i,
        Err(exit) => return exit,
    };
    let mut suggested: Vec<Entry> = Vec::new();
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
        if is_outlook_msg(path) {
            error(format!(
                "{name}: an Outlook .msg file, not message headers; save the message as .eml \
                 (Outlook on the web: Download), or copy its headers (Outlook: File > Properties > Internet \
                 headers) and paste them: `spoofctl explain --list lists/ -`"
            ));
            exit = Exit::Findings;
            continue;
        }
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
                    error(format!(
                        "{source}: no message headers found (expected an .eml file, an mbox, or pasted headers)"
                    ));
                    exit = Exit::Findings;
                    continue;
                }
            };
            let explanation = explain(stamps, &matchers, today);
            if let Some(Suggestion::Entry(s)) = add_to.map(|i| &explanation.lists[i].suggestion)
                && !suggested.iter().any(|e| e.identity() == s.entry.identity())
            {
                suggested.push(s.entry.clone());
            }
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
            error(format!("{name}: no message headers found (the file is empty)"));
            exit = Exit::Findings;
        }
    }
    if args.format == Format::Json {
        out("\n]}\n");
    }
    match args.add_to {
        Some(path) => exit.max(super::add::add_suggested(&path, &suggested, &args.fields, today)),
        None => exit,
    }
}

/// Whether `path` is an Outlook `.msg` file: a .msg file is a Compound File Binary (MS-OXMSG), which starts
/// with the header signature `D0 CF 11 E0 A1 B1 1A E1` (MS-CFB 2.2, "Compound File Header",
/// https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-cfb/05060311-bfce-4b12-874d-71fd4ce63aea).
fn is_outlook_msg(path: &Path) -> bool {
    const SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    let mut start = [0u8; 8];
    path.as_os_str() != "-"
        && std::fs::File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut start)).is_ok()
        && start == SIGNATURE
}

fn open(path: &Path) -> std::io::Result<Box<dyn BufRead>> {
    Ok(if path.as_os_str() == "-" {
        Box::new(BufReader::new(std::io::stdin()))
    } else {
        Box::new(BufReader::new(std::fs::File::open(path)?))
    })
}
