//! `spoofctl schema`, `completions` and `man`: what editors, shells and `man` need, generated from the
//! definitions the tool itself uses (the list reader's tables, clap's arguments), so they never drift.

use std::path::Path;

use clap::CommandFactory;

use super::atomic;
use spoofctl::model::characters::printable;
use spoofctl::render::schema::list_schema;

use super::args::{Cli, CompletionsArgs, ManArgs};
use super::{Exit, fail, out, shown, warn};

/// Runs `schema`.
pub fn schema() -> Exit {
    out(&format!("{:#}\n", list_schema()));
    Exit::Clean
}

/// Runs `completions`.
pub fn completions(args: CompletionsArgs) -> Exit {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "spoofctl", &mut script);
    out(&String::from_utf8_lossy(&script));
    Exit::Clean
}

/// Runs `man`: the main page on stdout, or every page into `--dir`.
pub fn man(args: ManArgs) -> Exit {
    let Some(dir) = args.dir else {
        return match page(Cli::command().disable_help_subcommand(true)) {
            Ok(text) => {
                out(&String::from_utf8_lossy(&text));
                Exit::Clean
            }
            Err(e) => fail(format!("cannot render the man page: {e}")),
        };
    };
    match write_pages(&dir, args.force) {
        Ok(names) => {
            warn(format!("{}: wrote {}", shown(&dir), names.join(", ")));
            Exit::Clean
        }
        Err(exit) => exit,
    }
}

/// One man page: clap_mangen's sections, with the help's examples kept as written (its EXTRA section would
/// refill them into one paragraph).
fn page(command: clap::Command) -> std::io::Result<Vec<u8>> {
    let extra = command.get_after_help().map(ToString::to_string);
    let man = clap_mangen::Man::new(command.clone());
    let mut text = Vec::new();
    man.render_title(&mut text)?;
    man.render_name_section(&mut text)?;
    man.render_synopsis_section(&mut text)?;
    man.render_description_section(&mut text)?;
    man.render_options_section(&mut text)?;
    if command.has_subcommands() {
        man.render_subcommands_section(&mut text)?;
    }
    if let Some(extra) = extra {
        // The examples as written (no-fill), then the notes as filled paragraphs.
        let (examples, notes) = extra.split_once("\n\n").unwrap_or((extra.as_str(), ""));
        let (heading, examples) = match examples.strip_prefix("Examples:\n") {
            Some(rest) => ("EXAMPLES", rest),
            None => ("NOTES", examples),
        };
        let mut section = format!(".SH {heading}\n.nf\n{}\n.fi\n", roff_verbatim(examples));
        for paragraph in notes.split("\n\n").filter(|p| !p.trim().is_empty()) {
            // Prose is filled; a paragraph with indented lines (a line to copy) stays as written.
            if paragraph.lines().any(|l| l.starts_with(' ')) {
                section.push_str(&format!(".PP\n.nf\n{}\n.fi\n", roff_verbatim(paragraph)));
            } else {
                section.push_str(&format!(".PP\n{}\n", roff_verbatim(&paragraph.replace('\n', " "))));
            }
        }
        text.extend_from_slice(section.as_bytes());
    }
    // clap_mangen unwraps the version; clap's generated `help` command has none.
    if command.get_version().is_some() {
        man.render_version_section(&mut text)?;
    }
    Ok(text)
}

/// `text` as roff that prints it as written: backslashes and hyphens escaped, and a line starting with `.`
/// or `'` kept from being read as a request.
fn roff_verbatim(text: &str) -> String {
    text.lines()
        .map(|line| {
            let escaped = line.replace('\\', "\\e").replace('-', "\\-");
            if escaped.starts_with(['.', '\'']) { format!("\\&{escaped}") } else { escaped }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The pages: `spoofctl.1`, then `spoofctl-COMMAND.1` for each command (as git and cargo name theirs).
fn pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    // Without clap's `help` command: it would get pages of its own (`spoofctl-help-diff`) that mean nothing.
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    let mut pages = vec![("spoofctl.1".to_string(), page(root.clone())?)];
    for sub in root.get_subcommands() {
        let name = format!("spoofctl-{}", sub.get_name());
        pages.push((
            format!("{name}.1"),
            page(sub.clone().name(name).bin_name(format!("spoofctl {}", sub.get_name())))?,
        ));
    }
    Ok(pages)
}

/// Writes every page into `dir` (created if missing). Nothing is written when a page exists and `force` is
/// not given.
fn write_pages(dir: &Path, force: bool) -> Result<Vec<String>, Exit> {
    let pages = pages().map_err(|e| fail(format!("cannot render the man pages: {e}")))?;
    // Pages are looked at, never through: a link in the folder is not followed (it could point anywhere).
    let present = |name: &String| std::fs::symlink_metadata(dir.join(name)).ok();
    if let Some((name, _)) = pages.iter().find(|(name, _)| present(name).is_some_and(|m| m.file_type().is_symlink())) {
        return Err(fail(format!(
            "{}: a symbolic link; it is not followed, and nothing was written",
            printable(&dir.join(name).display().to_string())
        )));
    }
    if !force && let Some((name, _)) = pages.iter().find(|(name, _)| present(name).is_some()) {
        return Err(fail(format!(
            "{}: exists; nothing was written (give --force to replace the pages)",
            dir.join(name).display()
        )));
    }
    if dir.exists() && !dir.is_dir() {
        return Err(fail(format!("{}: a file, not a folder; nothing was written", shown(dir))));
    }
    std::fs::create_dir_all(dir).map_err(|e| fail(format!("{}: cannot create the folder: {e}", shown(dir))))?;
    for (written, (name, text)) in pages.iter().enumerate() {
        let path = dir.join(name);
        atomic::create(&path, text, force).map_err(|e| {
            let kept = if written == 0 {
                "nothing was written".to_string()
            } else {
                format!("the {written} pages before it were written")
            };
            fail(format!("{}: cannot write: {e}; {kept}", shown(&path)))
        })?;
    }
    Ok(pages.into_iter().map(|(name, _)| name).collect())
}
