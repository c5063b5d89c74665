//! The tenant around the list: a snapshot of every setting that can let spoofed mail in, as typed values.
//!
//! How to use it: `read::snapshot::read_snapshot(folder)` gives a [`Snapshot`]. It has one field per snapshot
//! file (product spec, "The whole tenant: snapshot and audit"), each a [`Checked`]: [`Checked::Read`] with the
//! objects the file holds (possibly none: a clean mechanism), or why the mechanism was not checked (the file is
//! missing, the manifest records the cmdlet's error, or the file could not be read, with the file, object and
//! property in the [`Problem`]). Never treat anything but `Read` as clean: [`Checked::read`] gives the objects
//! only when the file was read. Each object type mirrors its cmdlet's output, one field per property spoofctl
//! uses (unknown properties are ignored by the reader), named as the cmdlet names it, in snake case:
//! - values with a value type are parsed: domains are [`Host`] (lenient: a tenant setting may hold what a list
//!   refuses, such as a public suffix, and that is exactly what an audit must see), addresses or domains are
//!   [`Sender`], IP ranges are [`IpRange`], times are [`Timestamp`];
//! - free text the service allows (rule names, header names, words and patterns, recipient identities) stays
//!   text, trimmed;
//! - an enumeration is a [`Setting`]: a value spoofctl knows, or the text (or number) it does not, which callers
//!   treat as "cannot tell", never as the safe value;
//! - a multi-valued property that is `null` or missing is an empty `Vec`; a single-valued one is an `Option`
//!   (`None`: not written) unless the service always writes it.
//!
//! Sources, for each object: the cmdlet reference pages in MicrosoftDocs/office-docs-powershell,
//! `exchange/exchange-ps/ExchangePowerShell/<Cmdlet>.md` (the `Get-` page names the cmdlet; the `Set-`/`New-`
//! page gives each property's type and values), and `tenant-allow-paths.md` for what each mechanism trusts.

use std::fmt;

use crate::model::date::Date;
use crate::model::guid::Guid;
use crate::model::ip_range::IpRange;
use crate::model::message::{Host, Sender};
use crate::model::pair::{Infrastructure, Side, SpoofedUser};
use crate::model::words::{Action, SpoofType};

/// What a snapshot says about one mechanism.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Checked<T> {
    /// The file was read: these are the tenant's objects (an empty list is a clean mechanism).
    Read(T),
    /// No file for this cmdlet in the snapshot: the mechanism was not checked (the default: nothing read is
    /// never clean).
    #[default]
    Missing,
    /// `manifest.json` records that the cmdlet failed (say, a licence the tenant lacks), with its error text:
    /// not checked.
    CmdletFailed(String),
    /// The file is there but could not be read: not checked, and why.
    Unreadable(Problem),
}

impl<T> Checked<T> {
    /// The objects, only when the file was read.
    pub fn read(&self) -> Option<&T> {
        match self {
            Checked::Read(t) => Some(t),
            _ => None,
        }
    }

    /// Why the mechanism was not checked, in words; `None` when it was read.
    pub fn not_checked_because(&self) -> Option<String> {
        match self {
            Checked::Read(_) => None,
            Checked::Missing => Some("its file is not in the snapshot".to_string()),
            Checked::CmdletFailed(e) => Some(format!("not exported when the snapshot was taken: {e}")),
            Checked::Unreadable(p) => Some(p.to_string()),
        }
    }
}

