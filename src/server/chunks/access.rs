//! Moving elements between a full chunk and a chunk-local selection or point list, for fixed
//! and variable element buffers.
//!
//! Fixed buffers use `chunking::transfer` directly. Variable buffers reuse the same plan on
//! element *indices*: gathering a chunk of `u64` positions tells, for each packed slot, which
//! chunk element it takes; scattering packed positions into a chunk of `u64::MAX` tells, for
//! each chunk element, which packed element overwrote it (the last one, as for fixed types).

use crate::chunking::{ChunkGrid, DimSelection, SelectionPlan};

use super::elements::{ElementBuf, ItemLayout};
use super::error::ChunkError;

const INDEX_BYTES: usize = 8;

/// The plan of a chunk-local `selection` over one chunk of `chunk_dims`.
fn chunk_plan(chunk_dims: &[u64], selection: &[DimSelection]) -> Result<SelectionPlan, ChunkError> {
    Ok(ChunkGrid::new(chunk_dims, chunk_dims)?.plan(selection)?)
}

fn identity(count: usize) -> Vec<u8> {
    (0..count as u64).flat_map(u64::to_le_bytes).collect()
}

fn indices(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes.chunks_exact(INDEX_BYTES).map(|word| {
        let mut buf = [0; INDEX_BYTES];
        buf.copy_from_slice(word);
        usize::try_from(u64::from_le_bytes(buf)).unwrap_or(usize::MAX)
    })
}

fn mismatch() -> ChunkError {
    ChunkError::BadData("element buffer does not match the dataset type".into())
}

/// Number of elements a chunk-local selection selects.
///
/// # Errors
/// [`ChunkError::Grid`] for an invalid selection.
pub fn selection_len(chunk_dims: &[u64], selection: &[DimSelection]) -> Result<usize, ChunkError> {
    let plan = chunk_plan(chunk_dims, selection)?;
    usize::try_from(plan.element_count()).map_err(|_| ChunkError::TooLarge)
}

/// The selected elements of `chunk`, packed in C order of the selection.
///
/// # Errors
/// [`ChunkError::Grid`] for an invalid selection, [`ChunkError::BadData`] for a buffer mismatch.
pub fn gather(
    layout: ItemLayout,
    chunk_dims: &[u64],
    selection: &[DimSelection],
    chunk: &ElementBuf,
) -> Result<ElementBuf, ChunkError> {
    let plan = chunk_plan(chunk_dims, selection)?;
    let Some(part) = plan.chunks().next() else {
        return Ok(ElementBuf::filled(layout, &[], 0));
    };
    match (layout, chunk) {
        (ItemLayout::Fixed(size), ElementBuf::Fixed(bytes)) => {
            let mut packed = vec![0; plan.packed_byte_len(size)?];
            plan.gather(&part, bytes, &mut packed, size)?;
            Ok(ElementBuf::Fixed(packed))
        }
        (ItemLayout::Variable, ElementBuf::Variable(items)) => {
            let mut packed = vec![0; plan.packed_byte_len(INDEX_BYTES)?];
            plan.gather(&part, &identity(items.len()), &mut packed, INDEX_BYTES)?;
            indices(&packed)
                .map(|index| items.get(index).cloned().ok_or_else(mismatch))
                .collect::<Result<Vec<_>, _>>()
                .map(ElementBuf::Variable)
        }
        _ => Err(mismatch()),
    }
}

