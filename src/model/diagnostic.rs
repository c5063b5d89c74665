//! Diagnostics: every finding about a list, with a stable code, a severity, where it is and how to fix it.
//!
//! Findings are values; the library never prints them. `render::human` and `render::json` turn the same
//! values into text and JSON. Every code is documented in `docs/diagnostics.md` (a test keeps the two in step).

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::model::words::{Action, SpoofType, Word};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Shown, never fails a run (unless `--deny-warnings`).
    Warning,
    /// The list is wrong: the run exits 1.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

macro_rules! codes {
    ($( $(#[doc = $doc:literal])+ $variant:ident = $name:literal, $sev:ident, $lint:literal; )+) => {
        /// Every diagnostic spoofctl can report. The kebab-case name is stable: scripts and `policy:` use it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $(#[doc = $doc])+ $variant, )+
        }

        impl Code {
            /// All codes, in the order of `docs/diagnostics.md`.
            pub const ALL: &'static [Code] = &[$(Code::$variant),+];

            /// The stable kebab-case name.
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)+ }
            }

            /// The severity before any `policy:` applies.
            pub fn default_severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)+ }
            }

            /// Lints are the findings a `policy:` block may raise, lower or turn off; the rest are always errors.
            pub fn is_lint(self) -> bool {
                match self { $(Code::$variant => $lint,)+ }
            }
        }
    };
}

codes! {
    /// The file could not be read as YAML.
    YamlSyntax = "yaml-syntax", Error, false;
    /// The file uses YAML anchors or aliases (`&a`, `*a`), which list files do not allow (they hide what an
    /// entry says and can blow up in size).
    YamlAlias = "yaml-alias", Error, false;
    /// The file uses YAML tags (`!!str`, `!custom`): they change what a value means, and list values are
    /// always text.
    YamlTag = "yaml-tag", Error, false;
    /// The file holds more than one YAML document (`---`).
    MultipleDocuments = "multiple-documents", Error, false;
    /// The file is not valid UTF-8.
    NotUtf8 = "not-utf8", Error, false;
    /// The file is larger than any list file can reasonably be.
    FileTooLarge = "file-too-large", Error, false;
    /// The file is empty or holds only comments.
    EmptyFile = "empty-file", Error, false;
    /// The same key appears twice in one mapping.
    DuplicateKey = "duplicate-key", Error, false;
    /// A key that the list format does not know (often a typo).
    UnknownKey = "unknown-key", Error, false;
    /// A required key is missing.
    MissingKey = "missing-key", Error, false;
    /// A key written without a value (`reason:`): write the value, or remove the key.
    EmptyValue = "empty-value", Error, false;
    /// A value has the wrong shape (a list where text was expected, say).
    WrongType = "wrong-type", Error, false;
    /// `version` is not a version this spoofctl reads.
    UnsupportedVersion = "unsupported-version", Error, false;
    /// A value is not one of the allowed words (`type`, `action`, policy levels).
    InvalidValue = "invalid-value", Error, false;
    /// An allow entry with `*` on either side.
    AllowWildcard = "allow-wildcard", Error, false;
    /// An entry with `*` on both sides.
    WildcardBothSides = "wildcard-both-sides", Error, false;
    /// A wildcard inside a value (`*.contoso.com`, `*@contoso.com`), which the service does not document.
    PartialWildcard = "partial-wildcard", Error, false;
    /// A public suffix or top-level domain used as a domain (`com`, `co.uk`).
    PublicSuffix = "public-suffix", Error, false;
    /// A domain that is not a valid host name (empty label, label too long, leading hyphen...).
    InvalidDomain = "invalid-domain", Error, false;
    /// An address that is not `local@domain`, or whose domain is invalid.
    InvalidAddress = "invalid-address", Error, false;
    /// A character that no domain, address or field may hold (quotes, `$`, `;`, spaces, control characters).
    InvalidCharacters = "invalid-characters", Error, false;
    /// An IPv4 value that is not a `/24` range (a bare IP, or another prefix length).
    IpNotSlash24 = "ip-not-slash-24", Error, false;
    /// An IPv4 range whose address is not four numbers from 0 to 255.
    InvalidIp = "invalid-ip", Error, false;
    /// An IPv4 range inside a special-purpose block (private, loopback, link-local, ...): mail from the internet
    /// never comes from it.
    SpecialIpRange = "special-ip-range", Error, false;
    /// An IPv6 address or range: the service documents no IPv6 spoof entries.
    Ipv6 = "ipv6", Error, false;
    /// A date that is not a real `YYYY-MM-DD` date.
    InvalidDate = "invalid-date", Error, false;
    /// An `id` that is not a GUID.
    InvalidId = "invalid-id", Error, false;
    /// An entry without `type` where it cannot be inferred (no `accepted-domains`, or a `*` spoofed user).
    MissingType = "missing-type", Error, false;
    /// A written `type` that contradicts `accepted-domains`.
    TypeMismatch = "type-mismatch", Error, false;
    /// Two entries with one identity (spoofed user, infrastructure, type) and the same action.
    DuplicateEntry = "duplicate-entry", Error, false;
    /// One pair both allowed and blocked: a pair has one action.
    ConflictingActions = "conflicting-actions", Error, false;
    /// Two entries with one `id`: an id names one entry in the tenant.
    DuplicateId = "duplicate-id", Error, false;
    /// More entries than the service holds for one tenant (1024).
    TooManyEntries = "too-many-entries", Error, false;
    /// A `policy:` key that is not a lint code.
    UnknownLint = "unknown-lint", Error, false;
    /// More than 90% of the service's 1024-entry limit is used.
    NearEntryLimit = "near-entry-limit", Warning, true;
    /// An allow whose spoofed user is one of the tenant's own accepted domains (internal spoofing).
    AllowOwnDomain = "allow-own-domain", Warning, true;
    /// An internal allow whose spoofed user is a whole domain: Microsoft advises the full From address for
    /// intra-org spoofing.
    InternalAllowWholeDomain = "internal-allow-whole-domain", Warning, true;
    /// An allow via a mass-sending platform that many customers share.
    AllowSharedInfrastructure = "allow-shared-infrastructure", Warning, true;
    /// An allow via an IPv4 /24 range (256 addresses).
    AllowIpRange = "allow-ip-range", Warning, true;
    /// An allow via a /24 inside Microsoft 365's own outbound ranges, which every tenant sends from.
    AllowMicrosoftOutbound = "allow-microsoft-outbound", Error, true;
    /// An allow that spoofs a consumer mail domain.
    AllowFreemail = "allow-freemail", Warning, true;
    /// A domain whose letters mix scripts in one label, or are all lookalikes of Latin letters (Cyrillic `і`
    /// in `mіcrosoft.com`): it can pass for another domain.
    ConfusableDomain = "confusable-domain", Warning, true;
    /// An allow without `reason`.
    MissingReason = "missing-reason", Warning, true;
    /// An allow without `owner`.
    MissingOwner = "missing-owner", Warning, true;
    /// `expires` is in the past.
    Expired = "expired", Warning, true;
    /// `expires` falls within the days `validate --expiring-within` gives.
    ExpiresSoon = "expires-soon", Warning, true;
    /// An allow that a block overrides for every message it matches, so it can never take effect.
    Shadowed = "shadowed", Warning, true;
    /// An entry covered by another entry with the same action.
    Redundant = "redundant", Warning, true;
}