/// Why a snapshot file could not be read: the file, the object (its index from 1 and its Name or Identity),
/// the property, and what is wrong and expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file's name as found in the folder.
    pub file: String,
    /// `object 3 ("Allow partner")`, when the problem is inside one object.
    pub object: Option<String>,
    /// The property, when the problem is one property.
    pub property: Option<String>,
    /// What is wrong, and what is expected.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(o) = &self.object {
            write!(f, ": {o}")?;
        }
        if let Some(p) = &self.property {
            write!(f, ", property {p}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A point in time as the cmdlets write one (`"/Date(1700000000000)/"` in Windows PowerShell 5.1, ISO 8601 in
/// PowerShell 7): milliseconds since 1970-01-01 UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The UTC calendar date.
    pub fn date(self) -> Date {
        Date::from_days_since_epoch(self.0.div_euclid(86_400_000))
    }
}

/// An enumeration the cmdlets write by name (PowerShell 7, and deserialized objects) or by number (Windows
/// PowerShell 5.1's `ConvertTo-Json` on a live enum).
pub trait ServiceEnum: Sized + Copy + PartialEq + 'static {
    /// Each value, its name as the cmdlet writes it, and its number where Microsoft documents one. A number
    /// that is not documented is not guessed: it reads as [`Setting::Unknown`].
    const NAMES: &'static [(Self, &'static str, Option<i64>)];

    /// The name as the cmdlet writes it.
    fn name(self) -> &'static str {
        Self::NAMES.iter().find(|(v, _, _)| *v == self).map_or("", |(_, n, _)| n)
    }

    /// The value of a name, in any case.
    fn from_name(raw: &str) -> Option<Self> {
        Self::NAMES.iter().find(|(_, n, _)| n.eq_ignore_ascii_case(raw.trim())).map(|(v, _, _)| *v)
    }

    /// The value of a documented number.
    fn from_number(raw: i64) -> Option<Self> {
        Self::NAMES.iter().find(|(_, _, n)| *n == Some(raw)).map(|(v, _, _)| *v)
    }
}

/// The value of an enumeration property: one spoofctl knows, or what was written (a name it does not know, or
/// an undocumented number), which callers treat as "cannot tell".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setting<E> {
    /// A known value.
    Is(E),
    /// What the file holds, as text.
    Unknown(String),
}

impl<E: ServiceEnum> Setting<E> {
    /// True only when the value is known to be `value`.
    pub fn is(&self, value: E) -> bool {
        *self == Setting::Is(value)
    }
}

impl<E: ServiceEnum> fmt::Display for Setting<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Setting::Is(e) => f.write_str(e.name()),
            Setting::Unknown(raw) => f.write_str(raw),
        }
    }
}

macro_rules! service_enum {
    ($(#[$doc:meta])* $ty:ident { $( $(#[$vdoc:meta])* $v:ident => $name:literal, $num:expr; )+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $ty { $( $(#[$vdoc])* $v, )+ }
        impl ServiceEnum for $ty {
            const NAMES: &'static [(Self, &'static str, Option<i64>)] = &[$(($ty::$v, $name, $num)),+];
        }
    };
}

