//! Audit: every way the tenant around the list lets spoofed mail in, as findings over the typed snapshot.
//!
//! One pass per mechanism (`tenant-allow-paths.md`), each in one function here: what it trusts alone, and
//! what would allow the same legitimate mail on a pair instead. The facts of each finding (severity, control
//! ids, Microsoft's words) live in [`FindingCode`]; this module decides when a finding applies. A snapshot
//! file that is missing or unreadable makes its mechanism "not checked", never clean. With a list, the list's
//! errors, its drift from the snapshot's spoof entries (matched by [`Identity`] in [`plan`]) and its
//! approved exceptions are judged too. The engine prints nothing: `render::audit` writes every format from
//! the [`Audit`] it returns.

use std::path::PathBuf;

use crate::engine::plan::{LiveItem, Options, plan};
use crate::engine::trust::{AUTHENTICATION_RESULTS, Factor, Trust, is_bypass, rule_trust};
use crate::model::date::Date;
use crate::model::diagnostic::Severity;
use crate::model::domain::is_self_or_parent;
use crate::model::entry::TenantList;
use crate::model::finding::{FindingCode, FindingSeverity, Mechanism};
use crate::model::ipv4::Ipv4Slash24;
use crate::model::pair::{Infrastructure, Side, SpoofedUser};
use crate::model::tenant::{
    AntiPhishPolicy, Checked, DmarcQuarantineAction, DmarcRejectAction, HeaderWords, RuleState, Snapshot, files,
};
use crate::model::words::Action;
use crate::validate::pipeline::Checked as CheckedList;

/// What would allow the same legitimate mail without trusting one factor alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replacement {
    /// A spoofed-sender entry: the pair of the sender and the infrastructure it sends from. The snapshot
    /// knows one side (or neither); the other comes from a message's headers, and `spoofctl explain --list
    /// LIST MESSAGE` suggests the entry.
    SpoofEntry(KnownSide),
    /// A condition to add to the mail flow rule so that it also needs the sender's authentication.
    RuleCondition(HeaderWords),
    /// A setting back to Microsoft's Standard preset value.
    Setting {
        /// The property.
        property: &'static str,
        /// The value to set.
        value: &'static str,
    },
    /// What to do where no pair fits (a gateway, a sealer, the list itself), in words.
    Advice(&'static str),
}

/// The side of a pair the snapshot already knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KnownSide {
    /// The spoofed user (the allowed domain or address).
    Spoofed(SpoofedUser),
    /// The infrastructure (the allowed IP's /24, or the sending domain).
    Infrastructure(Infrastructure),
    /// Neither side is a value an entry can hold (a range wider than a /24, an IPv6 address, a public suffix).
    Neither,
}

/// The exception that covers a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptedBy {
    /// Why it is accepted.
    pub reason: String,
    /// Who answers for it.
    pub owner: String,
    /// Until when.
    pub expires: Option<Date>,
    /// The exception's line in the list file.
    pub line: usize,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What it is (its mechanism, severity, control ids and source come with the code).
    pub code: FindingCode,
    /// The policy, rule, connector, mailbox or entry it is about.
    pub object: String,
    /// The property that holds the value (`AllowedSenderDomains`).
    pub property: &'static str,
    /// The value it trusts.
    pub value: String,
    /// What makes this case worse or different, when something does.
    pub note: Option<String>,
    /// What to put in its place.
    pub replacement: Replacement,
    /// The exception that covers it, if one does.
    pub excepted_by: Option<ExceptedBy>,
}

impl Finding {
    fn new(code: FindingCode, object: &str, property: &'static str, value: String, replacement: Replacement) -> Self {
        Finding { code, object: object.to_string(), property, value, note: None, replacement, excepted_by: None }
    }

    fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// True when it fails the run: above a warning and not covered by an exception.
    pub fn fails(&self) -> bool {
        self.code.severity() > FindingSeverity::Warning && self.excepted_by.is_none()
    }
}