impl Code {
    /// Finds a code by its kebab-case name.
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.name() == name)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// A place in a file: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Span {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
}

impl Span {
    /// A place at `line`, `column` (both 1-based).
    pub fn new(line: usize, column: usize) -> Span {
        Span { line, column }
    }
}

/// Another place a finding involves (the first of two duplicates, say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// Where.
    pub span: Span,
    /// What is there.
    pub message: String,
}

/// The entry a finding is about, as written (values in normal form where they parsed). Type and action are
/// absent when the file does not say them validly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryLabel {
    /// The spoofed side.
    pub spoofed: String,
    /// The infrastructure side.
    pub infrastructure: String,
    /// The spoof type, when known.
    pub spoof_type: Option<SpoofType>,
    /// The action, when known.
    pub action: Option<Action>,
}

/// `spoofed via infrastructure (type, action)`: the one wording of an entry in text output.
impl fmt::Display for EntryLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} via {}", self.spoofed, self.infrastructure)?;
        let words: Vec<&str> = [self.spoof_type.map(|t| t.list_word()), self.action.map(|a| a.list_word())]
            .into_iter()
            .flatten()
            .collect();
        if !words.is_empty() {
            write!(f, " ({})", words.join(", "))?;
        }
        Ok(())
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code.
    pub code: Code,
    /// Severity after the list's `policy:`.
    pub severity: Severity,
    /// The file it is in.
    pub file: PathBuf,
    /// Where in the file, when known.
    pub span: Option<Span>,
    /// The entry it is about, when it is about one.
    pub entry: Option<EntryLabel>,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when a hint helps.
    pub hint: Option<String>,
    /// Other places involved.
    pub related: Vec<Related>,
}

impl Diagnostic {
    /// A finding with the code's default severity, and nothing but a message.
    pub fn new(code: Code, file: impl Into<PathBuf>, span: Option<Span>, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.default_severity(),
            file: file.into(),
            span,
            entry: None,
            message: message.into(),
            hint: None,
            related: Vec::new(),
        }
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Names the entry the finding is about.
    pub fn with_entry(mut self, entry: EntryLabel) -> Self {
        self.entry = Some(entry);
        self
    }

    /// Adds another place the finding involves.
    pub fn with_related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related { span, message: message.into() });
        self
    }
}

/// A problem with one value: what the value parsers return, before the caller knows the file and place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    /// Stable code.
    pub code: Code,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

impl ValueError {
    /// A value error with a hint.
    pub fn new(code: Code, message: impl Into<String>, hint: impl Into<String>) -> Self {
        ValueError { code, message: message.into(), hint: Some(hint.into()) }
    }

    /// Places the error in a file.
    pub fn at(self, file: impl Into<PathBuf>, span: Span) -> Diagnostic {
        let mut d = Diagnostic::new(self.code, file, Some(span), self.message);
        d.hint = self.hint;
        d
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ValueError {}