/// Writes `data` (packed in C order of the selection) into the selected elements of `chunk`.
///
/// # Errors
/// As [`gather`]; also when `data` does not hold exactly the selected element count.
pub fn scatter(
    layout: ItemLayout,
    chunk_dims: &[u64],
    selection: &[DimSelection],
    data: &ElementBuf,
    chunk: &mut ElementBuf,
) -> Result<(), ChunkError> {
    let plan = chunk_plan(chunk_dims, selection)?;
    let count = usize::try_from(plan.element_count()).map_err(|_| ChunkError::TooLarge)?;
    if data.len(layout) != count {
        return Err(ChunkError::BadData(format!(
            "{} elements given for a selection of {count}",
            data.len(layout)
        )));
    }
    let Some(part) = plan.chunks().next() else { return Ok(()) };
    match (layout, data, chunk) {
        (ItemLayout::Fixed(size), ElementBuf::Fixed(packed), ElementBuf::Fixed(bytes)) => {
            Ok(plan.scatter(&part, packed, bytes, size)?)
        }
        (ItemLayout::Variable, ElementBuf::Variable(values), ElementBuf::Variable(items)) => {
            let mut targets = vec![0xff; items.len() * INDEX_BYTES];
            plan.scatter(&part, &identity(values.len()), &mut targets, INDEX_BYTES)?;
            for (item, source) in items.iter_mut().zip(indices(&targets)) {
                if let Some(value) = values.get(source) {
                    item.clone_from(value);
                }
            }
            Ok(())
        }
        _ => Err(mismatch()),
    }
}

/// C-order element offsets of chunk-local `points` (flat, `rank` coordinates each).
///
/// # Errors
/// [`ChunkError::BadData`] for a point outside the chunk or a ragged list.
pub fn point_offsets(chunk_dims: &[u64], points: &[u64]) -> Result<Vec<usize>, ChunkError> {
    let rank = chunk_dims.len().max(1);
    if !points.len().is_multiple_of(rank) {
        return Err(ChunkError::BadData("point list is not a multiple of the rank".into()));
    }
    points
        .chunks_exact(rank)
        .map(|point| {
            let mut offset = 0_u64;
            for (&coord, &extent) in point.iter().zip(chunk_dims) {
                if coord >= extent {
                    return Err(ChunkError::BadData(format!(
                        "point {point:?} is outside the chunk {chunk_dims:?}"
                    )));
                }
                offset = offset * extent + coord;
            }
            usize::try_from(offset).map_err(|_| ChunkError::TooLarge)
        })
        .collect()
}

/// The elements of `chunk` at `offsets`.
///
/// # Errors
/// [`ChunkError::BadData`] for an offset outside the chunk.
pub fn read_offsets(
    layout: ItemLayout,
    chunk: &ElementBuf,
    offsets: &[usize],
) -> Result<ElementBuf, ChunkError> {
    let outside = || ChunkError::BadData("point outside the chunk".into());
    match (layout, chunk) {
        (ItemLayout::Fixed(size), ElementBuf::Fixed(bytes)) => {
            let mut out = Vec::with_capacity(offsets.len() * size);
            for &offset in offsets {
                out.extend_from_slice(
                    bytes.get(offset * size..(offset + 1) * size).ok_or_else(outside)?,
                );
            }
            Ok(ElementBuf::Fixed(out))
        }
        (ItemLayout::Variable, ElementBuf::Variable(items)) => offsets
            .iter()
            .map(|&offset| items.get(offset).cloned().ok_or_else(outside))
            .collect::<Result<Vec<_>, _>>()
            .map(ElementBuf::Variable),
        _ => Err(mismatch()),
    }
}

/// Writes `data` (one element per offset, in order) into `chunk`.
///
/// # Errors
/// [`ChunkError::BadData`] for a count mismatch or an offset outside the chunk.
pub fn write_offsets(
    layout: ItemLayout,
    chunk: &mut ElementBuf,
    offsets: &[usize],
    data: &ElementBuf,
) -> Result<(), ChunkError> {
    if data.len(layout) != offsets.len() {
        return Err(ChunkError::BadData(format!(
            "{} elements given for {} points",
            data.len(layout),
            offsets.len()
        )));
    }
    let outside = || ChunkError::BadData("point outside the chunk".into());
    match (layout, chunk, data) {
        (ItemLayout::Fixed(size), ElementBuf::Fixed(bytes), ElementBuf::Fixed(values)) => {
            for (&offset, value) in offsets.iter().zip(values.chunks_exact(size)) {
                bytes
                    .get_mut(offset * size..(offset + 1) * size)
                    .ok_or_else(outside)?
                    .copy_from_slice(value);
            }
            Ok(())
        }
        (ItemLayout::Variable, ElementBuf::Variable(items), ElementBuf::Variable(values)) => {
            for (&offset, value) in offsets.iter().zip(values) {
                items.get_mut(offset).ok_or_else(outside)?.clone_from(value);
            }
            Ok(())
        }
        _ => Err(mismatch()),
    }
}

