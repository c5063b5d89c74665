//! Running git, and spoofctl (which runs git for `REV:PATH`), in a test's own temporary repository, whatever
//! git's environment says.

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

/// The variables that point git at a repository instead of letting it find one from its folder: the list
/// `git rev-parse --local-env-vars` prints. git sets some of them for its hooks (`GIT_INDEX_FILE` for
/// pre-commit, `GIT_DIR`), so a test suite run from a hook would otherwise write the commits of its
/// temporary repository into the index or the objects of the repository around it.
pub const REPOSITORY_VARIABLES: &[&str] = &[
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_OBJECT_DIRECTORY",
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_IMPLICIT_WORK_TREE",
    "GIT_GRAFT_FILE",
    "GIT_INDEX_FILE",
    "GIT_NO_REPLACE_OBJECTS",
    "GIT_REPLACE_REF_BASE",
    "GIT_PREFIX",
    "GIT_SHALLOW_FILE",
    "GIT_COMMON_DIR",
];

/// `program` run in `dir`, without any of [`REPOSITORY_VARIABLES`].
pub fn in_repository(program: impl AsRef<OsStr>, dir: &Path) -> Command {
    let mut command = Command::new(program);
    command.current_dir(dir);
    for variable in REPOSITORY_VARIABLES {
        command.env_remove(variable);
    }
    command
}

/// Runs git in `dir` (as [`in_repository`]) as a test's author, without signing or line-end conversion, and
/// fails with git's message if it fails.
pub fn git(dir: &Path, args: &[&str]) {
    let out = in_repository("git", dir)
        .args([
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "user.name=test",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "core.autocrlf=false",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Fails, saying why, when this process has one of [`REPOSITORY_VARIABLES`]: a test that reads revisions
/// through the library runs git with this process's environment, and would read another repository.
pub fn assert_no_repository_variables() {
    let set: Vec<&str> = REPOSITORY_VARIABLES.iter().copied().filter(|v| std::env::var_os(v).is_some()).collect();
    assert!(
        set.is_empty(),
        "{} set (a git hook?): this test reads revisions through git in its own repository; run it outside the hook",
        set.join(", ")
    );
}

/// Runs spoofctl in `dir` (as [`in_repository`]), without colour.
pub fn spoofctl_in(dir: &Path, args: &[&str]) -> std::process::Output {
    in_repository(env!("CARGO_BIN_EXE_spoofctl"), dir).args(args).env("NO_COLOR", "1").output().expect("spoofctl runs")
}
