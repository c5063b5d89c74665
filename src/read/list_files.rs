//! Reading list files: size limit, encoding, the files a path names, and the versions of a list that `diff`
//! compares (a file or folder on disk, or `REV:PATH` read from git by object id).

use std::ffi::OsStr;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::model::characters::printable;
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
    /// A list file in a folder is a symbolic link to a file outside the folder: a pull request could point one
    /// at any file the reviewer's machine can read, so it is refused by its own name, and nothing of its target
    /// is read or shown.
    #[error("{}: a symbolic link to a file outside its folder; not read", printable(&.0.display().to_string()))]
    LinkOutside(PathBuf),
    /// A list file whose name is not UTF-8 or holds a control character: two such names can show as one (and
    /// a review would pair the wrong tenants), and a control character can rewrite what the screen shows.
    #[error("{}: a list file's name must be UTF-8 text without control characters; rename it", printable(&.0.to_string_lossy()))]
    BadName(PathBuf),
    /// A list file whose stem is `.` or `..` (`..yaml`): the stem names the tenant's files in `export -o DIR`,
    /// `plan -o DIR` and a live folder, where `DIR/.` or `DIR/..` would be the folder itself or its parent.
    #[error("{}: a list file's name before `.yaml` must be a name, not `.` or `..`; rename it", printable(&.0.to_string_lossy()))]
    DotStem(PathBuf),
    /// A path given to a command is a symbolic link to a folder outside the current folder: a pull request
    /// could point `lists` at any folder the reviewer's machine can read.
    #[error("{}: a symbolic link out of the current folder; not read (name the folder it points to instead)", printable(&.0.display().to_string()))]
    LinkedOut(PathBuf),
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
        if linked_out(path) {
            return Err(ReadError::LinkedOut(path.clone()));
        }
        if !meta.is_dir() {
            if !plain_stem(path) {
                return Err(ReadError::DotStem(path.clone()));
            }
            files.push(path.clone());
            continue;
        }
        let io_err = |source| ReadError::Io { path: path.clone(), source };
        let folder = fs::canonicalize(path).map_err(io_err)?;
        let mut found: Vec<PathBuf> = Vec::new();
        for item in fs::read_dir(path).map_err(io_err)? {
            let item = item.map_err(io_err)?;
            let p = item.path();
            if !p.is_file() || !p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                continue;
            }
            if item.file_name().to_str().is_none_or(has_control) {
                return Err(ReadError::BadName(p));
            }
            if !plain_stem(&p) {
                return Err(ReadError::DotStem(p));
            }
            if item.file_type().map_err(io_err)?.is_symlink()
                && fs::canonicalize(&p).map_err(io_err)?.parent() != Some(folder.as_path())
            {
                return Err(ReadError::LinkOutside(p));
            }
            found.push(p);
        }
        if found.is_empty() {
            return Err(ReadError::NoLists(path.clone()));
        }
        found.sort();
        files.extend(found);
    }
    Ok(files)
}

/// True when the file's stem is one plain path component (not `.` or `..`), so `DIR/STEM.EXT` is inside DIR.
fn plain_stem(path: &Path) -> bool {
    let stem = Path::new(path.file_stem().unwrap_or_default());
    matches!(stem.components().collect::<Vec<_>>().as_slice(), [std::path::Component::Normal(_)])
}

/// True for a name with a C0 or C1 control character (a line break, an escape...).
fn has_control(name: &str) -> bool {
    name.chars().any(char::is_control)
}

/// True when `path` is a symbolic link whose target is outside the current folder.
fn linked_out(path: &Path) -> bool {
    let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let inside = |here: PathBuf| fs::canonicalize(path).is_ok_and(|target| target.starts_with(here));
    is_link && !std::env::current_dir().and_then(fs::canonicalize).is_ok_and(inside)
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
    read_stored_text(path).map(without_bom)
}

/// The text with a leading byte order mark dropped.
fn without_bom(mut text: String) -> String {
    if text.starts_with('\u{FEFF}') {
        text.drain(..3);
    }
    text
}

