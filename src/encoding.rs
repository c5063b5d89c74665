//! Reading files that Windows tools wrote: UTF-8 with or without a BOM, UTF-16LE/BE with a BOM (Windows
//! PowerShell 5.1's `Out-File` and `>`), as one UTF-8 byte stream. Streamed: nothing is read whole.

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

/// The longest line read, in bytes: a row of a spoof export is a few hundred bytes; a longer line is a
/// broken or hostile file, and refusing it keeps memory bounded.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// Wraps a reader so that it yields UTF-8 (a BOM decides UTF-16; without one the bytes pass through as they
/// are, and invalid UTF-8 is left for the caller to report with its row), and fails on a line longer than
/// [`MAX_LINE_BYTES`].
pub fn utf8_reader<R: Read>(inner: R) -> Result<impl BufRead, EncodingError> {
    let mut inner = BufReader::with_capacity(64 * 1024, inner);
    let head = inner.fill_buf()?;
    let bom = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) || head.starts_with(&[0xEF, 0xBB, 0xBF]);
    if !bom && looks_like_utf16(head) {
        return Err(EncodingError::Utf16WithoutBom);
    }
    let decoded = DecodeReaderBytesBuilder::new().bom_sniffing(true).utf8_passthru(true).strip_bom(true).build(inner);
    Ok(BufReader::with_capacity(64 * 1024, LineLimit { inner: decoded, since_newline: 0 }))
}

/// UTF-16 text of mostly ASCII characters has a NUL in every other byte.
fn looks_like_utf16(head: &[u8]) -> bool {
    let sample = &head[..head.len().min(256)];
    sample.len() >= 4 && sample.iter().filter(|b| **b == 0).count() * 4 >= sample.len()
}

struct LineLimit<R> {
    inner: R,
    since_newline: usize,
}

impl<R: Read> Read for LineLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            if b == b'\n' {
                self.since_newline = 0;
            } else {
                self.since_newline += 1;
                if self.since_newline > MAX_LINE_BYTES {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("a line is longer than {} MiB", MAX_LINE_BYTES / 1024 / 1024),
                    ));
                }
            }
        }
        Ok(n)
    }
}