/// A mechanism the audit could not judge, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotChecked {
    /// The mechanism.
    pub mechanism: Mechanism,
    /// The file it needs.
    pub file: String,
    /// Why it was not read.
    pub reason: String,
    /// The file is in the snapshot but could not be read: what it holds is unknown, so the run fails (a
    /// truncated or edited file must not pass as a licence the tenant lacks).
    pub unreadable: bool,
}

/// The audit of one snapshot (and list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    /// The snapshot folder.
    pub snapshot: PathBuf,
    /// The list file, when one was given.
    pub list: Option<PathBuf>,
    /// The date exceptions are judged on.
    pub today: Date,
    /// Every finding, worst first.
    pub findings: Vec<Finding>,
    /// The mechanisms checked in full.
    pub checked: Vec<Mechanism>,
    /// What could not be checked, and why: never clean.
    pub not_checked: Vec<NotChecked>,
}

impl Audit {
    /// True when a finding above a warning is left uncovered, or a snapshot file is there but could not be
    /// read (exit 1).
    pub fn fails(&self) -> bool {
        self.findings.iter().any(Finding::fails) || self.not_checked.iter().any(|n| n.unreadable)
    }
}

/// Audits a snapshot, and the list when one is given (with its check's diagnostics), as of `today`.
pub fn audit(snapshot_path: PathBuf, snapshot: &Snapshot, list: Option<&CheckedList>, today: Date) -> Audit {
    let mut a = Auditor {
        snapshot,
        accepted: accepted_domains(snapshot, list),
        findings: Vec::new(),
        checked: Vec::new(),
        not_checked: Vec::new(),
    };
    a.spoof_entries();
    a.anti_spam_allows();
    a.connection_filter();
    a.mail_flow_rules();
    a.tabl_senders(today);
    a.safe_senders();
    a.phish_simulations();
    a.inbound_connectors();
    a.arc_sealers();
    a.anti_phishing();
    match list {
        Some(list) => {
            a.list_file(list);
            a.checked.push(Mechanism::ListFile);
        }
        None => a.not_checked.push(NotChecked {
            mechanism: Mechanism::ListFile,
            file: "--list".to_string(),
            reason: "no list was given: its drift from the tenant and its exceptions need `--list`".to_string(),
            unreadable: false,
        }),
    }
    let mut findings = a.findings;
    if let Some(list) = list {
        findings = apply_exceptions(findings, &list.list, today);
    }
    findings.sort_by(|x, y| {
        fn key(f: &Finding) -> (Mechanism, FindingCode, &str, &str) {
            (f.code.mechanism(), f.code, &f.object, &f.value)
        }
        y.code.severity().cmp(&x.code.severity()).then_with(|| key(x).cmp(&key(y)))
    });
    a.checked.dedup();
    Audit {
        snapshot: snapshot_path,
        list: list.map(|l| l.list.path.clone()),
        today,
        findings,
        checked: a.checked,
        not_checked: a.not_checked,
    }
}

/// The tenant's own domains: the snapshot's accepted domains and the list's `accepted-domains`.
fn accepted_domains(snapshot: &Snapshot, list: Option<&CheckedList>) -> Vec<String> {
    let mut domains: Vec<String> = snapshot
        .accepted_domains
        .read()
        .map(|all| all.iter().map(|d| d.domain_name.as_str().to_string()).collect())
        .unwrap_or_default();
    if let Some(list) = list {
        domains.extend(list.list.accepted_domains.iter().map(|d| d.as_str().to_string()));
    }
    domains.sort();
    domains.dedup();
    domains
}

struct Auditor<'a> {
    snapshot: &'a Snapshot,
    accepted: Vec<String>,
    findings: Vec<Finding>,
    checked: Vec<Mechanism>,
    not_checked: Vec<NotChecked>,
}

