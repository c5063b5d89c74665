//! `docs/walkthrough.md` stays true: every console command in it runs, in order, in a fresh folder holding
//! the files of `docs/walkthrough/` and nothing else (no repository: the page's first commands make it, as a
//! reader's would), and must print what the page shows; the list's schema line then resolves in that
//! repository.
//!
//! The page's conventions:
//! - a ```console block holds `$ command` lines, each followed by its output (stdout, then stderr), and a
//!   `? N` line first when the exit code is not 0; commands are `spoofctl`, `git`, `cat` and `mkdir`, and
//!   `> FILE` at the end of one writes its standard output to FILE (then only its errors are shown);
//! - `<!-- walkthrough: append PATH -->` before a ```yaml block appends the block to PATH (the edit the
//!   reader makes in an editor);
//! - `<!-- walkthrough: branch NAME -->` before a ```diff block commits that diff on a new branch NAME made
//!   from `main` (a colleague's pull request), leaving the current branch as it was.
//!
//! After changing spoofctl's output, `WALKTHROUGH=overwrite cargo test --test walkthrough` rewrites the
//! outputs in the page; read the diff before committing it.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

const PAGE: &str = "docs/walkthrough.md";
const FILES: &str = "docs/walkthrough";

/// A piece of the page: text kept as is, or a console block to run.
enum Piece {
    Text(String),
    Console(Vec<Step>),
}

struct Step {
    command: String,
    code: i32,
    output: String,
}

fn parse(page: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut lines = page.split_inclusive('\n').peekable();
    let mut text = String::new();
    while let Some(line) = lines.next() {
        if line.trim_end() != "```console" {
            text.push_str(line);
            continue;
        }
        text.push_str(line);
        pieces.push(Piece::Text(std::mem::take(&mut text)));
        let mut steps: Vec<Step> = Vec::new();
        for line in lines.by_ref() {
            if line.trim_end() == "```" {
                text.push_str(line);
                break;
            }
            if let Some(command) = line.strip_prefix("$ ") {
                steps.push(Step { command: command.trim_end().to_string(), code: 0, output: String::new() });
            } else if let Some(step) = steps.last_mut() {
                match line.trim_end().strip_prefix("? ").map(str::parse::<i32>) {
                    Some(Ok(code)) if step.output.is_empty() => step.code = code,
                    _ => step.output.push_str(line),
                }
            } else {
                panic!("{PAGE}: output before any `$ ` command: {line}");
            }
        }
        pieces.push(Piece::Console(steps));
    }
    pieces.push(Piece::Text(text));
    pieces
}

fn render(pieces: &[Piece]) -> String {
    let mut page = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => page.push_str(t),
            Piece::Console(steps) => {
                for s in steps {
                    page.push_str(&format!("$ {}\n", s.command));
                    if s.code != 0 {
                        page.push_str(&format!("? {}\n", s.code));
                    }
                    page.push_str(&s.output);
                }
            }
        }
    }
    page
}

