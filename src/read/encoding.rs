//! Reading files that Windows tools wrote: UTF-8 with or without a BOM, UTF-16LE/BE with a BOM (Windows
//! PowerShell 5.1's `Out-File` and `>`), as one UTF-8 byte stream. The stream itself holds no more than a
//! buffer; readers decide how much they keep (observations keep one record, exports are read whole and
//! capped at 16 MiB).

use std::io::{self, BufRead, BufReader, Read};

use encoding_rs_io::DecodeReaderBytesBuilder;

/// Why a file's encoding cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum EncodingError {
    /// NUL bytes between ASCII characters and no BOM: UTF-16 whose byte order cannot be known for sure.
    #[error("the file looks like UTF-16 without a byte-order mark; save it as UTF-8 (or UTF-16 with a BOM)")]
    Utf16WithoutBom,
    /// Reading failed.
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// The longest record read, in bytes: a row of a spoof export is a few hundred bytes; a longer one is a
/// broken or hostile file, and refusing it keeps memory bounded. A record is a line, or several lines when
/// a quoted CSV field holds newlines.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// Wraps a reader so that it yields UTF-8: a UTF-16 BOM (LE or BE) means transcoding; a UTF-8 BOM is
/// dropped; without a BOM the bytes pass through, and invalid UTF-8 is left for the caller to report with its
/// row. Line ends pass as the file wrote them: the CSV reader ([`crate::read::csv_records::Records`]) takes LF, CRLF
/// and a lone CR alike, and refuses a record longer than [`MAX_LINE_BYTES`].
pub fn utf8_reader<R: Read + Send + 'static>(inner: R) -> Result<Box<dyn Read + Send>, EncodingError> {
    let mut inner = BufReader::with_capacity(64 * 1024, inner);
    let head = inner.fill_buf()?;
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        let decoded = DecodeReaderBytesBuilder::new().bom_sniffing(true).strip_bom(true).build(inner);
        return Ok(Box::new(decoded));
    }
    let skip = if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else if looks_like_utf16(head) {
        return Err(EncodingError::Utf16WithoutBom);
    } else {
        0
    };
    // The bytes looked at, then the rest straight from the input: its readers buffer on their own, and a
    // second buffer would copy every byte once more.
    let head = head[skip..].to_vec();
    Ok(Box::new(io::Cursor::new(head).chain(inner.into_inner())))
}

/// UTF-16 text of mostly ASCII characters has a NUL in every other byte.
fn looks_like_utf16(head: &[u8]) -> bool {
    let sample = &head[..head.len().min(256)];
    sample.len() >= 4 && sample.iter().filter(|b| **b == 0).count() * 4 >= sample.len()
}