/// Whether every element of `chunk` equals the encoded `fill` element.
#[must_use]
pub fn is_all_fill(layout: ItemLayout, chunk: &ElementBuf, fill: &[u8]) -> bool {
    match (layout, chunk) {
        (ItemLayout::Fixed(size), ElementBuf::Fixed(bytes)) => {
            fill.len() == size && bytes.chunks_exact(size).all(|item| item == fill)
        }
        (ItemLayout::Variable, ElementBuf::Variable(items)) => {
            items.iter().all(|item| item == fill)
        }
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn slice(start: u64, stop: u64, step: u64) -> DimSelection {
        DimSelection::Slice { start, stop, step }
    }

    #[test]
    fn fixed_gather_scatter_with_steps() {
        let layout = ItemLayout::Fixed(1);
        let mut chunk = ElementBuf::Fixed((0..12).collect());
        let sel = [slice(0, 4, 2), DimSelection::Coords(vec![2, 0])];
        assert_eq!(
            gather(layout, &[4, 3], &sel, &chunk).unwrap(),
            ElementBuf::Fixed(vec![2, 0, 8, 6])
        );
        scatter(layout, &[4, 3], &sel, &ElementBuf::Fixed(vec![90, 91, 92, 93]), &mut chunk)
            .unwrap();
        assert_eq!(chunk, ElementBuf::Fixed(vec![91, 1, 90, 3, 4, 5, 93, 7, 92, 9, 10, 11]));
        let wrong = ElementBuf::Fixed(vec![1]);
        assert!(scatter(layout, &[4, 3], &sel, &wrong, &mut chunk).is_err());
        assert!(gather(layout, &[4, 3], &[slice(0, 5, 1), slice(0, 3, 1)], &chunk).is_err());
    }

    #[test]
    fn variable_gather_scatter_and_points() {
        let layout = ItemLayout::Variable;
        let item = |n: u8| vec![n; usize::from(n)];
        let mut chunk = ElementBuf::Variable((0..6).map(item).collect());
        let sel = [slice(1, 2, 1), slice(0, 3, 2)];
        assert_eq!(
            gather(layout, &[2, 3], &sel, &chunk).unwrap(),
            ElementBuf::Variable(vec![item(3), item(5)])
        );
        scatter(layout, &[2, 3], &sel, &ElementBuf::Variable(vec![item(9), item(8)]), &mut chunk)
            .unwrap();
        assert_eq!(
            chunk,
            ElementBuf::Variable(vec![item(0), item(1), item(2), item(9), item(4), item(8)])
        );
        let offsets = point_offsets(&[2, 3], &[1, 2, 0, 1]).unwrap();
        assert_eq!(offsets, [5, 1]);
        assert_eq!(
            read_offsets(layout, &chunk, &offsets).unwrap(),
            ElementBuf::Variable(vec![item(8), item(1)])
        );
        write_offsets(layout, &mut chunk, &offsets, &ElementBuf::Variable(vec![vec![], vec![]]))
            .unwrap();
        assert!(point_offsets(&[2, 3], &[2, 0]).is_err());
        assert!(!is_all_fill(layout, &chunk, &[]));
        let fills = ElementBuf::Variable(vec![vec![0; 4]; 3]);
        assert!(is_all_fill(layout, &fills, &[0; 4]));
    }
}
