//! Atomic file writes: a temporary file in the same folder, flushed to disk, then renamed over the target.
//! A reader (or a crash) sees the old file or the new one, never half of either.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use tempfile::NamedTempFile;

/// The contents written and flushed to a temporary file beside `target`, ready to be renamed into place.
fn staged(target: &Path, contents: &[u8]) -> io::Result<NamedTempFile> {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new().prefix(".spoofctl-").suffix(".tmp").tempfile_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

/// Creates the file at `path` with `contents` atomically. Fails with `AlreadyExists`, writing nothing, when
/// the file exists and `overwrite` is false.
pub fn create(path: &Path, contents: &[u8], overwrite: bool) -> io::Result<()> {
    if overwrite {
        return replace(path, contents);
    }
    let tmp = staged(path, contents)?;
    // A temporary file is private (0600); a new list or script is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(fs::Permissions::from_mode(0o644))?;
    }
    tmp.persist_noclobber(path).map_err(|e| e.error)?;
    Ok(())
}

/// Replaces the file at `path` with `contents` atomically, keeping its permissions. A symbolic link is
/// followed: the file it points to is replaced and the link stays.
pub fn replace(path: &Path, contents: &[u8]) -> io::Result<()> {
    let target = if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        fs::canonicalize(path)?
    } else {
        path.to_path_buf()
    };
    let tmp = staged(&target, contents)?;
    if let Ok(meta) = fs::metadata(&target) {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}
