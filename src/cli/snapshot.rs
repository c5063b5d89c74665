//! `spoofctl snapshot-script`: the read-only PowerShell script that writes a tenant snapshot.

use spoofctl::render::snapshot_script::snapshot_script;

use super::args::SnapshotScriptArgs;
use super::{Exit, atomic, fail, out, shown};

/// Runs `snapshot-script`.
pub fn run(args: SnapshotScriptArgs) -> Exit {
    let script = snapshot_script();
    match &args.output {
        Some(path) => match atomic::create(path, script.as_bytes(), args.force) {
            Ok(()) => Exit::Clean,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                fail(format!("{}: the file exists; nothing was written (give --force to replace it)", shown(path)))
            }
            Err(e) => fail(format!("{}: cannot write: {e}; nothing was written", shown(path))),
        },
        None => {
            out(&script);
            Exit::Clean
        }
    }
}
