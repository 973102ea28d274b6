//! The blocks a dataset's values are copied in: whole chunks (or rows of a contiguous
//! dataset), grouped up to about [`BLOCK_BYTES`] per block.

/// The target size of one block of values.
pub const BLOCK_BYTES: u64 = 8 << 20;

/// The shape of the blocks for a dataset of extent `dims`, chunk shape `chunk` (if chunked)
/// and `element` bytes per value: the full extent if it fits in `target` bytes, otherwise the
/// leading dimensions cut to whole multiples of the chunk (or single rows) so that a block
/// fits, never below one chunk (or one element) per dimension.
pub fn block_shape(dims: &[u64], chunk: Option<&[u64]>, element: u64, target: u64) -> Vec<u64> {
    let mut shape: Vec<u64> = dims.iter().map(|d| (*d).max(1)).collect();
    for d in 0..shape.len() {
        let inner = shape[d + 1..].iter().product::<u64>().saturating_mul(element.max(1));
        if shape[d].saturating_mul(inner) <= target {
            break;
        }
        let unit = chunk.and_then(|c| c.get(d).copied()).unwrap_or(1).clamp(1, shape[d]);
        let fit = target / inner.max(1);
        shape[d] = ((fit / unit).max(1) * unit).min(shape[d]);
        if inner <= target {
            break;
        }
    }
    shape
}

/// The `(start, count)` of every block of shape `shape` covering `dims`, in row-major order.
pub fn blocks(dims: &[u64], shape: &[u64]) -> Vec<(Vec<u64>, Vec<u64>)> {
    if dims.contains(&0) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut start = vec![0u64; dims.len()];
    loop {
        let count =
            start.iter().zip(dims).zip(shape).map(|((s, d), b)| (*b).max(1).min(d - s)).collect();
        out.push((start.clone(), count));
        let mut d = dims.len();
        loop {
            if d == 0 {
                return out;
            }
            d -= 1;
            start[d] += shape[d].max(1);
            if start[d] < dims[d] {
                break;
            }
            start[d] = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_datasets_are_one_block() {
        assert_eq!(block_shape(&[10, 20], None, 4, BLOCK_BYTES), vec![10, 20]);
        assert_eq!(blocks(&[10, 20], &[10, 20]), vec![(vec![0, 0], vec![10, 20])]);
        assert_eq!(blocks(&[], &[]), vec![(vec![], vec![])]);
        assert!(blocks(&[0, 5], &[1, 5]).is_empty());
    }

    #[test]
    fn large_contiguous_datasets_are_cut_in_rows() {
        // 4096 x 1024 doubles = 32 MiB: 1024 rows of 8 KiB make 8 MiB.
        assert_eq!(block_shape(&[4096, 1024], None, 8, BLOCK_BYTES), vec![1024, 1024]);
        let all = blocks(&[4096, 1024], &[1024, 1024]);
        assert_eq!(all.len(), 4);
        assert_eq!(all[3], (vec![3072, 0], vec![1024, 1024]));
    }

    #[test]
    fn blocks_are_whole_chunks() {
        // 1000 x 1000 doubles (7.6 MiB) fits; 3000 x 1000 does not: cut at multiples of 300.
        assert_eq!(block_shape(&[3000, 1000], Some(&[300, 100]), 8, BLOCK_BYTES), vec![900, 1000]);
        let all = blocks(&[3000, 1000], &[900, 1000]);
        assert_eq!(all.len(), 4);
        assert_eq!(all[3], (vec![2700, 0], vec![300, 1000]));
    }

    #[test]
    fn huge_rows_cut_the_next_dimension() {
        // one row of 2^22 doubles is 32 MiB: one row per block, 2^20 columns each.
        assert_eq!(block_shape(&[4, 1 << 22], None, 8, BLOCK_BYTES), vec![1, 1 << 20]);
        assert_eq!(blocks(&[4, 1 << 22], &[1, 1 << 20]).len(), 16);
    }
}
