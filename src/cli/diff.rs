//! `spoofctl diff`: review a change between two versions of the lists.

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use spoofctl::engine::diff::diff;
use spoofctl::engine::matcher::Matcher;
use spoofctl::engine::replay::{Replay, Replaying};
use spoofctl::engine::scan::{all_cores, scan};
use spoofctl::model::date::Date;
use spoofctl::model::diagnostic::Severity;
use spoofctl::read::list_files::read_version;
use spoofctl::render::diff::{TenantReview, diff_json, diff_markdown, diff_text};
use spoofctl::render::{self};
use spoofctl::validate::pipeline::{Checked, check};

use super::args::{DiffArgs, DiffFormat};
use super::observe::{Opened, open};
use super::progress::Progress;
use super::{Exit, fail, out, shown, stderr_style, stdout_style, warn};

/// Reads and checks one version: tenant file name -> checked list, and whether it was named as one file. A malformed list stops the diff; lints
/// that a `policy:` raises to error do not (the review shows them).
fn version(spec: &str, today: Date) -> Result<(BTreeMap<String, Checked>, bool), Exit> {
    let version = read_version(spec).map_err(fail)?;
    let (files, single_file) = (version.files, version.single_file);
    let mut lists = BTreeMap::new();
    let mut bad = false;
    let mut progress = Progress::lists(files.len());
    for f in files {
        let checked = match f.text {
            Ok(text) => check(&f.shown, &text, today),
            Err(finding) => Checked::failed(&f.shown, vec![*finding]),
        };
        for d in checked.diagnostics.iter().filter(|d| d.severity == Severity::Error && !d.code.is_lint()) {
            progress.clear();
            eprintln!("{}", render::diagnostic(d, stderr_style()));
            bad = true;
        }
        lists.insert(f.name, checked);
        progress.update(lists.len() as u64);
    }
    drop(progress);
    if bad {
        warn(format!("spoofctl: {spec} has errors; fix them first (`spoofctl validate`)"));
        return Err(Exit::Findings);
    }
    Ok((lists, single_file))
}

/// Runs `diff`.
pub fn run(args: DiffArgs) -> Exit {
    let today = match super::today(args.today.as_deref()) {
        Ok(d) => d,
        Err(exit) => return exit,
    };
    let ((mut old, old_file), (new, new_file)) = match (version(&args.old, today), version(&args.new, today)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    // Two single files are two versions of one tenant, whatever their names; folders pair by file name.
    if old_file
        && new_file
        && let (Some(o), Some(n)) = (old.keys().next().cloned(), new.keys().next().cloned())
        && o != n
        && let Some(list) = old.remove(&o)
    {
        old.insert(n, list);
    }
    // Tenants pair by file name; one that exists on one side only is all added or all removed.
    // A tenant on one side only is compared with an empty list.
    let empty = Checked::failed(std::path::Path::new("(no file)"), Vec::new());
    let names: Vec<&String> =
        old.keys().chain(new.keys()).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    let pairs: Vec<(&str, &Checked, &Checked)> =
        names.iter().map(|n| (n.as_str(), old.get(*n).unwrap_or(&empty), new.get(*n).unwrap_or(&empty))).collect();
    let mut reviews: Vec<TenantReview<'_>> = pairs
        .iter()
        .map(|(name, o, n)| {
            let mut label = name.to_string();
            if !old.contains_key(*name) {
                label.push_str(" (new tenant file)");
            } else if !new.contains_key(*name) {
                label.push_str(" (tenant file removed)");
            }
            TenantReview { diff: diff(&label, &o.list, &n.list, &o.diagnostics, &n.diagnostics), replay: None }
        })
        .collect();
    if let Some(path) = &args.observations
        && let Err(exit) = replay(path, &pairs, &mut reviews)
    {
        return exit;
    }
    match args.format {
        DiffFormat::Text => out(&diff_text(&reviews, stdout_style())),
        DiffFormat::Markdown => out(&diff_markdown(&reviews)),
        DiffFormat::Json => out(&format!("{:#}\n", diff_json(&reviews))),
    }
    let changed = reviews.iter().any(|r| !r.diff.is_empty());
    if args.exit_code && changed { Exit::Findings } else { Exit::Clean }
}

/// Streams the observations once through every tenant's old and new lists, on every core ([`scan`]).
fn replay(
    path: &std::path::Path,
    pairs: &[(&str, &Checked, &Checked)],
    reviews: &mut [TenantReview<'_>],
) -> Result<(), Exit> {
    let Opened { reader, mut progress, .. } = open(path, false)?;
    let tenants: Vec<(Matcher<'_>, Matcher<'_>)> =
        pairs.iter().map(|(_, o, n)| (Matcher::new(&o.list), Matcher::new(&n.list))).collect();
    let mut replays = vec![Replay::default(); pairs.len()];
    let scanned = scan(reader, &Replaying { tenants: &tenants }, all_cores(), |batch| {
        batch.results.count(&mut replays);
        progress.update(batch.records);
        ControlFlow::Continue(())
    });
    drop(progress);
    if let Some(e) = scanned.failure {
        warn(format!("spoofctl: error: {}: {e}", shown(path)));
        return Err(Exit::Findings);
    }
    if scanned.skipped > 0 {
        warn(format!(
            "{}: {} rows skipped for errors (see `spoofctl match --observations`)",
            shown(path),
            scanned.skipped
        ));
    }
    for (review, replay) in reviews.iter_mut().zip(replays) {
        review.replay = Some(replay);
    }
    Ok(())
}
