//! The snapshot reader: the fixtures in both JSON shapes and both encodings read to the same snapshot; every
//! shape, enum, date and empty form in a table; bad input named by file, object and property; hostile input
//! bounded.

use std::path::Path;

use spoofctl::model::ip_range::IpRange;
use spoofctl::model::pair::Side;
use spoofctl::model::tenant::{
    Checked, ConnectorType, DmarcRejectAction, RuleMode, RuleState, SenderAddressLocation, Setting, Snapshot, Timestamp,
};
use spoofctl::read::snapshot::{read_snapshot, spoof_items};

fn fixture(name: &str) -> Snapshot {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snapshot").join(name);
    match read_snapshot(&path) {
        Ok(s) => s,
        Err(e) => panic!("{name}: {e}"),
    }
}

fn read<T: std::fmt::Debug>(c: &Checked<T>) -> &T {
    c.read().unwrap_or_else(|| panic!("not read: {:?}", c.not_checked_because()))
}

/// The PowerShell 7 snapshot (UTF-8, arrays and single objects, ISO dates) and the Windows PowerShell 5.1 one
/// (UTF-16LE with a BOM, `{"value": [...], "Count": n}`, `/Date(ms)/`, a file name in lowercase) are one
/// snapshot.
#[test]
fn both_shapes_read_the_same() {
    let (seven, five) = (fixture("contoso-ps7"), fixture("contoso-ps51"));
    assert_eq!(seven, five);
    for (name, c) in [
        ("spoof", seven.spoof_items.not_checked_because()),
        ("senders", seven.sender_items.not_checked_because()),
        ("content", seven.content_filter_policies.not_checked_because()),
        ("content rules", seven.content_filter_rules.not_checked_because()),
        ("connection", seven.connection_filter_policies.not_checked_because()),
        ("transport", seven.transport_rules.not_checked_because()),
        ("anti-phish", seven.anti_phish_policies.not_checked_because()),
        ("anti-phish rules", seven.anti_phish_rules.not_checked_because()),
        ("connectors", seven.inbound_connectors.not_checked_because()),
        ("phish sim", seven.phish_sim_override_rules.not_checked_because()),
        ("arc", seven.arc_config.not_checked_because()),
        ("accepted", seven.accepted_domains.not_checked_because()),
        ("org", seven.organization_config.not_checked_because()),
        ("junk", seven.junk_email_configurations.not_checked_because()),
        ("manifest", seven.manifest.not_checked_because()),
    ] {
        assert_eq!(c, None, "{name} is read");
    }
}

