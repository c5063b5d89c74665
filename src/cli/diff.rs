//! `spoofctl diff`: review a change between two versions of the lists.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::ops::ControlFlow;
use std::path::Path;

use serde_json::Value;
use spoofctl::engine::diff::diff;
use spoofctl::engine::matcher::Matcher;
use spoofctl::engine::replay::{Replay, Replaying};
use spoofctl::engine::scan::{all_cores, scan};
use spoofctl::model::characters::escaped;
use spoofctl::model::date::Date;
use spoofctl::read::list_files::{VersionEntry, VersionError, VersionListing, list_version};
use spoofctl::render::diff::{
    TenantReview, change_counts, diff_json, diff_markdown, diff_markdown_head, diff_text, diff_text_total,
};
use spoofctl::render::{Style, plural};
use spoofctl::validate::pipeline::{Checked, check};

use super::args::{DiffArgs, DiffFormat};
use super::observe::{Opened, open};
use super::progress::Progress;
use super::tenants::{self, Spool, Stdout};
use super::{Exit, error, fail, out, shown, stdout_style, warn};

/// One side of a tenant's pair, as a worker found it.
enum Side {
    /// The version has no file of this name.
    Absent,
    /// The file could not be read: the version cannot be read.
    Failed(VersionError),
    /// Checked (errors and all: the review shows them).
    Checked(Box<Checked>),
}

impl Side {
    fn read(entry: Option<&VersionEntry>, today: Date) -> Side {
        let Some(entry) = entry else { return Side::Absent };
        let file = match entry.read() {
            Ok(f) => f,
            Err(e) => return Side::Failed(e),
        };
        Side::Checked(Box::new(match file.text {
            Ok(text) => check(&file.shown, &text, today),
            Err(finding) => Checked::failed(&file.shown, vec![*finding]),
        }))
    }

    /// The side without its list, once the tenant is reviewed.
    fn dropped(self) -> Side {
        match self {
            Side::Checked(c) => Side::Checked(Box::new(Checked::failed(&c.list.path, Vec::new()))),
            other => other,
        }
    }

    fn list_or<'a>(&'a self, empty: &'a Checked) -> &'a Checked {
        match self {
            Side::Checked(c) => c,
            _ => empty,
        }
    }

    fn failed(&self) -> bool {
        matches!(self, Side::Failed(_))
    }
}

/// A tenant's file in each version, paired by name.
struct Pair<'a> {
    name: String,
    old: Option<&'a VersionEntry>,
    new: Option<&'a VersionEntry>,
}

/// The first file of a version that could not be read, in file order: it stops the diff.
#[derive(Default)]
struct Found {
    failure: Option<VersionError>,
}

impl Found {
    fn add(&mut self, side: &mut Side) {
        match std::mem::replace(side, Side::Absent) {
            Side::Failed(e) => {
                self.failure.get_or_insert(e);
            }
            other => *side = other,
        }
    }
}

/// A tenant's review, rendered on a worker, and its counts.
struct Rendered {
    text: String,
    changes: usize,
    risky: usize,
    changed: bool,
    /// Errors the change introduces.
    introduced: usize,
    /// JSON: the review's `version` and `total` (its counts, `tenants: 1`), which add up to the whole review's.
    json_head: Option<(Value, Value)>,
}

/// What a worker hands back for a tenant: both sides as read, and the review when both are well formed
/// (the lists themselves only when observations are replayed through all of them at the end).
struct Reviewed {
    old: Side,
    new: Side,
    review: Option<Rendered>,
}

/// The colours of the review (stdout) and of the errors (stderr).
#[derive(Clone, Copy)]
struct Styles {
    stdout: Style,
}

/// The label of a tenant in the review: a file that exists on one side only says so.
fn label(pair: &Pair<'_>) -> String {
    match (pair.old, pair.new) {
        (None, _) => format!("{} (new tenant file)", pair.name),
        (_, None) => format!("{} (tenant file removed)", pair.name),
        _ => pair.name.clone(),
    }
}

