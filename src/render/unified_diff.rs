//! Unified diffs of two texts, line by line, as `diff -u` and `rustfmt --check` print them: `--- old` and
//! `+++ new`, then hunks of changed lines with three lines of context. `fmt --check` shows with it what it
//! would change, and `add` what it changed.
//!
//! Lines are compared with their line ends, and shown through [`escaped`], so a difference a terminal would
//! hide is visible: a CRLF line end shows as `\r`, a byte-order mark as `\u{feff}`, and a last line without
//! a line end is followed by `\ No newline at end of file`, as `diff` says it.

use std::fmt::Write as _;

use crate::model::characters::escaped;

/// Lines of unchanged text shown before and after each change, as `diff -u` shows.
const CONTEXT: usize = 3;

/// Past this many edits (lines removed plus lines added, after the common start and end), the middle of the
/// two texts is shown as one replacement. The shortest-edit search keeps a row of positions per edit, so this
/// bounds its memory (about a million positions); the diff stays correct, only no longer the shortest. A list
/// rewritten from CRLF to LF, the usual large change, is a replacement of every line anyway.
const MAX_EDITS: usize = 1000;

/// One step of an edit script, turning the old lines into the new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edit {
    /// The line is in both.
    Keep,
    /// The old line is removed.
    Delete,
    /// The new line is added.
    Insert,
}

/// The unified diff that turns `old_text` (named `old_name`) into `new_text` (named `new_name`); empty when
/// the texts are equal.
pub fn unified(old_name: &str, new_name: &str, old_text: &str, new_text: &str) -> String {
    if old_text == new_text {
        return String::new();
    }
    let old: Vec<&str> = old_text.split_inclusive('\n').collect();
    let new: Vec<&str> = new_text.split_inclusive('\n').collect();
    let script = edits(&old, &new);
    let mut out = format!("--- {}\n+++ {}\n", escaped(old_name), escaped(new_name));
    // The old and new line index at which each edit stands.
    let mut at = Vec::with_capacity(script.len() + 1);
    let (mut i, mut j) = (0, 0);
    for edit in &script {
        at.push((i, j));
        match edit {
            Edit::Keep => (i, j) = (i + 1, j + 1),
            Edit::Delete => i += 1,
            Edit::Insert => j += 1,
        }
    }
    at.push((i, j));
    let mut next = 0;
    while let Some(first) = script[next..].iter().position(|e| *e != Edit::Keep).map(|p| p + next) {
        let start = first.saturating_sub(CONTEXT).max(next);
        let mut end = first;
        // Changes closer than twice the context share a hunk, as in `diff -u`.
        loop {
            while end < script.len() && script[end] != Edit::Keep {
                end += 1;
            }
            let kept = script[end..].iter().take_while(|e| **e == Edit::Keep).count();
            if end + kept < script.len() && kept <= 2 * CONTEXT {
                end += kept;
            } else {
                break;
            }
        }
        let stop = (end + CONTEXT).min(script.len());
        let (old_at, new_at) = at[start];
        let (old_end, new_end) = at[stop];
        let _ = writeln!(out, "@@ -{} +{} @@", range(old_at, old_end - old_at), range(new_at, new_end - new_at));
        let (mut i, mut j) = (old_at, new_at);
        for edit in &script[start..stop] {
            let (mark, line) = match edit {
                Edit::Keep => (' ', old[i]),
                Edit::Delete => ('-', old[i]),
                Edit::Insert => ('+', new[j]),
            };
            match edit {
                Edit::Keep => (i, j) = (i + 1, j + 1),
                Edit::Delete => i += 1,
                Edit::Insert => j += 1,
            }
            match line.strip_suffix('\n') {
                Some(body) => {
                    let _ = writeln!(out, "{mark}{}", escaped(body));
                }
                None => {
                    let _ = writeln!(out, "{mark}{}\n\\ No newline at end of file", escaped(line));
                }
            }
        }
        next = stop;
    }
    out
}

/// A hunk's range as `diff -u` writes it: `start,count` from line 1, `start` alone for one line, and the line
/// before for none.
fn range(from: usize, count: usize) -> String {
    match count {
        0 => format!("{from},0"),
        1 => format!("{}", from + 1),
        _ => format!("{},{count}", from + 1),
    }
}

