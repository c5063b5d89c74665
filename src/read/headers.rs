//! Message headers: what Microsoft 365 stamped on a message, read from RFC 5322 headers.
//!
//! mail-parser unfolds headers and parses the From address. spoofctl then reads the two stamps that tell
//! the spoof story (HEADERS: learn.microsoft.com/defender-office-365/message-headers-eop-mdo):
//! - `Authentication-Results`: the topmost one that Microsoft stamped counts (it carries no authserv-id,
//!   or `compauth=`); `ARC-Authentication-Results` copies from other hops are counted, not used;
//! - `X-Forefront-Antispam-Report`: `KEY:value` fields separated by `;` (CIP, PTR, CAT, SFV, SFTY, DIR...).

use std::io::{self, BufRead};
use std::net::IpAddr;

use mail_parser::{HeaderValue, MessageParser};

/// One method's result in `Authentication-Results`, e.g. `dkim=pass header.d=example.net`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MethodResult {
    /// The method: `spf`, `dkim`, `dmarc`, `compauth`...
    pub method: String,
    /// The result: `pass`, `fail`, `none`...
    pub result: String,
    /// `key=value` properties (`header.d`, `action`, `reason`, `smtp.mailfrom`...), in order.
    pub properties: Vec<(String, String)>,
    /// The parenthesised comment, if any (`sender IP is 203.0.113.25`).
    pub comment: Option<String>,
}

impl MethodResult {
    /// A property's value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.properties.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str())
    }
}

/// What one message's headers say.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stamps {
    /// The From address (5322.From), lowercase.
    pub from: Option<String>,
    /// The From header as written (display name included).
    pub from_raw: Option<String>,
    /// The results of the topmost Microsoft-stamped `Authentication-Results`.
    pub results: Vec<MethodResult>,
    /// How many `Authentication-Results` headers there are in all.
    pub authentication_results: usize,
    /// How many `ARC-Authentication-Results` headers there are.
    pub arc_results: usize,
    /// The fields of `X-Forefront-Antispam-Report`, in order.
    pub antispam: Vec<(String, String)>,
    /// `X-MS-Exchange-Organization-AuthAs`.
    pub auth_as: Option<String>,
    /// `client-ip=` of `Received-SPF`, a fallback for the connecting IP.
    pub received_spf_ip: Option<IpAddr>,
    /// How many addresses the `From` headers hold in all; more than one is suspicious (which one a mail
    /// client shows is not certain), and spoofctl uses the first.
    pub from_addresses: usize,
}

/// Why headers could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// Nothing that looks like a header block.
    #[error("no message headers found")]
    NoHeaders,
}

impl Stamps {
    /// Reads a message's headers (the body, if any, is ignored).
    pub fn parse(raw: &[u8]) -> Result<Stamps, HeaderError> {
        let parser = MessageParser::new().with_address_headers().default_header_text();
        let message = parser.parse_headers(raw).ok_or(HeaderError::NoHeaders)?;
        let mut stamps = Stamps::default();
        let mut seen_any = false;
        for header in message.headers() {
            let name = header.name();
            let text = match header.value() {
                HeaderValue::Text(t) => t.to_string(),
                HeaderValue::TextList(l) => l.join(", "),
                _ => String::new(),
            };
            seen_any |= !name.is_empty();
            if name.eq_ignore_ascii_case("Authentication-Results") {
                stamps.authentication_results += 1;
                if stamps.results.is_empty() && is_microsoft(&text) {
                    stamps.results = parse_results(&text);
                }
            } else if name.eq_ignore_ascii_case("ARC-Authentication-Results") {
                stamps.arc_results += 1;
            } else if name.eq_ignore_ascii_case("X-Forefront-Antispam-Report") && stamps.antispam.is_empty() {
                stamps.antispam = parse_antispam(&text);
            } else if name.eq_ignore_ascii_case("X-MS-Exchange-Organization-AuthAs") && stamps.auth_as.is_none() {
                stamps.auth_as = Some(text.trim().to_string());
            } else if name.eq_ignore_ascii_case("Received-SPF") && stamps.received_spf_ip.is_none() {
                stamps.received_spf_ip = text
                    .split([';', ' '])
                    .find_map(|t| t.trim().strip_prefix("client-ip="))
                    .and_then(|ip| ip.parse().ok());
            }
        }
        if !seen_any {
            return Err(HeaderError::NoHeaders);
        }
        // The first From header's first address: the one written first, whatever a later header says.
        let mut froms = message
            .headers()
            .iter()
            .filter(|h| h.name().eq_ignore_ascii_case("From"))
            .filter_map(|h| h.value().as_address());
        if let Some(first) = froms.next() {
            stamps.from_addresses = first.iter().count() + froms.map(|a| a.iter().count()).sum::<usize>();
            if let Some(addr) = first.first() {
                stamps.from = addr.address().map(|a| a.trim().to_ascii_lowercase()).filter(|a| !a.is_empty());
                let name = addr.name().map(|n| format!("{n} ")).unwrap_or_default();
                stamps.from_raw = stamps.from.as_ref().map(|a| format!("{name}<{a}>"));
            }
        }
        Ok(stamps)
    }

