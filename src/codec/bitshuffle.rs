//! HDF5 bitshuffle plugin layout with LZ4 (what HSDS writes for shuffle=2).
//!
//! Layout: a 12-byte header (u64 BE total uncompressed bytes, u32 BE block
//! size in bytes), then per block of `block` elements a u32 BE compressed
//! size and an LZ4 block of the bit-transposed data. A trailing partial
//! block is rounded down to a multiple of 8 elements and compressed the same
//! way; the final < 8 elements are copied raw.

use super::{slice_at, CodecError};

/// Size of the bitshuffle header.
pub const HEADER_SIZE: usize = 12;

fn invalid(detail: impl Into<String>) -> CodecError {
    CodecError::Invalid { what: "bitshuffle buffer", detail: detail.into() }
}

/// Bit-transposes `n` elements (`n` a multiple of 8) of `es` bytes: bit `k`
/// of byte `j` of element `i` goes to bit `i % 8` of output byte
/// `(j * 8 + k) * n / 8 + i / 8`.
pub fn bit_transpose(data: &[u8], es: usize) -> Vec<u8> {
    let n = data.len() / es.max(1);
    let row = n / 8;
    let mut out = vec![0u8; data.len()];
    for (i, elem) in data.chunks_exact(es.max(1)).enumerate().take(row * 8) {
        for (j, &b) in elem.iter().enumerate() {
            for k in 0..8 {
                if b >> k & 1 == 1 {
                    if let Some(o) = out.get_mut((j * 8 + k) * row + i / 8) {
                        *o |= 1 << (i % 8);
                    }
                }
            }
        }
    }
    out
}

/// Inverse of [`bit_transpose`].
pub fn bit_untranspose(data: &[u8], es: usize) -> Vec<u8> {
    let es = es.max(1);
    let n = data.len() / es;
    let row = n / 8;
    let mut out = vec![0u8; data.len()];
    for (idx, &b) in data.iter().enumerate().take(row * 8 * es) {
        if b == 0 {
            continue;
        }
        let jk = idx / row;
        let (j, k) = (jk / 8, jk % 8);
        for bit in 0..8 {
            let i = (idx % row) * 8 + bit;
            if b >> bit & 1 == 1 {
                if let Some(o) = out.get_mut(i * es + j) {
                    *o |= 1 << k;
                }
            }
        }
    }
    out
}

/// Compresses `data` (items of `elem_size` bytes) with blocks of
/// `block_elems` elements (a positive multiple of 8).
pub fn bitshuffle_compress(
    data: &[u8],
    elem_size: usize,
    block_elems: usize,
) -> Result<Vec<u8>, CodecError> {
    if elem_size == 0 || !data.len().is_multiple_of(elem_size) {
        return Err(invalid("data length is not a multiple of the element size"));
    }
    if block_elems == 0 || !block_elems.is_multiple_of(8) {
        return Err(invalid("block size must be a positive multiple of 8"));
    }
    let block_bytes = block_elems
        .checked_mul(elem_size)
        .and_then(|b| u32::try_from(b).ok())
        .ok_or_else(|| invalid("block size too large"))?;
    let mut out = Vec::with_capacity(HEADER_SIZE + data.len());
    out.extend_from_slice(&(data.len() as u64).to_be_bytes());
    out.extend_from_slice(&block_bytes.to_be_bytes());
    let n = data.len() / elem_size;
    let tail = n % 8;
    let (body, rest) = data.split_at((n - tail) * elem_size);
    for block in body.chunks(block_elems * elem_size) {
        let c = lz4_flex::block::compress(&bit_transpose(block, elem_size));
        let len = u32::try_from(c.len()).map_err(|_| invalid("block too large"))?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&c);
    }
    out.extend_from_slice(rest);
    Ok(out)
}