/// Splits a command line into words; double quotes group words.
fn words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in command.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            _ => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    /// A folder holding the page's files, not yet a repository: the page makes it one.
    fn new() -> Repo {
        let dir = tempfile::tempdir().expect("tempdir");
        copy_dir(Path::new(FILES), dir.path());
        Repo { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self, program: &str) -> Command {
        let mut c = common::git::in_repository(program, self.path());
        c.env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Admin")
            .env("GIT_AUTHOR_EMAIL", "admin@contoso.com")
            .env("GIT_COMMITTER_NAME", "Admin")
            .env("GIT_COMMITTER_EMAIL", "admin@contoso.com")
            .env("GIT_AUTHOR_DATE", "2026-11-22T10:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-11-22T10:00:00Z")
            .env("NO_COLOR", "1");
        c
    }

    fn git(&self, args: &[&str]) {
        let out = self.command("git").args(args).output().expect("git runs");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Runs one `$` line: its exit code, and stdout followed by stderr (stderr only when stdout goes to a
    /// file with `> FILE`).
    fn run(&self, command: &str) -> (i32, String) {
        let mut words = words(command);
        let target = match words.iter().position(|w| w == ">") {
            Some(at) if at + 2 == words.len() => words.pop().map(|file| self.path().join(file)),
            Some(_) => panic!("{PAGE}: `>` must come last, before one file name: {command}"),
            None => None,
        };
        words.retain(|w| w != ">");
        let (program, args) = words.split_first().expect("a command");
        let output = match program.as_str() {
            "spoofctl" => self.command(env!("CARGO_BIN_EXE_spoofctl")).args(args).output(),
            "git" | "cat" | "mkdir" => self.command(program).args(args).output(),
            other => panic!("{PAGE}: `{other}` is not a command the walk-through runs (spoofctl, git, cat, mkdir)"),
        }
        .expect("the command runs");
        let mut text = match target {
            Some(file) => {
                std::fs::write(file, &output.stdout).expect("write the redirected output");
                String::new()
            }
            None => String::from_utf8_lossy(&output.stdout).into_owned(),
        };
        text.push_str(&String::from_utf8_lossy(&output.stderr));
        (output.status.code().unwrap_or(-1), text)
    }

    /// Commits `patch` on a new branch `name` made from `main`, and comes back.
    fn branch(&self, name: &str, patch: &str) {
        let worktree = self.path().join(".worktree");
        let tree = worktree.to_str().expect("path");
        self.git(&["worktree", "add", "-q", "-b", name, tree, "main"]);
        let patch_file = self.path().join(".patch");
        std::fs::write(&patch_file, patch).expect("write patch");
        let apply = self
            .command("git")
            .current_dir(&worktree)
            .args(["apply", "--recount"])
            .arg(&patch_file)
            .output()
            .expect("git");
        assert!(
            apply.status.success(),
            "{PAGE}: the diff for {name} does not apply: {}",
            String::from_utf8_lossy(&apply.stderr)
        );
        let commit =
            self.command("git").current_dir(&worktree).args(["commit", "-q", "-am", name]).output().expect("git");
        assert!(commit.status.success(), "{}", String::from_utf8_lossy(&commit.stderr));
        self.git(&["worktree", "remove", tree]);
        std::fs::remove_file(patch_file).expect("remove patch");
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// The fenced block right after a directive, and its directive.
fn directives(page: &str) -> Vec<(usize, String, String)> {
    let mut found = Vec::new();
    let lines: Vec<&str> = page.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let Some(directive) = line.strip_prefix("<!-- walkthrough: ").and_then(|l| l.strip_suffix(" -->")) else {
            continue;
        };
        assert!(
            lines.get(i + 1).is_some_and(|l| l.starts_with("```")),
            "{PAGE}:{}: a directive must precede a fenced block",
            i + 1
        );
        let body: Vec<&str> = lines[i + 2..].iter().take_while(|l| **l != "```").copied().collect();
        found.push((i, directive.to_string(), body.iter().map(|l| format!("{l}\n")).collect()));
    }
    found
}

/// Runs every command of `page` in a fresh repository: the page with the outputs the commands printed, and
/// a description of each difference from what the page showed.
fn replay(page: &str) -> (String, Vec<String>, Repo) {
    let repo = Repo::new();
    let mut pieces = parse(page);
    let directives = directives(page);
    // Directives are applied when the text before a console block has passed them.
    let mut line = 0usize;
    let mut applied = 0usize;
    let mut failures = Vec::new();
    for piece in &mut pieces {
        match piece {
            Piece::Text(text) => {
                line += text.lines().count();
                while let Some((at, directive, body)) = directives.get(applied).filter(|(at, _, _)| *at < line) {
                    match directive.split_once(' ') {
                        Some(("append", path)) => {
                            let path: PathBuf = repo.path().join(path);
                            let mut text = std::fs::read_to_string(&path).expect("file to append to");
                            text.push_str(body);
                            std::fs::write(&path, text).expect("append");
                        }
                        Some(("branch", name)) => repo.branch(name, body),
                        _ => failures.push(format!("line {}: unknown directive `{directive}`", at + 1)),
                    }
                    applied += 1;
                }
            }
            Piece::Console(steps) => {
                for step in steps.iter_mut() {
                    line += 1 + usize::from(step.code != 0) + step.output.lines().count();
                    let (code, output) = repo.run(&step.command);
                    let trimmed = |s: &str| s.trim_end().to_string();
                    if code != step.code || trimmed(&output) != trimmed(&step.output) {
                        failures.push(format!(
                            "$ {}\n--- the page shows (exit {}):\n{}\n--- it printed (exit {code}):\n{output}",
                            step.command, step.code, step.output
                        ));
                    }
                    step.code = code;
                    step.output =
                        if output.trim().is_empty() { String::new() } else { format!("{}\n\n", output.trim_end()) };
                }
            }
        }
    }
    if applied != directives.len() {
        failures.push("a directive after the last console block is never applied".to_string());
    }
    (render(&pieces), failures, repo)
}

/// Where the `# yaml-language-server: $schema=PATH` line of the list file at `list` points, if it has one.
fn schema_of(list: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(list).expect("the list");
    let line = text.lines().find_map(|l| l.strip_prefix("# yaml-language-server: $schema="))?;
    Some(list.parent().expect("a folder").join(line.trim()))
}

#[test]
fn walkthrough_commands_print_what_the_page_shows() {
    let page = std::fs::read_to_string(PAGE).expect("the walk-through");
    let (refreshed, failures, repo) = replay(&page);
    // The list's schema line points into the reader's repository, at the file the page made there.
    let schema = schema_of(&repo.path().join("lists/contoso.yaml")).expect("the list has a schema line");
    let held = std::fs::read_to_string(&schema).unwrap_or_else(|e| panic!("{}: {e}", schema.display()));
    assert!(held.contains("\"$schema\""), "{} is not the JSON Schema", schema.display());
    if std::env::var("WALKTHROUGH").is_ok_and(|v| v == "overwrite") {
        std::fs::write(PAGE, refreshed).expect("rewrite the page");
        return;
    }
    assert!(
        failures.is_empty(),
        "{PAGE} is out of date (WALKTHROUGH=overwrite rewrites it):\n\n{}",
        failures.join("\n\n")
    );
}

#[test]
fn the_page_round_trips_through_the_parser() {
    let page = std::fs::read_to_string(PAGE).expect("the walk-through");
    assert_eq!(render(&parse(&page)), page);
}

/// The harness itself: a wrong output, a wrong exit code, an edit and an unknown directive.
#[test]
fn the_harness_catches_what_is_wrong() {
    let page = "```console
$ spoofctl validate lists/
lists/contoso.yaml: ok, 4 entries (2 allow, 3 block)

$ spoofctl validate no-such-folder
spoofctl: error: no-such-folder: no such file or folder
```

<!-- walkthrough: append lists/contoso.yaml -->
```yaml
  - spoofed: northwindtraders.com
    infrastructure: lucernepublishing.example
    action: allow
```

<!-- walkthrough: rename lists/contoso.yaml -->
```yaml
```

```console
$ spoofctl validate lists/
```
";
    let (refreshed, failures, _) = replay(page);
    assert_eq!(failures.len(), 4, "{failures:#?}");
    assert!(
        failures[0].contains("--- it printed (exit 0):\nlists/contoso.yaml: ok, 4 entries (2 allow, 2 block)"),
        "{}",
        failures[0]
    );
    assert!(
        failures[1].contains("the page shows (exit 0)") && failures[1].contains("it printed (exit 2)"),
        "{}",
        failures[1]
    );
    assert!(failures[2].contains("unknown directive `rename lists/contoso.yaml`"), "{}", failures[2]);
    // The appended entry is in the file when the last command runs: it has no reason, which is an error.
    assert!(failures[3].contains("error[missing-reason]"), "{}", failures[3]);
    assert!(refreshed.contains("$ spoofctl validate no-such-folder\n? 2\n"), "{refreshed}");
    assert_eq!(words(r#"git commit -q -am "two words""#), ["git", "commit", "-q", "-am", "two words"]);
    // The page's first commands make the repository: before them there is none.
    let (_, failures, _) = replay("```console\n$ git log -q\n```\n");
    assert!(failures[0].contains("not a git repository"), "{failures:?}");
    // `> FILE` writes standard output to the file.
    let (_, failures, repo) = replay("```console\n$ mkdir out\n$ spoofctl schema > out/schema.json\n```\n");
    assert!(failures.is_empty(), "{failures:?}");
    assert!(std::fs::read_to_string(repo.path().join("out/schema.json")).expect("written").contains("$schema"));
}
