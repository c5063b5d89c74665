//! Validation: a raw list becomes a [`TenantList`], and every problem with its values is reported.
//!
//! An entry with any error is left out of the resulting list, so what comes out is valid by construction;
//! the diagnostics say what was left out and why. All entries are checked in one pass.

use std::collections::HashMap;
use std::path::Path;

use crate::model::characters::check_free_text;
use crate::model::date::Date;
use crate::model::diagnostic::{Code, Diagnostic, EntryLabel, Span, ValueError};
use crate::model::domain::Domain;
use crate::model::entry::{Entry, Identity, Metadata, TenantList, spoof_type_for};
use crate::model::exception::Exception;
use crate::model::finding::FindingCode;
use crate::model::guid::Guid;
use crate::model::pair::{Rule, RuleError, Side};
use crate::model::policy::{Level, Policy};
use crate::model::words::{Action, SpoofType, Word};
use crate::read::raw_list::{EntryKey, ExceptionKey, Field, Located, RawEntry, RawException, RawList, TopKey, closest};

pub use crate::model::entry::MAX_ENTRIES;

/// The only list format version this spoofctl reads.
pub const FORMAT_VERSION: &str = "1";

/// Turns a raw list into the model. Returns the valid part and every error found.
pub fn validate(file: &Path, raw: &RawList) -> (TenantList, Vec<Diagnostic>) {
    let mut v = Validator { file, diagnostics: Vec::new() };
    v.version(raw);
    let tenant = raw.tenant.as_ref().and_then(|t| v.free_text(t, "`tenant`"));
    let accepted_domains = v.accepted_domains(&raw.accepted_domains);
    let mut policy = v.policy(&raw.policy);
    for platform in raw.shared_infrastructure.iter().flat_map(|(_, platforms)| platforms) {
        if let Some(domain) = v.report(Domain::parse(&platform.value), platform.span, None) {
            policy.add_shared_infrastructure(domain);
        }
    }
    let mut entries: Vec<Entry> = raw.entries.iter().filter_map(|e| v.entry(e, &accepted_domains)).collect();
    v.unique(&mut entries);
    v.entry_count(raw, &policy);
    let exceptions = raw.exceptions.iter().filter_map(|e| v.exception(e)).collect();
    let list = TenantList { path: file.to_path_buf(), tenant, accepted_domains, policy, entries, exceptions };
    (list, v.diagnostics)
}

struct Validator<'a> {
    file: &'a Path,
    diagnostics: Vec<Diagnostic>,
}

