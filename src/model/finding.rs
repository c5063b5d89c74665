//! The findings `audit` reports about a whole tenant: each code with its mechanism, its severity, the
//! control ids other scanners report the same thing under, and Microsoft's words on the risk with the page
//! they are on. One table, so the engine (which decides when a finding applies), the list's `exceptions:`
//! (which name a finding by its code) and every renderer read the same facts.
//!
//! Control ids were checked in the scanners' own repositories (2026-12-07):
//! - ScubaGear (cisagov/ScubaGear, `PowerShell/ScubaGear/baselines/securitysuite.md`; the former ids in
//!   `removedpolicies.md`): MS.SECURITYSUITE.6.2v1 (was MS.EXO.14.3v2), 8.1v1 (was MS.EXO.12.1v1), 8.2v1
//!   (was MS.EXO.12.2v1).
//! - ORCA (cammurray/orca, `Checks/check-ORCA<id>.ps1`, `$this.Control`): ORCA-109, 111, 114, 118-1, 118-2,
//!   118-3, 118-4, 180, 244.
//! - Maester (maester365/maester): MT.1043 (`tests/Maester/Exchange/Test.MT.1043.ps1`, the `SetScl -1` check),
//!   CIS.M365.2.1.12 (`tests/cis/Test.CIS.M365.2.1.12.ps1`, the connection filter's IP Allow List).
//!
//! Ids named in `tenant-allow-paths.md` but not found there are left out (CIS 2.1.14 and 6.2.2: Maester's
//! 2.1.14 is another control; CIPP's CISAMSEXO121 could not be traced to a repository).

use std::fmt;

use serde::Serialize;

/// How much a finding matters. Ordered from least to worst; `audit` fails (exit 1) on anything above a
/// warning that no exception covers (product spec, "The whole tenant").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingSeverity {
    /// Worth a look; never fails a run.
    Warning,
    /// A single-factor allow or a spoof setting below the Standard preset: fails a run.
    High,
    /// Anyone can send as the tenant or as any domain through it: fails a run.
    Critical,
}

impl FindingSeverity {
    /// The word for output.
    pub fn word(self) -> &'static str {
        match self {
            FindingSeverity::Warning => "warning",
            FindingSeverity::High => "high",
            FindingSeverity::Critical => "critical",
        }
    }
}

