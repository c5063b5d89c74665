//! What the service's header codes mean, in words an admin understands.
//!
//! Source for all of them: HEADERS, learn.microsoft.com/defender-office-365/message-headers-eop-mdo
//! ("Authentication-results message header fields", "X-Forefront-Antispam-Report message header fields"),
//! unless a line names another page:
//! - ANTIPHISH: learn.microsoft.com/defender-office-365/anti-phishing-policies-about ("Spoof protection and
//!   sender DMARC policies"): how DMARC failures are handled today, and what overrides the honoured policy;
//! - SET-ANTIPHISH: learn.microsoft.com/powershell/module/exchangepowershell/set-antiphishpolicy
//!   (`HonorDmarcPolicy`: "$true ... This value is the default"; `DmarcRejectAction`: "Reject ... the default");
//! - DMARC: learn.microsoft.com/defender-office-365/email-authentication-dmarc-configure ("DMARC for inbound
//!   mail into Microsoft 365": Enhanced Filtering for Connectors when MX points elsewhere);
//! - SECOPS: learn.microsoft.com/defender-office-365/email-auth-sec-ops-guide (an honoured policy shows as
//!   `action=quarantine` or `action=reject`; compauth 111/116 pass on the PTR; 130 the ARC override).

/// An antispam report value that says a mechanism other than a spoofed-sender entry let the message skip
/// filtering (HEADERS, "X-Forefront-Antispam-Report message header fields"): what `explain` reads in a message,
/// and what an allow of the tenant leaves (`engine::trust::Mechanism::trace`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bypass {
    /// `SFV:SKA`: the allowed senders or allowed domains list of an anti-spam policy (not the TABL).
    AntiSpamAllowedList,
    /// `SFV:SKN`: marked as non-spam before filtering, e.g. by a mail flow rule (SCL -1).
    MailFlowRule,
    /// `SFV:SFE`: the recipient's Safe Senders list.
    SafeSenders,
    /// `IPV:CAL`: the IP Allow List of the connection filter policy.
    IpAllowList,
    /// `SFV:SKI`: filtering skipped for another reason, such as intra-organization mail (older versions of
    /// HEADERS: "Similar to SFV:SKN, the message skipped filtering for another reason such as being
    /// intra-organizational email within your organization").
    SkippedOther,
}

impl Bypass {
    /// Every bypass code.
    pub const ALL: [Bypass; 5] = [
        Bypass::AntiSpamAllowedList,
        Bypass::MailFlowRule,
        Bypass::SafeSenders,
        Bypass::IpAllowList,
        Bypass::SkippedOther,
    ];

    /// The code as the report writes it: `SFV:SKA`.
    pub fn code(self) -> &'static str {
        match self {
            Bypass::AntiSpamAllowedList => "SFV:SKA",
            Bypass::MailFlowRule => "SFV:SKN",
            Bypass::SafeSenders => "SFV:SFE",
            Bypass::IpAllowList => "IPV:CAL",
            Bypass::SkippedOther => "SFV:SKI",
        }
    }

    /// The report's field and value that name it, as `("SFV", "SKA")`.
    pub fn field_value(self) -> (&'static str, &'static str) {
        self.code().split_once(':').unwrap_or_default()
    }

    /// The bypass a report field's value names, if any (case is ignored).
    pub fn of(field: &str, value: &str) -> Option<Bypass> {
        Bypass::ALL.into_iter().find(|b| {
            let (f, v) = b.field_value();
            f.eq_ignore_ascii_case(field) && v.eq_ignore_ascii_case(value)
        })
    }

    /// In words, with where an admin finds it.
    pub fn words(self) -> &'static str {
        match self {
            Bypass::AntiSpamAllowedList => {
                "the allowed senders or allowed domains list of an anti-spam policy (Set-HostedContentFilterPolicy -AllowedSenders/-AllowedSenderDomains), not the Tenant Allow/Block List"
            }
            Bypass::MailFlowRule => "a mail flow rule that marked it as non-spam (SCL -1) before spam filtering",
            Bypass::SafeSenders => "the recipient's Safe Senders list",
            Bypass::IpAllowList => {
                "the IP Allow List of the connection filter policy (Set-HostedConnectionFilterPolicy -IPAllowList)"
            }
            Bypass::SkippedOther => "filtering skipped for another reason, such as mail within the organization",
        }
    }
}

