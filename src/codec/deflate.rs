//! Raw zlib streams (RFC 1950), as read for linked HDF5 deflate chunks and
//! used inside Blosc frames with the zlib compressor.
//!
//! Decompression is bounded by a caller-supplied size limit so a malicious
//! chunk cannot make us allocate unbounded memory.

use std::io::{Read, Write};

use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use flate2::Compression;

use super::CodecError;

/// Compresses `data` into a zlib stream at `level` (0–9).
pub fn zlib_compress(data: &[u8], level: u32) -> Result<Vec<u8>, CodecError> {
    if level > 9 {
        return Err(CodecError::Invalid {
            what: "zlib level",
            detail: format!("{level} is not in 0..=9"),
        });
    }
    let mut enc = ZlibEncoder::new(Vec::new(), Compression::new(level));
    enc.write_all(data).map_err(zerr)?;
    enc.finish().map_err(zerr)
}

/// Decompresses a complete zlib stream, failing with
/// [`CodecError::TooLarge`] if the output would exceed `max_size` bytes.
pub fn zlib_decompress(data: &[u8], max_size: usize) -> Result<Vec<u8>, CodecError> {
    let mut dec = ZlibDecoder::new(data);
    let mut out = Vec::new();
    let limit = u64::try_from(max_size).unwrap_or(u64::MAX).saturating_add(1);
    (&mut dec).take(limit).read_to_end(&mut out).map_err(zerr)?;
    if out.len() > max_size {
        return Err(CodecError::TooLarge { what: "zlib output", limit: max_size });
    }
    Ok(out)
}

fn zerr(e: std::io::Error) -> CodecError {
    CodecError::Compression { codec: "zlib", detail: e.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_all_levels() {
        let data: Vec<u8> = (0..5000u32).map(|i| (i % 17) as u8).collect();
        for level in 0..=9 {
            let c = zlib_compress(&data, level).unwrap();
            assert_eq!(zlib_decompress(&c, data.len()).unwrap(), data);
        }
    }

    #[test]
    fn header_bytes() {
        let c = zlib_compress(b"hello", 6).unwrap();
        assert_eq!(c[0], 0x78);
        assert_eq!((u16::from(c[0]) << 8 | u16::from(c[1])) % 31, 0);
    }

    #[test]
    fn bad_level() {
        assert!(matches!(zlib_compress(b"x", 10), Err(CodecError::Invalid { .. })));
    }

    #[test]
    fn limit_enforced() {
        let data = vec![0u8; 100_000];
        let c = zlib_compress(&data, 9).unwrap();
        assert_eq!(
            zlib_decompress(&c, 99_999),
            Err(CodecError::TooLarge { what: "zlib output", limit: 99_999 })
        );
        assert_eq!(zlib_decompress(&c, 100_000).unwrap().len(), 100_000);
    }

    #[test]
    fn garbage_and_truncation() {
        assert!(zlib_decompress(b"not zlib at all", 100).is_err());
        let c = zlib_compress(&[7u8; 1000], 6).unwrap();
        assert!(zlib_decompress(&c[..c.len() / 2], 10_000).is_err());
        assert!(zlib_decompress(&[], 10).is_err());
    }
}