/// Reads, checks, diffs and renders one tenant, on a worker. With `keep`, the lists are kept for the replay
/// and nothing is rendered.
fn review(pair: &Pair<'_>, today: Date, format: DiffFormat, keep: bool, styles: Styles) -> Reviewed {
    let (old, new) = (Side::read(pair.old, today), Side::read(pair.new, today));
    if keep {
        return Reviewed { old, new, review: None };
    }
    if old.failed() || new.failed() {
        return Reviewed { old, new, review: None };
    }
    // A tenant on one side only is compared with an empty list.
    let empty = Checked::failed(Path::new("(no file)"), Vec::new());
    let (o, n) = (old.list_or(&empty), new.list_or(&empty));
    let mut diff = diff(&label(pair), &o.list, &n.list, &o.diagnostics, &n.diagnostics);
    if matches!(old, Side::Absent) || matches!(new, Side::Absent) {
        diff = diff.of_added_or_removed_file();
    }
    let introduced = diff.new_errors.len();
    let (changes, risky) = change_counts(&diff);
    let changed = !diff.is_empty();
    let one = [TenantReview { diff, replay: None }];
    let (text, json_head) = match format {
        DiffFormat::Text => (diff_text(&one, styles.stdout), None),
        DiffFormat::Markdown => {
            let whole = diff_markdown(&one);
            let head = diff_markdown_head(changes, 1, risky);
            (whole.strip_prefix(&head).map_or_else(|| whole.clone(), str::to_string), None)
        }
        DiffFormat::Json => {
            // The review of this one tenant, taken apart: its members are the whole review's, in order.
            let value = serde_json::to_value(diff_json(&one)).unwrap_or_default();
            let tenant = value["tenants"].as_array().and_then(|t| t.first()).cloned().unwrap_or_default();
            (
                format!("    {}", tenants::pretty_at(&tenant, 4)),
                Some((value["version"].clone(), value["total"].clone())),
            )
        }
    };
    drop(one);
    let review = Some(Rendered { text, changes, risky, changed, introduced, json_head });
    Reviewed { old: old.dropped(), new: new.dropped(), review }
}

/// Runs `diff`.
pub fn run(args: DiffArgs) -> Exit {
    let today = match super::today(args.today.as_deref()) {
        Ok(d) => d,
        Err(exit) => return exit,
    };
    // A version that cannot be listed is reported at once; the other is still read and checked, as before.
    let (old, new) = (list_version(&args.old), list_version(&args.new));
    let (mut old_found, mut new_found) = (Found::default(), Found::default());
    let old = old.map_err(|e| old_found.failure = Some(e)).ok();
    let new = new.map_err(|e| new_found.failure = Some(e)).ok();
    let pairs = pairs(old.as_ref(), new.as_ref());
    let files = old.as_ref().map_or(0, |v| v.files.len()) + new.as_ref().map_or(0, |v| v.files.len());
    let keep = args.observations.is_some();
    let (mut spool, mut changes, mut risky, mut changed, mut introduced) = (Spool::default(), 0, 0, false, 0);
    let mut json_head: Option<(Value, Option<Value>)> = None;
    let mut kept: Vec<(String, Checked, Checked)> = Vec::new();
    let mut progress = Progress::lists(files);
    let mut checked = 0;
    let styles = Styles { stdout: stdout_style() };
    let work = |pair: &Pair<'_>| review(pair, today, args.format, keep, styles);
    tenants::in_order(&pairs, tenants::workers(), work, |i, mut reviewed| {
        checked += usize::from(pairs[i].old.is_some()) + usize::from(pairs[i].new.is_some());
        progress.update(checked as u64);
        old_found.add(&mut reviewed.old);
        new_found.add(&mut reviewed.new);
        if old_found.failure.is_some() || new_found.failure.is_some() {
            return ControlFlow::Continue(());
        }
        if keep {
            let list = |side: Side| match side {
                Side::Checked(c) => *c,
                _ => Checked::failed(Path::new("(no file)"), Vec::new()),
            };
            kept.push((label(&pairs[i]), list(reviewed.old), list(reviewed.new)));
        }
        if let Some(r) = reviewed.review {
            match args.format {
                DiffFormat::Json => spool.push_element(&r.text),
                DiffFormat::Text | DiffFormat::Markdown => spool.push(&r.text),
            }
            (changes, risky, changed) = (changes + r.changes, risky + r.risky, changed || r.changed);
            introduced += r.introduced;
            if let Some((version, total)) = r.json_head {
                let (_, sum) = json_head.get_or_insert((version, None));
                tenants::add_counts(sum, &total);
            }
        }
        ControlFlow::Continue(())
    });
    drop(progress);
    if let Some(e) = old_found.failure.or(new_found.failure) {
        return fail(e);
    }
    if let Some(path) = &args.observations {
        return replayed(path, &kept, &args);
    }
    let mut out = Stdout::lock();
    let written = (|| -> std::io::Result<()> {
        match args.format {
            DiffFormat::Text => {
                spool.write_to(&mut out)?;
                if pairs.len() > 1 {
                    out.write_all(diff_text_total(changes, pairs.len(), risky).as_bytes())?;
                }
            }
            DiffFormat::Markdown => {
                out.write_all(diff_markdown_head(changes, pairs.len(), risky).as_bytes())?;
                spool.write_to(&mut out)?;
            }
            DiffFormat::Json => {
                let (version, total) = json_head.take().unwrap_or_default();
                let total = total.unwrap_or_default();
                write!(
                    out,
                    "{{\n  \"version\": {version},\n  \"total\": {},\n  \"tenants\": ",
                    tenants::pretty_at(&total, 2)
                )?;
                tenants::write_array(&mut out, spool)?;
                out.write_all(b"\n}\n")?;
            }
        }
        out.flush()
    })();
    if let Err(e) = written {
        return fail(format!("the review could not be kept until the end: {e}"));
    }
    if introduced > 0 {
        return introduced_errors(&args.new, introduced);
    }
    if args.exit_code && changed { Exit::Findings } else { Exit::Clean }
}

