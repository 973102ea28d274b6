//! Selection fan-out: which chunks a per-dimension selection touches, and for
//! each chunk which chunk-local elements it selects and where they sit in the
//! packed request buffer.
//!
//! A selection is one [`DimSelection`] per dimension, combined as an outer
//! product (an orthogonal selection, as HDF5 hyperslabs and h5py's single
//! index list). The packed buffer holds the selected elements in C order of
//! the selection shape (`count` per dimension), which is the order HSDS
//! returns binary values in. HSDS's zipped indexing with *several* coordinate
//! lists is not expressed here; callers handle it as a point selection.
//!
//! Slices are planned arithmetically: no memory is used per element or per
//! chunk of a sliced dimension, so huge extents and steps that skip whole
//! chunks cost nothing. Coordinate lists are grouped by chunk once, in
//! O(n log n); the order of coordinates within a chunk is kept, duplicates
//! included.

use super::grid::{check_rank, ChunkGrid, GridError};

/// The selection along one dimension, in dataset coordinates.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DimSelection {
    /// `start, start + step, …` below `stop` (HSDS `start:stop:step`).
    /// `start == stop` selects nothing.
    Slice {
        /// First coordinate.
        start: u64,
        /// Exclusive end, at most the extent.
        stop: u64,
        /// Distance between selected coordinates, at least 1.
        step: u64,
    },
    /// Listed coordinates, in any order, repeats allowed (HSDS `[i,j,k]`).
    Coords(Vec<u64>),
}

impl DimSelection {
    /// The whole dimension (`:`).
    #[must_use]
    pub fn all(extent: u64) -> Self {
        Self::Slice { start: 0, stop: extent, step: 1 }
    }

    /// A single coordinate (HSDS `i`, i.e. `i:i+1`, not squeezed).
    #[must_use]
    pub fn index(coord: u64) -> Self {
        Self::Slice { start: coord, stop: coord.saturating_add(1), step: 1 }
    }

    /// Number of selected coordinates.
    #[must_use]
    pub fn count(&self) -> u64 {
        match self {
            Self::Slice { start, stop, step } => {
                stop.saturating_sub(*start).div_ceil((*step).max(1))
            }
            Self::Coords(coords) => u64::try_from(coords.len()).unwrap_or(u64::MAX),
        }
    }
}

/// The elements one chunk contributes along one dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DimPart<'a> {
    /// Chunk-local coordinates `start + k * step` for `k < count`, at packed
    /// positions `out_start + k` along this dimension.
    Strided {
        /// First chunk-local coordinate.
        start: u64,
        /// Distance between chunk-local coordinates.
        step: u64,
        /// Number of coordinates.
        count: u64,
        /// Packed position of the first one.
        out_start: u64,
    },
    /// Chunk-local coordinates `local[k]` at packed positions `out[k]`.
    Listed {
        /// Chunk-local coordinates.
        local: &'a [u64],
        /// Their packed positions along this dimension (ascending).
        out: &'a [u64],
    },
}

impl DimPart<'_> {
    /// Number of elements along this dimension.
    #[must_use]
    pub fn len(&self) -> u64 {
        match self {
            Self::Strided { count, .. } => *count,
            Self::Listed { local, .. } => u64::try_from(local.len()).unwrap_or(u64::MAX),
        }
    }

    /// True if no element is selected.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `k`-th element as (chunk-local coordinate, packed position).
    #[must_use]
    pub fn get(&self, k: u64) -> Option<(u64, u64)> {
        match *self {
            Self::Strided { start, step, count, out_start } => (k < count)
                .then(|| {
                    Some((start.checked_add(k.checked_mul(step)?)?, out_start.checked_add(k)?))
                })
                .flatten(),
            Self::Listed { local, out } => {
                let k = usize::try_from(k).ok()?;
                local.get(k).copied().zip(out.get(k).copied())
            }
        }
    }
}

/// One touched chunk: its grid indices and its part of the selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkSelection<'a> {
    /// Grid indices of the chunk.
    pub indices: Vec<u64>,
    /// The chunk's selected elements along each dimension (outer product).
    pub parts: Vec<DimPart<'a>>,
}

impl ChunkSelection<'_> {
    /// Number of selected elements in this chunk.
    #[must_use]
    pub fn element_count(&self) -> u128 {
        self.parts.iter().fold(1, |acc: u128, part| acc.saturating_mul(u128::from(part.len())))
    }
}

