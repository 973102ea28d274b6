//! The regular chunk grid of a dataset: grid shape, chunk origins and
//! regions, point → chunk lookup, and chunk ids bound to the grid.
//!
//! Chunks are always stored at the full chunk shape, edge chunks included
//! (HSDS allocates `np.zeros(chunk_dims)`), so a chunk buffer always holds
//! `prod(chunk_dims)` items in C order.
//!
//! **Scalars.** HSDS stores a scalar dataset as shape `[1]` with chunk shape
//! `[1]` (`getShapeDims`, `guessChunk`), i.e. one chunk `c-…_0`. A grid built
//! with rank 0 is that grid: [`ChunkGrid::new`]`(&[], &[])` has dims `[1]`
//! and chunk dims `[1]`, and an empty selection selects the whole dataspace.

use std::ops::Range;

use thiserror::Error;

use super::chunk_id::{format_chunk_id, parse_chunk_id};
use super::selection::{DimSelection, SelectionPlan};
use crate::storage::keys::KeyError;

/// Why a grid, index, selection or buffer was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum GridError {
    /// A list has the wrong number of dimensions.
    #[error("{what} has rank {found}, the grid has rank {expected}")]
    RankMismatch {
        /// Which list is wrong.
        what: &'static str,
        /// The grid rank.
        expected: usize,
        /// The list's rank.
        found: usize,
    },
    /// A chunk extent of 0 in a dimension that is not itself empty.
    #[error("chunk extent 0 in dimension {dim} of extent {extent}")]
    ZeroChunkExtent {
        /// The dimension.
        dim: usize,
        /// Its dataset extent.
        extent: u64,
    },
    /// A chunk index outside the grid.
    #[error("chunk index {index} out of range in dimension {dim} ({count} chunks)")]
    ChunkOutOfRange {
        /// The dimension.
        dim: usize,
        /// The index given.
        index: u64,
        /// Number of chunks along the dimension.
        count: u64,
    },
    /// A coordinate outside the dataset.
    #[error("coordinate {coord} out of range in dimension {dim} of extent {extent}")]
    PointOutOfRange {
        /// The dimension.
        dim: usize,
        /// The coordinate given.
        coord: u64,
        /// The dimension's extent.
        extent: u64,
    },
    /// A slice that HSDS would refuse.
    #[error("invalid selection in dimension {dim}: {reason}")]
    InvalidSelection {
        /// The dimension.
        dim: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A buffer of the wrong length.
    #[error("{what} buffer has {found} bytes, expected {expected}")]
    BufferSize {
        /// Which buffer.
        what: &'static str,
        /// The required length.
        expected: usize,
        /// The given length.
        found: usize,
    },
    /// An item size of 0.
    #[error("item size must be positive")]
    ZeroItemSize,
    /// A size or offset that does not fit in memory.
    #[error("size does not fit in memory")]
    TooLarge,
    /// A chunk selection that was not produced by this plan.
    #[error("chunk selection does not belong to this plan")]
    ForeignChunk,
    /// A malformed or foreign id.
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// A dataset's shape cut into equal chunks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkGrid {
    dims: Vec<u64>,
    chunk_dims: Vec<u64>,
}

impl ChunkGrid {
    /// A grid over `dims` with chunks of `chunk_dims`. Rank 0 gives the HSDS
    /// scalar grid (`[1]`, `[1]`). A chunk extent may be 0 only where the
    /// dataset extent is 0 (HSDS's layout for an empty fixed dimension).
    ///
    /// # Errors
    /// [`GridError::RankMismatch`] or [`GridError::ZeroChunkExtent`].
    pub fn new(dims: &[u64], chunk_dims: &[u64]) -> Result<Self, GridError> {
        check_rank("chunk dims", dims.len(), chunk_dims.len())?;
        if dims.is_empty() {
            return Ok(Self { dims: vec![1], chunk_dims: vec![1] });
        }
        if let Some(dim) =
            chunk_dims.iter().zip(dims).position(|(&chunk, &extent)| chunk == 0 && extent != 0)
        {
            return Err(GridError::ZeroChunkExtent {
                dim,
                extent: dims.get(dim).copied().unwrap_or(0),
            });
        }
        Ok(Self { dims: dims.to_vec(), chunk_dims: chunk_dims.to_vec() })
    }

    /// The dataset extents.
    #[must_use]
    pub fn dims(&self) -> &[u64] {
        &self.dims
    }

    /// The chunk extents.
    #[must_use]
    pub fn chunk_dims(&self) -> &[u64] {
        &self.chunk_dims
    }

    /// Number of dimensions (1 for a scalar).
    #[must_use]
    pub fn rank(&self) -> usize {
        self.dims.len()
    }