    /// The first result of a method (`spf`, `dmarc`, `compauth`).
    pub fn result(&self, method: &str) -> Option<&MethodResult> {
        self.results.iter().find(|r| r.method.eq_ignore_ascii_case(method))
    }

    /// Every DKIM result.
    pub fn dkim(&self) -> impl Iterator<Item = &MethodResult> {
        self.results.iter().filter(|r| r.method.eq_ignore_ascii_case("dkim"))
    }

    /// An `X-Forefront-Antispam-Report` field (`CIP`, `PTR`...).
    pub fn antispam(&self, key: &str) -> Option<&str> {
        self.antispam
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// The connecting IP: `CIP`, else the IP in the SPF comment, else `Received-SPF`'s `client-ip`.
    pub fn connecting_ip(&self) -> Option<IpAddr> {
        self.antispam("CIP")
            .and_then(|ip| ip.parse().ok())
            .or_else(|| {
                self.result("spf")
                    .and_then(|r| r.comment.as_deref()?.strip_prefix("sender IP is ")?.trim().parse().ok())
            })
            .or(self.received_spf_ip)
    }
}

/// Microsoft's `Authentication-Results` start with a method result, not an authserv-id, or carry `compauth`.
fn is_microsoft(text: &str) -> bool {
    let first = text.split(';').next().unwrap_or_default();
    text.contains("compauth=") || first.split_whitespace().next().is_some_and(|t| t.contains('='))
}

fn parse_results(text: &str) -> Vec<MethodResult> {
    split_outside_parens(text, ';')
        .into_iter()
        .filter_map(|part| {
            let mut result = MethodResult::default();
            let mut rest = part.trim();
            while !rest.is_empty() {
                if let Some(after) = rest.strip_prefix('(') {
                    let end = after.find(')').unwrap_or(after.len());
                    result.comment.get_or_insert_with(|| after[..end].trim().to_string());
                    rest = after.get(end + 1..).unwrap_or_default().trim_start();
                    continue;
                }
                let end = rest.find(|c: char| c.is_whitespace() || c == '(').unwrap_or(rest.len());
                let token = &rest[..end];
                rest = rest[end..].trim_start();
                let (k, v) = token.split_once('=').unwrap_or((token, ""));
                if result.method.is_empty() {
                    result.method = k.to_ascii_lowercase();
                    result.result = v.to_ascii_lowercase();
                } else if !k.is_empty() {
                    result.properties.push((k.to_string(), v.trim_matches('"').to_string()));
                }
            }
            (!result.method.is_empty() && !result.result.is_empty()).then_some(result)
        })
        .collect()
}

fn split_outside_parens(text: &str, sep: char) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = (depth - 1).max(0),
            c if c == sep && depth == 0 => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn parse_antispam(text: &str) -> Vec<(String, String)> {
    text.split(';')
        .filter_map(|f| {
            let (k, v) = f.trim().split_once(':')?;
            Some((k.trim().to_ascii_uppercase(), v.trim().to_string()))
        })
        .collect()
}

/// The most bytes of one message's header block, and of any one line: past it the input is refused, not cut
/// (real header blocks are a few KiB, and RFC 5322 lines at most 998 characters), so that endless input such
/// as `/dev/zero` ends with an error in bounded time and memory.
pub const MAX_HEADER_BYTES: usize = 1024 * 1024;

/// The error for input past [`MAX_HEADER_BYTES`].
fn too_long(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("{what} is longer than {} MiB: this is not a message", MAX_HEADER_BYTES / 1024 / 1024),
    )
}

