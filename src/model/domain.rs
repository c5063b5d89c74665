//! `Domain`: a DNS name in spoofctl's normal form (ASCII, lowercase, no trailing dot), never a public suffix.

use std::fmt;

use crate::model::characters::{bad_char_error, first_bad_domain_char, printable};
use crate::model::diagnostic::{Code, ValueError};
use crate::model::words::WILDCARD;

/// A domain name in normal form: lowercase ASCII (Unicode labels in their punycode form), no trailing dot,
/// valid labels, and not a public suffix or TLD (an entry for `com` would cover a whole namespace).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Domain(String);

/// The longest a domain can be (RFC 1035 section 2.3.4).
const MAX_DOMAIN_LEN: usize = 253;
/// The longest a label can be (RFC 1035 section 2.3.4).
const MAX_LABEL_LEN: usize = 63;

impl Domain {
    /// Parses a domain into normal form, or says why it is not one.
    pub fn parse(raw: &str) -> Result<Domain, ValueError> {
        if raw.contains(WILDCARD) {
            return Err(ValueError::new(
                Code::PartialWildcard,
                format!("`{}`: a wildcard inside a domain is not supported by the service", printable(raw)),
                "name the domain itself (it covers PTR hosts and DKIM domains below it), or use `*` alone in a block",
            ));
        }
        if raw.is_empty() {
            return Err(ValueError::new(
                Code::InvalidDomain,
                "the domain is empty",
                "write a domain such as `contoso.com`",
            ));
        }
        if let Some(c) = first_bad_domain_char(raw) {
            return Err(bad_char_error(raw, c, "domain"));
        }
        let trimmed = raw.strip_suffix('.').unwrap_or(raw);
        // Punycode labels (`xn--`) go through IDNA too, so that one that does not decode is refused.
        let ascii = if trimmed.is_ascii() && !trimmed.to_ascii_lowercase().contains("xn--") {
            trimmed.to_ascii_lowercase()
        } else {
            idna::domain_to_ascii(trimmed).map_err(|_| {
                ValueError::new(
                    Code::InvalidDomain,
                    format!("`{}` is not a valid internationalized domain", printable(raw)),
                    "check the spelling, or write the domain in its punycode form (`xn--...`)",
                )
            })?
        };
        // IDNA maps full-width and compatibility characters (`＊`, `＄`, `；`) to their ASCII forms: the
        // result is checked again, or they would slip past every character rule above.
        if ascii.contains(WILDCARD) {
            return Err(ValueError::new(
                Code::PartialWildcard,
                format!("`{}`: a wildcard inside a domain is not supported by the service", printable(raw)),
                "name the domain itself, or use `*` alone in a block",
            ));
        }
        if let Some(c) = first_bad_domain_char(&ascii) {
            return Err(bad_char_error(raw, c, "domain"));
        }
        if let Some(c) = mapped_char(trimmed) {
            return Err(ValueError::new(
                Code::InvalidCharacters,
                format!(
                    "`{}` holds U+{:04X} ({}), which IDNA2008 does not allow in a domain: converting it would \
                     change or drop it",
                    printable(raw),
                    c as u32,
                    printable(&c.to_string())
                ),
                "write the domain as it is registered, or in its punycode form (`xn--...`)",
            ));
        }
        check_labels(raw, &ascii)?;
        check_not_public_suffix(raw, &ascii)?;
        Ok(Domain(ascii))
    }

    /// The domain in normal form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The domain as a person reads it: punycode labels (`xn--`) decoded to Unicode.
    pub fn to_unicode(&self) -> String {
        if self.0.contains("xn--") { idna::domain_to_unicode(&self.0).0 } else { self.0.clone() }
    }

    /// True when `other` is this domain or a subdomain of it (`contoso.com` covers `smtp.contoso.com`).
    pub fn is_self_or_parent_of(&self, other: &Domain) -> bool {
        is_self_or_parent(&self.0, &other.0)
    }
}

