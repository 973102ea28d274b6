//! Chunk codecs for HSDS-compatible chunk objects.
//!
//! This module owns the byte-level encodings HSDS uses for stored chunks:
//! byte shuffle ([`shuffle`]), raw zlib streams ([`deflate`]), Blosc1 frames
//! ([`blosc`]), variable-length item packing ([`vlen`]) and the HDF5
//! bitshuffle plugin layout ([`bitshuffle`]). Every decoder validates lengths
//! and offsets and reports malformed input as a [`CodecError`].

pub mod bitshuffle;
pub mod blosc;
pub mod deflate;
pub mod shuffle;
pub mod vlen;

pub use bitshuffle::{bitshuffle_compress, bitshuffle_decompress};
pub use blosc::{
    blosc_compress, blosc_compress_zlib, blosc_decompress, is_blosc_frame, BloscHeader,
};
pub use deflate::{zlib_compress, zlib_decompress};
pub use shuffle::{shuffle, unshuffle};
pub use vlen::{pack_vlen, unpack_vlen, MAX_VLEN_ELEMENT};

/// Errors produced by the chunk codecs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The input ended before a structure of `needed` bytes at `offset`.
    #[error("truncated {what}: need {needed} bytes at offset {offset}, input has {available}")]
    Truncated {
        /// What was being read.
        what: &'static str,
        /// Offset at which the structure starts.
        offset: usize,
        /// Bytes the structure needs.
        needed: usize,
        /// Total bytes available.
        available: usize,
    },
    /// A header field or embedded size is inconsistent.
    #[error("invalid {what}: {detail}")]
    Invalid {
        /// What was being decoded.
        what: &'static str,
        /// Explanation.
        detail: String,
    },
    /// Output would exceed the caller's or the format's size limit.
    #[error("{what} exceeds limit of {limit} bytes")]
    TooLarge {
        /// What was too large.
        what: &'static str,
        /// The limit in bytes.
        limit: usize,
    },
    /// A valid but unsupported feature (compressor, flag) was met.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// An underlying compression library reported an error.
    #[error("{codec} error: {detail}")]
    Compression {
        /// Codec name.
        codec: &'static str,
        /// Library message.
        detail: String,
    },
}

/// Returns `data[offset..offset + len]` or a [`CodecError::Truncated`].
pub(crate) fn slice_at<'a>(
    data: &'a [u8],
    offset: usize,
    len: usize,
    what: &'static str,
) -> Result<&'a [u8], CodecError> {
    offset.checked_add(len).and_then(|end| data.get(offset..end)).ok_or(CodecError::Truncated {
        what,
        offset,
        needed: len,
        available: data.len(),
    })
}

/// Reads a little-endian u32 at `offset`.
pub(crate) fn read_u32_le(
    data: &[u8],
    offset: usize,
    what: &'static str,
) -> Result<u32, CodecError> {
    let s = slice_at(data, offset, 4, what)?;
    Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}
