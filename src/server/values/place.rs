//! Copying a chunk's packed block (the elements one chunk contributes, C order of its part
//! shape) to and from their places in the request's packed buffer.

use crate::chunking::DimPart;

use super::ValueError;

fn strides(shape: &[u64]) -> Vec<usize> {
    let mut strides = vec![1_usize; shape.len()];
    let mut stride = 1_usize;
    for (slot, &extent) in strides.iter_mut().zip(shape).rev() {
        *slot = stride;
        stride = stride.saturating_mul(usize::try_from(extent).unwrap_or(usize::MAX));
    }
    strides
}

fn out_of_place() -> ValueError {
    ValueError::Internal("chunk block does not fit the request buffer".into())
}

/// Calls `copy(block_offset, packed_offset, run_len)` (in elements) for every run of the
/// block described by `parts` inside the packed buffer of `packed_shape`.
fn for_each_run(
    parts: &[DimPart<'_>],
    packed_shape: &[u64],
    mut copy: impl FnMut(usize, usize, usize) -> Result<(), ValueError>,
) -> Result<(), ValueError> {
    if parts.len() != packed_shape.len() || parts.iter().any(DimPart::is_empty) {
        return if parts.len() == packed_shape.len() { Ok(()) } else { Err(out_of_place()) };
    }
    let Some((inner, outer)) = parts.split_last() else { return Ok(()) };
    let packed_strides = strides(packed_shape);
    let inner_len = usize::try_from(inner.len()).map_err(|_| out_of_place())?;
    let contiguous = matches!(inner, DimPart::Strided { .. });
    let mut counters = vec![0_u64; outer.len()];
    let mut block_offset = 0_usize;
    loop {
        let mut base = 0_usize;
        for ((part, &k), stride) in outer.iter().zip(&counters).zip(&packed_strides) {
            let (_, out) = part.get(k).ok_or_else(out_of_place)?;
            base += usize::try_from(out).map_err(|_| out_of_place())? * stride;
        }
        if contiguous {
            let (_, out) = inner.get(0).ok_or_else(out_of_place)?;
            copy(
                block_offset,
                base + usize::try_from(out).map_err(|_| out_of_place())?,
                inner_len,
            )?;
        } else {
            for k in 0..inner.len() {
                let (_, out) = inner.get(k).ok_or_else(out_of_place)?;
                let index = usize::try_from(k).map_err(|_| out_of_place())?;
                copy(
                    block_offset + index,
                    base + usize::try_from(out).map_err(|_| out_of_place())?,
                    1,
                )?;
            }
        }
        block_offset += inner_len;
        let mut carried = true;
        for (counter, part) in counters.iter_mut().zip(outer).rev() {
            *counter += 1;
            if *counter < part.len() {
                carried = false;
                break;
            }
            *counter = 0;
        }
        if carried {
            return Ok(());
        }
    }
}

/// Copies `block` (elements of `width` units each) into `packed` at the places `parts` give.
///
/// # Errors
/// [`ValueError::Internal`] if the block or buffer sizes do not match the parts.
pub fn put_block<T: Clone>(
    parts: &[DimPart<'_>],
    packed_shape: &[u64],
    width: usize,
    block: &[T],
    packed: &mut [T],
) -> Result<(), ValueError> {
    for_each_run(parts, packed_shape, |from, to, len| {
        let source = block.get(from * width..(from + len) * width).ok_or_else(out_of_place)?;
        let target = packed.get_mut(to * width..(to + len) * width).ok_or_else(out_of_place)?;
        target.clone_from_slice(source);
        Ok(())
    })
}

/// Copies the elements `parts` select out of `packed` into a new block.
///
/// # Errors
/// As [`put_block`].
pub fn take_block<T: Clone>(
    parts: &[DimPart<'_>],
    packed_shape: &[u64],
    width: usize,
    packed: &[T],
) -> Result<Vec<T>, ValueError> {
    let mut block = Vec::new();
    for_each_run(parts, packed_shape, |from, to, len| {
        if block.len() != from * width {
            return Err(out_of_place());
        }
        block.extend_from_slice(
            packed.get(to * width..(to + len) * width).ok_or_else(out_of_place)?,
        );
        Ok(())
    })?;
    Ok(block)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn blocks_round_trip() {
        // Request 3 x 4; the block covers rows 1..3 and listed columns 3, 0.
        let parts = [
            DimPart::Strided { start: 0, step: 1, count: 2, out_start: 1 },
            DimPart::Listed { local: &[0, 1], out: &[3, 0] },
        ];
        let mut packed = vec![0_u8; 12];
        put_block(&parts, &[3, 4], 1, &[1, 2, 3, 4], &mut packed).unwrap();
        assert_eq!(packed, [0, 0, 0, 0, 2, 0, 0, 1, 4, 0, 0, 3]);
        assert_eq!(take_block(&parts, &[3, 4], 1, &packed).unwrap(), [1, 2, 3, 4]);
        let wide = vec![vec![1_u8], vec![2]];
        let mut out = vec![Vec::new(); 3];
        let row = [DimPart::Strided { start: 0, step: 1, count: 2, out_start: 1 }];
        put_block(&row, &[3], 1, &wide, &mut out).unwrap();
        assert_eq!(out, [vec![], vec![1], vec![2]]);
        assert!(put_block(&row, &[2], 1, &wide, &mut out[..2]).is_err());
    }
}
