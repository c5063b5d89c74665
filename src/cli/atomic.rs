//! Atomic file writes: a temporary file in the same folder, flushed to disk, then renamed over the target.
//! A reader (or a crash) sees the old file or the new one, never half of either.
//!
//! Only regular files are written: a device, a FIFO or a socket at the target is refused (renaming over
//! `/dev/null` would replace the device). A new file gets the mode the umask gives; a replaced one keeps
//! its mode and, where the system lets us, its owner and group.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use tempfile::NamedTempFile;

/// The contents written and flushed to a temporary file beside `target`, ready to be renamed into place. It
/// is created with `mode` (the replaced file's), or with the mode a new file gets (0666 less the umask), as
/// `>` would create it: never readable by more people than the final file, even for a moment.
fn staged(target: &Path, contents: &[u8], mode: Option<fs::Permissions>) -> io::Result<NamedTempFile> {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".spoofctl-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The umask still applies to a mode given at creation: a replaced 0600 file's is 0600 or less.
        builder.permissions(mode.clone().unwrap_or_else(|| fs::Permissions::from_mode(0o666)));
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

/// Refuses a target that is not a regular file: a folder, a device, a FIFO or a socket (a symbolic link is
/// judged by what it points to). A missing target is fine.
fn writable_target(path: &Path) -> io::Result<()> {
    let Ok(meta) = fs::metadata(path) else { return Ok(()) };
    if meta.is_file() {
        return Ok(());
    }
    let kind = if meta.is_dir() { "a folder" } else { special_kind(&meta) };
    Err(io::Error::other(format!("it is {kind}, not a regular file; it is never replaced")))
}

#[cfg(unix)]
fn special_kind(meta: &fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &fs::Metadata) -> &'static str {
    "not a regular file"
}

/// Creates the file at `path` with `contents` atomically. Fails with `AlreadyExists`, writing nothing, when
/// the file exists and `overwrite` is false.
pub fn create(path: &Path, contents: &[u8], overwrite: bool) -> io::Result<()> {
    writable_target(path)?;
    if overwrite {
        return replace(path, contents);
    }
    let tmp = staged(path, contents, None)?;
    tmp.persist_noclobber(path).map_err(|e| e.error)?;
    Ok(())
}

/// Replaces the file at `path` with `contents` atomically, keeping its permissions and (where allowed) its
/// owner. A symbolic link is followed: the file it points to is replaced and the link stays.
pub fn replace(path: &Path, contents: &[u8]) -> io::Result<()> {
    writable_target(path)?;
    let target = if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        fs::canonicalize(path)?
    } else {
        path.to_path_buf()
    };
    let old = fs::metadata(&target).ok();
    let tmp = staged(&target, contents, old.as_ref().map(fs::Metadata::permissions))?;
    if let Some(meta) = old {
        tmp.as_file().set_permissions(meta.permissions())?;
        keep_owner(&tmp, &meta);
    }
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

/// Gives the new file the old one's owner and group where the system allows it (root may change both, an
/// owner may change the group to one of its own); where it does not, the new file is the writer's.
#[cfg(unix)]
fn keep_owner(tmp: &NamedTempFile, old: &fs::Metadata) {
    use std::os::unix::fs::MetadataExt;
    let Ok(new) = tmp.as_file().metadata() else { return };
    if (new.uid(), new.gid()) == (old.uid(), old.gid()) {
        return;
    }
    if std::os::unix::fs::fchown(tmp.as_file(), Some(old.uid()), Some(old.gid())).is_err() {
        let _ = std::os::unix::fs::fchown(tmp.as_file(), None, Some(old.gid()));
    }
}

#[cfg(not(unix))]
fn keep_owner(_: &NamedTempFile, _: &fs::Metadata) {}