/// Snapshot files, in the order the spec lists them.
pub mod files {
    /// `Get-TenantAllowBlockListSpoofItems.json`.
    pub const SPOOF_ITEMS: &str = "Get-TenantAllowBlockListSpoofItems";
    /// `Get-TenantAllowBlockListItems.json` (`-ListType Sender`).
    pub const SENDER_ITEMS: &str = "Get-TenantAllowBlockListItems";
    /// `Get-HostedContentFilterPolicy.json`.
    pub const CONTENT_FILTER_POLICIES: &str = "Get-HostedContentFilterPolicy";
    /// `Get-HostedContentFilterRule.json`.
    pub const CONTENT_FILTER_RULES: &str = "Get-HostedContentFilterRule";
    /// `Get-HostedConnectionFilterPolicy.json`.
    pub const CONNECTION_FILTER_POLICIES: &str = "Get-HostedConnectionFilterPolicy";
    /// `Get-TransportRule.json`.
    pub const TRANSPORT_RULES: &str = "Get-TransportRule";
    /// `Get-AntiPhishPolicy.json`.
    pub const ANTI_PHISH_POLICIES: &str = "Get-AntiPhishPolicy";
    /// `Get-AntiPhishRule.json`.
    pub const ANTI_PHISH_RULES: &str = "Get-AntiPhishRule";
    /// `Get-InboundConnector.json`.
    pub const INBOUND_CONNECTORS: &str = "Get-InboundConnector";
    /// `Get-ExoPhishSimOverrideRule.json`.
    pub const PHISH_SIM_OVERRIDE_RULES: &str = "Get-ExoPhishSimOverrideRule";
    /// `Get-ArcConfig.json`.
    pub const ARC_CONFIG: &str = "Get-ArcConfig";
    /// `Get-AcceptedDomain.json`.
    pub const ACCEPTED_DOMAINS: &str = "Get-AcceptedDomain";
    /// `Get-OrganizationConfig.json`.
    pub const ORGANIZATION_CONFIG: &str = "Get-OrganizationConfig";
    /// `Get-MailboxJunkEmailConfiguration.json`.
    pub const JUNK_EMAIL_CONFIGURATIONS: &str = "Get-MailboxJunkEmailConfiguration";
    /// `manifest.json`.
    pub const MANIFEST: &str = "manifest";
    /// Every cmdlet file, in the spec's order.
    pub const CMDLETS: [&str; 14] = [
        SPOOF_ITEMS,
        SENDER_ITEMS,
        CONTENT_FILTER_POLICIES,
        CONTENT_FILTER_RULES,
        CONNECTION_FILTER_POLICIES,
        TRANSPORT_RULES,
        ANTI_PHISH_POLICIES,
        ANTI_PHISH_RULES,
        INBOUND_CONNECTORS,
        PHISH_SIM_OVERRIDE_RULES,
        ARC_CONFIG,
        ACCEPTED_DOMAINS,
        ORGANIZATION_CONFIG,
        JUNK_EMAIL_CONFIGURATIONS,
    ];
}

/// A tenant's settings as one snapshot folder holds them; `Snapshot::default()` has every file missing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snapshot {
    /// `manifest.json`: who, when, and what each cmdlet did (`Missing` in a snapshot made by hand).
    pub manifest: Checked<Manifest>,
    /// Spoofed-sender entries (`Get-TenantAllowBlockListSpoofItems`).
    pub spoof_items: Checked<Vec<SpoofItem>>,
    /// Sender allow and block entries (`Get-TenantAllowBlockListItems -ListType Sender`).
    pub sender_items: Checked<Vec<SenderItem>>,
    /// Anti-spam policies (`Get-HostedContentFilterPolicy`).
    pub content_filter_policies: Checked<Vec<HostedContentFilterPolicy>>,
    /// Anti-spam rules, the scope of the policies (`Get-HostedContentFilterRule`).
    pub content_filter_rules: Checked<Vec<PolicyRule>>,
    /// Connection filter policies (`Get-HostedConnectionFilterPolicy`).
    pub connection_filter_policies: Checked<Vec<HostedConnectionFilterPolicy>>,
    /// Mail flow rules (`Get-TransportRule`).
    pub transport_rules: Checked<Vec<TransportRule>>,
    /// Anti-phishing policies (`Get-AntiPhishPolicy`).
    pub anti_phish_policies: Checked<Vec<AntiPhishPolicy>>,
    /// Anti-phishing rules (`Get-AntiPhishRule`).
    pub anti_phish_rules: Checked<Vec<PolicyRule>>,
    /// Inbound connectors (`Get-InboundConnector`).
    pub inbound_connectors: Checked<Vec<InboundConnector>>,
    /// Third-party phishing simulation overrides (`Get-ExoPhishSimOverrideRule`).
    pub phish_sim_override_rules: Checked<Vec<ExoPhishSimOverrideRule>>,
    /// Trusted ARC sealers (`Get-ArcConfig`): one object.
    pub arc_config: Checked<ArcConfig>,
    /// The tenant's own domains (`Get-AcceptedDomain`).
    pub accepted_domains: Checked<Vec<AcceptedDomain>>,
    /// Organization settings (`Get-OrganizationConfig`): one object.
    pub organization_config: Checked<OrganizationConfig>,
    /// Per-mailbox Safe Senders (`Get-MailboxJunkEmailConfiguration`), exported only with `-IncludeMailboxes`.
    pub junk_email_configurations: Checked<Vec<MailboxJunkEmailConfiguration>>,
}