impl<'a> Auditor<'a> {
    /// The objects of a snapshot file, noting the mechanism as checked or not.
    fn read<T>(&mut self, mechanism: Mechanism, file: &str, checked: &'a Checked<T>) -> Option<&'a T> {
        match checked.not_checked_because() {
            None => {
                self.checked.push(mechanism);
                checked.read()
            }
            Some(reason) => {
                let file = format!("{file}.json");
                // A problem inside the file names it already; "missing" and a failed cmdlet do not.
                let reason = if reason.contains(&file) { reason } else { format!("{file}: {reason}") };
                let unreadable = matches!(checked, Checked::Unreadable(_));
                self.not_checked.push(NotChecked { mechanism, file, reason, unreadable });
                None
            }
        }
    }

    fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    fn is_own(&self, domain: &str) -> bool {
        self.accepted.iter().any(|a| is_self_or_parent(a, domain))
    }

    /// Wildcard allows among the live spoof entries: the service accepts `*` on one side of an allow.
    fn spoof_entries(&mut self) {
        let Some(items) = self.read(Mechanism::SpoofEntries, files::SPOOF_ITEMS, &self.snapshot.spoof_items) else {
            return;
        };
        for item in items.iter().filter(|i| i.action == Action::Allow) {
            let (property, known) = match (&item.spoofed, &item.infrastructure) {
                (Side::Any, Side::Is(i)) => ("SpoofedUser", KnownSide::Infrastructure(i.clone())),
                (Side::Is(s), Side::Any) => ("SendingInfrastructure", KnownSide::Spoofed(s.clone())),
                _ => continue,
            };
            let value = format!("{} via {} ({})", item.spoofed, item.infrastructure, item.spoof_type);
            let object = item.identity.as_ref().map_or_else(|| "spoofed-sender entry".to_string(), |g| g.to_string());
            self.push(Finding::new(
                FindingCode::SpoofAllowWildcard,
                &object,
                property,
                value,
                Replacement::SpoofEntry(known),
            ));
        }
    }

    /// Anti-spam policies' allowed domains and senders (`SFV:SKA`).
    fn anti_spam_allows(&mut self) {
        let Some(policies) = self.read(
            Mechanism::AntiSpamAllows,
            files::CONTENT_FILTER_POLICIES,
            &self.snapshot.content_filter_policies,
        ) else {
            return;
        };
        for p in policies {
            for domain in &p.allowed_sender_domains {
                let own = self.is_own(domain.as_str());
                let code = if own { FindingCode::AllowedOwnDomain } else { FindingCode::AllowedSenderDomain };
                let finding = Finding::new(
                    code,
                    &p.name,
                    "AllowedSenderDomains",
                    domain.as_str().to_string(),
                    spoofed(domain.as_str()),
                );
                self.push(if own {
                    finding.with_note(format!("{} is one of the tenant's own accepted domains", domain.as_str()))
                } else {
                    finding
                });
            }
            for sender in &p.allowed_senders {
                let finding = Finding::new(
                    FindingCode::AllowedSenderAddress,
                    &p.name,
                    "AllowedSenders",
                    sender.as_str().to_string(),
                    spoofed(sender.as_str()),
                );
                let own = self.is_own(sender.domain());
                self.push(if own {
                    finding.with_note("an address of one of the tenant's own domains")
                } else {
                    finding
                });
            }
        }
    }

    /// The connection filter's IP Allow List (`IPV:CAL`) and safe list.
    fn connection_filter(&mut self) {
        let Some(policies) = self.read(
            Mechanism::ConnectionFilter,
            files::CONNECTION_FILTER_POLICIES,
            &self.snapshot.connection_filter_policies,
        ) else {
            return;
        };
        for p in policies {
            for range in &p.ip_allow_list {
                let known = match (range.first(), range.last()) {
                    (std::net::IpAddr::V4(first), std::net::IpAddr::V4(last))
                        if Ipv4Slash24::of(first) == Ipv4Slash24::of(last) =>
                    {
                        KnownSide::Infrastructure(Infrastructure::Range(Ipv4Slash24::of(first)))
                    }
                    _ => KnownSide::Neither,
                };
                let finding = Finding::new(
                    FindingCode::IpAllowList,
                    &p.name,
                    "IPAllowList",
                    range.to_string(),
                    Replacement::SpoofEntry(known),
                );
                self.push(finding);
            }
            if p.enable_safe_list {
                self.push(Finding::new(
                    FindingCode::ConnectionSafeList,
                    &p.name,
                    "EnableSafeList",
                    "True".to_string(),
                    Replacement::Setting { property: "EnableSafeList", value: "False" },
                ));
            }
        }
    }

    /// Mail flow rules that set SCL -1 (`SFV:SKN`) on one factor alone.
    fn mail_flow_rules(&mut self) {
        let Some(rules) = self.read(Mechanism::MailFlowRules, files::TRANSPORT_RULES, &self.snapshot.transport_rules)
        else {
            return;
        };
        for rule in rules.iter().filter(|r| is_bypass(r)) {
            let c = &rule.conditions;
            let join = |v: &[String]| v.join(", ");
            // What the rule trusts is `engine::trust`'s to say (the one classification); a finding per kind.
            let (code, property, value, domain) = match rule_trust(rule) {
                Trust::Paired => continue,
                Trust::SingleFactor(Factor::SenderDomain | Factor::SenderAddress | Factor::SenderText) => {
                    let (property, value) = if !c.sender_domain_is.is_empty() {
                        ("SenderDomainIs", c.sender_domain_is.iter().map(|h| h.as_str()).collect::<Vec<_>>().join(", "))
                    } else if !c.from.is_empty() {
                        ("From", join(&c.from))
                    } else if !c.from_address_contains_words.is_empty() {
                        ("FromAddressContainsWords", join(&c.from_address_contains_words))
                    } else {
                        ("FromAddressMatchesPatterns", join(&c.from_address_matches_patterns))
                    };
                    let domain = c.sender_domain_is.first().map(|h| h.as_str().to_string());
                    (FindingCode::RuleTrustsSender, property, value, domain)
                }
                Trust::SingleFactor(Factor::Ip) => {
                    let value = c.sender_ip_ranges.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
                    (FindingCode::RuleTrustsIp, "SenderIpRanges", value, None)
                }
                Trust::SingleFactor(_) | Trust::Unlinked | Trust::NoSenderFactor => {
                    let value = if rule.other_conditions.is_empty() {
                        "no condition".to_string()
                    } else {
                        rule.other_conditions.join(", ")
                    };
                    (FindingCode::RuleTrustsOther, "Conditions", value, None)
                }
            };
            let finding = Finding::new(
                code,
                &rule.name,
                property,
                value,
                Replacement::RuleCondition(dmarc_pass(domain.as_deref())),
            );
            let own = c.sender_domain_is.iter().any(|h| self.is_own(h.as_str()));
            self.push(if own {
                finding.with_note("the rule trusts one of the tenant's own domains (ORCA-118-4)")
            } else {
                finding
            });
        }
    }

    /// Sender allows in the Tenant Allow/Block List (domains and addresses tab).
    fn tabl_senders(&mut self, today: Date) {
        let Some(items) = self.read(Mechanism::TablSenders, files::SENDER_ITEMS, &self.snapshot.sender_items) else {
            return;
        };
        for item in items.iter().filter(|i| i.action == Action::Allow) {
            if item.expiration_date.is_some_and(|t| t.date() < today) {
                continue; // the service removes an entry once its expiration date passes
            }
            let object = item.identity.clone().unwrap_or_else(|| "Tenant Allow/Block List".to_string());
            self.push(
                Finding::new(
                    FindingCode::TablSenderAllow,
                    &object,
                    "Value",
                    item.value.as_str().to_string(),
                    spoofed(item.value.as_str()),
                )
                .with_note(
                    "Microsoft does not say plainly whether a sender allow overrides spoof detection: \
                     treat it as a single-factor allow until a message shows otherwise",
                ),
            );
        }
    }

    /// Outlook Safe Senders (`SFV:SFE`), when the snapshot has them (`-IncludeMailboxes`).
    fn safe_senders(&mut self) {
        let Some(mailboxes) = self.read(
            Mechanism::SafeSenders,
            files::JUNK_EMAIL_CONFIGURATIONS,
            &self.snapshot.junk_email_configurations,
        ) else {
            return;
        };
        for mailbox in mailboxes {
            for sender in &mailbox.trusted_senders_and_domains {
                let finding = Finding::new(
                    FindingCode::SafeSender,
                    &mailbox.identity,
                    "TrustedSendersAndDomains",
                    sender.as_str().to_string(),
                    spoofed(sender.as_str()),
                );
                let own = self.is_own(sender.domain());
                self.push(if own { finding.with_note("one of the tenant's own domains") } else { finding });
            }
        }
    }

    /// Phishing-simulation overrides: any listed domain with any listed IP.
    fn phish_simulations(&mut self) {
        let Some(rules) = self.read(
            Mechanism::PhishSimulations,
            files::PHISH_SIM_OVERRIDE_RULES,
            &self.snapshot.phish_sim_override_rules,
        ) else {
            return;
        };
        for rule in rules {
            // One domain with one IP range is a pair; more of either, and every combination is trusted.
            if rule.domains.is_empty() || rule.sender_ip_ranges.is_empty() {
                continue;
            }
            if rule.domains.len() == 1 && rule.sender_ip_ranges.len() == 1 {
                continue;
            }
            let domains: Vec<&str> = rule.domains.iter().map(|d| d.as_str()).collect();
            let ips: Vec<String> = rule.sender_ip_ranges.iter().map(ToString::to_string).collect();
            self.push(Finding::new(
                FindingCode::PhishSimUnlinked,
                &rule.name,
                "Domains, SenderIpRanges",
                format!("{} with {}", domains.join(", "), ips.join(", ")),
                Replacement::Advice(
                    "one override rule per simulation vendor, each holding only that vendor's domains and sending IPs",
                ),
            ));
        }
    }

    /// Inbound connectors that treat mail as internal, or skip-list a gateway.
    fn inbound_connectors(&mut self) {
        let Some(connectors) =
            self.read(Mechanism::InboundConnectors, files::INBOUND_CONNECTORS, &self.snapshot.inbound_connectors)
        else {
            return;
        };
        for c in connectors.iter().filter(|c| c.enabled) {
            if c.treat_messages_as_internal {
                self.push(Finding::new(
                    FindingCode::ConnectorInternal,
                    &c.name,
                    "TreatMessagesAsInternal",
                    "True".to_string(),
                    Replacement::Setting { property: "TreatMessagesAsInternal", value: "False" },
                ));
            }
            let mut skipped: Vec<String> = c.ef_skip_ips.iter().map(ToString::to_string).collect();
            if c.ef_skip_last_ip {
                skipped.insert(0, "the last hop".to_string());
            }
            if !skipped.is_empty() {
                self.push(Finding::new(
                    FindingCode::ConnectorSkipListing,
                    &c.name,
                    if c.ef_skip_last_ip { "EFSkipLastIP" } else { "EFSkipIPs" },
                    skipped.join(", "),
                    Replacement::Advice(
                        "skip only the gateway's own addresses, and restrict the connector to the gateway's certificate \
                         (TlsSenderCertificateName) so no one else can use it",
                    ),
                ));
            }
        }
    }

    /// Trusted ARC sealers (`compauth=pass reason=130`).
    fn arc_sealers(&mut self) {
        let Some(config) = self.read(Mechanism::ArcSealers, files::ARC_CONFIG, &self.snapshot.arc_config) else {
            return;
        };
        for sealer in &config.arc_trusted_sealers {
            self.push(Finding::new(
                FindingCode::ArcTrustedSealer,
                "ArcConfig",
                "ArcTrustedSealers",
                sealer.as_str().to_string(),
                Replacement::Advice(
                    "keep only the services that change your mail in transit (a mailing list, a gateway) and that you use today",
                ),
            ));
        }
    }

    /// Anti-phishing policies weaker than the Standard preset, and rules that exempt recipients.
    fn anti_phishing(&mut self) {
        if let Some(policies) =
            self.read(Mechanism::AntiPhishing, files::ANTI_PHISH_POLICIES, &self.snapshot.anti_phish_policies)
        {
            for p in policies.iter().filter(|p| p.enabled != Some(false)) {
                self.anti_phish_policy(p);
            }
        }
        let Some(rules) = self.read(Mechanism::AntiPhishing, files::ANTI_PHISH_RULES, &self.snapshot.anti_phish_rules)
        else {
            return;
        };
        for rule in rules.iter().filter(|r| !r.state.is(RuleState::Disabled) && r.scope.has_exceptions()) {
            let s = &rule.scope;
            let exempt: Vec<&str> = s
                .except_if_sent_to
                .iter()
                .chain(&s.except_if_sent_to_member_of)
                .map(String::as_str)
                .chain(s.except_if_recipient_domain_is.iter().map(|h| h.as_str()))
                .collect();
            self.push(
                Finding::new(
                    FindingCode::AntiPhishRuleExempts,
                    &rule.name,
                    "ExceptIf",
                    exempt.join(", "),
                    Replacement::Advice("exempt no one: scope a stricter policy to those recipients instead"),
                )
                .with_note(format!("policy {}", rule.policy)),
            );
        }
    }

    fn anti_phish_policy(&mut self, p: &AntiPhishPolicy) {
        let mut off = |code, property: &'static str, value: Option<bool>| {
            if value == Some(false) {
                self.findings.push(Finding::new(
                    code,
                    &p.name,
                    property,
                    "False".to_string(),
                    Replacement::Setting { property, value: "True" },
                ));
            }
        };
        off(FindingCode::SpoofIntelligenceOff, "EnableSpoofIntelligence", p.enable_spoof_intelligence);
        off(FindingCode::HonorDmarcOff, "HonorDmarcPolicy", p.honor_dmarc_policy);
        off(FindingCode::UnauthenticatedSenderOff, "EnableUnauthenticatedSender", p.enable_unauthenticated_sender);
        off(FindingCode::UnauthenticatedSenderOff, "EnableViaTag", p.enable_via_tag);
        if let Some(action) = p.dmarc_reject_action.as_ref().filter(|a| !a.is(DmarcRejectAction::Reject)) {
            self.push(Finding::new(
                FindingCode::DmarcActionWeak,
                &p.name,
                "DmarcRejectAction",
                action.to_string(),
                Replacement::Setting { property: "DmarcRejectAction", value: "Reject" },
            ));
        }
        if let Some(action) = p.dmarc_quarantine_action.as_ref().filter(|a| !a.is(DmarcQuarantineAction::Quarantine)) {
            self.push(Finding::new(
                FindingCode::DmarcActionWeak,
                &p.name,
                "DmarcQuarantineAction",
                action.to_string(),
                Replacement::Setting { property: "DmarcQuarantineAction", value: "Quarantine" },
            ));
        }
    }