/// The meaning of a DMARC `action=` value.
pub fn dmarc_action(action: &str) -> &'static str {
    match action.to_ascii_lowercase().as_str() {
        // HEADERS lists `oreject` in its syntax line only; ANTIPHISH and SET-ANTIPHISH say a p=reject failure is
        // rejected by default (HonorDmarcPolicy on) and name what overrides it; DMARC names Enhanced Filtering.
        // The causes are an inference from those pages, and worded as one.
        "oreject" => {
            "override reject: the From domain publishes p=reject and the message failed DMARC, yet it was not rejected. With today's defaults (HonorDmarcPolicy on, DmarcRejectAction Reject) such mail is rejected, so the reject was most likely overridden: HonorDmarcPolicy off in the recipient's anti-phishing policy, MX pointing elsewhere without Enhanced Filtering for Connectors, or an override (Safe Senders, a spoof allow, a mail flow rule). This is an inference from Microsoft's pages, not something the header says"
        }
        // In no Microsoft page: seen in real headers only.
        "oquarantine" => {
            "not documented by Microsoft (seen in real headers): by analogy with oreject, the domain publishes p=quarantine and its policy was not applied as such"
        }
        "pct.reject" => {
            "the domain publishes p=reject with pct below 100, and this message fell outside the percentage: the reject was not applied"
        }
        "pct.quarantine" => {
            "the domain publishes p=quarantine with pct below 100, and this message fell outside the percentage: the quarantine was not applied"
        }
        "reject" => {
            "the From domain's DMARC policy p=reject was honoured (HonorDmarcPolicy): a rejected message is not delivered, so these headers come from a copy"
        }
        "quarantine" => {
            "the From domain's DMARC policy p=quarantine was honoured (HonorDmarcPolicy): quarantine or junk, per the anti-phishing policy"
        }
        "none" => {
            "no DMARC action: DMARC passed, the domain publishes p=none, or a failure was overridden (with compauth=pass reason=130, a trusted ARC chain)"
        }
        "permerror" => "permanent DMARC error: the domain's DMARC record could not be used (malformed)",
        "temperror" => "temporary DMARC error: the DMARC record could not be fetched (DNS failure)",
        _ => "not a documented DMARC action",
    }
}

/// The meaning of a composite authentication `reason=` code.
pub fn compauth_reason(code: &str) -> &'static str {
    match code {
        "000" => "explicit failure: the message failed DMARC and the domain's policy is quarantine or reject",
        "001" => {
            "implicit failure: the From domain publishes no authentication records, or only a weaker failure policy (SPF ~all or ?all, or DMARC p=none)"
        }
        "002" => {
            "the organization has a policy prohibiting this sender/domain pair from sending spoofed mail (a spoofed-sender block)"
        }
        "010" => {
            "the message failed DMARC, the DMARC policy is p=reject or p=quarantine, and the From domain is one of the organization's accepted domains (self-to-self or intra-org spoofing)"
        }
        "111" | "116" => {
            "pass on the PTR: SPF and DKIM gave no conclusive pass, and the connecting IP's reverse DNS name matches the From domain (SECOPS)"
        }
        "130" => {
            "ARC override: the message passed authentication because a trusted ARC chain overrode a DMARC failure (ARC from other Microsoft 365 organizations is trusted automatically, SECOPS)"
        }
        _ => match code.as_bytes().first() {
            Some(b'1') | Some(b'7') => "pass: the message passed composite authentication",
            Some(b'2') => "soft pass: the message passed weakly (implicit authentication)",
            Some(b'3') => "not checked: composite authentication was not evaluated",
            Some(b'4') | Some(b'9') => {
                "bypassed: composite authentication was skipped (e.g. an allow, a mail flow rule or an intra-org message)"
            }
            Some(b'6') => {
                "implicit failure, and the From domain is one of the organization's accepted domains (self-to-self or intra-org spoofing)"
            }
            _ => "not a documented reason code",
        },
    }
}

/// The meaning of an `SFV` (spam filtering verdict) value.
pub fn sfv(value: &str) -> &'static str {
    match value.to_ascii_uppercase().as_str() {
        "SPM" => "marked as spam by spam filtering",
        "NSPM" => "not spam",
        "SKA" => {
            "skipped spam filtering: the sender is in the allowed senders or allowed domains list of an anti-spam policy (not the Tenant Allow/Block List)"
        }
        "SKB" => "marked as spam: the sender is on a blocked list",
        "SKN" => "marked as non-spam before filtering (a mail flow rule)",
        "SKS" => "marked as spam before filtering (a mail flow rule)",
        "SKQ" => "released from quarantine and sent to the recipients",
        "SFE" => "skipped filtering: the sender is on the recipient's Safe Senders list",
        // Older versions of HEADERS: "Similar to SFV:SKN, the message skipped filtering for another reason such
        // as being intra-organizational email within your organization".
        "SKI" => "skipped filtering for another reason, such as mail within the organization",
        "BLK" => "skipped filtering and blocked: the sender is on the recipient's Blocked Senders list",
        _ => "not a documented SFV value",
    }
}

/// The meaning of an `SFTY` (safety) value.
pub fn sfty(value: &str) -> &'static str {
    match value {
        // 9.11 and 9.22: learn.microsoft.com/defender-office-365/anti-spoofing-protection-about.
        "9.11" => "intra-organization spoof: the message spoofs one of your own domains",
        "9.22" => "cross-domain spoof: the message spoofs an external domain",
        "9.19" => {
            "domain impersonation: the sending domain resembles a protected domain (anti-phishing impersonation settings)"
        }
        "9.20" => {
            "user impersonation: the sender resembles a user of the organization or a protected user (anti-phishing impersonation settings)"
        }
        "9.25" => "first contact safety tip: the recipient does not often get mail from this sender",
        _ => "a safety tip code not interpreted by spoofctl",
    }
}

