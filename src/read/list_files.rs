//! Reading list files: size limit, encoding, and finding the files a path names.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::model::diagnostic::{Code, Diagnostic, Span};

/// The largest list file read. 1024 entries with full metadata take well under 1 MiB; anything near this
/// is not a list, and refusing it early keeps a hostile file cheap.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// A run could not start: a missing or unreadable path, or a folder without lists (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The path does not exist.
    #[error("{}: no such file or folder", .0.display())]
    NotFound(PathBuf),
    /// The folder holds no `*.yaml` or `*.yml` file.
    #[error("{}: no list files (*.yaml, *.yml) in this folder", .0.display())]
    NoLists(PathBuf),
    /// Reading failed (permissions, a device error...).
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
}

/// The list files a set of paths names: files as given, folders' `*.yaml`/`*.yml` files (not recursive),
/// each sorted by name.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ReadError> {
    let mut files = Vec::new();
    for path in paths {
        let meta = fs::metadata(path).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => ReadError::NotFound(path.clone()),
            _ => ReadError::Io { path: path.clone(), source: e },
        })?;
        if !meta.is_dir() {
            files.push(path.clone());
            continue;
        }
        let io_err = |source| ReadError::Io { path: path.clone(), source };
        let mut found: Vec<PathBuf> = Vec::new();
        for item in fs::read_dir(path).map_err(io_err)? {
            let p = item.map_err(io_err)?.path();
            if p.is_file() && p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                found.push(p);
            }
        }
        if found.is_empty() {
            return Err(ReadError::NoLists(path.clone()));
        }
        found.sort();
        files.extend(found);
    }
    Ok(files)
}

/// Reads a list file as text. The outer error means the run cannot go on (exit 2); the inner one is a finding
/// about the file (too large, not UTF-8), reported like any other.
pub fn read_text(path: &Path) -> Result<Result<String, Box<Diagnostic>>, ReadError> {
    let io_err = |source| ReadError::Io { path: path.to_path_buf(), source };
    let file = fs::File::open(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => ReadError::NotFound(path.to_path_buf()),
        _ => io_err(e),
    })?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(io_err)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Ok(Err(Box::new(
            Diagnostic::new(
                Code::FileTooLarge,
                path,
                None,
                format!(
                    "the file is larger than {} MiB; a list of 1024 entries is far smaller",
                    MAX_FILE_BYTES / 1024 / 1024
                ),
            )
            .with_hint("check that this is a spoofctl list file"),
        )));
    }
    Ok(decode(path, bytes))
}

fn decode(path: &Path, bytes: Vec<u8>) -> Result<String, Box<Diagnostic>> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Box::new(
            Diagnostic::new(Code::NotUtf8, path, Some(Span::new(1, 1)), "the file is UTF-16; list files are UTF-8")
                .with_hint("save the file as UTF-8 (in PowerShell: `Set-Content -Encoding utf8`)"),
        ));
    }
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{FEFF}') {
                text.drain(..3);
            }
            Ok(text)
        }
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
            let column = valid.iter().rev().take_while(|b| **b != b'\n').count() + 1;
            Err(Box::new(
                Diagnostic::new(Code::NotUtf8, path, Some(Span::new(line, column)), "the file is not valid UTF-8")
                    .with_hint("save the file as UTF-8"),
            ))
        }
    }
}

/// One list file of a version being compared: its name (what pairs tenants across versions), where it was
/// read from (for messages), and its text or the finding that it cannot be read as text.
#[derive(Debug)]
pub struct VersionFile {
    /// The file name, e.g. `contoso.yaml`.
    pub name: String,
    /// `lists/contoso.yaml`, or `origin/main:lists/contoso.yaml`.
    pub shown: PathBuf,
    /// The text, or why it cannot be read as a list.
    pub text: Result<String, Box<Diagnostic>>,
}

/// Why a version cannot be read (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum VersionError {
    /// Reading a file or folder failed.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The `git` command is not installed.
    #[error("`{0}` names a git revision, but the git command is not installed")]
    NoGit(String),
    /// git could not show the revision or path.
    #[error("{spec}: {message}")]
    Git {
        /// What was asked.
        spec: String,
        /// What git said.
        message: String,
    },
}

fn git(args: &[&str], spec: &str) -> Result<Vec<u8>, VersionError> {
    let out = std::process::Command::new("git").args(args).output().map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => VersionError::NoGit(spec.to_string()),
        _ => VersionError::Git { spec: spec.to_string(), message: e.to_string() },
    })?;
    if !out.status.success() {
        let message = String::from_utf8_lossy(&out.stderr).trim().replace("fatal: ", "");
        return Err(VersionError::Git { spec: spec.to_string(), message });
    }
    Ok(out.stdout)
}

