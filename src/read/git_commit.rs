//! Where a list file stands in git, for the provenance line of an apply script: the commit its repository
//! is at, and whether the file differs from that commit.

use std::path::Path;
use std::process::Command;

/// The commit a list file's repository is at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListCommit {
    /// `HEAD`'s full commit id.
    pub commit: String,
    /// True when the file is not as that commit has it (edited, staged or never committed).
    pub changed: bool,
}

/// The commit of the repository holding `path`, or `None` when it is in no repository (or git is missing):
/// a script's provenance then says so, it is not an error.
pub fn list_commit(path: &Path) -> Option<ListCommit> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path.file_name()?;
    let run = |args: &[&std::ffi::OsStr]| {
        let out = Command::new("git").arg("-C").arg(folder).args(args).output().ok()?;
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let commit = run(&["rev-parse".as_ref(), "--verify".as_ref(), "--quiet".as_ref(), "HEAD".as_ref()])?;
    // `--` keeps a file name that starts with `-` a path.
    let status = run(&["status".as_ref(), "--porcelain".as_ref(), "--".as_ref(), name])?;
    Some(ListCommit { commit, changed: !status.is_empty() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_a_repository_there_is_no_commit() {
        let dir = std::env::temp_dir().join(format!("spoofctl-no-git-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a folder");
        // GIT_CEILING_DIRECTORIES is not set here, so a temp folder inside a repository would find it:
        // the system temp folder is not inside one.
        assert_eq!(list_commit(&dir.join("contoso.yaml")), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