/// The values the fixture holds, as the model types them.
#[test]
fn fixture_values() {
    let s = fixture("contoso-ps7");
    let manifest = read(&s.manifest);
    assert_eq!(manifest.tenant.as_deref(), Some("contoso.onmicrosoft.com"));
    assert_eq!(manifest.time.map(|t| t.date().to_string()), Some("2026-11-22".to_string()));
    assert_eq!(manifest.cmdlets.len(), 14);

    let spoof = read(&s.spoof_items);
    assert_eq!(spoof.len(), 3);
    assert_eq!(spoof[1].infrastructure, Side::Any, "a wildcard allow is kept, to be reported");

    let senders = read(&s.sender_items);
    assert_eq!(senders[0].value.as_str(), "tailspintoys.com");
    assert_eq!(senders[0].expiration_date.map(|t| t.date().to_string()), Some("2026-12-22".to_string()));
    assert_eq!(senders[1].expiration_date, None);
    assert_eq!(senders[1].last_modified, Some(Timestamp(1_790_857_815_123)));

    let policies = read(&s.content_filter_policies);
    assert_eq!(policies[0].allowed_senders[0].as_str(), "billing@tailspintoys.com");
    let domains: Vec<&str> = policies[0].allowed_sender_domains.iter().map(|h| h.as_str()).collect();
    assert_eq!(domains, ["fabrikam.com", "adatum.com"]);
    assert!(policies[1].allowed_senders.is_empty() && policies[1].allowed_sender_domains.is_empty());
    assert!(read(&s.content_filter_rules)[0].scope.has_exceptions());

    let allow = &read(&s.connection_filter_policies)[0].ip_allow_list;
    let shown: Vec<String> = allow.iter().map(ToString::to_string).collect();
    assert_eq!(shown, ["192.0.2.10", "198.51.100.0/24", "203.0.113.1-203.0.113.20"]);

    let rules = read(&s.transport_rules);
    assert_eq!(rules.len(), 5);
    assert_eq!(rules[0].set_scl, Some(-1));
    assert!(rules[0].state.is(RuleState::Enabled) && rules[0].mode.is(RuleMode::Enforce));
    assert_eq!(rules[0].conditions.sender_domain_is.len(), 1);
    assert!(rules[0].other_conditions.is_empty(), "false and null conditions are not set");
    assert_eq!(
        rules[1].conditions.sender_ip_ranges,
        [IpRange::parse("198.51.100.0/24").map_err(|e| e.message).unwrap_or_else(|e| panic!("{e}"))]
    );
    assert_eq!(rules[2].conditions.header_matches.as_ref().map(|h| h.header.as_str()), Some("Authentication-Results"));
    assert_eq!(rules[3].other_conditions, ["SubjectContainsWords"]);
    assert!(rules[4].state.is(RuleState::Disabled));
    assert!(rules[4].sender_address_location.is(SenderAddressLocation::HeaderOrEnvelope));
    assert_eq!(rules[4].exceptions.from, ["noreply@northwindtraders.com"]);

    let phish = read(&s.anti_phish_policies);
    assert_eq!(phish[0].honor_dmarc_policy, Some(false));
    assert_eq!(phish[1].dmarc_reject_action, Some(Setting::Is(DmarcRejectAction::Quarantine)));
    assert_eq!(read(&s.anti_phish_rules)[0].scope.except_if_recipient_domain_is.len(), 1);
    assert!(read(&s.inbound_connectors)[0].connector_type.is(ConnectorType::Partner));
    assert_eq!(read(&s.phish_sim_override_rules)[0].sender_ip_ranges.len(), 2);
    let sealers: Vec<&str> = read(&s.arc_config).arc_trusted_sealers.iter().map(|h| h.as_str()).collect();
    assert_eq!(
        sealers,
        ["lists.example.org", "relay.example.net"],
        "one comma-separated text, as Get-ArcConfig writes it"
    );
    assert!(read(&s.accepted_domains)[2].match_subdomains);
    assert_eq!(read(&s.organization_config).reject_direct_send, Some(false));
    let junk = read(&s.junk_email_configurations);
    assert_eq!(
        junk[1].trusted_senders_and_domains[0].as_str(),
        "litware.com",
        "Outlook's `@litware.com` is the domain"
    );
}

/// A missing file is not checked, a failed cmdlet is not checked with its error, an empty file or `[]` is a
/// clean mechanism.
#[test]
fn minimal_snapshot() {
    let s = fixture("minimal");
    assert_eq!(s.spoof_items, Checked::Read(Vec::new()));
    assert_eq!(s.transport_rules, Checked::Read(Vec::new()), "a cmdlet that returned nothing writes nothing");
    assert!(read(&s.connection_filter_policies)[0].ip_allow_list.is_empty());
    assert_eq!(s.content_filter_policies, Checked::Missing);
    assert_eq!(
        s.junk_email_configurations.not_checked_because().as_deref(),
        Some("not exported when the snapshot was taken: Skipped: run with -IncludeMailboxes"),
        "the script's manifest says why Safe Senders were left out"
    );
    assert_eq!(
        s.phish_sim_override_rules.not_checked_because().as_deref(),
        Some(
            "not exported when the snapshot was taken: The term 'Get-ExoPhishSimOverrideRule' is not recognized as a name of a cmdlet."
        )
    );
    assert_eq!(read(&s.manifest).time, Some(Timestamp(1_795_338_000_000)));
}

