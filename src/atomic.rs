//! Atomic file writes: a temporary file in the same folder, flushed to disk, then renamed over the target.
//! A reader (or a crash) sees the old file or the new one, never half of either.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// What to do when the target exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Replace it (keeping its permissions): `fmt`, or a write with `--force`.
    Replace,
    /// Fail with `AlreadyExists` and leave it untouched.
    Keep,
}

/// Writes `contents` to `path` atomically.
pub fn write(path: &Path, contents: &[u8], existing: Existing) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new().prefix(".spoofctl-").suffix(".tmp").tempfile_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    match existing {
        Existing::Replace => {
            if let Ok(meta) = fs::metadata(path) {
                tmp.as_file().set_permissions(meta.permissions())?;
            }
            tmp.persist(path).map_err(|e| e.error)?;
        }
        Existing::Keep => {
            tmp.persist_noclobber(path).map_err(|e| e.error)?;
        }
    }
    Ok(())
}