/// The chunk fan-out of a selection over a [`ChunkGrid`], made by
/// [`ChunkGrid::plan`]. Iterate [`Self::chunks`] and move bytes with
/// [`Self::gather`] / [`Self::scatter`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectionPlan {
    pub(crate) chunk_dims: Vec<u64>,
    pub(crate) shape: Vec<u64>,
    dims: Vec<DimPlan>,
}

/// Per-dimension fan-out.
#[derive(Debug, Clone, PartialEq, Eq)]
enum DimPlan {
    /// A slice, resolved arithmetically chunk by chunk.
    Slice { start: u64, step: u64, count: u64, chunk: u64 },
    /// Coordinates grouped by chunk, ascending chunk index.
    Coords(Vec<CoordGroup>),
}

/// The coordinates of a list that fall in one chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CoordGroup {
    chunk_index: u64,
    local: Vec<u64>,
    out: Vec<u64>,
}

impl SelectionPlan {
    pub(crate) fn new(grid: &ChunkGrid, selection: &[DimSelection]) -> Result<Self, GridError> {
        let whole: Vec<DimSelection>;
        let selection = if selection.is_empty() {
            whole = grid.dims().iter().map(|&extent| DimSelection::all(extent)).collect();
            &whole
        } else {
            selection
        };
        check_rank("selection", grid.rank(), selection.len())?;
        let dims = grid
            .dims()
            .iter()
            .zip(grid.chunk_dims())
            .zip(selection)
            .enumerate()
            .map(|(dim, ((&extent, &chunk), sel))| DimPlan::new(dim, extent, chunk, sel))
            .collect::<Result<Vec<_>, _>>()?;
        let shape = selection.iter().map(DimSelection::count).collect();
        Ok(Self { chunk_dims: grid.chunk_dims().to_vec(), shape, dims })
    }

    /// Shape of the packed request buffer (selected count per dimension).
    #[must_use]
    pub fn selection_shape(&self) -> &[u64] {
        &self.shape
    }

    /// Number of selected elements.
    #[must_use]
    pub fn element_count(&self) -> u128 {
        self.shape.iter().fold(1, |acc: u128, &n| acc.saturating_mul(u128::from(n)))
    }

    /// Number of chunks the selection touches (computed, not enumerated).
    #[must_use]
    pub fn chunk_count(&self) -> u128 {
        self.dims.iter().fold(1, |acc: u128, dim| acc.saturating_mul(u128::from(dim.touched())))
    }

    /// The touched chunks in C order of their grid indices, lazily.
    #[must_use]
    pub fn chunks(&self) -> ChunkIter<'_> {
        let done = self.dims.iter().any(|dim| dim.touched() == 0);
        ChunkIter { plan: self, counters: vec![0; self.dims.len()], done }
    }
}

impl DimPlan {
    fn new(
        dim: usize,
        extent: u64,
        chunk: u64,
        selection: &DimSelection,
    ) -> Result<Self, GridError> {
        let invalid = |reason| GridError::InvalidSelection { dim, reason };
        match *selection {
            DimSelection::Slice { start, stop, step } => {
                if step == 0 {
                    return Err(invalid("step must be at least 1"));
                }
                if start > stop || stop > extent {
                    return Err(invalid("slices need start <= stop <= extent"));
                }
                Ok(Self::Slice { start, step, count: selection.count(), chunk })
            }
            DimSelection::Coords(ref coords) => {
                if let Some(&coord) = coords.iter().find(|&&coord| coord >= extent) {
                    return Err(GridError::PointOutOfRange { dim, coord, extent });
                }
                Ok(Self::Coords(group_by_chunk(coords, chunk)))
            }
        }
    }

    /// Number of chunks touched along this dimension.
    fn touched(&self) -> u64 {
        match self {
            Self::Slice { start, step, count, chunk } => {
                let Some(last) =
                    count.checked_sub(1).and_then(|n| n.checked_mul(*step)).map(|d| start + d)
                else {
                    return 0;
                };
                match (start.checked_div(*chunk), last.checked_div(*chunk)) {
                    (Some(first_chunk), Some(last_chunk)) if step <= chunk => {
                        last_chunk - first_chunk + 1
                    }
                    (Some(_), Some(_)) => *count,
                    _ => 0,
                }
            }
            Self::Coords(groups) => u64::try_from(groups.len()).unwrap_or(u64::MAX),
        }
    }

