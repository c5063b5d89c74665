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

/// Why a list file could not be read as text. The first two stop the run (exit 2: [`TextError::into_finding`]
/// gives them back as a [`ReadError`]); the others are findings about the file, reported like any other.
#[derive(Debug, thiserror::Error)]
pub enum TextError {
    /// The file does not exist: it was named but is not there, or it went between being found and being read.
    #[error("{}: no such file or folder", .0.display())]
    NotFound(PathBuf),
    /// Opening or reading the file failed (permissions, a device error...).
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// The file is larger than [`MAX_FILE_BYTES`]: it is not read further.
    #[error("{}: {}", .0.display(), too_large())]
    TooLarge(PathBuf),
    /// The file starts with a UTF-16 byte order mark.
    #[error("{}: the file is UTF-16; list files are UTF-8", .0.display())]
    Utf16(PathBuf),
    /// The file is not valid UTF-8 from this line and column on (the first bad byte).
    #[error("{}:{line}:{column}: the file is not valid UTF-8", path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// The line of the first bad byte.
        line: usize,
        /// Its column, in bytes from the start of the line.
        column: usize,
    },
}

fn too_large() -> String {
    format!("the file is larger than {} MiB; a list of 1024 entries is far smaller", MAX_FILE_BYTES / 1024 / 1024)
}

impl TextError {
    /// The finding about the file (too large, UTF-16, not UTF-8), reported like any other; or, for a file
    /// missing or unreadable, the error that stops the run.
    pub fn into_finding(self) -> Result<Diagnostic, ReadError> {
        Ok(match self {
            TextError::NotFound(path) => return Err(ReadError::NotFound(path)),
            TextError::Io { path, source } => return Err(ReadError::Io { path, source }),
            TextError::TooLarge(path) => Diagnostic::new(Code::FileTooLarge, &path, None, too_large())
                .with_hint("check that this is a spoofctl list file"),
            TextError::Utf16(path) => {
                Diagnostic::new(Code::NotUtf8, &path, Some(Span::new(1, 1)), "the file is UTF-16; list files are UTF-8")
                    .with_hint("save the file as UTF-8 (in PowerShell: `Set-Content -Encoding utf8`)")
            }
            TextError::NotUtf8 { path, line, column } => {
                Diagnostic::new(Code::NotUtf8, &path, Some(Span::new(line, column)), "the file is not valid UTF-8")
                    .with_hint("save the file as UTF-8")
            }
        })
    }
}

/// Reads a list file as text: UTF-8, a byte order mark dropped, at most [`MAX_FILE_BYTES`].
pub fn read_text(path: &Path) -> Result<String, TextError> {
    let io_err = |source| TextError::Io { path: path.to_path_buf(), source };
    let file = fs::File::open(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => TextError::NotFound(path.to_path_buf()),
        _ => io_err(e),
    })?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(io_err)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(TextError::TooLarge(path.to_path_buf()));
    }
    decode(path, bytes)
}

fn decode(path: &Path, bytes: Vec<u8>) -> Result<String, TextError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(TextError::Utf16(path.to_path_buf()));
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
            Err(TextError::NotUtf8 { path: path.to_path_buf(), line, column })
        }
    }
}

/// A version's file as text, or the finding that it cannot be read as text; a missing or unreadable file
/// stops the reading of the version.
fn version_text(text: Result<String, TextError>) -> Result<Result<String, Box<Diagnostic>>, VersionError> {
    match text {
        Ok(text) => Ok(Ok(text)),
        Err(e) => Ok(Err(Box::new(e.into_finding()?))),
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

/// Reads a version of the lists: a file or folder on disk, or `REV:PATH` (a file or folder in a git
/// revision, read with `git show`; PATH is from the repository's root, or `./PATH` from the current folder).
/// An existing path wins over the `REV:PATH` reading.
pub fn read_version(spec: &str) -> Result<Version, VersionError> {
    let on_disk = Path::new(spec);
    let git_spec = rev_path(spec).filter(|_| !on_disk.exists());
    let Some((rev, path)) = git_spec else {
        let single_file = on_disk.is_file();
        let files = discover(&[on_disk.to_path_buf()])?
            .into_iter()
            .map(|f| {
                Ok(VersionFile { name: file_name(&f.to_string_lossy()), text: version_text(read_text(&f))?, shown: f })
            })
            .collect::<Result<_, VersionError>>()?;
        return Ok(Version { files, single_file });
    };
    let kind = git(&["cat-file", "-t", spec], spec)?;
    let blob = |object: &str| -> Result<VersionFile, VersionError> {
        let bytes = git(&["show", object], object)?;
        let shown = PathBuf::from(object);
        // The name pairs tenants across versions: the file name, without the revision.
        let name = file_name(object.split_once(':').map_or(object, |(_, p)| p));
        Ok(VersionFile { name, text: version_text(decode(&shown, bytes))?, shown })
    };
    if String::from_utf8_lossy(&kind).trim() == "blob" {
        return Ok(Version { files: vec![blob(spec)?], single_file: true });
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
    let mut files: Vec<VersionFile> = String::from_utf8_lossy(&listing)
        .lines()
        .filter(|l| l.ends_with(".yaml") || l.ends_with(".yml"))
        .map(|l| blob(&if relative { format!("{rev}:./{l}") } else { format!("{rev}:{l}") }))
        .collect::<Result<_, _>>()?;
    if files.is_empty() {
        return Err(VersionError::Read(ReadError::NoLists(PathBuf::from(spec))));
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Version { files, single_file: false })
}