/// An edit script from `old` to `new`: the common start and end kept, and the shortest script between them.
fn edits(old: &[&str], new: &[&str]) -> Vec<Edit> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..].iter().rev().zip(new[prefix..].iter().rev()).take_while(|(a, b)| a == b).count();
    let mut script = vec![Edit::Keep; prefix];
    script.extend(shortest(&old[prefix..old.len() - suffix], &new[prefix..new.len() - suffix]));
    script.extend(std::iter::repeat_n(Edit::Keep, suffix));
    align(&mut script, old, new);
    script
}

/// Moves each run of only added (or only removed) lines that could stand at several places so that it ends
/// at a blank line, the lowest such place, as git's compaction heuristic does: an entry added with the blank
/// line after it, between two entries that start alike, shows as the whole entry rather than the end of one
/// and the start of the next. A run with no blank-ended place stays where the search put it.
fn align(script: &mut [Edit], old: &[&str], new: &[&str]) {
    let blank = |line: &str| line.trim().is_empty();
    // `i` and `j`: the old and new line at which `script[s]` stands.
    let (mut s, mut i, mut j) = (0, 0, 0);
    while s < script.len() {
        let kind = script[s];
        let len = script[s..].iter().take_while(|e| **e == kind).count();
        let pure = kind != Edit::Keep && script.get(s + len).is_none_or(|e| *e == Edit::Keep);
        if !pure {
            match kind {
                Edit::Keep => (i, j) = (i + len, j + len),
                Edit::Delete => i += len,
                Edit::Insert => j += len,
            }
            s += len;
            continue;
        }
        let (lines, at) = if kind == Edit::Delete { (old, i) } else { (new, j) };
        // The run can move up over the kept lines above whose line equals its last, and down likewise.
        let mut up = 0;
        while up < s && up < at && script[s - up - 1] == Edit::Keep && lines[at - up - 1] == lines[at + len - up - 1] {
            up += 1;
        }
        let mut down = 0;
        while script.get(s + len + down) == Some(&Edit::Keep) && lines.get(at + len + down) == Some(&lines[at + down]) {
            down += 1;
        }
        // The lowest place where the run ends at a blank line, as a shift from `s - up`.
        let shift = (0..=up + down).rev().find(|k| blank(lines[at - up + k + len - 1])).unwrap_or(up);
        let start = s - up + shift;
        let (from, to) = (s.min(start), (s + len).max(start + len));
        script[from..to].fill(Edit::Keep);
        script[start..start + len].fill(kind);
        // Only kept lines lie between the run's old and new place, so both texts move by the same count.
        (i, j) = if start >= s { (i + (start - s), j + (start - s)) } else { (i - (s - start), j - (s - start)) };
        match kind {
            Edit::Delete => i += len,
            _ => j += len,
        }
        s = start + len;
    }
}

/// The shortest edit script from `a` to `b` (Myers, "An O(ND) Difference Algorithm and Its Variations",
/// 1986): for each number of edits `d`, the furthest reach on each diagonal `k = x - y`, kept per `d` so the
/// path can be walked back. Past [`MAX_EDITS`], every line of `a` removed and every line of `b` added.
fn shortest(a: &[&str], b: &[&str]) -> Vec<Edit> {
    let replace = || [vec![Edit::Delete; a.len()], vec![Edit::Insert; b.len()]].concat();
    let (n, m) = (to_signed(a.len()), to_signed(b.len()));
    let limit = to_signed(MAX_EDITS).min(n + m);
    // The reach on diagonal k is stored at `k + offset`; diagonals run from -limit-1 to limit+1.
    let offset = limit + 1;
    let mut reach = vec![0isize; to_index(2 * offset + 1)];
    // `rows[d]` holds `reach` for diagonals -d-1..=d+1 as it stood before step d.
    let mut rows: Vec<Vec<isize>> = Vec::new();
    let mut found = None;
    'search: for d in 0..=limit {
        rows.push(reach[to_index(offset - d - 1)..=to_index(offset + d + 1)].to_vec());
        for k in (-d..=d).step_by(2) {
            let at = |k: isize| reach[to_index(k + offset)];
            let mut x = if k == -d || (k != d && at(k - 1) < at(k + 1)) { at(k + 1) } else { at(k - 1) + 1 };
            let mut y = x - k;
            while x < n && y < m && a[to_index(x)] == b[to_index(y)] {
                x += 1;
                y += 1;
            }
            reach[to_index(k + offset)] = x;
            if x >= n && y >= m {
                found = Some(d);
                break 'search;
            }
        }
    }
    let Some(total) = found else { return replace() };
    let mut script = Vec::with_capacity(a.len() + b.len());
    let (mut x, mut y) = (n, m);
    for d in (0..=total).rev() {
        let row = &rows[to_index(d)];
        // Row d starts at diagonal -d-1.
        let at = |k: isize| row[to_index(k + d + 1)];
        let k = x - y;
        let previous = if k == -d || (k != d && at(k - 1) < at(k + 1)) { k + 1 } else { k - 1 };
        let previous_x = at(previous);
        let previous_y = previous_x - previous;
        while x > previous_x && y > previous_y {
            script.push(Edit::Keep);
            x -= 1;
            y -= 1;
        }
        if d > 0 {
            script.push(if x == previous_x { Edit::Insert } else { Edit::Delete });
            (x, y) = (previous_x, previous_y);
        }
    }
    script.reverse();
    script
}