/// `plan --live FOLDER` reads the spoof entries of either shape, and says why when it cannot.
#[test]
fn spoof_items_for_plan() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snapshot");
    for name in ["contoso-ps7", "contoso-ps51"] {
        let rows = spoof_items(&dir.join(name)).map_err(|e| e.to_string());
        assert_eq!(rows.map(|r| r.len()), Ok(3), "{name}");
    }
    assert_eq!(spoof_items(&dir.join("minimal")).map(|r| r.len()).map_err(|e| e.to_string()), Ok(0));
    let scratch = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let e = spoof_items(scratch.path()).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.ends_with("the spoofed-sender entries were not read: its file is not in the snapshot"), "{e}");
}

/// One file in a scratch folder, read as a snapshot.
fn with_file(name: &str, bytes: &[u8]) -> Snapshot {
    let scratch = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(scratch.path().join(name), bytes).unwrap_or_else(|e| panic!("{e}"));
    read_snapshot(scratch.path()).unwrap_or_else(|e| panic!("{e}"))
}

fn rules(json: &str) -> Checked<Vec<spoofctl::model::tenant::TransportRule>> {
    with_file("Get-TransportRule.json", json.as_bytes()).transport_rules
}

const RULE: &str = r#""Name": "r", "State": "Enabled", "Mode": "Enforce", "SenderAddressLocation": "Header""#;

/// Every shape a cmdlet's output takes reads as its objects.
#[test]
fn shapes() {
    for (json, n) in [
        (format!("[{{{RULE}}}, {{{RULE}}}]"), 2),
        (format!("{{{RULE}}}"), 1),
        (format!("{{\"value\": [{{{RULE}}}, {{{RULE}}}], \"Count\": 2}}"), 2),
        (format!("{{\"Count\": 1, \"value\": [{{{RULE}}}]}}"), 1),
        ("{\"value\": [], \"Count\": 0}".to_string(), 0),
        ("[]".to_string(), 0),
        ("  \r\n".to_string(), 0),
    ] {
        assert_eq!(read(&rules(&json)).len(), n, "{json}");
    }
}

