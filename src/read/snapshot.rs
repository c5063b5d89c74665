//! Reading a snapshot folder into a [`Snapshot`] (product spec, "The whole tenant: snapshot and audit").
//!
//! What is read, for every file (`<Cmdlet>.json`, names compared ignoring case, every one optional):
//! - the two shapes `ConvertTo-Json` writes: PowerShell 7's array (or one object when the cmdlet returned one,
//!   or nothing at all when it returned none) and Windows PowerShell 5.1's `{"value": [...], "Count": n}`;
//! - UTF-8 with or without a BOM, UTF-16 LE or BE with a BOM ([`utf8_reader`]);
//! - enumerations as names (any case) or as numbers where Microsoft documents the number (see
//!   [`ServiceEnum`]); any other value is kept as [`Setting::Unknown`], never guessed;
//! - times as `"/Date(1700000000000)/"` (5.1) or ISO 8601 (7; without a zone it is read as UTC);
//! - `null`, a missing property and `[]` alike as "none" for a multi-valued property; a single text where a
//!   list is expected as a list of one; an element of a list written as the object a live value serializes to
//!   (`{"Address": ...}`, `{"Domain": ...}`, `{"Sender": {"Address": ...}}`) as its text;
//! - properties spoofctl does not use are skipped; property names are compared ignoring case, and a property
//!   written twice (in any case) is refused.
//!
//! A missing file is [`Checked::Missing`], a cmdlet the manifest records as failed is
//! [`Checked::CmdletFailed`], and a file that cannot be read is [`Checked::Unreadable`] with the file, the
//! object (its index from 1 and its Name or Identity), the property, and what was expected. Hostile input is
//! bounded: a file is read up to [`MAX_FILE_BYTES`], objects are converted one at a time as they are parsed
//! (the 5.1 wrapper's array included), at most [`MAX_OBJECTS`] per file, and nesting deeper than serde_json's
//! limit of 128 is refused.
//!
//! Spoofed-sender entries are read by [`crate::read::tabl_export`], the one reader of that cmdlet's output.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserializer as _;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::model::characters::printable;
use crate::model::date::Date;
use crate::model::diagnostic::ValueError;
use crate::model::ip_range::IpRange;
use crate::model::message::{Host, Sender};
use crate::model::pair::Side;
use crate::model::tenant::{
    AcceptedDomain, AntiPhishPolicy, ArcConfig, Checked, CmdletRun, ExoPhishSimOverrideRule, HeaderWords,
    HostedConnectionFilterPolicy, HostedContentFilterPolicy, InboundConnector, MailboxJunkEmailConfiguration, Manifest,
    OrganizationConfig, PolicyRule, Problem, RecipientScope, SenderConditions, SenderItem, ServiceEnum, Setting,
    Snapshot, SpoofItem, Timestamp, TransportRule, files,
};
use crate::model::words::{Action, Word};
use crate::read::encoding::utf8_reader;
use crate::read::tabl_export::{ExportError, ExportRow, read_export_rows};

/// The largest snapshot file read: 10,000 mailboxes' Safe Senders or 1,000 mail flow rules take a few MiB.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// The most objects one file may hold: far above any tenant's rules or policies, and above 100,000 mailboxes.
pub const MAX_OBJECTS: usize = 250_000;

/// Why a snapshot folder cannot be read at all (one bad file is not this: it is that mechanism's
/// [`Checked::Unreadable`]). The message does not name the folder: the caller does.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The folder cannot be listed.
    #[error("{message}")]
    Folder {
        /// The folder.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The mechanism asked for was not checked when the snapshot was taken, or its file cannot be read.
    #[error("{0}")]
    NotChecked(String),
}

/// The snapshot's entries (files, and whatever else has a file's name), by their names folded to lowercase.
struct Folder {
    /// The folder with links resolved.
    real: PathBuf,
    files: HashMap<String, Vec<PathBuf>>,
}

impl Folder {
    fn open(path: &Path) -> Result<Folder, SnapshotError> {
        let folder_error = |message: String| SnapshotError::Folder { path: path.to_path_buf(), message };
        if !path.is_dir() {
            return Err(folder_error("not a folder: a snapshot is the folder snapshot-script writes".to_string()));
        }
        let real = std::fs::canonicalize(path).map_err(|e| folder_error(e.to_string()))?;
        let mut files: HashMap<String, Vec<PathBuf>> = HashMap::new();
        for entry in std::fs::read_dir(path).map_err(|e| folder_error(e.to_string()))? {
            let entry = entry.map_err(|e| folder_error(e.to_string()))?;
            let name = entry.file_name().to_string_lossy().to_lowercase();
            files.entry(name).or_default().push(entry.path());
        }
        Ok(Folder { real, files })
    }

    /// The file `<stem>.json`, compared ignoring case; two files that differ only in case are refused.
    fn find(&self, stem: &str) -> Result<Option<&Path>, Problem> {
        let name = format!("{stem}.json");
        match self.files.get(&name.to_lowercase()).map(Vec::as_slice) {
            None | Some([]) => Ok(None),
            Some([one]) => self.regular(one, &name).map(Some),
            Some(many) => Err(Problem {
                file: name,
                object: None,
                property: None,
                message: format!(
                    "{} files differ only in case ({}): keep one",
                    many.len(),
                    many.iter().map(|p| file_name(p)).collect::<Vec<_>>().join(", ")
                ),
            }),
        }
    }
}