    /// The list: its errors, and its drift from the snapshot's spoof entries.
    fn list_file(&mut self, checked: &CheckedList) {
        let path = checked.list.path.display().to_string();
        for d in checked.diagnostics.iter().filter(|d| d.severity == Severity::Error) {
            let at = d.span.map_or_else(String::new, |s| format!(":{}", s.line));
            self.push(Finding::new(
                FindingCode::ListError,
                &format!("{path}{at}"),
                d.code.name(),
                d.message.clone(),
                Replacement::Advice("fix it: `spoofctl validate` shows every error with its hint"),
            ));
        }
        let Some(items) = self.snapshot.spoof_items.read() else {
            let file = format!("{}.json", files::SPOOF_ITEMS);
            let why = self.snapshot.spoof_items.not_checked_because().unwrap_or_default();
            let reason = format!("the list's drift from the tenant needs the spoof entries: {file}: {why}");
            let unreadable = matches!(self.snapshot.spoof_items, Checked::Unreadable(_));
            self.not_checked.push(NotChecked { mechanism: Mechanism::ListFile, file, reason, unreadable });
            return;
        };
        let live: Vec<LiveItem> = items
            .iter()
            .enumerate()
            .map(|(n, item)| LiveItem::from_spoof_item(item, format!("{} object {}", files::SPOOF_ITEMS, n + 1)))
            .collect();
        let drift = plan(&checked.list, &live, Options::default());
        let apply = Replacement::Advice("run `spoofctl plan` and apply its script");
        for entry in &drift.create {
            let label = entry.label().to_string();
            self.push(Finding::new(FindingCode::DriftNotApplied, &path, "entries", label, apply.clone()));
        }
        for change in &drift.change {
            let label = change.entry.label().to_string();
            let finding = Finding::new(FindingCode::DriftAction, &path, "entries", label, apply.clone());
            self.push(finding.with_note(format!("the tenant has it as {}", change.live.action)));
        }
        for item in &drift.unmanaged {
            let (code, advice) = match item.action {
                Action::Allow => (
                    FindingCode::DriftUnmanagedAllow,
                    "review it: add it to the list with a reason and an owner, or remove it (`spoofctl plan --prune`)",
                ),
                Action::Block => {
                    (FindingCode::DriftUnmanagedBlock, "add it to the list, or remove it (`spoofctl plan --prune`)")
                }
            };
            let value = format!("{} via {} ({}, {})", item.spoofed, item.infrastructure, item.spoof_type, item.action);
            self.push(Finding::new(code, &path, "entries", value, Replacement::Advice(advice)));
        }
    }
}