/// Decompresses a bitshuffle/LZ4 buffer of `elem_size`-byte items, refusing
/// totals over `max_size` bytes.
pub fn bitshuffle_decompress(
    data: &[u8],
    elem_size: usize,
    max_size: usize,
) -> Result<Vec<u8>, CodecError> {
    let h = slice_at(data, 0, HEADER_SIZE, "bitshuffle header")?;
    let total = u64::from_be_bytes([h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]]);
    let block_bytes = u32::from_be_bytes([h[8], h[9], h[10], h[11]]);
    let total = usize::try_from(total).unwrap_or(usize::MAX);
    if total > max_size {
        return Err(CodecError::TooLarge { what: "bitshuffle total", limit: max_size });
    }
    let block_bytes = usize::try_from(block_bytes).unwrap_or(usize::MAX);
    if elem_size == 0 || !total.is_multiple_of(elem_size) {
        return Err(invalid(format!(
            "total {total} is not a multiple of element size {elem_size}"
        )));
    }
    if block_bytes == 0 || !block_bytes.is_multiple_of(elem_size) {
        return Err(invalid(format!("block size {block_bytes} bytes is invalid")));
    }
    let block_elems = block_bytes / elem_size;
    if !block_elems.is_multiple_of(8) {
        return Err(invalid("block size is not a multiple of 8 elements"));
    }
    let n = total / elem_size;
    let tail = n % 8;
    let mut remaining = n - tail;
    let mut pos = HEADER_SIZE;
    let mut out = Vec::with_capacity(total);
    while remaining > 0 {
        let elems = remaining.min(block_elems);
        let raw = elems * elem_size;
        let s = slice_at(data, pos, 4, "bitshuffle block size")?;
        let csize =
            usize::try_from(u32::from_be_bytes([s[0], s[1], s[2], s[3]])).unwrap_or(usize::MAX);
        pos += 4;
        let src = slice_at(data, pos, csize, "bitshuffle block")?;
        let dec = lz4_flex::block::decompress(src, raw)
            .map_err(|e| CodecError::Compression { codec: "lz4", detail: e.to_string() })?;
        if dec.len() != raw {
            return Err(invalid(format!("block decoded to {} bytes, expected {raw}", dec.len())));
        }
        out.extend_from_slice(&bit_untranspose(&dec, elem_size));
        pos += csize;
        remaining -= elems;
    }
    out.extend_from_slice(slice_at(data, pos, tail * elem_size, "bitshuffle tail")?);
    pos += tail * elem_size;
    if pos != data.len() {
        return Err(invalid(format!("{} trailing bytes", data.len() - pos)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_known_layout() {
        // 8 one-byte elements: element i = 1 << i  -> row k has only bit k set
        let data: Vec<u8> = (0..8).map(|i| 1u8 << i).collect();
        assert_eq!(bit_transpose(&data, 1), data);
        // 8 two-byte elements all 0x0001 -> byte 0 bit 0 row = 0xff, rest zero
        let data: Vec<u8> = [1u16; 8].iter().flat_map(|v| v.to_le_bytes()).collect();
        let mut expect = vec![0u8; 16];
        expect[0] = 0xff;
        assert_eq!(bit_transpose(&data, 2), expect);
        assert_eq!(bit_untranspose(&expect, 2), data);
    }

    #[test]
    fn transpose_round_trip() {
        for es in [1usize, 2, 4, 8, 3] {
            let data: Vec<u8> = (0..es * 64).map(|i| (i * 37 % 256) as u8).collect();
            assert_eq!(bit_untranspose(&bit_transpose(&data, es), es), data);
        }
    }

    #[test]
    fn round_trip_with_partial_blocks() {
        for (n, es, block) in
            [(0usize, 4usize, 8usize), (5, 4, 8), (2048, 4, 2048), (1003, 8, 64), (100, 2, 16)]
        {
            let data: Vec<u8> = (0..n * es).map(|i| (i / 5 % 7) as u8).collect();
            let c = bitshuffle_compress(&data, es, block).unwrap();
            assert_eq!(&c[..8], &((n * es) as u64).to_be_bytes());
            assert_eq!(&c[8..12], &((block * es) as u32).to_be_bytes());
            assert_eq!(bitshuffle_decompress(&c, es, n * es).unwrap(), data, "n={n}");
        }
    }

    #[test]
    fn raw_tail_layout() {
        // 3 elements < 8: no blocks, copied raw after the header
        let c = bitshuffle_compress(&[1, 2, 3], 1, 8).unwrap();
        assert_eq!(c, vec![0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 8, 1, 2, 3]);
    }

    #[test]
    fn malformed() {
        let data: Vec<u8> = (0..400u32).map(|i| i as u8).collect();
        let c = bitshuffle_compress(&data, 4, 16).unwrap();
        assert!(matches!(
            bitshuffle_decompress(&c[..11], 4, 400),
            Err(CodecError::Truncated { .. })
        ));
        assert!(matches!(bitshuffle_decompress(&c, 4, 399), Err(CodecError::TooLarge { .. })));
        assert!(bitshuffle_decompress(&c[..c.len() - 1], 4, 400).is_err());
        assert!(bitshuffle_decompress(&c, 3, 400).is_err());
        let mut bad = c.clone();
        bad[12..16].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(bitshuffle_decompress(&bad, 4, 400).is_err());
        let mut bad = c.clone();
        bad[8..12].copy_from_slice(&0u32.to_be_bytes());
        assert!(bitshuffle_decompress(&bad, 4, 400).is_err());
        let mut bad = c.clone();
        bad.push(0);
        assert!(bitshuffle_decompress(&bad, 4, 400).is_err());
        assert!(bitshuffle_compress(&data, 4, 12).is_err());
        assert!(bitshuffle_compress(&data[..3], 2, 8).is_err());
        for i in 0..c.len() {
            let mut m = c.clone();
            m[i] ^= 0x5a;
            let _ = bitshuffle_decompress(&m, 4, 1 << 20);
        }
    }
}