impl Folder {
    /// `path` when it is a regular file in the folder. Anything else under a snapshot file's name is there
    /// but unreadable, never "not in the snapshot": a FIFO or device (reading would block or never end),
    /// a folder, or a link out of the snapshot (a committed link could show any file the machine can read in
    /// a report posted on a pull request; nothing of its target is read).
    fn regular<'p>(&self, path: &'p Path, name: &str) -> Result<&'p Path, Problem> {
        let problem = |message: &str| Problem {
            file: name.to_string(),
            object: None,
            property: None,
            message: message.to_string(),
        };
        let linked = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        if linked && std::fs::canonicalize(path).ok().as_deref().and_then(Path::parent) != Some(self.real.as_path()) {
            return Err(problem("a symbolic link out of the snapshot folder; not read"));
        }
        match std::fs::metadata(path) {
            Ok(m) if m.is_file() => Ok(path),
            Ok(_) => Err(problem("not a regular file (a folder, FIFO or device); not read")),
            Err(e) => Err(problem(&e.to_string())),
        }
    }
}

fn file_name(path: &Path) -> String {
    printable(&path.file_name().unwrap_or_default().to_string_lossy())
}

/// Reads a snapshot folder. Only a folder that cannot be listed is an error; every file's problems are kept
/// in its field.
pub fn read_snapshot(path: &Path) -> Result<Snapshot, SnapshotError> {
    let folder = Folder::open(path)?;
    let manifest = read_file(&folder, files::MANIFEST, None, read_manifest);
    let failed = manifest.read().map(|m| m.cmdlets.as_slice()).unwrap_or_default();
    let spoof_items = match spoof_rows(&folder, failed) {
        Ok(rows) => rows
            .iter()
            .map(|row| spoof_item(row).map_err(|message| row_problem(&folder, row, message)))
            .collect::<Result<Vec<_>, _>>()
            .map_or_else(Checked::Unreadable, Checked::Read),
        Err(not_checked) => not_checked,
    };
    Ok(Snapshot {
        spoof_items,
        sender_items: read_list(&folder, files::SENDER_ITEMS, failed, sender_item),
        content_filter_policies: read_list(&folder, files::CONTENT_FILTER_POLICIES, failed, content_filter_policy),
        content_filter_rules: read_list(&folder, files::CONTENT_FILTER_RULES, failed, |o| {
            policy_rule(o, "HostedContentFilterPolicy")
        }),
        connection_filter_policies: read_list(
            &folder,
            files::CONNECTION_FILTER_POLICIES,
            failed,
            connection_filter_policy,
        ),
        transport_rules: read_list(&folder, files::TRANSPORT_RULES, failed, transport_rule),
        anti_phish_policies: read_list(&folder, files::ANTI_PHISH_POLICIES, failed, anti_phish_policy),
        anti_phish_rules: read_list(&folder, files::ANTI_PHISH_RULES, failed, |o| policy_rule(o, "AntiPhishPolicy")),
        inbound_connectors: read_list(&folder, files::INBOUND_CONNECTORS, failed, inbound_connector),
        phish_sim_override_rules: read_list(&folder, files::PHISH_SIM_OVERRIDE_RULES, failed, phish_sim_override_rule),
        arc_config: read_one(&folder, files::ARC_CONFIG, failed, arc_config),
        accepted_domains: read_list(&folder, files::ACCEPTED_DOMAINS, failed, accepted_domain),
        organization_config: read_one(&folder, files::ORGANIZATION_CONFIG, failed, organization_config),
        junk_email_configurations: read_list(
            &folder,
            files::JUNK_EMAIL_CONFIGURATIONS,
            failed,
            junk_email_configuration,
        ),
        manifest,
    })
}

/// The spoofed-sender entries of a snapshot folder, as an export's rows, for `plan --live FOLDER`: the rows of
/// `Get-TenantAllowBlockListSpoofItems.json` (none when the file is empty). A missing file, a cmdlet the
/// manifest records as failed, or a file that cannot be read is an error saying so.
pub fn spoof_items(path: &Path) -> Result<Vec<ExportRow>, SnapshotError> {
    let folder = Folder::open(path)?;
    let manifest = read_file(&folder, files::MANIFEST, None, read_manifest);
    let failed = manifest.read().map(|m| m.cmdlets.as_slice()).unwrap_or_default();
    spoof_rows(&folder, failed).map_err(|c: Checked<Vec<SpoofItem>>| {
        let why = c.not_checked_because().unwrap_or_default();
        SnapshotError::NotChecked(format!("the spoofed-sender entries were not read: {why}"))
    })
}

fn row_problem(folder: &Folder, row: &ExportRow, message: String) -> Problem {
    let file = folder.find(files::SPOOF_ITEMS).ok().flatten().map_or_else(|| files::SPOOF_ITEMS.to_string(), file_name);
    let object = match &row.identity {
        Some(id) => format!("object {} ({})", row.place.trim_start_matches("item "), printable(id)),
        None => format!("object {}", row.place.trim_start_matches("item ")),
    };
    Problem { file, object: Some(object), property: None, message }
}

/// The rows of the spoof items file, or why the mechanism is not checked.
fn spoof_rows<T>(folder: &Folder, failed: &[CmdletRun]) -> Result<Vec<ExportRow>, Checked<T>> {
    let path = locate(folder, files::SPOOF_ITEMS, failed)?;
    let problem =
        |message: String| Checked::Unreadable(Problem { file: file_name(path), object: None, property: None, message });
    let input = File::open(path).map_err(|e| problem(e.to_string()))?;
    match read_export_rows(input) {
        Ok(rows) => Ok(rows),
        Err(ExportError::Empty) => Ok(Vec::new()),
        Err(e) => Err(problem(e.to_string())),
    }
}

