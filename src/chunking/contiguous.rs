//! `H5D_CONTIGUOUS_REF` datasets: HSDS serves a contiguous dataset inside an
//! HDF5 file as virtual chunks. This module picks the chunk shape
//! (`chunkUtil.getContiguousLayout`) and locates each chunk's bytes in the
//! file (`dset_lib.getChunkLocations`).

use super::auto::{check_rank, ChunkSizeLimits, ItemSize, LayoutError};

/// HSDS `getContiguousLayout`: from the last dimension backwards, take the
/// whole extent while `extent * bytes_so_far < limits.max`; at the first
/// dimension that does not fit, halve it (rounding up) until it fits or is 1,
/// and use 1 for the dimensions before it. A scalar gets `[1]`; a shape with a
/// zero extent is returned unchanged.
///
/// # Errors
/// [`LayoutError::VariableLengthType`] for vlen types and
/// [`LayoutError::LimitsInverted`] when `limits.max < limits.min`.
pub fn contiguous_layout(
    dims: &[u64],
    item_size: ItemSize,
    limits: ChunkSizeLimits,
) -> Result<Vec<u64>, LayoutError> {
    let ItemSize::Fixed(item) = item_size else {
        return Err(LayoutError::VariableLengthType);
    };
    if limits.max < limits.min {
        return Err(LayoutError::LimitsInverted);
    }
    if dims.is_empty() {
        return Ok(vec![1]);
    }
    if dims.contains(&0) {
        return Ok(dims.to_vec());
    }
    let max = u128::from(limits.max);
    let mut layout = vec![1; dims.len()];
    let mut bytes_so_far = u128::from(item);
    for (slot, &extent) in layout.iter_mut().zip(dims).rev() {
        if u128::from(extent).saturating_mul(bytes_so_far) < max {
            *slot = extent;
            bytes_so_far = bytes_so_far.saturating_mul(u128::from(extent));
            continue;
        }
        let mut n = extent;
        while n > 1 {
            n = n.div_ceil(2);
            if u128::from(n).saturating_mul(bytes_so_far) < max {
                break;
            }
        }
        *slot = n;
        break;
    }
    Ok(layout)
}

/// Byte range `(offset, size)` in the HDF5 file of the virtual chunk at grid
/// `indices`: `file_offset + Σ indices[d] * chunk_dims[d] * stride[d]`, where
/// `stride[d]` is the item size times the trailing dataset extents, and size
/// is the full chunk's byte count. HSDS zero-pads a read that runs past the
/// end of the dataset.
///
/// # Errors
/// [`LayoutError::RankMismatch`] or [`LayoutError::Overflow`].
pub fn contiguous_chunk_location(
    file_offset: u64,
    dims: &[u64],
    chunk_dims: &[u64],
    item_size: u64,
    indices: &[u64],
) -> Result<(u64, u64), LayoutError> {
    check_rank("chunk dims", dims.len(), chunk_dims.len())?;
    check_rank("chunk indices", dims.len(), indices.len())?;
    let mut offset = file_offset;
    let mut stride = item_size;
    for ((&extent, &chunk), &index) in dims.iter().zip(chunk_dims).zip(indices).rev() {
        let step = index
            .checked_mul(chunk)
            .and_then(|v| v.checked_mul(stride))
            .ok_or(LayoutError::Overflow)?;
        offset = offset.checked_add(step).ok_or(LayoutError::Overflow)?;
        stride = stride.saturating_mul(extent);
    }
    let size = chunk_dims
        .iter()
        .try_fold(item_size, |acc, &extent| acc.checked_mul(extent))
        .ok_or(LayoutError::Overflow)?;
    Ok((offset, size))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn layout(dims: &[u64], item: u64) -> Vec<u64> {
        contiguous_layout(dims, ItemSize::Fixed(item), ChunkSizeLimits::default()).unwrap()
    }

    #[test]
    fn layouts_match_hsds() {
        // Expected values computed with HSDS's getContiguousLayout, 1 MiB / 4 MiB.
        assert_eq!(layout(&[100], 4), [100]);
        assert_eq!(layout(&[10_000_000], 4), [625_000]);
        assert_eq!(layout(&[1000, 1000], 8), [500, 1000]);
        assert_eq!(layout(&[365, 720, 1440], 4), [1, 720, 1440]);
        assert_eq!(layout(&[10, 2000, 2000], 4), [1, 500, 2000]);
        assert_eq!(layout(&[3, 5_000_000], 1), [1, 2_500_000]);
        assert_eq!(layout(&[2, 3, 8_388_608], 1), [1, 1, 2_097_152]);
        assert_eq!(layout(&[7, 0, 5], 4), [7, 0, 5]);
        assert_eq!(layout(&[], 4), [1]);
        assert_eq!(layout(&[5], 8_000_000), [1]);
    }

    #[test]
    fn layout_errors() {
        let limits = ChunkSizeLimits::default();
        assert_eq!(
            contiguous_layout(&[5], ItemSize::Variable, limits),
            Err(LayoutError::VariableLengthType)
        );
        let inverted = ChunkSizeLimits { min: 2, max: 1 };
        assert_eq!(
            contiguous_layout(&[5], ItemSize::Fixed(1), inverted),
            Err(LayoutError::LimitsInverted)
        );
    }

    #[test]
    fn chunk_locations() {
        // 4 x 6 dataset of 2-byte items in 2 x 3 chunks at file offset 100.
        let locate =
            |indices: &[u64]| contiguous_chunk_location(100, &[4, 6], &[2, 3], 2, indices).unwrap();
        assert_eq!(locate(&[0, 0]), (100, 12));
        assert_eq!(locate(&[0, 1]), (106, 12));
        assert_eq!(locate(&[1, 0]), (124, 12));
        assert_eq!(locate(&[1, 1]), (130, 12));
        assert!(contiguous_chunk_location(0, &[4], &[2, 3], 2, &[0]).is_err());
        assert_eq!(
            contiguous_chunk_location(0, &[4], &[2], 2, &[u64::MAX]),
            Err(LayoutError::Overflow)
        );
    }
}