/// The meaning of an `IPV` value.
pub fn ipv(value: &str) -> &'static str {
    match value.to_ascii_uppercase().as_str() {
        "CAL" => "skipped spam filtering: the source IP address is in the IP Allow List",
        "NLI" => "the IP address was not found on any IP reputation list",
        _ => "a value not interpreted by spoofctl",
    }
}

/// The meaning of a `DIR` value.
pub fn dir(value: &str) -> &'static str {
    match value.to_ascii_uppercase().as_str() {
        "INB" => "inbound",
        "OUT" => "outbound",
        "INT" => "internal (intra-organization)",
        _ => "not a documented direction",
    }
}

/// The meaning of a `CAT` (protection policy category) value.
pub fn cat(value: &str) -> &'static str {
    match value.to_ascii_uppercase().as_str() {
        "SPOOF" => "spoofing",
        "SPM" => "spam",
        "HSPM" => "high confidence spam",
        "BULK" => "bulk mail",
        "PHSH" => "phishing",
        "HPHSH" | "HPHISH" => "high confidence phishing",
        "MALW" => "malware",
        "DIMP" => "domain impersonation",
        "UIMP" => "user impersonation",
        "GIMP" => "mailbox intelligence impersonation",
        "BIMP" => "brand impersonation",
        "INTOS" => "intra-organization phishing",
        "AMP" => "anti-malware",
        "FTBP" => "anti-malware common attachments filter",
        "SAP" => "safe attachments",
        "OSPM" => "outbound spam",
        "NONE" => "none",
        _ => "a category not interpreted by spoofctl",
    }
}

/// Where the verdict of a `CAT` other than spoofing is decided, for a message that was not handled as spoof.
pub fn cat_decided_by(value: &str) -> &'static str {
    match value.to_ascii_uppercase().as_str() {
        "BULK" => "the bulk email threshold (BCL) of the anti-spam policy",
        "SPM" | "HSPM" => "spam filtering and the anti-spam policy's actions",
        "PHSH" | "HPHSH" | "HPHISH" => "phishing filtering and the anti-spam policy's phishing actions",
        "DIMP" | "UIMP" | "GIMP" | "BIMP" => "the impersonation settings of the anti-phishing policy",
        "INTOS" => "intra-organization phishing protection",
        "MALW" | "AMP" | "FTBP" => "the anti-malware policy",
        "SAP" => "the Safe Attachments policy",
        "OSPM" => "the outbound spam policy",
        _ => "the protection the category names",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each bypass is found by its own field and value, in any case, and by no other; a value of the other
    /// field, or one that is no bypass, names none.
    #[test]
    fn bypass_codes() {
        for b in Bypass::ALL {
            let (field, value) = b.field_value();
            assert_eq!(format!("{field}:{value}"), b.code());
            assert_eq!(Bypass::of(field, value), Some(b));
            assert_eq!(Bypass::of(&field.to_ascii_lowercase(), &value.to_ascii_lowercase()), Some(b));
        }
        assert_eq!(Bypass::of("SFV", "CAL"), None);
        assert_eq!(Bypass::of("IPV", "SKA"), None);
        assert_eq!(Bypass::of("SFV", "SPM"), None);
        assert_eq!(Bypass::of("IPV", "NLI"), None);
    }

    /// The codes of the current header page, each with its own meaning (none falls through to "not
    /// interpreted").
    #[test]
    fn current_codes_have_meanings() {
        for v in ["9.11", "9.22", "9.19", "9.20", "9.25"] {
            assert!(!sfty(v).contains("not interpreted"), "SFTY {v}");
        }
        for v in ["BIMP", "FTBP", "INTOS", "HPHISH", "HPHSH", "BULK", "DIMP", "UIMP", "GIMP"] {
            assert!(!cat(v).contains("not interpreted"), "CAT {v}");
            assert!(!cat_decided_by(v).contains("the protection the category names"), "CAT {v}");
        }
        assert!(sfv("SKA").contains("not the Tenant Allow/Block List"));
        assert!(sfv("SKI").contains("another reason"));
        assert!(ipv("CAL").contains("IP Allow List"));
        for (code, words) in [
            ("001", "weaker failure policy"),
            ("010", "p=reject or p=quarantine"),
            ("111", "PTR"),
            ("116", "PTR"),
            ("130", "ARC"),
            ("601", "accepted domains"),
            ("905", "bypassed"),
        ] {
            assert!(compauth_reason(code).contains(words), "compauth {code}");
        }
    }

    /// Today's DMARC story: oreject is an override, worded as an inference; oquarantine is undocumented.
    #[test]
    fn dmarc_actions_of_today() {
        let oreject = dmarc_action("oreject");
        for words in ["HonorDmarcPolicy", "Enhanced Filtering", "inference"] {
            assert!(oreject.contains(words), "{words}");
        }
        assert!(dmarc_action("oquarantine").contains("not documented"));
        assert!(dmarc_action("none").contains("reason=130"));
        assert!(dmarc_action("reject").contains("honoured"));
    }
}