/// Enumerations by name in any case, or by number (no number is documented: kept as written); property names in
/// any case; dates in both forms; null, missing and empty lists alike; unknown properties ignored.
#[test]
fn values() {
    let one = |extra: &str| {
        let json = format!("{{{RULE}, {extra}}}");
        read(&rules(&json)).first().cloned().unwrap_or_else(|| panic!("{json}"))
    };
    let twice = rules(&format!("{{{RULE}, \"sTaTe\": \"x\"}}")).not_checked_because().unwrap_or_default();
    assert!(twice.ends_with("`State` and `sTaTe` are one property written twice: keep one"), "{twice}");
    let state = |v: &str| {
        let json = format!(r#"{{"Name": "r", "State": {v}, "Mode": "Enforce"}}"#);
        read(&rules(&json))[0].state.clone()
    };
    assert_eq!(state("\"enabled\""), Setting::Is(RuleState::Enabled));
    assert_eq!(state("\"DISABLED\""), Setting::Is(RuleState::Disabled));
    assert_eq!(state("0"), Setting::Unknown("0".into()));
    assert_eq!(state("\"Paused\""), Setting::Unknown("Paused".into()));
    assert_eq!(state("null"), Setting::Unknown("(not written)".into()));
    assert_eq!(one(r#""setscl": "-1""#).set_scl, Some(-1), "a number as text, a property name in any case");
    for empty in ["null", "[]", "[null]", "\"\""] {
        assert!(one(&format!("\"SenderDomainIs\": {empty}")).conditions.is_empty(), "{empty}");
    }
    assert_eq!(one(r#""SenderDomainIs": "Contoso.COM""#).conditions.sender_domain_is[0].as_str(), "contoso.com");
    assert_eq!(one(r#""From": [{"Address": "a@contoso.com"}]"#).conditions.from, ["a@contoso.com"]);
    assert_eq!(one(r#""WhenChanged": {"deep": [1, {"x": null}]}, "Guid": 7"#).name, "r");

    let expires = |v: &str| {
        let json = format!(r#"{{"Value": "contoso.com", "Action": "Allow", "ExpirationDate": {v}}}"#);
        read(&with_file("Get-TenantAllowBlockListItems.json", json.as_bytes()).sender_items)[0].expiration_date
    };
    for form in [
        r#""/Date(1700000000000)/""#,
        r#""\/Date(1700000000000)\/""#,
        r#""/Date(1700000000000+0100)/""#,
        r#""2023-11-14T22:13:20Z""#,
        r#""2023-11-14T22:13:20.0000000Z""#,
        r#""2023-11-14T23:13:20+01:00""#,
        r#""2023-11-14T17:13:20-05:00""#,
        r#""2023-11-14T22:13:20""#,
    ] {
        assert_eq!(expires(form), Some(Timestamp(1_700_000_000_000)), "{form}");
    }
    assert_eq!(expires("null"), None);

    let safe_list = |v: &str| {
        let json = format!(r#"{{"Name": "Default", "IPAllowList": [], "EnableSafeList": {v}}}"#);
        read(&with_file("Get-HostedConnectionFilterPolicy.json", json.as_bytes()).connection_filter_policies)[0]
            .enable_safe_list
    };
    assert!(safe_list("\"True\""), "a flag written as text, any case");
    assert!(!safe_list("\"false\""), "a flag written as text, any case");
    let fraction = rules(&format!("{{{RULE}, \"SetSCL\": 1.5}}"));
    assert!(fraction.not_checked_because().is_some(), "a fraction is not an SCL");
}

/// Bad input: the file, the object (index and name), the property, and what is expected.
#[test]
fn bad_values() {
    let problem = |file: &str, json: &str| {
        let s = with_file(file, json.as_bytes());
        [
            s.transport_rules.not_checked_because(),
            s.connection_filter_policies.not_checked_because(),
            s.sender_items.not_checked_because(),
            s.content_filter_policies.not_checked_because(),
            s.arc_config.not_checked_because(),
            s.spoof_items.not_checked_because(),
        ]
        .into_iter()
        .flatten()
        .find(|w| !w.starts_with("its file is not"))
        .unwrap_or_default()
    };
    let connection = "Get-HostedConnectionFilterPolicy.json";
    for (file, json, want) in [
        (
            connection,
            r#"[{"Name": "Default", "IPAllowList": ["192.0.2.10", "192.0.2.300"], "EnableSafeList": false}]"#,
            r#"Get-HostedConnectionFilterPolicy.json: object 1 ("Default"), property IPAllowList: value 2: `192.0.2.300` is not an IP address or range: expected a single address (192.0.2.10), a CIDR range (192.0.2.0/24) or a range (192.0.2.1-192.0.2.20)"#,
        ),
        (
            connection,
            r#"{"value": [{"Name": "A"}, {"Name": "B", "EnableSafeList": "yes"}], "Count": 2}"#,
            r#"Get-HostedConnectionFilterPolicy.json: object 2 ("B"), property EnableSafeList: expected true or false, found the text `yes`"#,
        ),
        (
            connection,
            r#"[{"Name": "A", "IPAllowList": [true]}]"#,
            r#"Get-HostedConnectionFilterPolicy.json: object 1 ("A"), property IPAllowList: value 1: expected text, found `true`"#,
        ),
        (
            connection,
            r#"[{"IPAllowList": []}]"#,
            "Get-HostedConnectionFilterPolicy.json: object 1, property Name: missing; expected text",
        ),
        (
            connection,
            "[1]",
            "Get-HostedConnectionFilterPolicy.json: object 1: expected an object with the cmdlet's properties, found the number 1",
        ),
        (
            connection,
            r#"[{"Name": "A", "name": "B"}]"#,
            "Get-HostedConnectionFilterPolicy.json: object 1: `Name` and `name` are one property written twice: keep one",
        ),
        (
            connection,
            r#"{"value": [{"Name": "A"}], "Count": 3}"#,
            "Get-HostedConnectionFilterPolicy.json: `Count` is 3 but `value` holds 1 objects: is the file cut off?",
        ),
        (
            connection,
            r#"[{"Name": "A"}"#,
            "Get-HostedConnectionFilterPolicy.json: the JSON is cut off at line 1: is the file complete?",
        ),
        (
            "Get-TransportRule.json",
            r#"[{"Name": "r", "SetSCL": "minus one"}]"#,
            r#"Get-TransportRule.json: object 1 ("r"), property SetSCL: expected a whole number, found the text `minus one`"#,
        ),
        (
            "Get-TransportRule.json",
            r#"[{"Name": "r", "HeaderContainsWords": ["dkim=pass"]}]"#,
            r#"Get-TransportRule.json: object 1 ("r"), property HeaderContainsWords: words without the header to look in: HeaderContainsMessageHeader is not set"#,
        ),
        (
            "Get-TenantAllowBlockListItems.json",
            r#"[{"Value": "contoso.com", "Action": "Allow", "ExpirationDate": "next week"}]"#,
            r#"Get-TenantAllowBlockListItems.json: object 1 ("contoso.com"), property ExpirationDate: `next week` is not a time: expected "/Date(1700000000000)/" or ISO 8601 (2026-11-22T10:15:30Z)"#,
        ),
        (
            "Get-ArcConfig.json",
            r#"[{"ArcTrustedSealers": "a.example"}, {"ArcTrustedSealers": "b.example"}]"#,
            "Get-ArcConfig.json: expected one object (the tenant's settings), found 2",
        ),
        (
            "Get-TenantAllowBlockListSpoofItems.json",
            r#"{"value": [{"SpoofedUser": "contoso.com", "SendingInfrastructure": "192.0.2.1", "SpoofType": "External", "Action": "Allow"}], "Count": 1}"#,
            "Get-TenantAllowBlockListSpoofItems.json: object 1: SendingInfrastructure: `192.0.2.1` is a single IP: the service takes IP infrastructure only as a /24 range",
        ),
    ] {
        assert_eq!(problem(file, json), want, "{json}");
    }
}

/// Hostile files are bounded: nesting, size, object count, and two files one name to a case-insensitive eye.
#[test]
fn hostile() {
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let why = rules(&deep).not_checked_because().unwrap_or_default();
    assert!(why.contains("nests deeper than 128 levels"), "{why}");

    let mut huge = vec![b' '; usize::try_from(spoofctl::read::snapshot::MAX_FILE_BYTES).unwrap_or(0) + 1];
    huge[0] = b'[';
    let why = rules(std::str::from_utf8(&huge).unwrap_or("")).not_checked_because().unwrap_or_default();
    assert!(why.ends_with("the file is larger than 64 MiB, far more than a tenant's settings take"), "{why}");

    let one = r#"{"DomainName":"contoso.com","DomainType":"Authoritative"},"#;
    let many = format!("[{}{}]", one.repeat(spoofctl::read::snapshot::MAX_OBJECTS), one.trim_end_matches(','));
    let why = with_file("Get-AcceptedDomain.json", many.as_bytes())
        .accepted_domains
        .not_checked_because()
        .unwrap_or_default();
    assert!(why.contains("more than 250000 objects: not one tenant's settings"), "{why}");

    let scratch = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for name in ["Get-TransportRule.json", "get-transportrule.JSON"] {
        std::fs::write(scratch.path().join(name), "[]").unwrap_or_else(|e| panic!("{e}"));
    }
    let s = read_snapshot(scratch.path()).unwrap_or_else(|e| panic!("{e}"));
    let why = s.transport_rules.not_checked_because().unwrap_or_default();
    assert!(why.contains("2 files differ only in case"), "{why}");

    let utf16_no_bom: Vec<u8> = "[{\"Name\": \"r\"}]".encode_utf16().flat_map(u16::to_le_bytes).collect();
    let why =
        with_file("Get-TransportRule.json", &utf16_no_bom).transport_rules.not_checked_because().unwrap_or_default();
    assert!(why.contains("UTF-16 without a byte-order mark"), "{why}");
}
