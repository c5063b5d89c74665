//! `spoofctl add`, and `explain --add-to`: one entry into a list file, where `fmt` puts it, every other byte
//! of the file kept. The result is checked as `validate` checks it and written only without errors.

use std::path::Path;

use super::atomic;
use spoofctl::model::date::Date;
use spoofctl::model::diagnostic::Severity;
use spoofctl::model::entry::Entry;
use spoofctl::model::words::Word;
use spoofctl::read::list_files::{discover, read_text};
use spoofctl::read::raw_list::EntryKey;
use spoofctl::render::list_yaml::{AddError, add_entry, new_entry};
use spoofctl::render::unified_diff::unified;
use spoofctl::render::{self};
use spoofctl::validate::pipeline::{Checked, check};

use super::args::{AddArgs, EntryFields};
use super::{Exit, error, fail, out, shown, stderr_style, warn};

/// Runs `add`.
pub fn run(args: AddArgs) -> Exit {
    let today = match super::today(args.today.as_deref()) {
        Ok(d) => d,
        Err(exit) => return exit,
    };
    let mut values = vec![(EntryKey::Spoofed, args.spoofed.as_str()), (EntryKey::Infrastructure, &args.infrastructure)];
    if let Some(t) = &args.spoof_type {
        values.push((EntryKey::Type, t));
    }
    values.push((EntryKey::Action, &args.action));
    add(&args.list, &values, &args.fields, today)
}

/// `explain --add-to`: which of the loaded `lists` the file at `path` is.
pub fn list_among(path: &Path, lists: &[Checked]) -> Result<usize, Exit> {
    let same = |p: &Path| {
        p == path || std::fs::canonicalize(p).ok().is_some_and(|c| std::fs::canonicalize(path).ok() == Some(c))
    };
    lists.iter().position(|c| same(&c.list.path)).ok_or_else(|| {
        fail(format!("--add-to: {} is not one of the lists --list names; give one of them", shown(path)))
    })
}

/// `explain --add-to`: adds each entry suggested (the same ones [`add`] would make from their values).
pub fn add_suggested(path: &Path, suggested: &[Entry], fields: &EntryFields, today: Date) -> Exit {
    if suggested.is_empty() {
        error(format!("--add-to: no entry is suggested for {}; nothing was written", shown(path)));
        return Exit::Findings;
    }
    let mut exit = Exit::Clean;
    for entry in suggested {
        let values = [
            (EntryKey::Spoofed, entry.rule.spoofed().to_string()),
            (EntryKey::Infrastructure, entry.rule.infrastructure().to_string()),
            (EntryKey::Type, entry.spoof_type.list_word().to_string()),
            (EntryKey::Action, entry.action().list_word().to_string()),
        ];
        let values: Vec<(EntryKey, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        exit = exit.max(add(path, &values, fields, today));
    }
    exit
}

/// Adds the entry that `values` and `fields` make to the list file at `path`, as of `today`; prints the
/// file's diff, and the findings about the new entry.
pub fn add(path: &Path, values: &[(EntryKey, &str)], fields: &EntryFields, today: Date) -> Exit {
    if path.is_dir() {
        return fail(format!("{}: a folder; give the list file to add the entry to", shown(path)));
    }
    // The checks every command makes on a list path it is given (a link out of the current folder is
    // refused), so `add` writes no file `validate` and `fmt` would refuse to read.
    if let Err(e) = discover(&[path.to_path_buf()]) {
        return fail(e);
    }
    let text = match read_text(path) {
        Ok(t) => t,
        Err(e) => {
            return match e.into_finding() {
                Ok(finding) => {
                    eprintln!("{}", render::diagnostic(&finding, stderr_style()));
                    warn(format!("{}: cannot be read as a list; nothing was written", shown(path)));
                    Exit::Findings
                }
                Err(e) => fail(e),
            };
        }
    };
    let checked = check(path, &text, today);
    if checked.has_errors() {
        for d in checked.diagnostics.iter().filter(|d| d.severity == Severity::Error) {
            eprintln!("{}", render::diagnostic(d, stderr_style()));
        }
        error(format!(
            "{}: the list has errors; fix them first (`spoofctl validate`); nothing was written",
            shown(path)
        ));
        return Exit::Findings;
    }
    let optional = [
        (EntryKey::Reason, &fields.reason),
        (EntryKey::Owner, &fields.owner),
        (EntryKey::Ticket, &fields.ticket),
        (EntryKey::Expires, &fields.expires),
    ];
    let mut all = values.to_vec();
    all.extend(optional.iter().filter_map(|(k, v)| v.as_deref().map(|v| (*k, v))));
    let entry = match new_entry(&checked.list, &all) {
        Ok(e) => e,
        Err(errors) => {
            for (key, d) in errors {
                let flag = key.map_or("the entry".to_string(), |k| format!("--{}", k.name()));
                error(format!("{flag}: {}", d.message));
                if let Some(hint) = &d.hint {
                    warn(format!("  hint: {hint}"));
                }
            }
            warn(format!("{}: nothing was written", shown(path)));
            return Exit::Findings;
        }
    };
    let added = match add_entry(&checked, &text, &entry) {
        Ok(a) => a,
        Err(e) => {
            error(format!("{}: {e}; nothing was written", shown(path)));
            return if e == AddError::Misplaced { Exit::CannotRun } else { Exit::Findings };
        }
    };
    let after = check(path, &added.text, today);
    // The new entry's lines, 1-based, in the new file.
    let first = added.line + 1 + usize::from(added.replaced.is_some());
    let new_lines = first..first + added.inserted.lines().count();
    let style = stderr_style();
    for d in &after.diagnostics {
        if d.severity == Severity::Error || d.span.is_some_and(|s| new_lines.contains(&s.line)) {
            eprintln!("{}", render::diagnostic(d, style));
        }
    }
    if after.has_errors() {
        error(format!("{}: the list would have errors with this entry; nothing was written", shown(path)));
        return Exit::Findings;
    }
    if let Err(e) = atomic::replace(path, added.text.as_bytes()) {
        return fail(format!("{}: cannot write: {e}; nothing was written", shown(path)));
    }
    let name = path.display().to_string();
    out(&unified(&name, &name, &text, &added.text));
    Exit::Clean
}
