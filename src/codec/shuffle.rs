//! Byte shuffle / unshuffle (HDF5 shuffle filter and Blosc byte-shuffle layout).
//!
//! Shuffling groups byte `j` of every item together: the output is `item_size`
//! streams of `n = len / item_size` bytes each. Trailing bytes that do not form
//! a whole item are copied unchanged at the end, as HDF5 and Blosc do.

/// Byte-shuffles `data` for items of `item_size` bytes.
///
/// `item_size <= 1` or fewer than one whole item returns a copy.
pub fn shuffle(data: &[u8], item_size: usize) -> Vec<u8> {
    if item_size <= 1 || data.len() < item_size {
        return data.to_vec();
    }
    let n = data.len() / item_size;
    let body = n * item_size;
    let (items, rest) = data.split_at(body);
    let mut out = Vec::with_capacity(data.len());
    for j in 0..item_size {
        out.extend(items.chunks_exact(item_size).filter_map(|it| it.get(j)));
    }
    out.extend_from_slice(rest);
    out
}

/// Reverses [`shuffle`] for items of `item_size` bytes.
pub fn unshuffle(data: &[u8], item_size: usize) -> Vec<u8> {
    if item_size <= 1 || data.len() < item_size {
        return data.to_vec();
    }
    let n = data.len() / item_size;
    let body = n * item_size;
    let (streams, rest) = data.split_at(body);
    let streams: Vec<&[u8]> = streams.chunks_exact(n).collect();
    let mut out = Vec::with_capacity(data.len());
    for i in 0..n {
        out.extend(streams.iter().filter_map(|s| s.get(i)));
    }
    out.extend_from_slice(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_layout_int32() {
        let data = [1, 2, 3, 4, 5, 6, 7, 8];
        assert_eq!(shuffle(&data, 4), vec![1, 5, 2, 6, 3, 7, 4, 8]);
        assert_eq!(unshuffle(&[1, 5, 2, 6, 3, 7, 4, 8], 4), data.to_vec());
    }

    #[test]
    fn remainder_copied_unchanged() {
        let data = [1, 2, 3, 4, 5, 6, 9, 10];
        // two 3-byte items then 2 leftover bytes
        assert_eq!(shuffle(&data, 3), vec![1, 4, 2, 5, 3, 6, 9, 10]);
        assert_eq!(unshuffle(&shuffle(&data, 3), 3), data.to_vec());
    }

    #[test]
    fn degenerate_sizes() {
        assert_eq!(shuffle(&[1, 2, 3], 1), vec![1, 2, 3]);
        assert_eq!(shuffle(&[1, 2, 3], 0), vec![1, 2, 3]);
        assert_eq!(shuffle(&[1, 2], 8), vec![1, 2]);
        assert_eq!(unshuffle(&[], 4), Vec::<u8>::new());
    }

    #[test]
    fn round_trip_many_sizes() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
        for k in 1..20 {
            assert_eq!(unshuffle(&shuffle(&data, k), k), data, "k={k}");
        }
    }
}