/// `manifest.json`, as `snapshot-script` writes it:
/// `{"Tenant": "...", "Time": "<ISO 8601 or /Date(ms)/>", "ModuleVersion": "3.9.0",
///   "Cmdlets": [{"Name": "Get-TransportRule", "Status": "Written"}, {"Name": "Get-ArcConfig", "Status": "Failed",
///   "Error": "..."}]}` (keys in any case; `Cmdlets` may also be an object keyed by cmdlet name).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Manifest {
    /// The tenant the snapshot was taken of (its organization name or initial domain).
    pub tenant: Option<String>,
    /// When the snapshot was taken.
    pub time: Option<Timestamp>,
    /// The ExchangeOnlineManagement module version.
    pub module_version: Option<String>,
    /// What each cmdlet did.
    pub cmdlets: Vec<CmdletRun>,
}

/// One cmdlet in the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CmdletRun {
    /// The cmdlet (`Get-TransportRule`).
    pub name: String,
    /// `None`: its file was written; `Some`: the error it gave, and no file.
    pub error: Option<String>,
}

/// One spoofed-sender entry as the service holds it: a side may be `*`, which the service accepts and
/// spoofctl refuses in an allow (`Get-TenantAllowBlockListSpoofItems`: `Identity, SpoofedUser,
/// SendingInfrastructure, SpoofType, Action`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpoofItem {
    /// `Identity`.
    pub identity: Option<Guid>,
    /// `SpoofedUser`.
    pub spoofed: Side<SpoofedUser>,
    /// `SendingInfrastructure`.
    pub infrastructure: Side<Infrastructure>,
    /// `SpoofType`.
    pub spoof_type: SpoofType,
    /// `Action`.
    pub action: Action,
}

/// One sender entry of the Tenant Allow/Block List (Get-TenantAllowBlockListItems.md: `Value, Action,
/// ExpirationDate, Notes, LastModifiedDateTime`; New-TenantAllowBlockListItems.md: `-Entries` are "email
/// addresses or domains" for `-ListType Sender`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderItem {
    /// `Identity`, as written.
    pub identity: Option<String>,
    /// `Value`: the address or domain.
    pub value: Sender,
    /// `Action`.
    pub action: Action,
    /// `ExpirationDate`; `None`: never expires.
    pub expiration_date: Option<Timestamp>,
    /// `Notes`.
    pub notes: Option<String>,
    /// `LastModifiedDateTime`.
    pub last_modified: Option<Timestamp>,
}

/// An anti-spam policy (Set-HostedContentFilterPolicy.md: `AllowedSenders` "one or more SMTP email addresses",
/// `AllowedSenderDomains` "one or more SMTP domains"; both stamp `SFV:SKA`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedContentFilterPolicy {
    /// `Name`.
    pub name: String,
    /// `IsDefault`: the default policy applies to every recipient no rule scopes.
    pub is_default: bool,
    /// `AllowedSenders`.
    pub allowed_senders: Vec<Sender>,
    /// `AllowedSenderDomains`.
    pub allowed_sender_domains: Vec<Host>,
}

/// The rule that scopes an anti-spam or anti-phishing policy (New-HostedContentFilterRule.md,
/// New-AntiPhishRule.md: the same properties, the policy named by `HostedContentFilterPolicy` or
/// `AntiPhishPolicy`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRule {
    /// `Name`.
    pub name: String,
    /// `HostedContentFilterPolicy` or `AntiPhishPolicy`: the policy's name.
    pub policy: String,
    /// `State`.
    pub state: Setting<RuleState>,
    /// `Priority` (0 first).
    pub priority: Option<i64>,
    /// Who it applies to and who is exempt.
    pub scope: RecipientScope,
}