/// A row of the spoof items file as the service holds it: `*` on a side is kept (it is a finding, not an
/// error); a value no side can be, or a missing word, is a problem.
fn spoof_item(row: &ExportRow) -> Result<SpoofItem, String> {
    let words = row.words().map_err(|p| p.message)?;
    let spoof_type = words.spoof_type.ok_or("SpoofType: missing; expected Internal or External")?;
    Ok(SpoofItem {
        identity: words.id,
        spoofed: Side::parse_spoofed(&row.spoofed).map_err(|e| format!("SpoofedUser: {}", e.message))?,
        infrastructure: Side::parse_infrastructure(&row.infrastructure)
            .map_err(|e| format!("SendingInfrastructure: {}", e.message))?,
        spoof_type,
        action: words.action,
    })
}

/// The path of a cmdlet's file, or why it is not checked.
fn locate<'f, T>(folder: &'f Folder, stem: &str, failed: &[CmdletRun]) -> Result<&'f Path, Checked<T>> {
    if let Some(error) = failed.iter().find(|c| c.name.eq_ignore_ascii_case(stem)).and_then(|c| c.error.clone()) {
        return Err(Checked::CmdletFailed(error));
    }
    folder.find(stem).map_err(Checked::Unreadable)?.ok_or(Checked::Missing)
}

/// Reads a file of many objects.
fn read_list<T>(
    folder: &Folder,
    stem: &str,
    failed: &[CmdletRun],
    convert: fn(&Obj<'_>) -> Result<T, Problem>,
) -> Checked<Vec<T>> {
    read_file(folder, stem, Some(failed), |file, values| {
        let mut out = Vec::new();
        values(&mut |index, value| {
            out.push(convert(&Obj::new(file, index, &value)?)?);
            Ok(())
        })?;
        Ok(out)
    })
}

/// Reads a file of exactly one object (a cmdlet that returns the tenant's one settings object).
fn read_one<T>(
    folder: &Folder,
    stem: &str,
    failed: &[CmdletRun],
    convert: fn(&Obj<'_>) -> Result<T, Problem>,
) -> Checked<T> {
    read_file(folder, stem, Some(failed), |file, values| {
        let mut out = Vec::new();
        values(&mut |index, value| {
            out.push(convert(&Obj::new(file, index, &value)?)?);
            Ok(())
        })?;
        let n = out.len();
        out.pop().filter(|_| n == 1).ok_or_else(|| Problem {
            file: file.to_string(),
            object: None,
            property: None,
            message: format!("expected one object (the tenant's settings), found {n}"),
        })
    })
}

/// Each object of a file, with its index from 1, handed to a callback as it is parsed.
type Each<'c> = &'c mut dyn FnMut(usize, Value) -> Result<(), Problem>;

/// Reads one file: finds it, decodes it, and hands its objects to `parse`. `failed` is `None` for the
/// manifest itself.
fn read_file<T>(
    folder: &Folder,
    stem: &str,
    failed: Option<&[CmdletRun]>,
    parse: impl FnOnce(&str, &mut dyn FnMut(Each<'_>) -> Result<(), Problem>) -> Result<T, Problem>,
) -> Checked<T> {
    let path = match locate(folder, stem, failed.unwrap_or_default()) {
        Ok(p) => p,
        Err(not_checked) => return not_checked,
    };
    let file = file_name(path);
    let problem = |message: String| Problem { file: file.clone(), object: None, property: None, message };
    let bytes = match read_bytes(path) {
        Ok(b) => b,
        Err(message) => return Checked::Unreadable(problem(message)),
    };
    let mut values = |each: Each<'_>| objects(&bytes, each).map_err(|e| e.unwrap_or_else(&problem));
    parse(&file, &mut values).map_or_else(Checked::Unreadable, Checked::Read)
}

/// The file's text as UTF-8, at most [`MAX_FILE_BYTES`].
fn read_bytes(path: &Path) -> Result<Vec<u8>, String> {
    let input = File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    utf8_reader(input)
        .map_err(|e| e.to_string())?
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot be read as UTF-8 or UTF-16 text: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "the file is larger than {} MiB, far more than a tenant's settings take",
            MAX_FILE_BYTES / 1024 / 1024
        ));
    }
    Ok(bytes)
}

/// Parses the JSON and hands each object to `each`: the elements of an array, the elements of the 5.1
/// wrapper's `value`, or the one object. Nothing at all (a cmdlet that returned nothing) is no object. The
/// error is the callback's problem, or a message about the file.
fn objects(bytes: &[u8], each: Each<'_>) -> Result<(), Result<Problem, String>> {
    let text = bytes.trim_ascii();
    if text.is_empty() {
        return Ok(());
    }
    let mut stopped = None;
    let mut de = serde_json::Deserializer::from_slice(text);
    let result = de.deserialize_any(TopVisit { each, stopped: &mut stopped }).and_then(|()| de.end());
    match (stopped, result) {
        (Some(stop), _) => Err(stop),
        (None, Ok(())) => Ok(()),
        (None, Err(e)) => Err(Err(json_error(&e))),
    }
}

fn json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if text.contains("recursion limit exceeded") {
        return format!(
            "the JSON nests deeper than 128 levels at line {}: ConvertTo-Json -Depth 6 writes far less",
            e.line()
        );
    }
    match e.classify() {
        serde_json::error::Category::Eof => format!("the JSON is cut off at line {}: is the file complete?", e.line()),
        _ => format!("not valid JSON: {text}"),
    }
}

/// Why reading stopped before the JSON ended: an object's problem, or the file's shape (a message).
type Stop = Result<Problem, String>;

/// The serde error of a stop: its reason is in `stopped`.
const STOPPED: &str = "stopped by a problem";

struct TopVisit<'c, 's> {
    each: Each<'c>,
    stopped: &'s mut Option<Stop>,
}