/// A line count as a signed position: texts are bounded by the file size limit, far below `isize::MAX`.
fn to_signed(n: usize) -> isize {
    isize::try_from(n).unwrap_or(isize::MAX)
}

/// A position known to be non-negative, as an index.
fn to_index(n: isize) -> usize {
    usize::try_from(n).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies an edit script: keeps and inserts give the new text, keeps and deletes the old.
    fn apply(script: &[Edit], old: &[&str], new: &[&str]) -> (Vec<String>, Vec<String>) {
        let (mut i, mut j, mut from, mut to) = (0, 0, Vec::new(), Vec::new());
        for e in script {
            match e {
                Edit::Keep => {
                    assert_eq!(old[i], new[j]);
                    from.push(old[i].to_string());
                    to.push(new[j].to_string());
                    i += 1;
                    j += 1;
                }
                Edit::Delete => {
                    from.push(old[i].to_string());
                    i += 1;
                }
                Edit::Insert => {
                    to.push(new[j].to_string());
                    j += 1;
                }
            }
        }
        (from, to)
    }

    /// The script turns the old lines into the new, with the fewest edits a longest common subsequence gives.
    #[test]
    fn scripts_are_correct_and_shortest() {
        let cases: [(&str, &str, usize); 8] = [
            ("", "", 0),
            ("a", "", 1),
            ("", "a b", 2),
            ("a b c", "a b c", 0),
            ("a b c a b b a", "c b a b a c", 5),
            ("a b c d", "b c d e", 2),
            ("x y", "y x", 2),
            ("a b c d e f", "a x c d y f", 4),
        ];
        for (old, new, edits_expected) in cases {
            let old: Vec<&str> = old.split_whitespace().collect();
            let new: Vec<&str> = new.split_whitespace().collect();
            let script = edits(&old, &new);
            let (from, to) = apply(&script, &old, &new);
            assert_eq!(from, old, "{old:?} -> {new:?}");
            assert_eq!(to, new, "{old:?} -> {new:?}");
            assert_eq!(script.iter().filter(|e| **e != Edit::Keep).count(), edits_expected, "{old:?} -> {new:?}");
        }
    }

    /// The length of a longest common subsequence, by the textbook table.
    fn lcs(a: &[&str], b: &[&str]) -> usize {
        let mut table = vec![vec![0; b.len() + 1]; a.len() + 1];
        for i in 0..a.len() {
            for j in 0..b.len() {
                table[i + 1][j + 1] = if a[i] == b[j] { table[i][j] + 1 } else { table[i][j + 1].max(table[i + 1][j]) };
            }
        }
        table[a.len()][b.len()]
    }

    proptest::proptest! {
        /// Any two line sequences: the script turns one into the other and keeps a longest common subsequence.
        #[test]
        fn scripts_keep_a_longest_common_subsequence(
            old in proptest::collection::vec("[ab ]", 0..30),
            new in proptest::collection::vec("[ab ]", 0..30),
        ) {
            let old: Vec<&str> = old.iter().map(String::as_str).collect();
            let new: Vec<&str> = new.iter().map(String::as_str).collect();
            let script = edits(&old, &new);
            let (from, to) = apply(&script, &old, &new);
            proptest::prop_assert_eq!(from, old.clone());
            proptest::prop_assert_eq!(to, new.clone());
            proptest::prop_assert_eq!(script.iter().filter(|e| **e == Edit::Keep).count(), lcs(&old, &new));
        }
    }

    /// Past the edit bound, the middle is one replacement, still turning old into new.
    #[test]
    fn a_large_change_is_one_replacement() {
        let old: Vec<String> = (0..MAX_EDITS).map(|i| format!("o{i}")).collect();
        let new: Vec<String> = (0..MAX_EDITS).map(|i| format!("n{i}")).collect();
        let old: Vec<&str> = old.iter().map(String::as_str).collect();
        let new: Vec<&str> = new.iter().map(String::as_str).collect();
        let script = edits(&old, &new);
        assert_eq!(script, [vec![Edit::Delete; MAX_EDITS], vec![Edit::Insert; MAX_EDITS]].concat());
    }

    /// An entry added with its blank line, between entries that start alike, shows whole: the added lines end
    /// at the blank line, not one line further down.
    #[test]
    fn added_lines_end_at_a_blank_line() {
        let old = "- a: 1\n  b: 2\n\n- a: 1\n  b: 3\n";
        let new = "- a: 1\n  b: 2\n\n- a: 1\n  b: 9\n\n- a: 1\n  b: 3\n";
        assert_eq!(
            unified("x", "x", old, new),
            "--- x\n+++ x\n@@ -1,5 +1,8 @@\n - a: 1\n   b: 2\n \n+- a: 1\n+  b: 9\n+\n - a: 1\n   b: 3\n"
        );
        // Removed likewise.
        assert_eq!(
            unified("x", "x", new, old),
            "--- x\n+++ x\n@@ -1,8 +1,5 @@\n - a: 1\n   b: 2\n \n-- a: 1\n-  b: 9\n-\n - a: 1\n   b: 3\n"
        );
    }

    /// Equal texts give no diff.
    #[test]
    fn equal_texts_give_nothing() {
        assert_eq!(unified("a", "b", "x\ny\n", "x\ny\n"), "");
    }

    /// Hunks carry three lines of context; changes further apart than six lines get hunks of their own.
    #[test]
    fn hunks_with_three_lines_of_context() {
        let old: String = (1..=20).map(|i| format!("{i}\n")).collect();
        let new = old.replace("\n2\n", "\ntwo\n").replace("\n17\n", "\n17\nseventeen and a half\n");
        assert_eq!(
            unified("old.yaml", "new.yaml", &old, &new),
            "--- old.yaml\n+++ new.yaml\n\
             @@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n\
             @@ -15,6 +15,7 @@\n 15\n 16\n 17\n+seventeen and a half\n 18\n 19\n 20\n"
        );
        // Six unchanged lines between two changes: one hunk.
        let new = old.replace("\n3\n", "\nthree\n").replace("\n10\n", "\nten\n");
        assert_eq!(
            unified("a", "b", &old, &new),
            "--- a\n+++ b\n@@ -1,13 +1,13 @@\n 1\n 2\n-3\n+three\n 4\n 5\n 6\n 7\n 8\n 9\n-10\n+ten\n 11\n 12\n 13\n"
        );
    }

    /// A file's start or end, added to or taken from, with `diff -u`'s ranges.
    #[test]
    fn ranges_at_the_edges() {
        assert_eq!(unified("a", "b", "", "x\n"), "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n");
        assert_eq!(unified("a", "b", "x\n", ""), "--- a\n+++ b\n@@ -1 +0,0 @@\n-x\n");
        assert_eq!(unified("a", "b", "x\ny\n", "x\n"), "--- a\n+++ b\n@@ -1,2 +1 @@\n x\n-y\n");
    }

    /// Differences a terminal hides are shown: CRLF line ends, a byte-order mark, a missing last line end.
    #[test]
    fn invisible_differences_are_visible() {
        assert_eq!(
            unified("a", "b", "\u{FEFF}x: 1\r\ny: 2\r\n", "x: 1\ny: 2\n"),
            "--- a\n+++ b\n@@ -1,2 +1,2 @@\n-\\u{feff}x: 1\\r\n-y: 2\\r\n+x: 1\n+y: 2\n"
        );
        assert_eq!(
            unified("a", "b", "x\ny", "x\ny\n"),
            "--- a\n+++ b\n@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+y\n"
        );
    }

    /// A value cannot forge a line of the diff: escape sequences and names are escaped.
    #[test]
    fn hostile_lines_are_escaped() {
        let diff = unified("a\x1b[2J", "b", "x\n", "\x1b[31mred\n");
        assert!(!diff.contains('\x1b'), "{diff:?}");
    }
}