/// The recipient conditions of an anti-spam or anti-phishing rule (New-AntiPhishRule.md,
/// New-HostedContentFilterRule.md: `SentTo`, `SentToMemberOf`, `RecipientDomainIs` and their `ExceptIf`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecipientScope {
    /// `SentTo`.
    pub sent_to: Vec<String>,
    /// `SentToMemberOf`.
    pub sent_to_member_of: Vec<String>,
    /// `RecipientDomainIs`.
    pub recipient_domain_is: Vec<Host>,
    /// `ExceptIfSentTo`.
    pub except_if_sent_to: Vec<String>,
    /// `ExceptIfSentToMemberOf`.
    pub except_if_sent_to_member_of: Vec<String>,
    /// `ExceptIfRecipientDomainIs`.
    pub except_if_recipient_domain_is: Vec<Host>,
}

impl RecipientScope {
    /// True when the rule exempts some recipients.
    pub fn has_exceptions(&self) -> bool {
        !(self.except_if_sent_to.is_empty()
            && self.except_if_sent_to_member_of.is_empty()
            && self.except_if_recipient_domain_is.is_empty())
    }
}

/// A connection filter policy (Set-HostedConnectionFilterPolicy.md: `IPAllowList` single IPs, CIDR /24-/32 or
/// ranges of up to 256 addresses, IPv4 only; `EnableSafeList` "reserved for internal Microsoft use", in the
/// portal the Microsoft-managed safe list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedConnectionFilterPolicy {
    /// `Name`.
    pub name: String,
    /// `IPAllowList`: mail from these skips spam filtering and sender authentication (`IPV:CAL`).
    pub ip_allow_list: Vec<IpRange>,
    /// `EnableSafeList`.
    pub enable_safe_list: bool,
}

/// A mail flow rule (Get-TransportRule.md; New-TransportRule.md for each condition and action). Only the
/// conditions spoofctl evaluates are typed; every other condition or exception the rule sets is named in
/// `other_conditions`, so that a rule is never judged on part of its conditions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportRule {
    /// `Name`.
    pub name: String,
    /// `State`.
    pub state: Setting<RuleState>,
    /// `Priority` (0 first).
    pub priority: Option<i64>,
    /// `Mode`: only `Enforce` takes actions.
    pub mode: Setting<RuleMode>,
    /// `SetSCL`: -1 "requests a bypass from most spam filtering" (`SFV:SKN`).
    pub set_scl: Option<i64>,
    /// `SetHeaderName`.
    pub set_header_name: Option<String>,
    /// `SetHeaderValue`.
    pub set_header_value: Option<String>,
    /// `SenderAddressLocation`: where the sender conditions look (default `Header`).
    pub sender_address_location: Setting<SenderAddressLocation>,
    /// The conditions: all must hold.
    pub conditions: SenderConditions,
    /// The exceptions (`ExceptIf*`): any one that holds stops the rule.
    pub exceptions: SenderConditions,
    /// Conditions and exceptions the rule sets that spoofctl does not evaluate (`SentTo`,
    /// `ExceptIfSubjectContainsWords`...), by property name.
    pub other_conditions: Vec<String>,
}

/// The sender-side conditions of a mail flow rule spoofctl evaluates (each `ExceptIf` exception has the same
/// shape). Empty means "not set".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SenderConditions {
    /// `SenderDomainIs`: "matches domains and subdomains".
    pub sender_domain_is: Vec<Host>,
    /// `From`: recipients (addresses or names), as written.
    pub from: Vec<String>,
    /// `FromAddressContainsWords`.
    pub from_address_contains_words: Vec<String>,
    /// `FromAddressMatchesPatterns`: the service's regular expressions.
    pub from_address_matches_patterns: Vec<String>,
    /// `SenderIpRanges`: the last hop before the service.
    pub sender_ip_ranges: Vec<IpRange>,
    /// `HeaderContainsMessageHeader` with `HeaderContainsWords`.
    pub header_contains: Option<HeaderWords>,
    /// `HeaderMatchesMessageHeader` with `HeaderMatchesPatterns`.
    pub header_matches: Option<HeaderWords>,
}