    /// Chunks along each dimension: `ceil(dims / chunk_dims)`.
    #[must_use]
    pub fn grid_shape(&self) -> Vec<u64> {
        self.dims
            .iter()
            .zip(&self.chunk_dims)
            .map(|(&extent, &chunk)| chunks_along(extent, chunk))
            .collect()
    }

    /// Total number of chunks in the grid.
    #[must_use]
    pub fn chunk_count(&self) -> u128 {
        self.grid_shape().iter().fold(1, |acc: u128, &n| acc.saturating_mul(u128::from(n)))
    }

    /// Byte length of one full chunk buffer.
    ///
    /// # Errors
    /// [`GridError::ZeroItemSize`], or [`GridError::TooLarge`] if it does not
    /// fit in `usize`.
    pub fn chunk_byte_len(&self, item_size: usize) -> Result<usize, GridError> {
        byte_len(&self.chunk_dims, item_size)
    }

    /// Dataset coordinates of the chunk's first element.
    ///
    /// # Errors
    /// [`GridError::RankMismatch`] or [`GridError::ChunkOutOfRange`].
    pub fn chunk_origin(&self, indices: &[u64]) -> Result<Vec<u64>, GridError> {
        Ok(self.chunk_region(indices)?.into_iter().map(|range| range.start).collect())
    }

    /// The part of the dataset the chunk covers, per dimension (edge chunks
    /// are cut at the dataset extent; the stored chunk is still full size).
    ///
    /// # Errors
    /// [`GridError::RankMismatch`] or [`GridError::ChunkOutOfRange`].
    pub fn chunk_region(&self, indices: &[u64]) -> Result<Vec<Range<u64>>, GridError> {
        check_rank("chunk indices", self.rank(), indices.len())?;
        let grid_shape = self.grid_shape();
        let dims = self.dims.iter().zip(&self.chunk_dims).zip(&grid_shape);
        dims.zip(indices)
            .enumerate()
            .map(|(dim, (((&extent, &chunk), &count), &index))| {
                if index >= count {
                    return Err(GridError::ChunkOutOfRange { dim, index, count });
                }
                let start = index.checked_mul(chunk).ok_or(GridError::TooLarge)?;
                Ok(start..start.saturating_add(chunk).min(extent))
            })
            .collect()
    }

    /// Grid indices of the chunk holding the dataset point `point`.
    ///
    /// # Errors
    /// [`GridError::RankMismatch`] or [`GridError::PointOutOfRange`].
    pub fn chunk_indices_of(&self, point: &[u64]) -> Result<Vec<u64>, GridError> {
        check_rank("point", self.rank(), point.len())?;
        let dims = self.dims.iter().zip(&self.chunk_dims);
        dims.zip(point)
            .enumerate()
            .map(|(dim, ((&extent, &chunk), &coord))| {
                if coord >= extent {
                    return Err(GridError::PointOutOfRange { dim, coord, extent });
                }
                coord.checked_div(chunk).ok_or(GridError::ZeroChunkExtent { dim, extent })
            })
            .collect()
    }

    /// The (unpartitioned) chunk id of `dataset_id` at `indices`.
    ///
    /// # Errors
    /// As [`Self::chunk_region`], or [`GridError::Key`] for a bad dataset id.
    pub fn chunk_id(&self, dataset_id: &str, indices: &[u64]) -> Result<String, GridError> {
        self.chunk_region(indices)?;
        Ok(format_chunk_id(dataset_id, indices)?)
    }

    /// Dataset id and grid indices of a chunk id (partitioned or not),
    /// checked against this grid.
    ///
    /// # Errors
    /// [`GridError::Key`] for a malformed id, else as [`Self::chunk_region`].
    pub fn parse_chunk_id(&self, chunk_id: &str) -> Result<(String, Vec<u64>), GridError> {
        let parts = parse_chunk_id(chunk_id)?;
        self.chunk_region(&parts.indices)?;
        Ok((parts.dataset_id, parts.indices))
    }

    /// Plans the chunk fan-out of a per-dimension selection; see
    /// [`SelectionPlan`]. An empty `selection` selects everything, as an
    /// absent `select` does in HSDS.
    ///
    /// # Errors
    /// [`GridError::RankMismatch`], [`GridError::InvalidSelection`] or
    /// [`GridError::PointOutOfRange`].
    pub fn plan(&self, selection: &[DimSelection]) -> Result<SelectionPlan, GridError> {
        SelectionPlan::new(self, selection)
    }
}

/// `ceil(extent / chunk)`, 0 for an empty dimension.
pub(crate) fn chunks_along(extent: u64, chunk: u64) -> u64 {
    if chunk == 0 {
        0
    } else {
        extent.div_ceil(chunk)
    }
}