/// The bytes as UTF-8 text, a byte order mark dropped.
fn decode(path: &Path, bytes: Vec<u8>) -> Result<String, TextError> {
    decode_stored(path, bytes).map(without_bom)
}

/// Reads a list file as [`read_text`] does, but with a byte order mark kept: the text as stored, which `fmt`
/// compares with the canonical form (that has none).
pub fn read_stored_text(path: &Path) -> Result<String, TextError> {
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
    decode_stored(path, bytes)
}

/// The bytes as UTF-8 text, a byte order mark kept.
fn decode_stored(path: &Path, bytes: Vec<u8>) -> Result<String, TextError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(TextError::Utf16(path.to_path_buf()));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
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
    /// `REV:PATH` names a git revision, and a file or folder of that very name exists too: which one a review
    /// reads must not depend on what a pull request adds to the work tree, so neither is read.
    #[error(
        "`{0}` names both a git revision and a file or folder in the work tree; rename or remove the file or \
         folder `{0}` (a pull request can add one to make a review compare the branch with itself), or write \
         `./{0}` to read the file or folder"
    )]
    Ambiguous(String),
    /// The revision's name is ambiguous in git (a tag and a branch of one name, say `origin/main`): which
    /// one git picks can be chosen by whoever pushes a tag.
    #[error(
        "{0}: the name is ambiguous in this repository (a tag and a branch, say); give a commit id or a full ref such as `refs/remotes/origin/main`"
    )]
    AmbiguousRef(String),
    /// A list file in a git tree that cannot be read as one: a symbolic link, say.
    #[error("{spec}: `{name}` is {what}; not read as a list")]
    Unreadable {
        /// The revision and folder listed.
        spec: String,
        /// The entry's name (escaped for display).
        name: String,
        /// What it is.
        what: &'static str,
    },
}

/// Runs git with `args`. Every value that comes from a user follows `--end-of-options` in the callers, so
/// that a revision or path beginning with `-` is never read as an option.
fn git(args: &[&OsStr], spec: &str) -> Result<Vec<u8>, VersionError> {
    let out = std::process::Command::new("git").args(args).output().map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => VersionError::NoGit(spec.to_string()),
        _ => VersionError::Git { spec: spec.to_string(), message: e.to_string() },
    })?;
    if !out.status.success() {
        let message = printable(String::from_utf8_lossy(&out.stderr).trim()).replace("fatal: ", "");
        return Err(VersionError::Git { spec: spec.to_string(), message });
    }
    Ok(out.stdout)
}