/// The first character of a Unicode domain that IDNA's conversion maps to another or drops, rather than keeps:
/// a compatibility form (full-width `ｃ`, KELVIN SIGN for `k`), an ignored one (soft hyphen, U+034F, U+180E,
/// U+3164). IDNA2008 (RFC 5892) allows none of them, and accepting them would let two spellings be one
/// domain, or a value from an export be folded into another. Letters in any case are fine (`Ü` is `ü`, as DNS
/// compares ASCII letters case-insensitively), but only where the case maps both ways: KELVIN SIGN lowercases
/// to `k` and ANGSTROM SIGN to `å`, neither of which uppercases back to it.
pub(crate) fn mapped_char(domain: &str) -> Option<char> {
    if domain.is_ascii() {
        return None;
    }
    let kept = |c: char| {
        let mut one = [0u8; 4];
        let ascii = idna::domain_to_ascii(c.encode_utf8(&mut one)).unwrap_or_default();
        idna::domain_to_unicode(&ascii).0.chars().eq([c])
    };
    let single = |mut chars: std::iter::Peekable<std::char::ToLowercase>| {
        let first = chars.next()?;
        chars.peek().is_none().then_some(first)
    };
    let case_of_kept = |c: char| {
        single(c.to_lowercase().peekable())
            .filter(|&l| l != c && !l.is_ascii() && kept(l))
            .is_some_and(|l| l.to_uppercase().eq([c]))
    };
    domain.chars().find(|&c| !c.is_ascii() && !kept(c) && !case_of_kept(c))
}

/// True when `child` is `parent` or a subdomain of it, both in normal form. The one place this rule is
/// written: entries covering entries, PTR hosts and DKIM domains under an infrastructure domain, and spoof
/// types from accepted domains all use it.
pub fn is_self_or_parent(parent: &str, child: &str) -> bool {
    child == parent
        || (child.len() > parent.len()
            && child.ends_with(parent)
            && child.as_bytes()[child.len() - parent.len() - 1] == b'.')
}

fn check_labels(raw: &str, ascii: &str) -> Result<(), ValueError> {
    let invalid = |why: String| {
        ValueError::new(
            Code::InvalidDomain,
            format!("`{}` is not a valid domain: {why}", printable(raw)),
            "a domain is labels of 1 to 63 letters, digits and hyphens, joined by dots",
        )
    };
    if ascii.len() > MAX_DOMAIN_LEN {
        return Err(invalid(format!("it is {} characters long (at most {MAX_DOMAIN_LEN})", ascii.len())));
    }
    for label in ascii.split('.') {
        if label.is_empty() {
            return Err(invalid("it has an empty label (two dots in a row, or a leading dot)".into()));
        }
        if label.len() > MAX_LABEL_LEN {
            return Err(invalid(format!(
                "the label `{label}` is {} characters long (at most {MAX_LABEL_LEN})",
                label.len()
            )));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(invalid(format!("the label `{label}` starts or ends with a hyphen")));
        }
    }
    let last = ascii.rsplit('.').next().unwrap_or_default();
    if last.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("its last label is a number, as in an IP address".into()));
    }
    Ok(())
}

fn check_not_public_suffix(raw: &str, ascii: &str) -> Result<(), ValueError> {
    let Some(suffix) = psl::suffix(ascii.as_bytes()) else { return Ok(()) };
    if suffix.as_bytes() != ascii.as_bytes() {
        return Ok(());
    }
    let what = match suffix.typ() {
        Some(psl::Type::Icann) => "a public suffix: domains are registered under it, it belongs to no one sender",
        Some(psl::Type::Private) => {
            "a shared suffix (Public Suffix List, private section): many unrelated parties own names under it"
        }
        None => "a single label, not a registered domain",
    };
    Err(ValueError::new(
        Code::PublicSuffix,
        format!("`{}` is {what}", printable(raw)),
        "name a registered domain under it, such as `contoso.com`",
    ))
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