pub(crate) fn check_rank(
    what: &'static str,
    expected: usize,
    found: usize,
) -> Result<(), GridError> {
    if expected == found {
        Ok(())
    } else {
        Err(GridError::RankMismatch { what, expected, found })
    }
}

/// `prod(shape) * item_size` as a `usize`.
pub(crate) fn byte_len(shape: &[u64], item_size: usize) -> Result<usize, GridError> {
    if item_size == 0 {
        return Err(GridError::ZeroItemSize);
    }
    shape.iter().try_fold(item_size, |acc, &extent| {
        usize::try_from(extent)
            .ok()
            .and_then(|extent| acc.checked_mul(extent))
            .ok_or(GridError::TooLarge)
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const DATASET: &str = "d-b03b24ef-69f244b6-acd9-4df97b-37122a";

    #[test]
    fn shape_origin_region() {
        let grid = ChunkGrid::new(&[10, 7], &[4, 7]).unwrap();
        assert_eq!(grid.grid_shape(), [3, 1]);
        assert_eq!(grid.chunk_count(), 3);
        assert_eq!(grid.chunk_origin(&[2, 0]).unwrap(), [8, 0]);
        assert_eq!(grid.chunk_region(&[2, 0]).unwrap(), [8..10, 0..7]);
        assert_eq!(grid.chunk_indices_of(&[9, 6]).unwrap(), [2, 0]);
        assert_eq!(grid.chunk_byte_len(8).unwrap(), 224);
        assert!(matches!(
            grid.chunk_origin(&[3, 0]),
            Err(GridError::ChunkOutOfRange { dim: 0, .. })
        ));
        assert!(matches!(grid.chunk_origin(&[0]), Err(GridError::RankMismatch { .. })));
        assert!(matches!(grid.chunk_indices_of(&[10, 0]), Err(GridError::PointOutOfRange { .. })));
    }

    #[test]
    fn chunk_ids() {
        let grid = ChunkGrid::new(&[10, 7], &[4, 7]).unwrap();
        let id = grid.chunk_id(DATASET, &[2, 0]).unwrap();
        assert_eq!(id, "c-b03b24ef-69f244b6-acd9-4df97b-37122a_2_0");
        assert_eq!(grid.parse_chunk_id(&id).unwrap(), (DATASET.to_owned(), vec![2, 0]));
        assert_eq!(
            grid.parse_chunk_id("c3-b03b24ef-69f244b6-acd9-4df97b-37122a_1_0").unwrap().1,
            [1, 0]
        );
        assert!(grid.parse_chunk_id("c-b03b24ef-69f244b6-acd9-4df97b-37122a_3_0").is_err());
        assert!(grid.parse_chunk_id("c-b03b24ef-69f244b6-acd9-4df97b-37122a_0").is_err());
        assert!(grid.chunk_id("g-b03b24ef-69f244b6-acd9-4df97b-37122a", &[0, 0]).is_err());
    }

    #[test]
    fn scalar_grid_is_hsds_shape_one() {
        let grid = ChunkGrid::new(&[], &[]).unwrap();
        assert_eq!((grid.dims(), grid.chunk_dims()), (&[1][..], &[1][..]));
        assert_eq!(
            grid.chunk_id(DATASET, &[0]).unwrap(),
            "c-b03b24ef-69f244b6-acd9-4df97b-37122a_0"
        );
        let plan = grid.plan(&[]).unwrap();
        assert_eq!(plan.element_count(), 1);
        assert_eq!(plan.chunks().map(|chunk| chunk.indices).collect::<Vec<_>>(), [vec![0]]);
    }

    #[test]
    fn empty_and_invalid_grids() {
        let grid = ChunkGrid::new(&[0, 5], &[0, 5]).unwrap();
        assert_eq!(grid.grid_shape(), [0, 1]);
        assert_eq!(grid.chunk_count(), 0);
        assert_eq!(grid.plan(&[]).unwrap().chunks().count(), 0);
        assert!(matches!(ChunkGrid::new(&[3], &[0]), Err(GridError::ZeroChunkExtent { .. })));
        assert!(matches!(ChunkGrid::new(&[3], &[1, 1]), Err(GridError::RankMismatch { .. })));
        assert_eq!(grid.chunk_byte_len(0), Err(GridError::ZeroItemSize));
        let huge = ChunkGrid::new(&[u64::MAX, u64::MAX], &[1, 1]).unwrap();
        assert_eq!(huge.chunk_byte_len(1).unwrap(), 1);
        assert!(ChunkGrid::new(&[u64::MAX], &[u64::MAX]).unwrap().chunk_byte_len(2).is_err());
    }
}