impl<'de> Visitor<'de> for TopVisit<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object, an array of objects, or {\"value\": [...], \"Count\": n} as ConvertTo-Json writes them")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        stream(seq, self.each, self.stopped).map(|_| ())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut object = serde_json::Map::new();
        let mut listed = None;
        while let Some(key) = map.next_key::<String>()? {
            let only_count = object.keys().all(|k| k.eq_ignore_ascii_case("count"));
            if key.eq_ignore_ascii_case("value") && listed.is_none() && only_count {
                let seed = ValueOrList { each: &mut *self.each, stopped: &mut *self.stopped };
                match map.next_value_seed(seed)? {
                    Listed::Items(n) => listed = Some(n),
                    Listed::Other(v) => {
                        object.insert(key, v);
                    }
                }
            } else {
                let value: Value = map.next_value()?;
                if listed.is_some() && !key.eq_ignore_ascii_case("count") {
                    return Err(shape(
                        self.stopped,
                        format!(
                            "`{}` beside the `value` array: expected {{\"value\": [...], \"Count\": n}} as Windows PowerShell writes it",
                            printable(&key)
                        ),
                    ));
                }
                object.insert(key, value);
            }
        }
        match listed {
            Some(n) => match object.iter().find(|(k, _)| k.eq_ignore_ascii_case("count")).map(|(_, v)| v) {
                Some(count) if count.as_u64() != Some(n as u64) => Err(shape(
                    self.stopped,
                    format!("`Count` is {count} but `value` holds {n} objects: is the file cut off?"),
                )),
                _ => Ok(()),
            },
            None => (self.each)(1, Value::Object(object)).map_err(|p| stop(self.stopped, p)),
        }
    }
}

fn stop<E: de::Error>(stopped: &mut Option<Stop>, problem: Problem) -> E {
    *stopped = Some(Ok(problem));
    E::custom(STOPPED)
}

fn shape<E: de::Error>(stopped: &mut Option<Stop>, message: String) -> E {
    *stopped = Some(Err(message));
    E::custom(STOPPED)
}

/// Hands each element of an array to `each`; the count.
fn stream<'de, A: SeqAccess<'de>>(mut seq: A, each: Each<'_>, stopped: &mut Option<Stop>) -> Result<usize, A::Error> {
    let mut n = 0;
    while let Some(value) = seq.next_element::<Value>()? {
        n += 1;
        if n > MAX_OBJECTS {
            return Err(shape(stopped, format!("more than {MAX_OBJECTS} objects: not one tenant's settings")));
        }
        each(n, value).map_err(|p| stop(stopped, p))?;
    }
    Ok(n)
}

/// The value of a top-level `value` key: the 5.1 wrapper's array (streamed), or any other value (then the
/// object is a plain object with a property `value`).
struct ValueOrList<'c, 's> {
    each: Each<'c>,
    stopped: &'s mut Option<Stop>,
}

enum Listed {
    Items(usize),
    Other(Value),
}

