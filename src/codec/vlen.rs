//! Variable-length item packing (HSDS arrayUtil layout).
//!
//! Each item is `<int32 LE byte count><bytes>`; the count is in bytes, not
//! elements. A null item has count 0. Items over [`MAX_VLEN_ELEMENT`] bytes
//! are rejected in both directions.

use super::{slice_at, CodecError};

/// HSDS's per-item byte limit (`MAX_VLEN_ELEMENT`).
pub const MAX_VLEN_ELEMENT: usize = 1_000_000;

/// Packs items as `<int32 LE count><bytes>` sequences.
pub fn pack_vlen<T: AsRef<[u8]>>(items: &[T]) -> Result<Vec<u8>, CodecError> {
    let total: usize = items.iter().map(|i| i.as_ref().len() + 4).sum();
    let mut out = Vec::with_capacity(total);
    for item in items {
        let bytes = item.as_ref();
        if bytes.len() > MAX_VLEN_ELEMENT {
            return Err(CodecError::TooLarge { what: "vlen item", limit: MAX_VLEN_ELEMENT });
        }
        let n = i32::try_from(bytes.len())
            .map_err(|_| CodecError::TooLarge { what: "vlen item", limit: MAX_VLEN_ELEMENT })?;
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(bytes);
    }
    Ok(out)
}

/// Unpacks exactly `count` items; trailing bytes after them are an error.
pub fn unpack_vlen(data: &[u8], count: usize) -> Result<Vec<Vec<u8>>, CodecError> {
    let mut out = Vec::with_capacity(count.min(data.len() / 4));
    let mut pos = 0usize;
    for index in 0..count {
        let hdr = slice_at(data, pos, 4, "vlen item count")?;
        let n = i32::from_le_bytes([hdr[0], hdr[1], hdr[2], hdr[3]]);
        let n = usize::try_from(n).map_err(|_| CodecError::Invalid {
            what: "vlen item count",
            detail: format!("item {index} has negative count {n}"),
        })?;
        if n > MAX_VLEN_ELEMENT {
            return Err(CodecError::TooLarge { what: "vlen item", limit: MAX_VLEN_ELEMENT });
        }
        pos += 4;
        out.push(slice_at(data, pos, n, "vlen item bytes")?.to_vec());
        pos += n;
    }
    if pos != data.len() {
        return Err(CodecError::Invalid {
            what: "vlen buffer",
            detail: format!("{} trailing bytes after {count} items", data.len() - pos),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_layout() {
        // vlen int32 [1, 2, 3] -> count 12 (bytes, not elements), then "ab", then null
        let ints: Vec<u8> = [1i32, 2, 3].iter().flat_map(|v| v.to_le_bytes()).collect();
        let items: Vec<&[u8]> = vec![&ints, b"ab", b""];
        let packed = pack_vlen(&items).unwrap();
        let mut expect = vec![12, 0, 0, 0];
        expect.extend_from_slice(&ints);
        expect.extend_from_slice(&[2, 0, 0, 0, b'a', b'b', 0, 0, 0, 0]);
        assert_eq!(packed, expect);
        let back = unpack_vlen(&packed, 3).unwrap();
        assert_eq!(back, vec![ints, b"ab".to_vec(), Vec::new()]);
    }

    #[test]
    fn truncated_count_and_bytes() {
        assert_eq!(
            unpack_vlen(&[1, 0], 1),
            Err(CodecError::Truncated {
                what: "vlen item count",
                offset: 0,
                needed: 4,
                available: 2
            })
        );
        assert_eq!(
            unpack_vlen(&[5, 0, 0, 0, 1, 2], 1),
            Err(CodecError::Truncated {
                what: "vlen item bytes",
                offset: 4,
                needed: 5,
                available: 6
            })
        );
        assert!(matches!(
            unpack_vlen(&[0, 0, 0, 0], 2),
            Err(CodecError::Truncated { offset: 4, .. })
        ));
    }

    #[test]
    fn negative_huge_and_trailing() {
        assert!(matches!(unpack_vlen(&(-1i32).to_le_bytes(), 1), Err(CodecError::Invalid { .. })));
        assert!(matches!(
            unpack_vlen(&1_000_001i32.to_le_bytes(), 1),
            Err(CodecError::TooLarge { .. })
        ));
        assert!(matches!(unpack_vlen(&[0, 0, 0, 0, 9], 1), Err(CodecError::Invalid { .. })));
        let big = vec![0u8; MAX_VLEN_ELEMENT + 1];
        assert!(pack_vlen(&[big]).is_err());
        let ok = vec![1u8; MAX_VLEN_ELEMENT];
        let p = pack_vlen(&[&ok]).unwrap();
        assert_eq!(unpack_vlen(&p, 1).unwrap()[0].len(), MAX_VLEN_ELEMENT);
    }

    #[test]
    fn empty() {
        assert_eq!(pack_vlen::<&[u8]>(&[]).unwrap(), Vec::<u8>::new());
        assert_eq!(unpack_vlen(&[], 0).unwrap(), Vec::<Vec<u8>>::new());
    }
}