    /// The `j`-th touched chunk along this dimension and its part.
    fn part(&self, j: u64) -> Option<(u64, DimPart<'_>)> {
        match *self {
            Self::Slice { start, step, count, chunk } if step <= chunk => {
                slice_part_dense(start, step, count, chunk, j)
            }
            Self::Slice { start, step, chunk, .. } => {
                // Steps longer than a chunk: one element per touched chunk.
                let coord = start.checked_add(j.checked_mul(step)?)?;
                let part = DimPart::Strided {
                    start: coord.checked_rem(chunk)?,
                    step: 1,
                    count: 1,
                    out_start: j,
                };
                Some((coord.checked_div(chunk)?, part))
            }
            Self::Coords(ref groups) => {
                let group = groups.get(usize::try_from(j).ok()?)?;
                Some((group.chunk_index, DimPart::Listed { local: &group.local, out: &group.out }))
            }
        }
    }
}

/// Part of a slice with `step <= chunk` in the `j`-th chunk from its first:
/// every chunk between the first and last selected coordinate is touched.
fn slice_part_dense(
    start: u64,
    step: u64,
    count: u64,
    chunk: u64,
    j: u64,
) -> Option<(u64, DimPart<'static>)> {
    let (start, step, count, chunk_len) =
        (u128::from(start), u128::from(step), u128::from(count), u128::from(chunk));
    let chunk_index = start.checked_div(chunk_len)? + u128::from(j);
    let chunk_start = chunk_index * chunk_len;
    let first_k = chunk_start.saturating_sub(start).div_ceil(step);
    let end_k = (chunk_start + chunk_len - start).div_ceil(step).min(count);
    let part = DimPart::Strided {
        start: u64::try_from(start + first_k * step - chunk_start).ok()?,
        step: u64::try_from(step).ok()?,
        count: u64::try_from(end_k.checked_sub(first_k)?).ok()?,
        out_start: u64::try_from(first_k).ok()?,
    };
    Some((u64::try_from(chunk_index).ok()?, part))
}

/// Groups `coords` by chunk, keeping list order inside each chunk.
fn group_by_chunk(coords: &[u64], chunk: u64) -> Vec<CoordGroup> {
    let mut tagged: Vec<(u64, u64, u64)> = (0_u64..)
        .zip(coords)
        .filter_map(|(out, &coord)| Some((coord.checked_div(chunk)?, coord % chunk.max(1), out)))
        .collect();
    tagged.sort_by_key(|&(chunk_index, _, out)| (chunk_index, out));
    let mut groups: Vec<CoordGroup> = Vec::new();
    for (chunk_index, local, out) in tagged {
        match groups.last_mut() {
            Some(group) if group.chunk_index == chunk_index => {
                group.local.push(local);
                group.out.push(out);
            }
            _ => groups.push(CoordGroup { chunk_index, local: vec![local], out: vec![out] }),
        }
    }
    groups
}

/// Iterator over the chunks of a [`SelectionPlan`], made by
/// [`SelectionPlan::chunks`].
#[derive(Debug, Clone)]
pub struct ChunkIter<'a> {
    plan: &'a SelectionPlan,
    counters: Vec<u64>,
    done: bool,
}

impl<'a> Iterator for ChunkIter<'a> {
    type Item = ChunkSelection<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let (indices, parts) = self
            .plan
            .dims
            .iter()
            .zip(&self.counters)
            .map(|(dim, &j)| dim.part(j))
            .collect::<Option<(Vec<u64>, Vec<DimPart<'a>>)>>()?;
        self.advance();
        Some(ChunkSelection { indices, parts })
    }
}

impl ChunkIter<'_> {
    /// Odometer step, last dimension fastest.
    fn advance(&mut self) {
        for (counter, dim) in self.counters.iter_mut().zip(&self.plan.dims).rev() {
            *counter += 1;
            if *counter < dim.touched() {
                return;
            }
            *counter = 0;
        }
        self.done = true;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::similar_names)]
mod tests {
    use super::*;

    fn slice(start: u64, stop: u64, step: u64) -> DimSelection {
        DimSelection::Slice { start, stop, step }
    }

    #[test]
    fn steps_skip_whole_chunks() {
        let grid = ChunkGrid::new(&[100], &[10]).unwrap();
        let plan = grid.plan(&[slice(3, 100, 25)]).unwrap();
        let chunks: Vec<_> = plan.chunks().map(|c| (c.indices[0], c.parts[0])).collect();
        let one = |start, out_start| DimPart::Strided { start, step: 1, count: 1, out_start };
        assert_eq!(chunks, [(0, one(3, 0)), (2, one(8, 1)), (5, one(3, 2)), (7, one(8, 3))]);
        assert_eq!(plan.chunk_count(), 4);
    }