/// The replacement of an allow that trusts a sender (domain or address) alone: the pair with the
/// infrastructure it sends from.
fn spoofed(sender: &str) -> Replacement {
    Replacement::SpoofEntry(SpoofedUser::parse(sender).map_or(KnownSide::Neither, KnownSide::Spoofed))
}

/// The condition that pairs a rule with the sender's own authentication: Microsoft's `Authentication-Results`
/// shows `dmarc=pass` (for this From domain, when the rule names one), which a spoofed message never has.
fn dmarc_pass(domain: Option<&str>) -> HeaderWords {
    let pattern = match domain {
        Some(d) => format!("dmarc=pass[^;]*header\\.from={}", d.replace('.', "\\.")),
        None => "dmarc=pass".to_string(),
    };
    HeaderWords { header: AUTHENTICATION_RESULTS.to_string(), values: vec![pattern] }
}

/// Marks each finding an exception names (the first such exception), and adds a finding for each exception
/// that has expired or covers nothing.
fn apply_exceptions(mut findings: Vec<Finding>, list: &TenantList, today: Date) -> Vec<Finding> {
    let mut extra = Vec::new();
    let path = list.path.display().to_string();
    for e in &list.exceptions {
        let value = format!("{} {} {}", e.finding, e.object, e.value);
        if e.expired(today) {
            let expires = e.expires.map(|d| d.to_string()).unwrap_or_default();
            extra.push(
                Finding::new(
                    FindingCode::ExceptionExpired,
                    &format!("{path}:{}", e.span.line),
                    "expires",
                    value,
                    Replacement::Advice("renew it with a new date if the reason still holds, or remove it"),
                )
                .with_note(format!("expired {expires}: the finding it named is reported again")),
            );
            continue;
        }
        let mut covered = false;
        for f in findings.iter_mut().filter(|f| e.names(f.code, &f.object, &f.value)) {
            covered = true;
            if f.excepted_by.is_none() {
                f.excepted_by = Some(ExceptedBy {
                    reason: e.reason.clone(),
                    owner: e.owner.clone(),
                    expires: e.expires,
                    line: e.span.line,
                });
            }
        }
        if !covered {
            extra.push(Finding::new(
                FindingCode::ExceptionUnused,
                &format!("{path}:{}", e.span.line),
                "finding",
                value,
                Replacement::Advice(
                    "remove it: the finding it names is gone (or its object or value is spelled otherwise)",
                ),
            ));
        }
    }
    findings.extend(extra);
    findings
}