impl Validator<'_> {
    fn report<T>(&mut self, result: Result<T, ValueError>, span: Span, entry: Option<&EntryLabel>) -> Option<T> {
        match result {
            Ok(t) => Some(t),
            Err(e) => {
                let mut d = e.at(self.file, span);
                d.entry = entry.cloned();
                self.diagnostics.push(d);
                None
            }
        }
    }

    fn version(&mut self, raw: &RawList) {
        if let Some(v) = &raw.version
            && v.value != FORMAT_VERSION
        {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::UnsupportedVersion,
                    self.file,
                    Some(v.span),
                    format!("list format version `{}` is not known", v.value),
                )
                .with_hint(format!("this spoofctl reads `version: {FORMAT_VERSION}`")),
            );
        }
    }

    /// The service's limit of 1024 entries per tenant, allow and block together (TABL-SPOOF, "Limits"):
    /// an error above it, a warning (a lint) above 90%. Counted on the entries written, valid or not.
    fn entry_count(&mut self, raw: &RawList, policy: &Policy) {
        let n = raw.entries.len();
        let span = raw.key(TopKey::Entries);
        if n > MAX_ENTRIES {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::TooManyEntries,
                    self.file,
                    span,
                    format!("the list has {n} entries; the service holds at most {MAX_ENTRIES} per tenant"),
                )
                .with_hint("remove entries that are redundant, expired or no longer needed"),
            );
        } else if n * 10 > MAX_ENTRIES * 9
            && let Some(severity) = policy.severity(Code::NearEntryLimit)
        {
            let mut d = Diagnostic::new(
                Code::NearEntryLimit,
                self.file,
                span,
                format!("the list has {n} entries, more than 90% of the service's {MAX_ENTRIES} per tenant"),
            )
            .with_hint("remove redundant and expired entries before the limit blocks new ones");
            d.severity = severity;
            self.diagnostics.push(d);
        }
    }

    fn free_text(&mut self, text: &Located<String>, what: &str) -> Option<String> {
        self.report(check_free_text(&text.value, what).map(|()| text.value.clone()), text.span, None)
    }

    fn accepted_domains(&mut self, raw: &[Located<String>]) -> Vec<Domain> {
        let mut domains: Vec<Domain> =
            raw.iter().filter_map(|d| self.report(Domain::parse(&d.value), d.span, None)).collect();
        domains.sort();
        domains.dedup();
        domains
    }

    fn policy(&mut self, raw: &[(Located<String>, Located<String>)]) -> Policy {
        let mut policy = Policy::default();
        let lints: Vec<&str> =
            crate::model::diagnostic::Code::ALL.iter().filter(|c| c.is_lint()).map(|c| c.name()).collect();
        for (key, level) in raw {
            let code = match Code::from_name(&key.value) {
                Some(c) if c.is_lint() => c,
                found => {
                    let message = match found {
                        Some(c) => format!("`{c}` is always an error; `policy:` sets the level of lints only"),
                        None => format!("`{}` is not a lint", key.value),
                    };
                    let hint = match closest(&key.value, &lints) {
                        Some(k) if found.is_none() => format!("did you mean `{k}`? lints: {}", lints.join(", ")),
                        _ => format!("lints: {}", lints.join(", ")),
                    };
                    self.diagnostics
                        .push(Diagnostic::new(Code::UnknownLint, self.file, Some(key.span), message).with_hint(hint));
                    continue;
                }
            };
            match Level::parse(&level.value.to_ascii_lowercase()) {
                Some(l) => policy.set(code, l),
                None => self.diagnostics.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        self.file,
                        Some(level.span),
                        format!("`{}` is not a lint level", level.value),
                    )
                    .with_hint("write `error`, `warning` or `off`"),
                ),
            }
        }
        policy
    }

    fn entry(&mut self, raw: &RawEntry, accepted: &[Domain]) -> Option<Entry> {
        let before = self.diagnostics.len();
        let written = |field: &Option<Field>| field.as_ref().map_or("?", |v| v.value.as_str()).to_string();
        let label = EntryLabel {
            spoofed: written(&raw.spoofed),
            infrastructure: written(&raw.infrastructure),
            spoof_type: None,
            action: None,
        };
        let spoofed = self.required(raw, EntryKey::Spoofed, &label, Side::parse_spoofed);
        let infrastructure = self.required(raw, EntryKey::Infrastructure, &label, Side::parse_infrastructure);
        let action =
            self.required(raw, EntryKey::Action, &label, |w| word::<Action>(w, "an action", "`allow` or `block`"));
        let written_type = raw.spoof_type.as_ref().and_then(|t| {
            self.report(word::<SpoofType>(&t.value, "a spoof type", "`internal` or `external`"), t.span, Some(&label))
        });
        let meta = self.metadata(raw, &label);
        if action == Some(Action::Allow) && (spoofed.is_none() || infrastructure.is_none()) {
            // The other side is invalid, but a wildcard allow is still worth its own error in this run.
            let s_any = spoofed == Some(Side::Any);
            if s_any || infrastructure == Some(Side::Any) {
                self.rule_error(raw, RuleError::AllowWildcard, s_any, EntryLabel { action, ..label });
            }
            return None;
        }
        let (spoofed, infrastructure, action) = (spoofed?, infrastructure?, action?);

        // The pair is judged before the type: a wildcard allow is the error that matters, whatever its type.
        let domain = spoofed.concrete().map(|s| s.domain().clone());
        let label = EntryLabel {
            spoofed: spoofed.to_string(),
            infrastructure: infrastructure.to_string(),
            spoof_type: written_type,
            action: Some(action),
        };
        let (s_any, i_any) = (spoofed == Side::Any, infrastructure == Side::Any);
        let rule = match Rule::new(action, spoofed, infrastructure) {
            Ok(rule) => rule,
            Err(e) => {
                self.rule_error(raw, e, s_any, label);
                return None;
            }
        };
        debug_assert!(!(s_any && i_any));
        if raw.spoof_type.is_some() && written_type.is_none() {
            return None; // an invalid `type` is already reported
        }
        let spoof_type = self.spoof_type(raw, domain.as_ref(), written_type, accepted, &label)?;
        let meta = meta.filter(|_| self.diagnostics.len() == before)?;
        Some(Entry { rule, spoof_type, type_written: written_type.is_some(), meta, span: raw.span })
    }

    fn rule_error(&mut self, raw: &RawEntry, error: RuleError, spoofed_any: bool, label: EntryLabel) {
        let span_of = |field: &Option<Field>| field.as_ref().map_or(raw.span, |v| v.span);
        let d = match error {
            RuleError::AllowWildcard => {
                let (span, fix, alone) = if spoofed_any {
                    (span_of(&raw.spoofed), "name the spoofed domain or address", "infrastructure")
                } else {
                    (
                        span_of(&raw.infrastructure),
                        "name the sending infrastructure (DKIM domain, PTR domain or IPv4 /24)",
                        "domain",
                    )
                };
                Diagnostic::new(Code::AllowWildcard, self.file, Some(span), error.to_string()).with_hint(format!(
                    "{fix}, or make this entry a block: with `*`, the {alone} alone would let mail through"
                ))
            }
            RuleError::WildcardBothSides => {
                Diagnostic::new(Code::WildcardBothSides, self.file, Some(raw.span), error.to_string())
                    .with_hint("name the spoofed user or the infrastructure: the service refuses `*` on both sides")
            }
        };
        self.diagnostics.push(d.with_entry(label));
    }

    fn required<T>(
        &mut self,
        raw: &RawEntry,
        key: EntryKey,
        label: &EntryLabel,
        parse: impl Fn(&str) -> Result<T, ValueError>,
    ) -> Option<T> {
        match raw.field(key) {
            Some(v) => self.report(parse(&v.value), v.span, Some(label)),
            None => {
                self.diagnostics.push(
                    Diagnostic::new(Code::MissingKey, self.file, Some(raw.span), format!("the entry has no `{key}`"))
                        .with_entry(label.clone())
                        .with_hint(format!("every entry needs `spoofed`, `infrastructure` and `action`; add `{key}:`")),
                );
                None
            }
        }
    }

    fn spoof_type(
        &mut self,
        raw: &RawEntry,
        domain: Option<&Domain>,
        written: Option<SpoofType>,
        accepted: &[Domain],
        label: &EntryLabel,
    ) -> Option<SpoofType> {
        let inferred = domain.filter(|_| !accepted.is_empty()).map(|d| (d, spoof_type_for(accepted, d.as_str())));
        match (written, inferred) {
            (Some(w), Some((d, i))) if w != i => {
                let span = raw.spoof_type.as_ref().map_or(raw.span, |t| t.span);
                let why = match i {
                    SpoofType::Internal => format!("`{d}` is under the accepted domains, so the type is `internal`"),
                    SpoofType::External => format!("`{d}` is not under any accepted domain, so the type is `external`"),
                };
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        self.file,
                        Some(span),
                        format!("`type: {w}` contradicts `accepted-domains`: {why}"),
                    )
                    .with_entry(label.clone())
                    .with_hint(format!("write `type: {i}` or leave `type` out; or fix `accepted-domains`")),
                );
                None
            }
            (Some(w), _) => Some(w),
            (None, Some((_, i))) => Some(i),
            (None, None) => {
                let why = if domain.is_none() {
                    "`*` spans every domain, so the type cannot be inferred"
                } else {
                    "the file has no `accepted-domains` to infer it from"
                };
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::MissingType,
                        self.file,
                        Some(raw.span),
                        format!("the entry has no `type`, and {why}"),
                    )
                    .with_entry(label.clone())
                    .with_hint("add `type: internal` or `type: external`"),
                );
                None
            }
        }
    }

    fn metadata(&mut self, raw: &RawEntry, label: &EntryLabel) -> Option<Metadata> {
        let before = self.diagnostics.len();
        fn text(key: &'static str) -> impl Fn(&str) -> Result<String, ValueError> {
            move |v| check_free_text(v, &format!("`{key}`")).map(|()| v.to_string())
        }
        let meta = Metadata {
            reason: self.optional(&raw.reason, label, text("reason")),
            owner: self.optional(&raw.owner, label, text("owner")),
            ticket: self.optional(&raw.ticket, label, text("ticket")),
            expires: self.optional(&raw.expires, label, Date::parse),
            id: self.optional(&raw.id, label, Guid::parse),
        };
        (self.diagnostics.len() == before).then_some(meta)
    }

    /// An optional key's value, parsed; a bad value is reported.
    fn optional<T>(
        &mut self,
        field: &Option<Field>,
        label: &EntryLabel,
        parse: impl Fn(&str) -> Result<T, ValueError>,
    ) -> Option<T> {
        let v = field.as_ref()?;
        self.report(parse(&v.value), v.span, Some(label))
    }

    /// An exception, when every key it needs is there and every value is valid; each problem is reported.
    fn exception(&mut self, raw: &RawException) -> Option<Exception> {
        let before = self.diagnostics.len();
        let mut text = |key: ExceptionKey| -> Option<String> {
            let Some(field) = raw.field(key) else {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::MissingKey,
                        self.file,
                        Some(raw.span),
                        format!("the exception has no `{key}`"),
                    )
                    .with_hint(format!(
                        "every exception needs `finding`, `object`, `value`, `reason` and `owner`; add `{key}:`"
                    )),
                );
                return None;
            };
            self.report(
                check_free_text(&field.value, &format!("`{key}`")).map(|()| field.value.clone()),
                field.span,
                None,
            )
        };
        let finding = text(ExceptionKey::Finding);
        let (object, value, reason, owner) = (
            text(ExceptionKey::Object),
            text(ExceptionKey::Value),
            text(ExceptionKey::Reason),
            text(ExceptionKey::Owner),
        );
        let finding = finding.and_then(|name| {
            let code = FindingCode::from_name(&name);
            if code.is_none() {
                let names = FindingCode::names();
                let hint = match closest(&name, &names) {
                    Some(k) => format!("did you mean `{k}`? `spoofctl audit` names each finding's code"),
                    None => format!("write the code `spoofctl audit` shows: {}", names.join(", ")),
                };
                let span = raw.field(ExceptionKey::Finding).map(|f| f.span);
                self.diagnostics.push(
                    Diagnostic::new(Code::InvalidValue, self.file, span, format!("`{name}` is not an audit finding"))
                        .with_hint(hint),
                );
            }
            code
        });
        let expires = raw.field(ExceptionKey::Expires).and_then(|f| self.report(Date::parse(&f.value), f.span, None));
        (self.diagnostics.len() == before).then_some(())?;
        Some(Exception {
            finding: finding?,
            object: object?,
            value: value?,
            reason: reason?,
            owner: owner?,
            expires,
            span: raw.span,
        })
    }

    /// Reports entries that repeat an identity: a duplicate, or the same pair with the other action.
    fn unique(&mut self, entries: &mut Vec<Entry>) {
        let mut seen: HashMap<Identity, (Span, Action)> = HashMap::new();
        let mut ids: HashMap<Guid, Span> = HashMap::new();
        let mut keep = Vec::with_capacity(entries.len());
        for entry in entries.drain(..) {
            if let Some(id) = &entry.meta.id {
                if let Some(&first) = ids.get(id) {
                    self.diagnostics.push(
                        Diagnostic::new(Code::DuplicateId, self.file, Some(entry.span), format!("the id {id} is already on another entry"))
                            .with_entry(entry.label())
                            .with_hint("an id names one entry in the tenant: keep it on the entry it came from (import again if unsure)")
                            .with_related(first, "the other entry with this id"),
                    );
                    continue;
                }
                ids.insert(id.clone(), entry.span);
            }
            let identity = entry.identity();
            let Some(&(first, action)) = seen.get(&identity) else {
                seen.insert(identity, (entry.span, entry.action()));
                keep.push(entry);
                continue;
            };
            let d = if action == entry.action() {
                Diagnostic::new(Code::DuplicateEntry, self.file, Some(entry.span), "this entry repeats an earlier one")
                    .with_hint("remove one of them (merge their reason, owner and ticket)")
                    .with_related(first, "first written here")
            } else {
                Diagnostic::new(
                    Code::ConflictingActions,
                    self.file,
                    Some(entry.span),
                    "this pair is both allowed and blocked",
                )
                .with_hint("a pair has one action: keep the entry you mean and remove the other")
                .with_related(first, format!("the {action} is written here"))
            };
            self.diagnostics.push(d.with_entry(entry.label()));
        }
        *entries = keep;
    }
}

fn word<W: Word>(raw: &str, what: &str, expected: &str) -> Result<W, ValueError> {
    W::parse_word(raw).ok_or_else(|| {
        ValueError::new(Code::InvalidValue, format!("`{raw}` is not {what}"), format!("write {expected}"))
    })
}