    #[test]
    fn dense_slices_and_edges() {
        let grid = ChunkGrid::new(&[10], &[4]).unwrap();
        let plan = grid.plan(&[slice(1, 10, 3)]).unwrap();
        // Coordinates 1, 4, 7: the edge chunk 2 (8..10) is not touched.
        let parts: Vec<_> = plan.chunks().map(|c| (c.indices[0], c.parts[0])).collect();
        assert_eq!(
            parts,
            [
                (0, DimPart::Strided { start: 1, step: 3, count: 1, out_start: 0 }),
                (1, DimPart::Strided { start: 0, step: 3, count: 2, out_start: 1 }),
            ]
        );
        let edge = grid.plan(&[slice(7, 10, 1)]).unwrap();
        let parts: Vec<_> = edge.chunks().map(|c| (c.indices[0], c.parts[0])).collect();
        assert_eq!(
            parts,
            [
                (1, DimPart::Strided { start: 3, step: 1, count: 1, out_start: 0 }),
                (2, DimPart::Strided { start: 0, step: 1, count: 2, out_start: 1 }),
            ]
        );
    }

    #[test]
    fn coords_grouped_in_list_order() {
        let grid = ChunkGrid::new(&[20], &[5]).unwrap();
        let plan = grid.plan(&[DimSelection::Coords(vec![17, 2, 15, 2, 0])]).unwrap();
        let chunks: Vec<_> = plan.chunks().collect();
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[0].parts[0], DimPart::Listed { local: &[2, 2, 0], out: &[1, 3, 4] });
        assert_eq!(chunks[1].parts[0], DimPart::Listed { local: &[2, 0], out: &[0, 2] });
    }

    #[test]
    fn huge_dimensions_are_planned_lazily() {
        let grid = ChunkGrid::new(&[1 << 62, 7], &[1 << 20, 3]).unwrap();
        let plan =
            grid.plan(&[DimSelection::all(1 << 62), DimSelection::Coords(vec![6, 0, 6])]).unwrap();
        assert_eq!(plan.chunk_count(), (1 << 42) * 2);
        assert_eq!(plan.element_count(), (1 << 62) * 3);
        let first: Vec<_> = plan.chunks().take(3).map(|c| c.indices).collect();
        assert_eq!(first, [vec![0, 0], vec![0, 2], vec![1, 0]]);
        let sparse = grid.plan(&[slice(5, 1 << 62, 1 << 40), DimSelection::index(4)]).unwrap();
        assert_eq!(sparse.chunk_count(), 1 << 22);
        let last = sparse.chunks().nth((1 << 22) - 1).unwrap();
        assert_eq!(last.indices, [((1_u64 << 62) - (1 << 40) + 5) >> 20, 1]);
        let end =
            grid.plan(&[slice((1 << 62) - 1, 1 << 62, u64::MAX), DimSelection::index(6)]).unwrap();
        assert_eq!(end.chunks().next().unwrap().indices, [(1 << 42) - 1, 2]);
    }

    #[test]
    fn invalid_selections() {
        let grid = ChunkGrid::new(&[10, 10], &[3, 3]).unwrap();
        let all = DimSelection::all(10);
        let err = |sel: DimSelection| grid.plan(&[all.clone(), sel]).unwrap_err();
        assert!(matches!(err(slice(0, 5, 0)), GridError::InvalidSelection { dim: 1, .. }));
        assert!(matches!(err(slice(6, 5, 1)), GridError::InvalidSelection { .. }));
        assert!(matches!(err(slice(0, 11, 1)), GridError::InvalidSelection { .. }));
        assert!(matches!(
            err(DimSelection::Coords(vec![3, 10])),
            GridError::PointOutOfRange { coord: 10, .. }
        ));
        assert!(matches!(grid.plan(&[all]), Err(GridError::RankMismatch { .. })));
        let empty = grid.plan(&[DimSelection::all(10), slice(4, 4, 1)]).unwrap();
        assert_eq!((empty.chunk_count(), empty.chunks().count(), empty.element_count()), (0, 0, 0));
        assert_eq!(
            grid.plan(&[DimSelection::Coords(vec![]), DimSelection::all(10)])
                .unwrap()
                .chunks()
                .count(),
            0
        );
    }
}
