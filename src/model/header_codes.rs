//! What the service's header codes mean, in words an admin understands.
//!
//! Source for all of them: HEADERS, learn.microsoft.com/defender-office-365/message-headers-eop-mdo
//! ("Authentication-results message header fields", "X-Forefront-Antispam-Report message header fields"),
//! and ANTIPHISH (anti-phishing-policies-about, "Spoof settings") for how DMARC failures are handled.

/// The meaning of a DMARC `action=` value.
pub fn dmarc_action(action: &str) -> &'static str {
    match action.to_ascii_lowercase().as_str() {
        "oreject" => {
            "override reject: the From domain publishes p=reject, but Microsoft 365 did not reject the message; it treated it as spoof instead (junk or quarantine, per the anti-phishing policy)"
        }
        "oquarantine" => {
            "override quarantine: the From domain publishes p=quarantine; Microsoft 365 applied its own spoof handling instead"
        }
        "pct.reject" => {
            "the domain publishes p=reject with pct below 100, and this message fell outside the percentage: the reject was not applied"
        }
        "pct.quarantine" => {
            "the domain publishes p=quarantine with pct below 100, and this message fell outside the percentage: the quarantine was not applied"
        }
        "reject" => "the From domain's DMARC policy is reject, and it was applied",
        "quarantine" => "the From domain's DMARC policy is quarantine, and it was applied",
        "none" => "no DMARC action: the domain publishes p=none, or DMARC passed",
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
            "implicit failure: the message failed composite authentication (the From domain publishes no DMARC policy that would decide)"
        }
        "002" => {
            "the organization has a policy prohibiting this sender/domain pair from sending spoofed mail (a spoofed-sender block)"
        }
        "010" => "the message failed DMARC, and the From domain is one of the organization's own accepted domains",
        "130" => "ARC override: the message failed authentication, but a trusted ARC sealer vouched for it",
        _ => match code.as_bytes().first() {
            Some(b'1') | Some(b'7') => "pass: the message passed composite authentication",
            Some(b'2') => "soft pass: the message passed weakly (implicit authentication)",
            Some(b'3') => "not checked: composite authentication was not evaluated",
            Some(b'4') | Some(b'9') => {
                "bypassed: composite authentication was skipped (e.g. an allow, a mail flow rule or an intra-org message)"
            }
            Some(b'6') => "implicit failure of an intra-organization message",
            _ => "not a documented reason code",
        },
    }
}

/// The meaning of an `SFV` (spam filtering verdict) value.
pub fn sfv(value: &str) -> &'static str {
    match value.to_ascii_uppercase().as_str() {
        "SPM" => "marked as spam by spam filtering",
        "NSPM" => "not spam",
        "SKA" => "skipped spam filtering: allowed by an allow list (anti-spam policy or Tenant Allow/Block List)",
        "SKB" => "marked as spam: the sender is on a blocked list",
        "SKN" => "marked as non-spam before filtering (a mail flow rule)",
        "SKS" => "marked as spam before filtering (a mail flow rule)",
        "SKQ" => "released from quarantine and sent to the recipients",
        "SFE" => "skipped filtering: the sender is on the recipient's Safe Senders list",
        "BLK" => "skipped filtering and blocked: the sender is on the recipient's Blocked Senders list",
        _ => "not a documented SFV value",
    }
}

/// The meaning of an `SFTY` (safety) value.
pub fn sfty(value: &str) -> &'static str {
    match value {
        "9.11" => "intra-organization spoof: the message spoofs one of your own domains",
        "9.22" => "cross-domain spoof: the message spoofs an external domain",
        _ => "a safety tip code not interpreted by spoofctl",
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
        "HPHSH" => "high confidence phishing",
        "MALW" => "malware",
        "DIMP" => "domain impersonation",
        "UIMP" => "user impersonation",
        "GIMP" => "mailbox intelligence impersonation",
        "AMP" => "anti-malware",
        "SAP" => "safe attachments",
        "OSPM" => "outbound spam",
        "NONE" => "none",
        _ => "a category not interpreted by spoofctl",
    }
}