/// Reads the header blocks of the messages in a stream, one at a time: an `.eml` file (one message) or an
/// mbox (messages after `From ` separator lines). Bodies are skipped, never kept: memory stays bounded
/// however large the file.
pub struct HeaderBlocks<R: BufRead> {
    input: R,
    line: Vec<u8>,
    mbox: Option<bool>,
    done: bool,
    /// The previous line was blank: only then does a `From ` line separate messages (mboxo/mboxrd).
    after_blank: bool,
    /// A separator line was read while collecting headers: the next message starts there.
    pending: bool,
}

impl<R: BufRead> HeaderBlocks<R> {
    /// Reads messages from `input`.
    pub fn new(input: R) -> Self {
        HeaderBlocks { input, line: Vec::new(), mbox: None, done: false, after_blank: true, pending: false }
    }

    /// Reads one line into `self.line`; `false` at the end. A line longer than [`MAX_HEADER_BYTES`] is an
    /// error in the headers; in a body, where any text may stand, only its first [`MAX_HEADER_BYTES`] are kept.
    fn next_line(&mut self, in_body: bool) -> io::Result<bool> {
        self.line.clear();
        loop {
            let buf = self.input.fill_buf()?;
            if buf.is_empty() {
                return Ok(!self.line.is_empty());
            }
            let (take, end) = match memchr::memchr(b'\n', buf) {
                Some(i) => (i + 1, true),
                None => (buf.len(), false),
            };
            let room = MAX_HEADER_BYTES.saturating_sub(self.line.len());
            if take > room && !in_body {
                return Err(too_long("a header line"));
            }
            self.line.extend_from_slice(&buf[..take.min(room)]);
            self.input.consume(take);
            if end {
                return Ok(true);
            }
        }
    }

    /// True once the stream has shown itself to be an mbox (it starts with a `From ` line).
    pub fn is_mbox(&self) -> bool {
        self.mbox == Some(true)
    }

    /// Reads the next line; at the end or on an error the stream is done.
    fn read(&mut self, in_body: bool) -> io::Result<bool> {
        let more = self.next_line(in_body);
        if !matches!(more, Ok(true)) {
            self.done = true;
        }
        more
    }

    fn is_blank(&self) -> bool {
        self.line.iter().all(|b| matches!(b, b'\r' | b'\n'))
    }
}

impl<R: BufRead> Iterator for HeaderBlocks<R> {
    type Item = io::Result<Vec<u8>>;