impl<'de> DeserializeSeed<'de> for ValueOrList<'_, '_> {
    type Value = Listed;
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Listed, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueOrList<'_, '_> {
    type Value = Listed;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a value")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Listed, A::Error> {
        stream(seq, self.each, self.stopped).map(Listed::Items)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Listed, A::Error> {
        serde::Deserialize::deserialize(de::value::MapAccessDeserializer::new(map)).map(Listed::Other)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Listed, E> {
        Ok(Listed::Other(Value::String(v.to_string())))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Listed, E> {
        Ok(Listed::Other(Value::from(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Listed, E> {
        Ok(Listed::Other(Value::from(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Listed, E> {
        Ok(Listed::Other(Value::from(v)))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Listed, E> {
        Ok(Listed::Other(Value::Bool(v)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Listed, E> {
        Ok(Listed::Other(Value::Null))
    }
}

/// One object of a file: its properties by folded name, and its place for messages.
struct Obj<'a> {
    file: &'a str,
    label: String,
    props: HashMap<String, (&'a str, &'a Value)>,
}

impl<'a> Obj<'a> {
    fn new(file: &'a str, index: usize, value: &'a Value) -> Result<Obj<'a>, Problem> {
        let problem = |message: String| Problem {
            file: file.to_string(),
            object: Some(format!("object {index}")),
            property: None,
            message,
        };
        let Value::Object(map) = value else {
            return Err(problem(format!("expected an object with the cmdlet's properties, found {}", kind(value))));
        };
        let mut props = HashMap::new();
        for (key, v) in map {
            if let Some((first, _)) = props.insert(key.to_lowercase(), (key.as_str(), v)) {
                return Err(problem(format!(
                    "`{}` and `{}` are one property written twice: keep one",
                    printable(first),
                    printable(key)
                )));
            }
        }
        let name = ["name", "identity", "domainname", "value"]
            .iter()
            .find_map(|k| props.get(*k).and_then(|(_, v)| v.as_str()))
            .map(|n| format!(" (\"{}\")", printable(n)))
            .unwrap_or_default();
        Ok(Obj { file, label: format!("object {index}{name}"), props })
    }

    fn problem(&self, property: &str, message: String) -> Problem {
        Problem {
            file: self.file.to_string(),
            object: Some(self.label.clone()),
            property: Some(property.to_string()),
            message,
        }
    }

    /// The value, `None` when missing or `null`.
    fn get(&self, property: &str) -> Option<&'a Value> {
        self.props.get(&property.to_lowercase()).map(|(_, v)| *v).filter(|v| !v.is_null())
    }

    fn text(&self, property: &str) -> Result<Option<String>, Problem> {
        match self.get(property) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(v) => Err(self.problem(property, format!("expected text, found {}", kind(v)))),
        }
    }

    fn required_text(&self, property: &str) -> Result<String, Problem> {
        self.text(property)?.ok_or_else(|| self.problem(property, "missing; expected text".to_string()))
    }

    fn flag(&self, property: &str) -> Result<Option<bool>, Problem> {
        match self.get(property) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(v) => Err(self.problem(property, format!("expected true or false, found {}", kind(v)))),
        }
    }

    fn required_flag(&self, property: &str) -> Result<bool, Problem> {
        self.flag(property)?.ok_or_else(|| self.problem(property, "missing; expected true or false".to_string()))
    }

    fn number(&self, property: &str) -> Result<Option<i64>, Problem> {
        match self.get(property) {
            None => Ok(None),
            Some(Value::Number(n)) if n.is_i64() => Ok(n.as_i64()),
            Some(Value::String(s)) if s.trim().parse::<i64>().is_ok() => Ok(s.trim().parse().ok()),
            Some(v) => Err(self.problem(property, format!("expected a whole number, found {}", kind(v)))),
        }
    }

    fn setting<E: ServiceEnum>(&self, property: &str) -> Result<Option<Setting<E>>, Problem> {
        match self.get(property) {
            None => Ok(None),
            Some(Value::String(s)) => {
                Ok(Some(E::from_name(s).map_or_else(|| Setting::Unknown(s.trim().to_string()), Setting::Is)))
            }
            Some(Value::Number(n)) => Ok(Some(
                n.as_i64().and_then(E::from_number).map_or_else(|| Setting::Unknown(n.to_string()), Setting::Is),
            )),
            Some(v) => Err(self.problem(
                property,
                format!(
                    "expected one of {} (a name or its number), found {}",
                    E::NAMES.iter().map(|(_, n, _)| *n).collect::<Vec<_>>().join(", "),
                    kind(v)
                ),
            )),
        }
    }

    /// An enumeration the service always writes: missing reads as unknown, never as a default.
    fn required_setting<E: ServiceEnum>(&self, property: &str) -> Result<Setting<E>, Problem> {
        Ok(self.setting(property)?.unwrap_or_else(|| Setting::Unknown("(not written)".to_string())))
    }

    fn time(&self, property: &str) -> Result<Option<Timestamp>, Problem> {
        match self.get(property) {
            None => Ok(None),
            Some(Value::String(s)) => parse_time(s).map(Some).ok_or_else(|| {
                self.problem(
                    property,
                    format!(
                        "`{}` is not a time: expected \"/Date(1700000000000)/\" or ISO 8601 (2026-11-22T10:15:30Z)",
                        printable(s)
                    ),
                )
            }),
            Some(v) => Err(self.problem(property, format!("expected a time, found {}", kind(v)))),
        }
    }

    /// A multi-valued property's texts: `null`, missing and `[]` are none; one text is a list of one.
    fn texts(&self, property: &str) -> Result<Vec<String>, Problem> {
        let items: Vec<&Value> = match self.get(property) {
            None => return Ok(Vec::new()),
            Some(Value::Array(items)) => items.iter().collect(),
            Some(one) => vec![one],
        };
        items
            .into_iter()
            .enumerate()
            .filter(|(_, v)| !v.is_null())
            .map(|(i, v)| {
                element_text(v)
                    .ok_or_else(|| self.problem(property, format!("value {}: expected text, found {}", i + 1, kind(v))))
            })
            .filter(|r| r.as_ref().map_or(true, |s| !s.is_empty()))
            .collect()
    }

    /// A multi-valued property's values, each parsed (the parser's message says what is expected).
    fn values<T>(&self, property: &str, parse: impl Fn(&str) -> Result<T, ValueError>) -> Result<Vec<T>, Problem> {
        self.texts(property)?
            .iter()
            .enumerate()
            .map(|(i, s)| parse(s).map_err(|e| self.problem(property, format!("value {}: {}", i + 1, e.message))))
            .collect()
    }

    fn hosts(&self, property: &str) -> Result<Vec<Host>, Problem> {
        self.values(property, Host::parse)
    }

    fn ranges(&self, property: &str) -> Result<Vec<IpRange>, Problem> {
        self.values(property, IpRange::parse)
    }

    /// Addresses or domains; Outlook writes a domain in Safe Senders as `@contoso.com` too.
    fn senders(&self, property: &str) -> Result<Vec<Sender>, Problem> {
        self.values(property, |s| Sender::parse(s.strip_prefix('@').unwrap_or(s)))
    }
}

/// The text of a list element: a string, a number, or the object a live value serializes to.
fn element_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(map) => {
            let get = |k: &str| map.iter().find(|(key, _)| key.eq_ignore_ascii_case(k)).map(|(_, v)| v);
            ["address", "sender", "domain"].iter().find_map(|k| get(k).and_then(element_text))
        }
        _ => None,
    }
}

/// What a JSON value is, for messages.
fn kind(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => format!("`{b}`"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the text `{}`", printable(s)),
        Value::Array(_) => "a list".to_string(),
        Value::Object(_) => "an object".to_string(),
    }
}

/// `/Date(1700000000000)/` (an offset after the milliseconds, `+0100`, is ignored: the milliseconds are UTC) or
/// ISO 8601 `YYYY-MM-DDTHH:MM:SS[.fraction][Z|+HH:MM|-HH:MM]` (no zone: UTC).
fn parse_time(raw: &str) -> Option<Timestamp> {
    let raw = raw.trim();
    if let Some(inner) = raw.strip_prefix("/Date(").and_then(|r| r.strip_suffix(")/")) {
        let digits_end =
            inner.char_indices().skip(1).find(|(_, c)| !c.is_ascii_digit()).map_or(inner.len(), |(i, _)| i);
        let (ms, offset) = inner.split_at(digits_end);
        let offset_ok = offset.is_empty()
            || (offset.len() == 5 && offset.starts_with(['+', '-']) && offset[1..].bytes().all(|b| b.is_ascii_digit()));
        return ms.parse().ok().filter(|_| offset_ok).map(Timestamp);
    }
    let (date, rest) = (raw.get(..10)?, raw.get(10..)?);
    let days = Date::parse(date).ok()?.days_since_epoch();
    let rest = rest.strip_prefix(['T', ' ']).unwrap_or(rest);
    if rest.is_empty() {
        return Some(Timestamp(days * 86_400_000));
    }
    let (clock, zone) = match rest.find(['Z', 'z', '+', '-']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let (hms, fraction) = clock.split_once('.').unwrap_or((clock, ""));
    let parts: Vec<i64> = hms.split(':').map(|p| p.parse().ok().filter(|_| p.len() == 2)).collect::<Option<_>>()?;
    let [h, m, s] = parts[..] else { return None };
    if h > 23 || m > 59 || s > 60 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let millis: i64 = format!("{fraction:0<3}").get(..3)?.parse().ok()?;
    let offset_minutes = match zone {
        "" | "Z" | "z" => 0,
        z => {
            let (sign, hhmm) = z.split_at(1);
            let (oh, om) = hhmm.split_once(':').unwrap_or((hhmm.get(..2)?, hhmm.get(2..)?));
            let (oh, om): (i64, i64) = (oh.parse().ok()?, om.parse().ok()?);
            if oh > 14 || om > 59 {
                return None;
            }
            if sign == "-" { -(oh * 60 + om) } else { oh * 60 + om }
        }
    };
    Some(Timestamp(((days * 86_400 + h * 3600 + m * 60 + s - offset_minutes * 60) * 1000) + millis))
}

fn read_manifest(file: &str, values: &mut dyn FnMut(Each<'_>) -> Result<(), Problem>) -> Result<Manifest, Problem> {
    let mut manifest = None;
    values(&mut |index, value| {
        let obj = Obj::new(file, index, &value)?;
        manifest = Some(Manifest {
            tenant: obj.text("Tenant")?,
            time: obj.time("Time")?,
            module_version: obj.text("ModuleVersion")?,
            cmdlets: cmdlet_runs(&obj)?,
        });
        Ok(())
    })?;
    manifest.ok_or_else(|| Problem {
        file: file.to_string(),
        object: None,
        property: None,
        message: "expected one object with Tenant, Time, ModuleVersion and Cmdlets".to_string(),
    })
}

/// `Cmdlets`: a list of `{Name, Status, Error}`, or an object keyed by cmdlet name whose values are
/// `{Status, Error}`. A status other than `Written` (any case) without an error is recorded as failed with
/// the status as its error.
fn cmdlet_runs(obj: &Obj<'_>) -> Result<Vec<CmdletRun>, Problem> {
    let run = |name: Option<&str>, v: &Value| -> Result<CmdletRun, Problem> {
        let bad = |m: &str| obj.problem("Cmdlets", m.to_string());
        let Value::Object(map) = v else {
            return Err(bad("expected {\"Name\": ..., \"Status\": ..., \"Error\": ...} for each cmdlet"));
        };
        let get = |k: &str| map.iter().find(|(key, _)| key.eq_ignore_ascii_case(k)).and_then(|(_, v)| v.as_str());
        let name = name.or_else(|| get("Name")).ok_or_else(|| bad("a cmdlet without its Name"))?;
        let status = get("Status").unwrap_or("Written");
        let error = get("Error").filter(|e| !e.trim().is_empty());
        // A status other than Written or Failed (the script's `Skipped`) is said with its reason.
        let error = match (error, status) {
            (_, s) if s.eq_ignore_ascii_case("written") => None,
            (Some(e), s) if s.eq_ignore_ascii_case("failed") => Some(e.to_string()),
            (Some(e), s) => Some(format!("{s}: {e}")),
            (None, s) => Some(s.to_string()),
        };
        Ok(CmdletRun { name: name.trim().to_string(), error })
    };
    match obj.get("Cmdlets") {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items.iter().map(|v| run(None, v)).collect(),
        Some(Value::Object(map)) => map.iter().map(|(k, v)| run(Some(k), v)).collect(),
        Some(v) => Err(obj.problem("Cmdlets", format!("expected a list of cmdlets, found {}", kind(v)))),
    }
}

fn sender_item(o: &Obj<'_>) -> Result<SenderItem, Problem> {
    let value = o.required_text("Value")?;
    let action = o.required_text("Action")?;
    Ok(SenderItem {
        identity: o.text("Identity")?,
        value: Sender::parse(&value)
            .map_err(|e| o.problem("Value", format!("expected an address or a domain: {}", e.message)))?,
        action: Action::parse_word(&action)
            .ok_or_else(|| o.problem("Action", format!("`{}` is not Allow or Block", printable(&action))))?,
        expiration_date: o.time("ExpirationDate")?,
        notes: o.text("Notes")?,
        last_modified: o.time("LastModifiedDateTime")?,
    })
}

fn content_filter_policy(o: &Obj<'_>) -> Result<HostedContentFilterPolicy, Problem> {
    Ok(HostedContentFilterPolicy {
        name: o.required_text("Name")?,
        is_default: o.flag("IsDefault")?.unwrap_or(false),
        allowed_senders: o.senders("AllowedSenders")?,
        allowed_sender_domains: o.hosts("AllowedSenderDomains")?,
    })
}

fn scope(o: &Obj<'_>) -> Result<RecipientScope, Problem> {
    Ok(RecipientScope {
        sent_to: o.texts("SentTo")?,
        sent_to_member_of: o.texts("SentToMemberOf")?,
        recipient_domain_is: o.hosts("RecipientDomainIs")?,
        except_if_sent_to: o.texts("ExceptIfSentTo")?,
        except_if_sent_to_member_of: o.texts("ExceptIfSentToMemberOf")?,
        except_if_recipient_domain_is: o.hosts("ExceptIfRecipientDomainIs")?,
    })
}

/// An anti-spam or anti-phishing rule, whose policy's name is the value of `policy_key`.
fn policy_rule(o: &Obj<'_>, policy_key: &str) -> Result<PolicyRule, Problem> {
    Ok(PolicyRule {
        name: o.required_text("Name")?,
        policy: o.required_text(policy_key)?,
        state: o.required_setting("State")?,
        priority: o.number("Priority")?,
        scope: scope(o)?,
    })
}

fn connection_filter_policy(o: &Obj<'_>) -> Result<HostedConnectionFilterPolicy, Problem> {
    Ok(HostedConnectionFilterPolicy {
        name: o.required_text("Name")?,
        ip_allow_list: o.ranges("IPAllowList")?,
        enable_safe_list: o.flag("EnableSafeList")?.unwrap_or(false),
    })
}

/// The conditions of New-TransportRule.md ("This parameter specifies a condition or part of a condition for
/// the rule"), each also an exception with `ExceptIf` before it. Those spoofctl evaluates are read into
/// [`SenderConditions`]; any other that a rule sets is named in `other_conditions`.
const TRANSPORT_CONDITIONS: [&str; 59] = [
    "ADComparisonAttribute",
    "ADComparisonOperator",
    "AnyOfCcHeader",
    "AnyOfCcHeaderMemberOf",
    "AnyOfRecipientAddressContainsWords",
    "AnyOfRecipientAddressMatchesPatterns",
    "AnyOfToCcHeader",
    "AnyOfToCcHeaderMemberOf",
    "AnyOfToHeader",
    "AnyOfToHeaderMemberOf",
    "AttachmentContainsWords",
    "AttachmentExtensionMatchesWords",
    "AttachmentHasExecutableContent",
    "AttachmentIsPasswordProtected",
    "AttachmentIsUnsupported",
    "AttachmentMatchesPatterns",
    "AttachmentNameMatchesPatterns",
    "AttachmentProcessingLimitExceeded",
    "AttachmentPropertyContainsWords",
    "AttachmentSizeOver",
    "BetweenMemberOf1",
    "BetweenMemberOf2",
    "ContentCharacterSetContainsWords",
    "From",
    "FromAddressContainsWords",
    "FromAddressMatchesPatterns",
    "FromMemberOf",
    "FromScope",
    "HasClassification",
    "HasNoClassification",
    "HasSenderOverride",
    "HeaderContainsMessageHeader",
    "HeaderContainsWords",
    "HeaderMatchesMessageHeader",
    "HeaderMatchesPatterns",
    "ManagerAddresses",
    "ManagerForEvaluatedUser",
    "MessageContainsDataClassifications",
    "MessageSizeOver",
    "MessageTypeMatches",
    "RecipientADAttributeContainsWords",
    "RecipientADAttributeMatchesPatterns",
    "RecipientAddressContainsWords",
    "RecipientAddressMatchesPatterns",
    "RecipientDomainIs",
    "SCLOver",
    "SenderADAttributeContainsWords",
    "SenderADAttributeMatchesPatterns",
    "SenderDomainIs",
    "SenderIpRanges",
    "SenderManagementRelationship",
    "SentTo",
    "SentToMemberOf",
    "SentToScope",
    "SubjectContainsWords",
    "SubjectMatchesPatterns",
    "SubjectOrBodyContainsWords",
    "SubjectOrBodyMatchesPatterns",
    "WithImportance",
];

/// The conditions read into [`SenderConditions`].
const EVALUATED: [&str; 9] = [
    "SenderDomainIs",
    "From",
    "FromAddressContainsWords",
    "FromAddressMatchesPatterns",
    "SenderIpRanges",
    "HeaderContainsMessageHeader",
    "HeaderContainsWords",
    "HeaderMatchesMessageHeader",
    "HeaderMatchesPatterns",
];

fn sender_conditions(o: &Obj<'_>, prefix: &str) -> Result<SenderConditions, Problem> {
    let p = |name: &str| format!("{prefix}{name}");
    let header = |name: &str, values: &str| -> Result<Option<HeaderWords>, Problem> {
        let words = o.texts(&p(values))?;
        match o.text(&p(name))? {
            Some(header) => Ok(Some(HeaderWords { header, values: words })),
            None if words.is_empty() => Ok(None),
            None => Err(o.problem(&p(values), format!("words without the header to look in: {} is not set", p(name)))),
        }
    };
    Ok(SenderConditions {
        sender_domain_is: o.hosts(&p("SenderDomainIs"))?,
        from: o.texts(&p("From"))?,
        from_address_contains_words: o.texts(&p("FromAddressContainsWords"))?,
        from_address_matches_patterns: o.texts(&p("FromAddressMatchesPatterns"))?,
        sender_ip_ranges: o.ranges(&p("SenderIpRanges"))?,
        header_contains: header("HeaderContainsMessageHeader", "HeaderContainsWords")?,
        header_matches: header("HeaderMatchesMessageHeader", "HeaderMatchesPatterns")?,
    })
}

/// True when a property holds a setting: not missing, `null`, `false`, `""` or `[]`.
fn is_set(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null | Value::Bool(false)) => false,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Array(a)) => a.iter().any(|v| is_set(Some(v))),
        Some(_) => true,
    }
}

fn transport_rule(o: &Obj<'_>) -> Result<TransportRule, Problem> {
    let other_conditions = ["", "ExceptIf"]
        .iter()
        .flat_map(|prefix| {
            TRANSPORT_CONDITIONS.iter().filter(|c| !EVALUATED.contains(c)).map(move |c| format!("{prefix}{c}"))
        })
        .filter(|name| is_set(o.get(name)))
        .collect();
    Ok(TransportRule {
        name: o.required_text("Name")?,
        state: o.required_setting("State")?,
        priority: o.number("Priority")?,
        mode: o.required_setting("Mode")?,
        set_scl: o.number("SetSCL")?,
        set_header_name: o.text("SetHeaderName")?,
        set_header_value: o.text("SetHeaderValue")?,
        sender_address_location: o.required_setting("SenderAddressLocation")?,
        conditions: sender_conditions(o, "")?,
        exceptions: sender_conditions(o, "ExceptIf")?,
        other_conditions,
    })
}

fn anti_phish_policy(o: &Obj<'_>) -> Result<AntiPhishPolicy, Problem> {
    Ok(AntiPhishPolicy {
        name: o.required_text("Name")?,
        is_default: o.flag("IsDefault")?.unwrap_or(false),
        enabled: o.flag("Enabled")?,
        enable_spoof_intelligence: o.flag("EnableSpoofIntelligence")?,
        honor_dmarc_policy: o.flag("HonorDmarcPolicy")?,
        dmarc_reject_action: o.setting("DmarcRejectAction")?,
        dmarc_quarantine_action: o.setting("DmarcQuarantineAction")?,
        authentication_fail_action: o.setting("AuthenticationFailAction")?,
        spoof_quarantine_tag: o.text("SpoofQuarantineTag")?,
        enable_unauthenticated_sender: o.flag("EnableUnauthenticatedSender")?,
        enable_via_tag: o.flag("EnableViaTag")?,
    })
}

fn inbound_connector(o: &Obj<'_>) -> Result<InboundConnector, Problem> {
    Ok(InboundConnector {
        name: o.required_text("Name")?,
        enabled: o.required_flag("Enabled")?,
        connector_type: o.required_setting("ConnectorType")?,
        sender_ip_addresses: o.ranges("SenderIPAddresses")?,
        sender_domains: o.texts("SenderDomains")?,
        restrict_domains_to_ip_addresses: o.flag("RestrictDomainsToIPAddresses")?.unwrap_or(false),
        restrict_domains_to_certificate: o.flag("RestrictDomainsToCertificate")?.unwrap_or(false),
        tls_sender_certificate_name: o.text("TlsSenderCertificateName")?,
        ef_skip_last_ip: o.flag("EFSkipLastIP")?.unwrap_or(false),
        ef_skip_ips: o.ranges("EFSkipIPs")?,
        ef_users: o.texts("EFUsers")?,
        treat_messages_as_internal: o.flag("TreatMessagesAsInternal")?.unwrap_or(false),
        cloud_services_mail_enabled: o.flag("CloudServicesMailEnabled")?.unwrap_or(false),
    })
}

fn phish_sim_override_rule(o: &Obj<'_>) -> Result<ExoPhishSimOverrideRule, Problem> {
    Ok(ExoPhishSimOverrideRule {
        name: o.required_text("Name")?,
        policy: o.text("Policy")?,
        domains: o.hosts("Domains")?,
        sender_ip_ranges: o.ranges("SenderIpRanges")?,
    })
}

/// `ArcTrustedSealers` comes as one text of comma-separated domains (Set-ArcConfig.md, example 3 splits
/// `Get-ArcConfig`'s value on `,`), or as a list; `" "` is the empty list.
fn arc_config(o: &Obj<'_>) -> Result<ArcConfig, Problem> {
    let property = "ArcTrustedSealers";
    let sealers = o
        .texts(property)?
        .iter()
        .flat_map(|t| t.split(','))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| Host::parse(t).map_err(|e| o.problem(property, format!("expected domains: {}", e.message))))
        .collect::<Result<_, _>>()?;
    Ok(ArcConfig { arc_trusted_sealers: sealers })
}

fn accepted_domain(o: &Obj<'_>) -> Result<AcceptedDomain, Problem> {
    let raw = o.required_text("DomainName")?;
    let (star, name) = raw.strip_prefix("*.").map_or((false, raw.as_str()), |rest| (true, rest));
    Ok(AcceptedDomain {
        domain_name: Host::parse(name)
            .map_err(|e| o.problem("DomainName", format!("expected a domain: {}", e.message)))?,
        domain_type: o.required_setting("DomainType")?,
        default: o.flag("Default")?.unwrap_or(false),
        match_subdomains: star || o.flag("MatchSubDomains")?.unwrap_or(false),
    })
}

fn organization_config(o: &Obj<'_>) -> Result<OrganizationConfig, Problem> {
    Ok(OrganizationConfig { reject_direct_send: o.flag("RejectDirectSend")? })
}

fn junk_email_configuration(o: &Obj<'_>) -> Result<MailboxJunkEmailConfiguration, Problem> {
    Ok(MailboxJunkEmailConfiguration {
        identity: o.required_text("Identity")?,
        enabled: o.flag("Enabled")?.unwrap_or(true),
        trusted_senders_and_domains: o.senders("TrustedSendersAndDomains")?,
        contacts_trusted: o.flag("ContactsTrusted")?.unwrap_or(false),
        trusted_lists_only: o.flag("TrustedListsOnly")?.unwrap_or(false),
    })
}
