//! Reading list files: size limit, encoding, and finding the files a path names.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::diagnostic::{Code, Diagnostic, Span};

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
                format!("the file is larger than {} MiB; a list of 1024 entries is far smaller", MAX_FILE_BYTES / 1024 / 1024),
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
