//! `--tenant SNAPSHOT` for `explain` and `match`: the snapshot is read once, and each message's admission
//! is added to its report (after the text, or as the `admission` member of its JSON document: `tenant` is
//! taken, by the list's tenant name).

use std::path::Path;

use serde::Serialize;
use spoofctl::model::tenant::Snapshot;
use spoofctl::read::snapshot::read_snapshot;

use super::{Exit, fail, shown};

/// The snapshot `--tenant` names, with its name as messages show it; `None` without `--tenant`.
pub fn load(path: Option<&Path>) -> Result<Option<(String, Snapshot)>, Exit> {
    let Some(path) = path else { return Ok(None) };
    let name = shown(path);
    match read_snapshot(path) {
        Ok(s) => Ok(Some((name, s))),
        Err(e) => Err(fail(format!("{name}: {e}"))),
    }
}

/// A report's JSON with the admission as its `admission` member.
pub fn json_with_admission(report: impl Serialize, admission: impl Serialize) -> String {
    let mut doc = serde_json::to_value(report).unwrap_or_default();
    if let Some(map) = doc.as_object_mut() {
        map.insert("admission".to_string(), serde_json::to_value(admission).unwrap_or_default());
    }
    format!("{doc:#}")
}