impl SenderConditions {
    /// True when no condition is set.
    pub fn is_empty(&self) -> bool {
        *self == SenderConditions::default()
    }
}

/// A header condition: the header's name and the words (or patterns) looked for in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderWords {
    /// The header's name, as written (`Authentication-Results`).
    pub header: String,
    /// The words or patterns.
    pub values: Vec<String>,
}

service_enum!(
    /// A rule's `State` (New-TransportRule.md `-Enabled`; Get-TransportRule writes `State`).
    RuleState {
        /// `Enabled`.
        Enabled => "Enabled", None;
        /// `Disabled`.
        Disabled => "Disabled", None;
    }
);

service_enum!(
    /// A mail flow rule's `Mode` (New-TransportRule.md `-Mode`).
    RuleMode {
        /// `Audit`: logged, no action.
        Audit => "Audit", None;
        /// `AuditAndNotify`: logged, notifications, no action.
        AuditAndNotify => "AuditAndNotify", None;
        /// `Enforce`: every action is taken.
        Enforce => "Enforce", None;
    }
);

service_enum!(
    /// Where sender conditions look (New-TransportRule.md `-SenderAddressLocation`).
    SenderAddressLocation {
        /// `Header`: the From field (the default).
        Header => "Header", None;
        /// `Envelope`: MAIL FROM.
        Envelope => "Envelope", None;
        /// `HeaderOrEnvelope`: either.
        HeaderOrEnvelope => "HeaderOrEnvelope", None;
    }
);

/// An anti-phishing policy's spoof settings (Set-AntiPhishPolicy.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AntiPhishPolicy {
    /// `Name`.
    pub name: String,
    /// `IsDefault`.
    pub is_default: bool,
    /// `Enabled` (the default policy has none written in some exports: `None`).
    pub enabled: Option<bool>,
    /// `EnableSpoofIntelligence`.
    pub enable_spoof_intelligence: Option<bool>,
    /// `HonorDmarcPolicy`.
    pub honor_dmarc_policy: Option<bool>,
    /// `DmarcRejectAction`.
    pub dmarc_reject_action: Option<Setting<DmarcRejectAction>>,
    /// `DmarcQuarantineAction`.
    pub dmarc_quarantine_action: Option<Setting<DmarcQuarantineAction>>,
    /// `AuthenticationFailAction`.
    pub authentication_fail_action: Option<Setting<AuthenticationFailAction>>,
    /// `SpoofQuarantineTag`.
    pub spoof_quarantine_tag: Option<String>,
    /// `EnableUnauthenticatedSender`.
    pub enable_unauthenticated_sender: Option<bool>,
    /// `EnableViaTag`.
    pub enable_via_tag: Option<bool>,
}

service_enum!(
    /// `DmarcRejectAction` (Set-AntiPhishPolicy.md: `Quarantine`, `Reject`).
    DmarcRejectAction {
        /// `Quarantine`.
        Quarantine => "Quarantine", None;
        /// `Reject`.
        Reject => "Reject", None;
    }
);

service_enum!(
    /// `DmarcQuarantineAction` (Set-AntiPhishPolicy.md: `Quarantine`, `MoveToJmf`).
    DmarcQuarantineAction {
        /// `Quarantine`.
        Quarantine => "Quarantine", None;
        /// `MoveToJmf`: the Junk Email folder.
        MoveToJmf => "MoveToJmf", None;
    }
);

service_enum!(
    /// `AuthenticationFailAction` (Set-AntiPhishPolicy.md: `MoveToJmf`, `Quarantine`).
    AuthenticationFailAction {
        /// `MoveToJmf`: the Junk Email folder.
        MoveToJmf => "MoveToJmf", None;
        /// `Quarantine`.
        Quarantine => "Quarantine", None;
    }
);