impl fmt::Display for FindingSeverity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// Declares the mechanisms: each with its name and title.
macro_rules! mechanisms {
    ($( $(#[doc = $doc:literal])+ $variant:ident = $name:literal, $title:literal; )+) => {
        /// A way mail gets past spoof protection (`tenant-allow-paths.md`). Reports group findings by it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Mechanism {
            $( $(#[doc = $doc])+ $variant, )+
        }

        impl Mechanism {
            /// Every mechanism, in the order reports list those with no finding.
            pub const ALL: &'static [Mechanism] = &[$(Mechanism::$variant),+];

            /// The stable kebab-case name (JSON).
            pub fn name(self) -> &'static str {
                match self { $(Mechanism::$variant => $name,)+ }
            }

            /// A heading for people.
            pub fn title(self) -> &'static str {
                match self { $(Mechanism::$variant => $title,)+ }
            }
        }
    };
}

mechanisms! {
    /// The live spoofed-sender entries (Tenant Allow/Block List, spoofed senders tab).
    SpoofEntries = "spoof-entries", "Spoofed-sender entries (Tenant Allow/Block List)";
    /// Anti-spam policies' allowed senders and domains.
    AntiSpamAllows = "anti-spam-allows", "Anti-spam policies: allowed senders and domains";
    /// The connection filter's IP Allow List and safe list.
    ConnectionFilter = "connection-filter", "Connection filter: IP Allow List and safe list";
    /// Mail flow rules that set SCL -1.
    MailFlowRules = "mail-flow-rules", "Mail flow rules that skip spam filtering";
    /// Tenant Allow/Block List sender allows (domains and addresses tab).
    TablSenders = "tabl-senders", "Tenant Allow/Block List: sender allows";
    /// Outlook Safe Senders of each mailbox.
    SafeSenders = "safe-senders", "Outlook Safe Senders";
    /// Advanced delivery: third-party phishing simulations.
    PhishSimulations = "phish-simulations", "Advanced delivery: phishing simulations";
    /// Inbound connectors.
    InboundConnectors = "inbound-connectors", "Inbound connectors";
    /// Trusted ARC sealers.
    ArcSealers = "arc-sealers", "Trusted ARC sealers";
    /// Anti-phishing policies' spoof settings and the rules that scope them.
    AntiPhishing = "anti-phishing", "Anti-phishing policies: spoof settings";
    /// The list file: its errors, its drift from the tenant, its exceptions.
    ListFile = "list-file", "The list file (--list)";
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

impl Serialize for Mechanism {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// What Microsoft says of a mechanism's risk, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Source {
    /// Microsoft's words, quoted.
    pub words: &'static str,
    /// The Microsoft Learn page they are on.
    pub page: &'static str,
}

const SAFE_SENDER_LISTS: &str =
    "https://learn.microsoft.com/defender-office-365/create-safe-sender-lists-in-office-365";
const MAIL_FLOW_RULES_SCL: &str =
    "https://learn.microsoft.com/exchange/security-and-compliance/mail-flow-rules/use-rules-to-set-scl";
const TABL_ABOUT: &str = "https://learn.microsoft.com/defender-office-365/tenant-allow-block-list-about";
const ADVANCED_DELIVERY: &str = "https://learn.microsoft.com/defender-office-365/advanced-delivery-policy-configure";
const SET_INBOUND_CONNECTOR: &str =
    "https://learn.microsoft.com/powershell/module/exchangepowershell/set-inboundconnector";
const ARC: &str = "https://learn.microsoft.com/defender-office-365/email-authentication-arc-configure";
const ANTI_PHISHING: &str = "https://learn.microsoft.com/defender-office-365/anti-phishing-policies-about";

const ALLOWED_LISTS: Option<Source> = Some(Source {
    words: "The least desirable option is to use the allowed sender lists or allowed domain lists in custom anti-spam \
            policies or in the default anti-spam policy. You should avoid this option if at all possible because \
            senders bypass all spam, spoof, phishing protection (except high confidence phishing), and sender \
            authentication (SPF, DKIM, DMARC).",
    page: SAFE_SENDER_LISTS,
});

/// Declares the finding codes: for each, its kebab-case name, mechanism, severity, control ids, and source.
macro_rules! findings {
    ($( $(#[doc = $doc:literal])+ $variant:ident = $name:literal, $mech:ident, $sev:ident, [$($control:literal),*], $source:expr; )+) => {
        /// Every finding `audit` reports. The kebab-case name is stable: `exceptions:` and scripts use it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum FindingCode {
            $( $(#[doc = $doc])+ $variant, )+
        }

        impl FindingCode {
            /// All codes.
            pub const ALL: &'static [FindingCode] = &[$(FindingCode::$variant),+];

            /// The stable kebab-case name.
            pub fn name(self) -> &'static str {
                match self { $(FindingCode::$variant => $name,)+ }
            }

            /// The mechanism it is about.
            pub fn mechanism(self) -> Mechanism {
                match self { $(FindingCode::$variant => Mechanism::$mech,)+ }
            }

            /// How much it matters.
            pub fn severity(self) -> FindingSeverity {
                match self { $(FindingCode::$variant => FindingSeverity::$sev,)+ }
            }

            /// The ids other scanners (ScubaGear, ORCA, Maester) report the same thing under.
            pub fn controls(self) -> &'static [&'static str] {
                match self { $(FindingCode::$variant => &[$($control),*],)+ }
            }

            /// Microsoft's words on the risk, and the page; `None` where spoofctl found no words of
            /// Microsoft's that say it (the list file's own findings, say).
            pub fn source(self) -> Option<Source> {
                match self { $(FindingCode::$variant => $source,)+ }
            }
        }
    };
}

findings! {
    /// A live spoofed-sender allow with `*` on one side: the other side alone lets mail in.
    SpoofAllowWildcard = "spoof-allow-wildcard", SpoofEntries, Critical, [], None;
    /// One of the tenant's own accepted domains in an anti-spam policy's allowed domains.
    AllowedOwnDomain = "allowed-own-domain", AntiSpamAllows, Critical, ["MS.SECURITYSUITE.6.2v1", "ORCA-118-3"], Some(Source {
        words: "Don't use popular domains (for example, microsoft.com) in allowed domain lists. The least desirable option is to use the allowed sender lists or allowed domain lists in custom anti-spam policies or in the default anti-spam policy.",
        page: SAFE_SENDER_LISTS,
    });
    /// A mail flow rule that sets SCL -1 on the sender's domain or address alone.
    RuleTrustsSender = "rule-trusts-sender", MailFlowRules, Critical, ["ORCA-118-2", "MT.1043"], Some(Source {
        words: "Never configure mail flow rules with only the sender domain as the condition to skip spam filtering.",
        page: SAFE_SENDER_LISTS,
    });
    /// A domain in an anti-spam policy's allowed domains.
    AllowedSenderDomain = "allowed-sender-domain", AntiSpamAllows, High, ["MS.SECURITYSUITE.6.2v1", "ORCA-118-1"], ALLOWED_LISTS;
    /// An address in an anti-spam policy's allowed senders.
    AllowedSenderAddress = "allowed-sender-address", AntiSpamAllows, High, ["ORCA-109"], ALLOWED_LISTS;
    /// An entry of the connection filter's IP Allow List.
    IpAllowList = "ip-allow-list", ConnectionFilter, High, ["MS.SECURITYSUITE.8.1v1", "ORCA-114", "CIS.M365.2.1.12"], Some(Source {
        words: "Messages from these sources skip spam filtering and sender email authentication (SPF, DKIM, and DMARC).",
        page: SAFE_SENDER_LISTS,
    });
    /// A mail flow rule that sets SCL -1 on the connecting IP alone.
    RuleTrustsIp = "rule-trusts-ip", MailFlowRules, High, ["MT.1043"], Some(Source {
        words: "The value -1 requests a bypass from most spam filtering.",
        page: MAIL_FLOW_RULES_SCL,
    });
    /// A mail flow rule that sets SCL -1 on conditions that name no sender and no IP (a recipient, a subject, a header the sender writes).
    RuleTrustsOther = "rule-trusts-other", MailFlowRules, High, ["MT.1043"], Some(Source {
        words: "The value -1 requests a bypass from most spam filtering.",
        page: MAIL_FLOW_RULES_SCL,
    });
    /// A sender allow in the Tenant Allow/Block List (domain or address).
    TablSenderAllow = "tabl-sender-allow", TablSenders, High, [], Some(Source {
        words: "Allow entries for email address and domains are message level allow entries. These allow entries override bulk and spam verdicts, and high confidence phishing verdicts from machine learning models.",
        page: TABL_ABOUT,
    });
    /// An advanced-delivery phishing simulation: any of its domains with any of its IPs.
    PhishSimUnlinked = "phish-sim-unlinked", PhishSimulations, High, [], Some(Source {
        words: "There must be a match on at least one Domain and one Sending IP, but no association between values is maintained.",
        page: ADVANCED_DELIVERY,
    });
    /// An inbound connector whose mail is treated as internal.
    ConnectorInternal = "connector-internal", InboundConnectors, High, [], Some(Source {
        words: "this setting has potential security risks (for example, internal messages bypass antispam filtering), so use caution when configuring this setting.",
        page: SET_INBOUND_CONNECTOR,
    });
    /// An anti-phishing policy with spoof intelligence off.
    SpoofIntelligenceOff = "spoof-intelligence-off", AntiPhishing, High, ["ORCA-180"], Some(Source {
        words: "Disabling anti-spoofing protection only disables implicit spoofing protection from composite authentication checks.",
        page: ANTI_PHISHING,
    });
    /// An anti-phishing policy that does not honor the sender's DMARC policy.
    HonorDmarcOff = "honor-dmarc-off", AntiPhishing, High, ["ORCA-244"], None;
    /// An anti-phishing policy whose DMARC action does not quarantine (p=quarantine) or reject (p=reject).
    DmarcActionWeak = "dmarc-action-weak", AntiPhishing, High, [], None;
    /// The connection filter's safe list (a list Microsoft keeps) is on.
    ConnectionSafeList = "connection-safe-list", ConnectionFilter, Warning, ["MS.SECURITYSUITE.8.2v1"], None;
    /// Outlook Safe Senders of a mailbox.
    SafeSender = "safe-sender", SafeSenders, Warning, [], Some(Source {
        words: "Safe senders bypass parts of the filtering stack, including spoof protection.",
        page: SAFE_SENDER_LISTS,
    });
    /// An inbound connector that skips the gateways in front of Microsoft 365 (Enhanced Filtering skip listing).
    ConnectorSkipListing = "connector-skip-listing", InboundConnectors, Warning, [], None;
    /// A trusted ARC sealer.
    ArcTrustedSealer = "arc-trusted-sealer", ArcSealers, Warning, [], Some(Source {
        words: "The previous pass result can be used to override the current DMARC failure.",
        page: ARC,
    });
    /// An anti-phishing policy with the unauthenticated sender indicators (`?`, via) off.
    UnauthenticatedSenderOff = "unauthenticated-sender-off", AntiPhishing, Warning, ["ORCA-111"], None;
    /// An anti-phishing rule that exempts recipients from its policy.
    AntiPhishRuleExempts = "anti-phish-rule-exempts", AntiPhishing, Warning, [], None;
    /// A live spoofed-sender allow the list does not hold: nobody reviewed it.
    DriftUnmanagedAllow = "drift-unmanaged-allow", ListFile, High, [], None;
    /// A pair the list and the tenant give different actions.
    DriftAction = "drift-action", ListFile, High, [], None;
    /// A live spoofed-sender block the list does not hold.
    DriftUnmanagedBlock = "drift-unmanaged-block", ListFile, Warning, [], None;
    /// A list entry the tenant does not hold yet.
    DriftNotApplied = "drift-not-applied", ListFile, Warning, [], None;
    /// The list file has an error (`spoofctl validate` shows them all).
    ListError = "list-error", ListFile, High, [], None;
    /// An exception that covers no finding.
    ExceptionUnused = "exception-unused", ListFile, Warning, [], None;
    /// An exception whose `expires` date has passed: it covers nothing any more.
    ExceptionExpired = "exception-expired", ListFile, Warning, [], None;
}

impl FindingCode {
    /// Finds a code by its kebab-case name.
    pub fn from_name(name: &str) -> Option<FindingCode> {
        FindingCode::ALL.iter().copied().find(|c| c.name() == name)
    }

    /// Every name, for hints.
    pub fn names() -> Vec<&'static str> {
        FindingCode::ALL.iter().map(|c| c.name()).collect()
    }
}

impl fmt::Display for FindingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for FindingCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names are kebab-case and unique: `exceptions:` and scripts key on them.
    #[test]
    fn names_are_stable_kebab_case_and_unique() {
        let names = FindingCode::names();
        for n in &names {
            assert!(n.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{n}");
            assert_eq!(FindingCode::from_name(n).map(FindingCode::name), Some(*n));
        }
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
    }

    /// Every source is a Microsoft Learn page, and every finding about a tenant's mechanism but the ones
    /// Microsoft has no words for carries one.
    #[test]
    fn every_source_is_a_learn_page() {
        for c in FindingCode::ALL {
            if let Some(source) = c.source() {
                assert!(source.page.starts_with("https://learn.microsoft.com/"), "{c}");
            }
        }
        let with_source = FindingCode::ALL.iter().filter(|c| c.source().is_some()).count();
        assert!(with_source >= 11, "{with_source}");
    }
}