    fn next(&mut self) -> Option<io::Result<Vec<u8>>> {
        if self.done {
            return None;
        }
        let mut block = Vec::new();
        // Blank lines before the headers count toward the header block's limit: endless blank input ends too.
        let mut leading = 0usize;
        self.pending = false;
        loop {
            match self.read(false) {
                Err(e) => return Some(Err(e)),
                Ok(false) => return (!block.is_empty()).then_some(Ok(block)),
                Ok(true) => {}
            }
            let separator = self.line.starts_with(b"From ") && self.after_blank;
            self.after_blank = self.is_blank();
            match self.mbox {
                None => {
                    self.mbox = Some(separator);
                    if separator {
                        continue;
                    }
                }
                Some(true) if separator && block.is_empty() => continue,
                // A separator inside a header block: the block ends, and the next message starts here.
                Some(true) if self.line.starts_with(b"From ") => {
                    self.pending = true;
                    break;
                }
                _ => {}
            }
            if self.after_blank {
                if block.is_empty() {
                    leading += self.line.len();
                    if leading > MAX_HEADER_BYTES {
                        self.done = true;
                        return Some(Err(too_long("the run of blank lines before the headers")));
                    }
                    continue;
                }
                break;
            }
            if block.len() + self.line.len() > MAX_HEADER_BYTES {
                self.done = true;
                return Some(Err(too_long("the header block")));
            }
            block.extend_from_slice(&self.line);
        }
        if self.pending {
            return Some(Ok(block));
        }
        // Skip the body: to the next separator in an mbox, to the end otherwise (an .eml holds one message).
        if self.mbox != Some(true) {
            self.done = true;
            return Some(Ok(block));
        }
        loop {
            match self.read(true) {
                Err(e) => return Some(Err(e)),
                Ok(false) => break,
                Ok(true) => {}
            }
            let separator = self.line.starts_with(b"From ") && self.after_blank;
            self.after_blank = self.is_blank();
            if separator {
                break;
            }
        }
        Some(Ok(block))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(text: &str) -> Vec<String> {
        HeaderBlocks::new(text.as_bytes()).map(|b| String::from_utf8(b.expect("read")).expect("utf-8")).collect()
    }

    /// Regression: a separator line inside a header block ends that message; the next starts there.
    #[test]
    fn separator_ends_a_header_block() {
        let got = blocks("From a Sat\nFrom: a@x.example\nFrom b Sat\nFrom: b@x.example\n\nbody\n");
        assert_eq!(got, vec!["From: a@x.example\n", "From: b@x.example\n"]);
    }

    /// Regression: `From ` in a body separates messages only after a blank line.
    #[test]
    fn from_in_a_body_is_text() {
        let got = blocks(
            "From a Sat\nFrom: a@x.example\n\nDear all,\nFrom the desk of\nmore\n\nFrom b Sat\nFrom: b@x.example\n\n",
        );
        assert_eq!(got, vec!["From: a@x.example\n", "From: b@x.example\n"]);
    }

    /// An .eml file is one message: its body is never read as headers.
    #[test]
    fn eml_is_one_message() {
        assert_eq!(
            blocks("\nFrom: a@x.example\nSubject: s\n\nFrom b\nFrom: b@x.example\n"),
            vec!["From: a@x.example\nSubject: s\n"]
        );
    }
}

/// The most header fields [`header_fields`] keeps: far more than a delivered message carries.
const MAX_FIELDS: usize = 2000;

/// A message's header fields and recipients, for `explain --tenant`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HeaderFields {
    /// Every field as written, `(name, value)`, runs of white space (folding included) as one space, trimmed,
    /// in order, at most [`MAX_FIELDS`]: what a mail flow rule's header conditions look in.
    pub fields: Vec<(String, String)>,
    /// The addresses of `To` and `Cc`, lowercase.
    pub recipients: Vec<String>,
}

/// Reads a message's header fields and recipients.
pub fn header_fields(raw: &[u8]) -> HeaderFields {
    let Some(message) = MessageParser::new().with_address_headers().parse_headers(raw) else {
        return HeaderFields::default();
    };
    let fields = message
        .headers()
        .iter()
        .take(MAX_FIELDS)
        .map(|h| {
            let bytes = raw.get(h.offset_start() as usize..h.offset_end() as usize).unwrap_or_default();
            let text = String::from_utf8_lossy(bytes);
            (h.name().to_string(), text.split_whitespace().collect::<Vec<_>>().join(" "))
        })
        .collect();
    let recipients = [message.to(), message.cc()]
        .into_iter()
        .flatten()
        .flat_map(|a| a.iter())
        .filter_map(|a| a.address())
        .map(|a| a.trim().to_ascii_lowercase())
        .filter(|a| !a.is_empty())
        .take(MAX_FIELDS)
        .collect();
    HeaderFields { fields, recipients }
}