/// An inbound connector (New-InboundConnector.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundConnector {
    /// `Name`.
    pub name: String,
    /// `Enabled`.
    pub enabled: bool,
    /// `ConnectorType`.
    pub connector_type: Setting<ConnectorType>,
    /// `SenderIPAddresses`.
    pub sender_ip_addresses: Vec<IpRange>,
    /// `SenderDomains`, as written (`smtp:*;1` or `contoso.com`).
    pub sender_domains: Vec<String>,
    /// `RestrictDomainsToIPAddresses`.
    pub restrict_domains_to_ip_addresses: bool,
    /// `RestrictDomainsToCertificate`.
    pub restrict_domains_to_certificate: bool,
    /// `TlsSenderCertificateName`.
    pub tls_sender_certificate_name: Option<String>,
    /// `EFSkipLastIP`: Enhanced Filtering skips the last hop.
    pub ef_skip_last_ip: bool,
    /// `EFSkipIPs`: addresses Enhanced Filtering skips.
    pub ef_skip_ips: Vec<IpRange>,
    /// `EFUsers`: the recipients Enhanced Filtering applies to (empty: all).
    pub ef_users: Vec<String>,
    /// `TreatMessagesAsInternal`.
    pub treat_messages_as_internal: bool,
    /// `CloudServicesMailEnabled`.
    pub cloud_services_mail_enabled: bool,
}

service_enum!(
    /// `ConnectorType` (New-InboundConnector.md: `Partner`, `OnPremises`).
    ConnectorType {
        /// `Partner`.
        Partner => "Partner", None;
        /// `OnPremises`.
        OnPremises => "OnPremises", None;
    }
);

/// A third-party phishing simulation override (New-ExoPhishSimOverrideRule.md: "There must be a match on at
/// least one Domain and one Sending IP, but no association between values is maintained").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExoPhishSimOverrideRule {
    /// `Name`.
    pub name: String,
    /// `Policy`.
    pub policy: Option<String>,
    /// `Domains`: MAIL FROM or DKIM domains.
    pub domains: Vec<Host>,
    /// `SenderIpRanges`.
    pub sender_ip_ranges: Vec<IpRange>,
}

/// `Get-ArcConfig` (Set-ArcConfig.md: `ArcTrustedSealers`, the domains of trusted ARC sealers).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ArcConfig {
    /// `ArcTrustedSealers`.
    pub arc_trusted_sealers: Vec<Host>,
}

/// One accepted domain (Get-AcceptedDomain.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedDomain {
    /// `DomainName`.
    pub domain_name: Host,
    /// `DomainType`.
    pub domain_type: Setting<DomainType>,
    /// `Default`.
    pub default: bool,
    /// `MatchSubDomains` (or a `*.` before the name): the domain's subdomains are accepted too.
    pub match_subdomains: bool,
}

service_enum!(
    /// `DomainType` (Set-AcceptedDomain.md).
    DomainType {
        /// `Authoritative`.
        Authoritative => "Authoritative", None;
        /// `InternalRelay`.
        InternalRelay => "InternalRelay", None;
        /// `ExternalRelay`.
        ExternalRelay => "ExternalRelay", None;
    }
);

/// `Get-OrganizationConfig`, the one setting spoofctl reads (Set-OrganizationConfig.md `-RejectDirectSend`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrganizationConfig {
    /// `RejectDirectSend`.
    pub reject_direct_send: Option<bool>,
}

/// One mailbox's junk email settings (Set-MailboxJunkEmailConfiguration.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxJunkEmailConfiguration {
    /// `Identity`: the mailbox.
    pub identity: String,
    /// `Enabled`: the junk email rule is on.
    pub enabled: bool,
    /// `TrustedSendersAndDomains`: the Safe Senders list (`SFV:SFE`).
    pub trusted_senders_and_domains: Vec<Sender>,
    /// `ContactsTrusted`.
    pub contacts_trusted: bool,
    /// `TrustedListsOnly`.
    pub trusted_lists_only: bool,
}
