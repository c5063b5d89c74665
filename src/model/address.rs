//! `Address`: an email address (`local@domain`) in normal form, as a spoofed user.

use std::fmt;

use crate::model::characters::{describe_char, printable};
use crate::model::diagnostic::{Code, ValueError};
use crate::model::domain::Domain;
use crate::model::words::WILDCARD;

/// An address in normal form: lowercase, a plain local part, a valid domain.
///
/// spoofctl compares addresses case-insensitively (the service does not document it; see the README's
/// matching model), so the normal form is lowercase.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address {
    domain: Domain,
    local: String,
}

/// RFC 5321 section 4.5.3.1.1.
const MAX_LOCAL_LEN: usize = 64;

impl Address {
    /// Parses an address into normal form, or says why it is not one.
    pub fn parse(raw: &str) -> Result<Address, ValueError> {
        let invalid = |why: &str, hint: &str| {
            ValueError::new(Code::InvalidAddress, format!("`{}` is not a valid address: {why}", printable(raw)), hint)
        };
        let Some((local, domain)) = raw.rsplit_once('@') else {
            return Err(invalid("it has no `@`", "write an address as `name@contoso.com`"));
        };
        if local.contains(WILDCARD) {
            return Err(ValueError::new(
                Code::PartialWildcard,
                format!("`{}`: a wildcard inside an address is not supported by the service", printable(raw)),
                format!("write the domain `{}` to cover every address in it", printable(domain)),
            ));
        }
        if local.is_empty() {
            return Err(invalid("the part before `@` is empty", "write an address as `name@contoso.com`"));
        }
        if let Some(c) = local.chars().find(|&c| !is_local_char(c)) {
            let code = if c == '@' { Code::InvalidAddress } else { Code::InvalidCharacters };
            return Err(ValueError::new(
                code,
                format!("`{}` is not a valid address: it holds {}", printable(raw), describe_char(c)),
                "an address holds letters, digits and `. _ + - = % ! # & / ? ^ { | } ~` before the `@`",
            ));
        }
        if local.len() > MAX_LOCAL_LEN {
            return Err(invalid("the part before `@` is longer than 64 characters", "check the address"));
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(invalid("the part before `@` has a misplaced dot", "check the address"));
        }
        if local.starts_with(['=', '+', '-']) {
            return Err(ValueError::new(
                Code::InvalidCharacters,
                format!("`{}` starts with `{}`, which spreadsheets read as a formula", printable(raw), &local[..1]),
                "check the address; exports must not carry formulas into a spreadsheet",
            ));
        }
        let domain = Domain::parse(domain).map_err(|e| match e.code {
            Code::InvalidCharacters | Code::PartialWildcard => e,
            _ => ValueError {
                code: Code::InvalidAddress,
                message: format!("`{}` is not a valid address: {}", printable(raw), e.message),
                hint: e.hint,
            },
        })?;
        Ok(Address { local: local.to_ascii_lowercase(), domain })
    }

    /// The domain after the `@`.
    pub fn domain(&self) -> &Domain {
        &self.domain
    }

    /// The part before the `@`, lowercase.
    pub fn local(&self) -> &str {
        &self.local
    }
}

fn is_local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || ".-_+=%!#&/?^{|}~".contains(c)
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.local, self.domain)
    }
}