/// Says, on stderr, that NEW has errors the change introduces (the review shows them), and exits 1: only
/// these count against the change, not errors the base already had.
fn introduced_errors(new: &str, errors: usize) -> Exit {
    warn(format!(
        "spoofctl: {}: the change introduces {} (listed in the review; `spoofctl validate` has the hints)",
        escaped(new),
        plural(errors, "error")
    ));
    Exit::Findings
}

/// The tenants of both versions, paired by file name (sorted); two single files are two versions of one
/// tenant, whatever their names.
fn pairs<'a>(old: Option<&'a VersionListing>, new: Option<&'a VersionListing>) -> Vec<Pair<'a>> {
    let files = |v: Option<&'a VersionListing>| v.map_or(&[][..], |v| &v.files[..]);
    if let (Some(o), Some(n)) = (old, new)
        && o.single_file
        && n.single_file
        && let ([o], [n]) = (&o.files[..], &n.files[..])
    {
        return vec![Pair { name: n.name.clone(), old: Some(o), new: Some(n) }];
    }
    let by_name = |v| files(v).iter().map(|f| (f.name.as_str(), f)).collect::<BTreeMap<_, _>>();
    let (o, n) = (by_name(old), by_name(new));
    let names: BTreeSet<&str> = o.keys().chain(n.keys()).copied().collect();
    names
        .into_iter()
        .map(|name| Pair { name: name.to_string(), old: o.get(name).copied(), new: n.get(name).copied() })
        .collect()
}

/// The review with the observations replayed through every tenant's old and new lists: all the lists are
/// held, as one pass over the observations needs them all.
fn replayed(path: &Path, kept: &[(String, Checked, Checked)], args: &DiffArgs) -> Exit {
    let pairs: Vec<(&str, &Checked, &Checked)> = kept.iter().map(|(n, o, c)| (n.as_str(), o, c)).collect();
    let mut reviews: Vec<TenantReview<'_>> = pairs
        .iter()
        .map(|(label, o, n)| TenantReview {
            diff: diff(label, &o.list, &n.list, &o.diagnostics, &n.diagnostics),
            replay: None,
        })
        .collect();
    let skipped = match replay(path, &pairs, &mut reviews) {
        Ok(skipped) => skipped,
        Err(exit) => return exit,
    };
    match args.format {
        DiffFormat::Text => out(&diff_text(&reviews, stdout_style())),
        DiffFormat::Markdown => out(&diff_markdown(&reviews)),
        DiffFormat::Json => out(&format!("{:#}\n", diff_json(&reviews))),
    }
    let introduced: usize = reviews.iter().map(|r| r.diff.new_errors.len()).sum();
    if introduced > 0 {
        return introduced_errors(&args.new, introduced);
    }
    let changed = reviews.iter().any(|r| !r.diff.is_empty());
    // Rows skipped for errors make the replay incomplete: exit 1, as `match --observations` does.
    if skipped > 0 || (args.exit_code && changed) { Exit::Findings } else { Exit::Clean }
}

/// Streams the observations once through every tenant's old and new lists, on every core ([`scan`]); the
/// number of rows skipped for errors.
fn replay(
    path: &std::path::Path,
    pairs: &[(&str, &Checked, &Checked)],
    reviews: &mut [TenantReview<'_>],
) -> Result<u64, Exit> {
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
        error(format!("{}: {e}", shown(path)));
        return Err(Exit::Findings);
    }
    if scanned.skipped > 0 {
        warn(format!(
            "{}: {} skipped for errors (see `spoofctl match --observations`)",
            shown(path),
            plural(scanned.skipped, "row")
        ));
    }
    for (review, replay) in reviews.iter_mut().zip(replays) {
        review.replay = Some(replay);
    }
    Ok(scanned.skipped)
}
