//! Files are written as the user expects: new files get the mode the umask gives, a replaced file keeps its
//! mode and owner, a device, FIFO or socket is never replaced, and `man --dir` follows no link.
#![cfg(unix)]
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Output};

const LIST: &str =
    "version: 1\nentries:\n  - {spoofed: fabrikam.com, infrastructure: tms.mx.com, type: external, action: block}\n";

/// spoofctl run by `sh` in `dir` with umask 027.
fn spoofctl(dir: &Path, args: &str) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("umask 027; exec \"$0\" {args}"))
        .arg(env!("CARGO_BIN_EXE_spoofctl"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("spoofctl runs")
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).expect("written").permissions().mode() & 0o777
}

/// A new file gets 0666 less the umask (0640 under umask 027), with or without `--force`: not the 0600 of a
/// temporary file, and not a fixed 0644.
#[test]
fn a_new_file_gets_the_mode_the_umask_gives() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("list.yaml"), LIST).expect("write");
    for (name, force) in [("a.csv", ""), ("b.csv", "--force")] {
        let out = spoofctl(dir.path(), &format!("export --list list.yaml --format csv -o {name} {force}"));
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(mode(&dir.path().join(name)), 0o640, "{name}");
    }
}

/// `fmt` replaces a list keeping its mode, and its owner and group where the system allows (as root here).
#[test]
fn fmt_keeps_mode_and_owner() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("list.yaml");
    std::fs::write(&path, LIST.replace("{spoofed", "{ spoofed")).expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o604)).expect("chmod");
    let owned = std::os::unix::fs::chown(&path, Some(4321), Some(4321)).is_ok();
    let out = spoofctl(dir.path(), "fmt list.yaml");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read_to_string(&path).expect("read").contains("  - spoofed: fabrikam.com\n"), "formatted");
    assert_eq!(mode(&path), 0o604);
    if owned {
        let meta = std::fs::metadata(&path).expect("meta");
        assert_eq!((meta.uid(), meta.gid()), (4321, 4321));
    }
}

/// `-o` never replaces a FIFO or a device, even with `--force`: the reason is said, and the FIFO is still one.
#[test]
fn special_files_are_never_replaced() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("list.yaml"), LIST).expect("write");
    let made = Command::new("mkfifo").arg(dir.path().join("pipe")).status().expect("mkfifo runs");
    assert!(made.success());
    let out = spoofctl(dir.path(), "export --list list.yaml --format csv -o pipe --force");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pipe: cannot write: it is a FIFO (named pipe)"));
    assert!(std::fs::symlink_metadata(dir.path().join("pipe")).expect("there").file_type().is_fifo());
    std::os::unix::fs::symlink("/dev/null", dir.path().join("null.csv")).expect("symlink");
    let out = spoofctl(dir.path(), "export --list list.yaml --format csv -o null.csv --force");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("it is a device"));
    assert!(std::fs::metadata("/dev/null").expect("/dev/null").file_type().is_char_device());
}

/// `man --dir` follows no link out of the folder: a page that is a link stops the run, with or without
/// `--force`, and the link's target is not created.
#[test]
fn man_pages_follow_no_link() {
    let dir = tempfile::tempdir().expect("temp dir");
    let outside = dir.path().join("outside.1");
    std::fs::create_dir(dir.path().join("man")).expect("mkdir");
    std::os::unix::fs::symlink(&outside, dir.path().join("man").join("spoofctl.1")).expect("symlink");
    for force in ["", "--force"] {
        let out = spoofctl(dir.path(), &format!("man --dir man {force}"));
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("man/spoofctl.1: a symbolic link; it is not followed"));
        assert!(!outside.exists());
    }
}

/// A list file in a folder that is a link to a file outside the folder is refused by its own name, and
/// nothing of what it points to is read or shown; a link to a file inside the folder is read.
#[test]
fn a_link_out_of_a_list_folder_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let lists = dir.path().join("lists");
    std::fs::create_dir(&lists).expect("mkdir");
    std::fs::write(lists.join("contoso.yaml"), LIST).expect("write");
    std::fs::write(dir.path().join("secret.txt"), "version: 1\nentries: [TOP-SECRET]\n").expect("write");
    std::os::unix::fs::symlink("../secret.txt", lists.join("evil.yaml")).expect("symlink");
    let out = spoofctl(dir.path(), "validate lists");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("lists/evil.yaml: a symbolic link to a file outside its folder"), "{stderr}");
    assert!(!stderr.contains("TOP-SECRET") && !String::from_utf8_lossy(&out.stdout).contains("TOP-SECRET"));
    std::fs::remove_file(lists.join("evil.yaml")).expect("rm");
    std::os::unix::fs::symlink("contoso.yaml", lists.join("alias.yaml")).expect("symlink");
    let out = spoofctl(dir.path(), "validate lists");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A folder's list files are its `*.yaml` and `*.yml` files: other files are not read.
#[test]
fn a_folder_lists_its_yaml_and_yml_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let lists = dir.path().join("lists");
    std::fs::create_dir(&lists).expect("mkdir");
    std::fs::write(lists.join("a.yaml"), LIST).expect("write");
    std::fs::write(lists.join("b.yml"), LIST).expect("write");
    std::fs::write(lists.join("notes.txt"), "not a list").expect("write");
    let out = spoofctl(dir.path(), "validate lists");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("lists/a.yaml: ok") && stdout.contains("lists/b.yml: ok") && !stdout.contains("notes"),
        "{stdout}"
    );
}
