//! Tables of valid and invalid values for every parser: each rejected shape of the product spec has a row.
#![allow(
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test, bench or example that cannot go on stops, saying why; its numbers are small"
)]

use spoofctl::address::Address;
use spoofctl::date::Date;
use spoofctl::diagnostic::Code;
use spoofctl::domain::Domain;
use spoofctl::ipv4::Ipv4Slash24;
use spoofctl::pair::{Action, Infrastructure, Rule, RuleError, Side, SpoofType, SpoofedUser, Word};

/// Domains are read into normal form: lowercase, no trailing dot, punycode.
#[test]
fn domains_in_normal_form() {
    for (raw, want) in [
        ("contoso.com", "contoso.com"),
        ("Contoso.COM", "contoso.com"),
        ("contoso.com.", "contoso.com"),
        ("smtp.inbound.contoso.com", "smtp.inbound.contoso.com"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("XN--BCHER-KVA.example", "xn--bcher-kva.example"),
        ("münchen.de", "xn--mnchen-3ya.de"),
        ("contoso.co.uk", "contoso.co.uk"),
        ("_dmarc-host.contoso.com", "_dmarc-host.contoso.com"),
        ("a-b.c-d.example", "a-b.c-d.example"),
    ] {
        assert_eq!(Domain::parse(raw).map(|d| d.to_string()), Ok(want.to_string()), "{raw}");
    }
}

/// Every rejected domain shape has its own code.
#[test]
fn domains_rejected() {
    let long_label = format!("{}.com", "a".repeat(64));
    let long_name = format!("{}com", "abcdefghi.".repeat(26));
    for (raw, code) in [
        ("com", Code::PublicSuffix),
        ("co.uk", Code::PublicSuffix),
        ("COM.", Code::PublicSuffix),
        ("localhost", Code::PublicSuffix),
        ("github.io", Code::PublicSuffix),
        ("blogspot.com", Code::PublicSuffix),
        ("xn--zz.com", Code::InvalidDomain),
        ("*.contoso.com", Code::PartialWildcard),
        ("contoso.*", Code::PartialWildcard),
        ("", Code::InvalidDomain),
        ("contoso..com", Code::InvalidDomain),
        (".contoso.com", Code::InvalidDomain),
        ("-contoso.com", Code::InvalidDomain),
        ("contoso-.com", Code::InvalidDomain),
        (long_label.as_str(), Code::InvalidDomain),
        (long_name.as_str(), Code::InvalidDomain),
        ("1.2.3", Code::InvalidDomain),
        ("contoso com", Code::InvalidCharacters),
        ("contoso.com;", Code::InvalidCharacters),
        ("conto$o.com", Code::InvalidCharacters),
        ("'contoso.com'", Code::InvalidCharacters),
        ("\"contoso.com\"", Code::InvalidCharacters),
        ("contoso.com`", Code::InvalidCharacters),
        ("contoso.com\n", Code::InvalidCharacters),
        ("cont\u{7}oso.com", Code::InvalidCharacters),
        ("contoso\u{200B}.com", Code::InvalidCharacters),
        ("contoso.com/x", Code::InvalidCharacters),
        ("user@contoso.com", Code::InvalidCharacters),
        // Regression: full-width forms that IDNA maps to ASCII are checked after mapping.
        ("＊.tms.mx.com", Code::PartialWildcard),
        ("ｘ＄ｙ.com", Code::InvalidCharacters),
        ("＝1＋1.com", Code::InvalidCharacters),
        ("a＇b｀c；.com", Code::InvalidCharacters),
        // Characters IDNA2008 disallows, which conversion would map to others or drop: never one domain folded
        // into another (KELVIN SIGN is not `k`), and nothing invisible inside a name.
        ("\u{212A}ontoso.com", Code::InvalidCharacters),
        ("\u{212B}ngstrom.example", Code::InvalidCharacters),
        ("ｃｏｎｔｏｓｏ.com", Code::InvalidCharacters),
        ("con\u{AD}toso.com", Code::InvalidCharacters),
        ("con\u{34F}toso.com", Code::InvalidCharacters),
        ("con\u{180E}toso.com", Code::InvalidCharacters),
        ("con\u{3164}toso.com", Code::InvalidCharacters),
        ("contoso\u{3002}com", Code::InvalidCharacters),
    ] {
        assert_eq!(Domain::parse(raw).map_err(|e| e.code), Err(code), "{raw:?}");
    }
    // Letters whose case maps both ways are one letter, as ASCII letters are.
    for (raw, normal) in [("BÜCHER.example", "xn--bcher-kva.example"), ("straße.example", "xn--strae-oqa.example")] {
        assert_eq!(Domain::parse(raw).map(|d| d.as_str().to_string()), Ok(normal.to_string()), "{raw:?}");
    }
}

/// Addresses are lowercase, with a valid domain.
#[test]
fn addresses_in_normal_form() {
    for (raw, want) in [
        ("chris@contoso.com", "chris@contoso.com"),
        ("Chris.Smith@Contoso.COM", "chris.smith@contoso.com"),
        ("first+tag@contoso.com", "first+tag@contoso.com"),
        ("a_b-c=d@bücher.example", "a_b-c=d@xn--bcher-kva.example"),
        ("payroll@contoso.com.", "payroll@contoso.com"),
    ] {
        assert_eq!(Address::parse(raw).map(|a| a.to_string()), Ok(want.to_string()), "{raw}");
    }
}

/// A message's From takes the normal form a list's address takes, on the sender's one-copy path (plain
/// ASCII) and off it (uppercase, a trailing dot, IDN): otherwise an entry would not match its own sender.
#[test]
fn senders_take_the_normal_form_of_addresses() {
    for raw in [
        "chris@contoso.com",
        "Chris.Smith@Contoso.COM",
        "first+tag@contoso.com",
        "a_b-c=d@bücher.example",
        "payroll@contoso.com.",
        "PAYROLL@CONTOSO.COM.",
        "x@mail.tms.mx.com",
    ] {
        let sender = spoofctl::message::Sender::parse(raw).expect("a sender");
        let address = Address::parse(raw).expect("an address");
        assert_eq!(
            (sender.as_str(), sender.domain()),
            (address.to_string().as_str(), address.domain().as_str()),
            "{raw}"
        );
    }
}

/// Addresses refused: no `@`, bad local part, a domain that is invalid, characters that escape quoting.
#[test]
fn addresses_rejected() {
    for (raw, code) in [
        ("chris", Code::InvalidAddress),
        ("@contoso.com", Code::InvalidAddress),
        ("a@@contoso.com", Code::InvalidAddress),
        ("a@b@contoso.com", Code::InvalidAddress),
        (".chris@contoso.com", Code::InvalidAddress),
        ("chris.@contoso.com", Code::InvalidAddress),
        ("ch..ris@contoso.com", Code::InvalidAddress),
        ("chris@com", Code::InvalidAddress),
        ("chris@co.uk", Code::InvalidAddress),
        ("chris@contoso..com", Code::InvalidAddress),
        ("chris@", Code::InvalidAddress),
        ("*@contoso.com", Code::PartialWildcard),
        ("chris*@contoso.com", Code::PartialWildcard),
        ("chris@*.contoso.com", Code::PartialWildcard),
        ("ch ris@contoso.com", Code::InvalidCharacters),
        ("o'brien@contoso.com", Code::InvalidCharacters),
        ("\"chris\"@contoso.com", Code::InvalidCharacters),
        ("$(calc)@contoso.com", Code::InvalidCharacters),
        ("chris;x@contoso.com", Code::InvalidCharacters),
        ("chris`@contoso.com", Code::InvalidCharacters),
        ("=cmd@contoso.com", Code::InvalidCharacters),
        ("+cmd@contoso.com", Code::InvalidCharacters),
        ("-cmd@contoso.com", Code::InvalidCharacters),
        ("chris@conto;so.com", Code::InvalidCharacters),
        ("jürgen@contoso.com", Code::InvalidCharacters),
    ] {
        assert_eq!(Address::parse(raw).map_err(|e| e.code), Err(code), "{raw:?}");
    }
    let long = format!("{}@contoso.com", "a".repeat(65));
    assert_eq!(Address::parse(&long).map_err(|e| e.code), Err(Code::InvalidAddress));
}

/// IPv4 ranges: only /24, kept as the network address.
#[test]
fn ip_ranges() {
    for (raw, want) in [
        ("192.168.100.100/24", "192.168.100.0/24"),
        ("203.0.113.0/24", "203.0.113.0/24"),
        ("0.0.0.0/24", "0.0.0.0/24"),
        ("255.255.255.255/24", "255.255.255.0/24"),
    ] {
        assert_eq!(Ipv4Slash24::parse(raw).map(|r| r.to_string()), Ok(want.to_string()), "{raw}");
    }
    for (raw, code) in [
        ("203.0.113.25", Code::IpNotSlash24),
        ("203.0.113.0/16", Code::IpNotSlash24),
        ("203.0.113.0/32", Code::IpNotSlash24),
        ("203.0.113.0/", Code::IpNotSlash24),
        ("203.0.113.0/024", Code::IpNotSlash24),
        ("2001:db8::/48", Code::Ipv6),
        ("::1", Code::Ipv6),
        ("::ffff:203.0.113.1/120", Code::Ipv6),
        ("256.0.113.0/24", Code::InvalidIp),
        ("203.0.113/24", Code::InvalidIp),
        ("203.0.113.0.1/24", Code::InvalidIp),
        ("203.00.113.0/24", Code::InvalidIp),
        ("203.0.113.-1/24", Code::InvalidIp),
        ("/24", Code::InvalidIp),
    ] {
        assert_eq!(Ipv4Slash24::parse(raw).map_err(|e| e.code), Err(code), "{raw:?}");
    }
}

/// A range holds exactly its 256 addresses.
#[test]
fn ip_range_contains() {
    let r = Ipv4Slash24::parse("203.0.113.0/24").expect("valid");
    for (ip, inside) in
        [("203.0.113.0", true), ("203.0.113.255", true), ("203.0.112.255", false), ("203.0.114.0", false)]
    {
        assert_eq!(r.contains(ip.parse().expect("ip")), inside, "{ip}");
    }
}

/// Dates: exactly YYYY-MM-DD, real days only.
#[test]
fn dates() {
    for raw in ["2027-05-01", "2028-02-29", "2000-02-29", "1999-12-31"] {
        assert_eq!(Date::parse(raw).map(|d| d.to_string()), Ok(raw.to_string()));
    }
    for raw in [
        "2027-5-1",
        "2027/05/01",
        "01-05-2027",
        "2027-13-01",
        "2027-00-10",
        "2027-02-29",
        "1900-02-29",
        "2027-04-31",
        "2027-05-01T00:00",
        "",
        "tomorrow",
        "2027-05-0a",
    ] {
        assert_eq!(Date::parse(raw).map_err(|e| e.code), Err(Code::InvalidDate), "{raw:?}");
    }
}

/// The spoofed side: domain, address, or `*`; an IP is not a spoofed user.
#[test]
fn spoofed_side() {
    assert_eq!(Side::parse_spoofed("*"), Ok(Side::Any));
    assert!(matches!(Side::parse_spoofed("contoso.com"), Ok(Side::Is(SpoofedUser::Domain(_)))));
    assert!(matches!(Side::parse_spoofed("bob@contoso.com"), Ok(Side::Is(SpoofedUser::Address(_)))));
    for (raw, code) in
        [("203.0.113.0/24", Code::InvalidDomain), ("**", Code::PartialWildcard), (" *", Code::PartialWildcard)]
    {
        assert_eq!(Side::parse_spoofed(raw).map_err(|e| e.code), Err(code), "{raw:?}");
    }
}

/// The infrastructure side: domain, /24, or `*`; an address is not an infrastructure.
#[test]
fn infrastructure_side() {
    assert_eq!(Side::parse_infrastructure("*"), Ok(Side::Any));
    assert!(matches!(Side::parse_infrastructure("tms.mx.com"), Ok(Side::Is(Infrastructure::Domain(_)))));
    assert!(matches!(Side::parse_infrastructure("192.0.2.17/24"), Ok(Side::Is(Infrastructure::Range(_)))));
    for (raw, code) in [
        ("bob@contoso.com", Code::InvalidDomain),
        ("172.17.17.17", Code::IpNotSlash24),
        ("fe80::1/64", Code::Ipv6),
        ("*.tms.mx.com", Code::PartialWildcard),
        ("com", Code::PublicSuffix),
    ] {
        assert_eq!(Side::parse_infrastructure(raw).map_err(|e| e.code), Err(code), "{raw:?}");
    }
}

/// The pair invariant in the constructor: an allow with `*` on either side, or any entry with `*` on both
/// sides, cannot be built.
#[test]
fn rules_from_sides() {
    let s = || Side::parse_spoofed("contoso.com").expect("valid");
    let i = || Side::parse_infrastructure("tms.mx.com").expect("valid");
    for (action, spoofed, infra, want) in [
        (Action::Allow, s(), i(), Ok(Action::Allow)),
        (Action::Allow, Side::Any, i(), Err(RuleError::AllowWildcard)),
        (Action::Allow, s(), Side::Any, Err(RuleError::AllowWildcard)),
        (Action::Allow, Side::Any, Side::Any, Err(RuleError::WildcardBothSides)),
        (Action::Block, s(), i(), Ok(Action::Block)),
        (Action::Block, Side::Any, i(), Ok(Action::Block)),
        (Action::Block, s(), Side::Any, Ok(Action::Block)),
        (Action::Block, Side::Any, Side::Any, Err(RuleError::WildcardBothSides)),
    ] {
        assert_eq!(Rule::new(action, spoofed, infra).map(|r| r.action()), want);
    }
}

/// Words read in any case; the service's capitalisation is `External`/`Allow`.
#[test]
fn words() {
    for raw in ["external", "External", "EXTERNAL"] {
        assert_eq!(SpoofType::parse_word(raw), Some(SpoofType::External));
    }
    assert_eq!(Action::parse_word("Block"), Some(Action::Block));
    assert_eq!(Action::parse_word("deny"), None);
    assert_eq!(SpoofType::External.service_word(), "External");
    assert_eq!(Action::Allow.service_word(), "Allow");
    assert_eq!(SpoofType::Internal.list_word(), "internal");
}

/// A parent domain covers hosts below it, not look-alikes that merely end the same way.
#[test]
fn parent_domains() {
    let d = |s: &str| Domain::parse(s).expect("valid");
    assert!(d("contoso.com").is_self_or_parent_of(&d("smtp.inbound.contoso.com")));
    assert!(d("contoso.com").is_self_or_parent_of(&d("contoso.com")));
    assert!(!d("contoso.com").is_self_or_parent_of(&d("evilcontoso.com")));
    assert!(!d("smtp.contoso.com").is_self_or_parent_of(&d("contoso.com")));
    let host = spoofctl::message::Host::parse("smtp.inbound.contoso.co.uk").expect("host");
    assert_eq!(host.organizational(), "contoso.co.uk");
}

/// Entry ids: the service's Identity GUIDs, kept lowercase.
#[test]
fn ids() {
    use spoofctl::guid::Guid;
    for (raw, want) in [
        ("375e76f1-eefb-1626-c8bc-5efefd057488", "375e76f1-eefb-1626-c8bc-5efefd057488"),
        ("{A1B2C3D4-1111-4222-8333-444455556666}", "a1b2c3d4-1111-4222-8333-444455556666"),
    ] {
        assert_eq!(Guid::parse(raw).map(|g| g.to_string()), Ok(want.to_string()), "{raw}");
    }
    for raw in [
        "",
        "375e76f1eefb1626c8bc5efefd057488",
        "375e76f1-eefb-1626-c8bc-5efefd05748",
        "375e76f1-eefb-1626-c8bc-5efefd05748g",
        "{375e76f1-eefb-1626-c8bc-5efefd057488",
        "'; Remove-Item",
    ] {
        assert_eq!(Guid::parse(raw).map_err(|e| e.code), Err(Code::InvalidId), "{raw:?}");
    }
}

/// Message hosts get the same checks after IDNA mapping as a list's domains, the IDNA2008 rule included: a
/// PTR spelled with KELVIN SIGN is not `contoso.com`'s.
#[test]
fn message_hosts_refuse_full_width_forms() {
    use spoofctl::message::Host;
    for raw in ["＊.tms.mx.com", "ｘ＄ｙ.com", "a；b.example", "mail.\u{212A}ontoso.com", "ｍａｉｌ.contoso.com"]
    {
        assert!(Host::parse(raw).is_err(), "{raw}");
    }
    assert_eq!(Host::parse("Bücher.Example.").map(|h| h.to_string()), Ok("xn--bcher-kva.example".to_string()));
}

/// A CSV cell is never read as a formula by a spreadsheet: one starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return gets a `'` in front; other cells are left as they are.
#[test]
fn spreadsheet_cells_never_start_a_formula() {
    for (value, cell) in [
        ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("contoso.com", "contoso.com"),
        ("a=b", "a=b"),
        ("", ""),
    ] {
        assert_eq!(spoofctl::render::safe_cell(value), cell, "{value:?}");
    }
}

/// Two keys of one export item that are one key to spoofctl are found wherever they stand, named as written,
/// and only among the keys an item is read by.
#[test]
fn same_keys_are_found_wherever_they_stand() {
    use spoofctl::read::columns::same_keys;
    let keys = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let wanted = ["action", "spoofeduser"];
    for (written, found) in [
        (keys(&["Action", "action"]), Some(("Action", "action"))),
        (keys(&["Action", "SpoofedUser", "Note", "ACTION"]), Some(("Action", "ACTION"))),
        (keys(&["Spoofed_User", "Action", "SpoofedUser"]), Some(("Spoofed_User", "SpoofedUser"))),
        (keys(&["Note", "note", "Action"]), None),
        (keys(&["Action", "SpoofedUser"]), None),
    ] {
        assert_eq!(same_keys(&written, &wanted), found, "{written:?}");
    }
}

/// `confusable-domain` flags a label that mixes Latin with Greek, Cyrillic or Armenian letters, or is all
/// lookalikes of Latin letters, on either side of an entry; real names in one script, Latin letters with
/// diacritics, and ASCII are left alone.
#[test]
fn confusable_domains() {
    for (domain, flagged) in [
        ("mі\u{441}rosoft.com", true),                     // Cyrillic і and с among Latin letters
        ("\u{430}\u{440}\u{440}\u{4CF}\u{435}.com", true), // аррӏе: all Cyrillic lookalikes
        ("p\u{3BF}st.example", true),                      // Greek ο among Latin letters
        ("\u{585}\u{57D}.example", true),                  // Armenian օս: all lookalikes
        ("παράδειγμα.example", false),                     // Greek in one script
        ("пример.example", false),                         // Cyrillic in one script, not all lookalikes
        ("bücher.example", false),                         // Latin with a diacritic
        ("日本語.example", false),
        ("contoso.com", false),
    ] {
        for (spoofed, infrastructure) in [(domain, "tms.mx.com"), ("contoso.com", domain)] {
            let text = format!(
                "version: 1\nentries:\n  - {{spoofed: \"{spoofed}\", infrastructure: \"{infrastructure}\", type: external, action: block}}\n"
            );
            let checked =
                spoofctl::check::check(std::path::Path::new("l.yaml"), &text, Date::parse("2026-01-01").expect("date"));
            let found = checked.diagnostics.iter().any(|d| d.code == Code::ConfusableDomain);
            assert_eq!(found, flagged, "{spoofed} via {infrastructure}: {:?}", checked.diagnostics);
        }
    }
    // The message says which scripts, and shows the xn-- form beside the form a person reads.
    let message = |domain: &str| {
        let text = format!(
            "version: 1\nentries:\n  - {{spoofed: \"{domain}\", infrastructure: \"*\", type: external, action: block}}\n"
        );
        let checked =
            spoofctl::check::check(std::path::Path::new("l.yaml"), &text, Date::parse("2026-01-01").expect("date"));
        checked
            .diagnostics
            .iter()
            .find(|d| d.code == Code::ConfusableDomain)
            .map(|d| d.message.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        message("mі\u{441}rosoft.com"),
        "`xn--mrosoft-yjg2q.com` reads as `mі\u{441}rosoft.com`, which mixes Latin and Cyrillic letters in one label: it \
         can pass for another domain"
    );
    assert!(message("\u{3BF}\u{3BD}.example").contains("whose Greek letters all look like Latin ones"));
}