fn file_name(path: &str) -> String {
    Path::new(path).file_name().map_or_else(|| path.to_string(), |n| n.to_string_lossy().into_owned())
}

/// Splits `REV:PATH` into its revision and path; `None` when `spec` is not of that shape (no `:`, or
/// nothing before it). Whether it names a git object or a file on disk is decided by `read_version`.
pub fn rev_path(spec: &str) -> Option<(&str, &str)> {
    spec.split_once(':').filter(|(rev, _)| !rev.is_empty())
}

/// A version of the lists: its files, and whether it was named as one file (two single files are two
/// versions of one tenant, whatever their names) or as a folder (tenants pair by file name).
#[derive(Debug)]
pub struct Version {
    /// The list files.
    pub files: Vec<VersionFile>,
    /// True when the version was named as a single file.
    pub single_file: bool,
}

/// One list file of a version, not read yet: its name and where it is read from.
#[derive(Debug, Clone)]
pub struct VersionEntry {
    /// The file name, e.g. `contoso.yaml`.
    pub name: String,
    /// `lists/contoso.yaml`, or `origin/main:lists/contoso.yaml`.
    pub shown: PathBuf,
    /// The git object (`REV:PATH`) when the file is in a revision, not on disk.
    object: Option<String>,
}

impl VersionEntry {
    /// Reads the file: from disk, or with `git show`.
    pub fn read(&self) -> Result<VersionFile, VersionError> {
        let text = match &self.object {
            None => read_text(&self.shown)?,
            Some(object) => decode(&self.shown, git(&["show", object], object)?),
        };
        Ok(VersionFile { name: self.name.clone(), shown: self.shown.clone(), text })
    }
}

/// The files of a version, listed but not read, so that a caller can read one tenant at a time.
#[derive(Debug)]
pub struct VersionListing {
    /// The list files, by name.
    pub files: Vec<VersionEntry>,
    /// True when the version was named as a single file.
    pub single_file: bool,
}

/// Reads a version of the lists: a file or folder on disk, or `REV:PATH` (a file or folder in a git
/// revision, read with `git show`; PATH is from the repository's root, or `./PATH` from the current folder).
/// An existing path wins over the `REV:PATH` reading.
pub fn read_version(spec: &str) -> Result<Version, VersionError> {
    let listing = list_version(spec)?;
    let files = listing.files.iter().map(VersionEntry::read).collect::<Result<_, _>>()?;
    Ok(Version { files, single_file: listing.single_file })
}

/// Lists a version of the lists as [`read_version`] reads it, without reading the files.
pub fn list_version(spec: &str) -> Result<VersionListing, VersionError> {
    let on_disk = Path::new(spec);
    let git_spec = rev_path(spec).filter(|_| !on_disk.exists());
    let Some((rev, path)) = git_spec else {
        let single_file = on_disk.is_file();
        let files = discover(&[on_disk.to_path_buf()])?
            .into_iter()
            .map(|f| VersionEntry { name: file_name(&f.to_string_lossy()), shown: f, object: None })
            .collect();
        return Ok(VersionListing { files, single_file });
    };
    let kind = git(&["cat-file", "-t", spec], spec)?;
    let blob = |object: String| {
        // The name pairs tenants across versions: the file name, without the revision.
        let name = file_name(object.split_once(':').map_or(object.as_str(), |(_, p)| p));
        VersionEntry { name, shown: PathBuf::from(&object), object: Some(object) }
    };
    if String::from_utf8_lossy(&kind).trim() == "blob" {
        return Ok(VersionListing { files: vec![blob(spec.to_string())], single_file: true });
    }
    // `REV:./PATH` is relative to the current folder, `REV:PATH` to the repository's root: list the folder
    // the same way, and name its files the same way.
    let relative = path.starts_with("./");
    let trimmed = path.trim_end_matches('/');
    let folder = if trimmed.is_empty() || trimmed == "." { ".".to_string() } else { format!("{trimmed}/") };
    let args: Vec<&str> = if relative {
        vec!["ls-tree", "--name-only", rev, "--", &folder]
    } else {
        vec!["ls-tree", "--full-tree", "--name-only", rev, "--", &folder]
    };
    let listing = git(&args, spec)?;
    let mut files: Vec<VersionEntry> = String::from_utf8_lossy(&listing)
        .lines()
        .filter(|l| l.ends_with(".yaml") || l.ends_with(".yml"))
        .map(|l| blob(if relative { format!("{rev}:./{l}") } else { format!("{rev}:{l}") }))
        .collect();
    if files.is_empty() {
        return Err(VersionError::Read(ReadError::NoLists(PathBuf::from(spec))));
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(VersionListing { files, single_file: false })
}