/// The tree id that `rev` names, resolved once so that every later git call reads the same object; an error
/// when git cannot resolve it, or warns that the name is ambiguous (a pushed tag `origin/main` would otherwise
/// stand in for the branch).
fn resolve(rev: &str, spec: &str) -> Result<String, VersionError> {
    let object = format!("{rev}^{{tree}}");
    let args: [&OsStr; 4] = ["rev-parse".as_ref(), "--verify".as_ref(), "--end-of-options".as_ref(), object.as_ref()];
    let out = std::process::Command::new("git").args(args).output().map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => VersionError::NoGit(spec.to_string()),
        _ => VersionError::Git { spec: spec.to_string(), message: e.to_string() },
    })?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("ambiguous") {
        return Err(VersionError::AmbiguousRef(printable(rev)));
    }
    if !out.status.success() {
        // git says only "Needed a single revision" for a name it does not know.
        let message = match stderr.trim() {
            "" | "fatal: Needed a single revision" => {
                format!("`{}` is not a revision in this repository", printable(rev))
            }
            said => printable(said).replace("fatal: ", ""),
        };
        return Err(VersionError::Git { spec: spec.to_string(), message });
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// git's words for a path not in the revision, the revision named as the user wrote it rather than by its
/// tree id; run from a subfolder, with a hint that `REV:PATH` starts at the repository's root.
fn not_in_revision(e: VersionError, rev: &str, tree: &str, path: &str) -> VersionError {
    let VersionError::Git { spec, message } = e else { return e };
    let mut message = message.replace(tree, &printable(rev));
    let prefix = git(&["rev-parse".as_ref(), "--show-prefix".as_ref()], &spec).unwrap_or_default();
    let prefix = printable(String::from_utf8_lossy(&prefix).trim());
    if !path.starts_with("./") && !prefix.is_empty() {
        let (rev, path) = (printable(rev), printable(path));
        message.push_str(&format!(
            "; `{rev}:{path}` starts at the repository's root and this is its folder `{prefix}`: write \
             `{rev}:./{path}` for a path from here, or `{rev}:{prefix}{path}`"
        ));
    }
    VersionError::Git { spec, message }
}

fn file_name(path: &str) -> String {
    Path::new(path).file_name().map_or_else(|| path.to_string(), |n| n.to_string_lossy().into_owned())
}

/// Splits `REV:PATH` into its revision and path; `None` when `spec` is not of that shape (no `:`, or
/// nothing before it). Whether it names a git object or a file on disk is decided by `read_version`.
pub fn rev_path(spec: &str) -> Option<(&str, &str)> {
    // `./x:y` and `/x:y` are paths: no revision starts with `.` or `/`.
    spec.split_once(':').filter(|(rev, _)| !rev.is_empty() && !rev.starts_with(['.', '/']))
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
    /// The git object (an object id, or `REV:PATH`) when the file is in a revision, not on disk.
    object: Option<String>,
}

impl VersionEntry {
    /// Reads the file: from disk, or from git.
    pub fn read(&self) -> Result<VersionFile, VersionError> {
        let text = match &self.object {
            None => version_text(read_text(&self.shown))?,
            Some(object) => {
                let shown = self.shown.to_string_lossy();
                // The size first: a file in git is held to the same limit as one on disk.
                let size: [&OsStr; 4] =
                    ["cat-file".as_ref(), "-s".as_ref(), "--end-of-options".as_ref(), object.as_ref()];
                let bytes = String::from_utf8_lossy(&git(&size, &shown)?).trim().parse::<u64>().unwrap_or(u64::MAX);
                if bytes > MAX_FILE_BYTES {
                    version_text(Err(TextError::TooLarge(self.shown.clone())))?
                } else {
                    let args: [&OsStr; 4] =
                        ["cat-file".as_ref(), "blob".as_ref(), "--end-of-options".as_ref(), object.as_ref()];
                    version_text(decode(&self.shown, git(&args, &shown)?))?
                }
            }
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
/// revision; PATH is from the repository's root, or `./PATH` from the current folder). When REV resolves
/// in git, git is read, and a work-tree path spelled the same is refused as ambiguous; a path on disk is read
/// only when REV is not a revision.
pub fn read_version(spec: &str) -> Result<Version, VersionError> {
    let listing = list_version(spec)?;
    let files = listing.files.iter().map(VersionEntry::read).collect::<Result<_, _>>()?;
    Ok(Version { files, single_file: listing.single_file })
}

/// Lists a version of the lists as [`read_version`] reads it, without reading the files.
pub fn list_version(spec: &str) -> Result<VersionListing, VersionError> {
    let on_disk = Path::new(spec);
    // A spec shaped `REV:PATH` is read from git; a path on disk spelled the same is refused, whether or not
    // REV resolves here (a shallow clone may lack it), so that a folder a pull request adds is never read in
    // its place. `./REV:PATH` names such a path on disk.
    let git_spec = match rev_path(spec) {
        Some(_) if on_disk.symlink_metadata().is_ok() => return Err(VersionError::Ambiguous(printable(spec))),
        other => other,
    };
    let Some((rev, path)) = git_spec else {
        let single_file = on_disk.is_file();
        let files = discover(&[on_disk.to_path_buf()])?
            .into_iter()
            .map(|f| VersionEntry { name: file_name(&f.to_string_lossy()), shown: f, object: None })
            .collect();
        return Ok(VersionListing { files, single_file });
    };
    let end = OsStr::new("--end-of-options");
    // Every later call reads the tree the revision names now, by its id.
    let tree = resolve(rev, spec)?;
    let object = format!("{tree}:{path}");
    let kind = git(&["cat-file".as_ref(), "-t".as_ref(), end, object.as_ref()], spec)
        .map_err(|e| not_in_revision(e, rev, &tree, path))?;
    if String::from_utf8_lossy(&kind).trim() == "blob" {
        // The name pairs tenants across versions: the file name, without the revision.
        let entry = VersionEntry { name: file_name(path), shown: PathBuf::from(spec), object: Some(object) };
        return Ok(VersionListing { files: vec![entry], single_file: true });
    }
    // `REV:./PATH` is relative to the current folder, `REV:PATH` to the repository's root: list the folder
    // the same way, and name its files the same way. `-z`: names come as written, whatever bytes they hold
    // (without it git quotes unusual names, and a quoted name names no file); files are read by object id.
    let relative = path.starts_with("./");
    let trimmed = path.trim_end_matches('/');
    let folder = if trimmed.is_empty() || trimmed == "." { ".".to_string() } else { format!("{trimmed}/") };
    let mut args: Vec<&OsStr> = vec!["ls-tree".as_ref(), "-z".as_ref()];
    if !relative {
        args.push("--full-tree".as_ref());
    }
    args.extend([end, tree.as_ref(), "--".as_ref(), folder.as_ref()]);
    let listing = git(&args, spec)?;
    let mut files = Vec::new();
    for record in listing.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        let entry = TreeEntry::parse(record).ok_or_else(|| VersionError::Git {
            spec: spec.to_string(),
            message: format!("git listed `{}`, which is not a tree entry", printable(&String::from_utf8_lossy(record))),
        })?;
        let name_bytes = entry.path.rsplit(|&b| b == b'/').next().unwrap_or(entry.path);
        if !(name_bytes.ends_with(b".yaml") || name_bytes.ends_with(b".yml")) {
            continue;
        }
        let Some(name) = std::str::from_utf8(name_bytes).ok().filter(|n| !has_control(n)).map(str::to_string) else {
            let name = printable(&String::from_utf8_lossy(name_bytes));
            return Err(VersionError::Unreadable {
                spec: spec.to_string(),
                name,
                what: "named with bytes that are not UTF-8 text or with a control character",
            });
        };
        let path_text = String::from_utf8_lossy(entry.path);
        let shown = PathBuf::from(if relative { format!("{rev}:./{path_text}") } else { format!("{rev}:{path_text}") });
        match entry.mode {
            b"100644" | b"100755" => files.push(VersionEntry { name, shown, object: Some(entry.oid.to_string()) }),
            // A folder or a submodule named `*.yaml` is not a list file, as on disk.
            b"040000" | b"160000" => {}
            mode => {
                let what = if mode == b"120000" { "a symbolic link" } else { "not a plain file" };
                return Err(VersionError::Unreadable { spec: spec.to_string(), name: printable(&name), what });
            }
        }
    }
    if files.is_empty() {
        return Err(VersionError::Read(ReadError::NoLists(PathBuf::from(spec))));
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(VersionListing { files, single_file: false })
}

/// One entry of `git ls-tree -z`: `<mode> SP <type> SP <object> TAB <path>`.
struct TreeEntry<'a> {
    mode: &'a [u8],
    /// The object id: hex digits, so text on every platform.
    oid: &'a str,
    path: &'a [u8],
}

impl<'a> TreeEntry<'a> {
    fn parse(record: &'a [u8]) -> Option<TreeEntry<'a>> {
        let tab = record.iter().position(|&b| b == b'\t')?;
        let (meta, path) = (&record[..tab], &record[tab + 1..]);
        let mut fields = meta.split(|&b| b == b' ');
        let (mode, _kind, oid) = (fields.next()?, fields.next()?, fields.next()?);
        let oid = std::str::from_utf8(oid).ok().filter(|o| o.bytes().all(|b| b.is_ascii_hexdigit()))?;
        Some(TreeEntry { mode, oid, path })
    }
}
