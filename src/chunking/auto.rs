//! HSDS auto-chunking for `H5D_CHUNKED` datasets (`chunkUtil.guessChunk`,
//! `expandChunk`, `shrinkChunk`, combined as in `dset_sn.POST_Dataset`),
//! reproduced step for step so that restvol picks the same chunk shape HSDS
//! would.
//!
//! A rank-0 `dims` is a scalar dataspace (HSDS turns a `[]` shape into
//! `H5S_SCALAR`); its chunk shape is `[1]`. In `maxdims`, 0 means unlimited.

use thiserror::Error;

/// Item size HSDS assumes for variable-length types.
pub const VLEN_ITEM_SIZE: u64 = 128;
/// Default `min_chunk_size` (1 MiB).
pub const DEFAULT_MIN_CHUNK_SIZE: u64 = 1024 * 1024;
/// Default `max_chunk_size` (4 MiB).
pub const DEFAULT_MAX_CHUNK_SIZE: u64 = 4 * 1024 * 1024;
/// Extent HSDS guesses for an unlimited dimension.
const UNLIMITED_GUESS: u64 = 1024;

/// Size in bytes of one dataset element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemSize {
    /// A fixed-size type of this many bytes.
    Fixed(u64),
    /// A variable-length type (vlen sequence or string).
    Variable,
}

impl ItemSize {
    /// The size used in chunk-size arithmetic: 128 bytes for vlen types.
    #[must_use]
    pub fn bytes(self) -> u64 {
        match self {
            Self::Fixed(size) => size,
            Self::Variable => VLEN_ITEM_SIZE,
        }
    }
}

/// The configured chunk-size bounds in bytes (`min_chunk_size`,
/// `max_chunk_size`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkSizeLimits {
    /// Chunks smaller than this are expanded.
    pub min: u64,
    /// Chunks larger than this are shrunk.
    pub max: u64,
}

impl Default for ChunkSizeLimits {
    fn default() -> Self {
        Self { min: DEFAULT_MIN_CHUNK_SIZE, max: DEFAULT_MAX_CHUNK_SIZE }
    }
}

/// Why a layout could not be computed; HSDS answers these with 400.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum LayoutError {
    /// A list has the wrong number of dimensions.
    #[error("{what} has rank {found}, the dataset has rank {expected}")]
    RankMismatch {
        /// Which list is wrong.
        what: &'static str,
        /// The dataset rank.
        expected: usize,
        /// The list's rank.
        found: usize,
    },
    /// A chunk extent of 0 (HSDS: "Invalid chunk layout").
    #[error("chunk dimensions must be positive")]
    ZeroChunkExtent,
    /// A fixed item size of 0.
    #[error("item size must be positive")]
    ZeroItemSize,
    /// A requested chunk extent larger than the dimension can ever be.
    #[error("chunk extent {chunk} of dimension {dim} exceeds its limit {limit}")]
    ChunkExceedsExtent {
        /// The dimension.
        dim: usize,
        /// The requested chunk extent.
        chunk: u64,
        /// The dimension's extent, or its finite maxdim.
        limit: u64,
    },
    /// A finite maxdim smaller than the current extent.
    #[error("maxdims[{dim}] is smaller than the extent")]
    MaxdimsBelowDims {
        /// The dimension.
        dim: usize,
    },
    /// Reference layouts cannot hold variable-length types.
    #[error("variable-length types cannot use a contiguous reference layout")]
    VariableLengthType,
    /// `max` below `min`.
    #[error("max chunk size is below min chunk size")]
    LimitsInverted,
    /// An offset or size does not fit in 64 bits.
    #[error("arithmetic overflow")]
    Overflow,
}

/// HSDS `guessChunk`: the whole shape, taken from `maxdims` when given, with
/// unlimited dimensions guessed as 1024; `[1]` for a scalar. (HSDS passes the
/// item size too but does not use it.)
#[must_use]
pub fn guess_chunk(dims: &[u64], maxdims: Option<&[u64]>) -> Vec<u64> {
    if dims.is_empty() {
        return vec![1];
    }
    let shape = maxdims.unwrap_or(dims);
    shape.iter().map(|&extent| if extent == 0 { UNLIMITED_GUESS } else { extent }).collect()
}

/// HSDS `expandChunk`: grows `layout` until it exceeds `chunk_min` bytes.
/// A non-extensible dataset that fits in `chunk_min` becomes one chunk.
/// Otherwise, from the last dimension to the first, extensible dimensions are
/// doubled first (capped at their maxdim), then fixed ones (capped at the
/// extent), stopping as soon as the size exceeds `chunk_min`.
///
/// # Errors
/// [`LayoutError::RankMismatch`], [`LayoutError::ZeroChunkExtent`],
/// [`LayoutError::ZeroItemSize`].
pub fn expand_chunk(
    layout: &[u64],
    item_size: ItemSize,
    dims: &[u64],
    maxdims: Option<&[u64]>,
    chunk_min: u64,
) -> Result<Vec<u64>, LayoutError> {
    if dims.is_empty() {
        return Ok(vec![1]);
    }
    let item = checked_item_size(item_size)?;
    check_rank("chunk dims", dims.len(), layout.len())?;
    if let Some(maxdims) = maxdims {
        check_rank("maxdims", dims.len(), maxdims.len())?;
    }
    if layout.contains(&0) {
        return Err(LayoutError::ZeroChunkExtent);
    }
    let mut extendable = count_extendable_dims(dims, maxdims);
    if dataset_size(dims, item) <= u128::from(chunk_min) && extendable == 0 {
        return Ok(dims.to_vec());
    }
    let mut layout = layout.to_vec();
    let mut size = chunk_size(&layout, item);
    while size < u128::from(chunk_min) {
        let mut grew = false;
        for dim in (0..layout.len()).rev() {
            let limit = if extendable == 0 {
                DoublingLimit::Extent(at(dims, dim))
            } else {
                match maxdims.map(|m| at(m, dim)) {
                    Some(0) => DoublingLimit::Unlimited,
                    Some(maxdim) => DoublingLimit::Maxdim { maxdim, extent: at(dims, dim) },
                    None => DoublingLimit::Frozen,
                }
            };
            let Some(slot) = layout.get_mut(dim) else { continue };
            if !double_within(slot, limit, &mut extendable) {
                continue;
            }
            grew = true;
            size = chunk_size(&layout, item);
            if size > u128::from(chunk_min) {
                break;
            }
        }
        if !grew || size > u128::from(chunk_min) {
            break;
        }
    }
    Ok(layout)
}

/// How far one dimension of the layout may be doubled in this step.
#[derive(Debug, Clone, Copy)]
enum DoublingLimit {
    /// Unlimited dimension: double freely.
    Unlimited,
    /// Extensible dimension below its maxdim: double, and jump to the maxdim
    /// once the current extent is reached (HSDS's quirk, kept).
    Maxdim { maxdim: u64, extent: u64 },
    /// No extensible dimension left: double up to the extent.
    Extent(u64),
    /// Not to be touched in this phase.
    Frozen,
}

/// Doubles `*slot` as `limit` allows; returns whether it changed.
/// `extendable` is HSDS's running count of extendable dimensions: it drops
/// whenever a maxdim is reached, even for a dimension whose maxdim equals its
/// extent and was never counted (a quirk kept for identical results).
fn double_within(slot: &mut u64, limit: DoublingLimit, extendable: &mut usize) -> bool {
    match limit {
        DoublingLimit::Unlimited => *slot = slot.saturating_mul(2),
        DoublingLimit::Maxdim { maxdim, extent } if maxdim > *slot => {
            *slot = slot.saturating_mul(2);
            if *slot >= extent {
                *slot = maxdim;
                *extendable = extendable.saturating_sub(1);
            }
        }
        DoublingLimit::Extent(extent) if extent > *slot => {
            *slot = slot.saturating_mul(2).min(extent);
        }
        _ => return false,
    }
    true
}

/// HSDS `shrinkChunk`: halves (rounding up) dimension 0, 1, … in turn until
/// the chunk is at most `chunk_max` bytes.
///
/// # Errors
/// [`LayoutError::ZeroChunkExtent`], [`LayoutError::ZeroItemSize`].
pub fn shrink_chunk(
    layout: &[u64],
    item_size: ItemSize,
    chunk_max: u64,
) -> Result<Vec<u64>, LayoutError> {
    let item = checked_item_size(item_size)?;
    if layout.contains(&0) {
        return Err(LayoutError::ZeroChunkExtent);
    }
    let mut layout = layout.to_vec();
    let mut size = chunk_size(&layout, item);
    while size > u128::from(chunk_max) {
        let mut shrunk = false;
        for dim in 0..layout.len() {
            let Some(slot) = layout.get_mut(dim).filter(|slot| **slot > 1) else { continue };
            *slot = slot.div_ceil(2);
            shrunk = true;
            size = chunk_size(&layout, item);
            if size <= u128::from(chunk_max) {
                break;
            }
        }
        if !shrunk {
            break;
        }
    }
    Ok(layout)
}

/// The chunk shape HSDS stores for a new `H5D_CHUNKED` dataset: the client's
/// `layout.dims` (validated as `dset_sn.validateChunkLayout` does) or
/// [`guess_chunk`], then [`expand_chunk`] if below `limits.min` or
/// [`shrink_chunk`] if above `limits.max`.
///
/// # Errors
/// Any [`LayoutError`] HSDS would answer with 400 (or fail on): rank
/// mismatches, zero extents or item size, maxdims below dims, requested chunk
/// extents above a fixed extent or finite maxdim.
pub fn auto_layout(
    dims: &[u64],
    maxdims: Option<&[u64]>,
    item_size: ItemSize,
    requested: Option<&[u64]>,
    limits: ChunkSizeLimits,
) -> Result<Vec<u64>, LayoutError> {
    let item = checked_item_size(item_size)?;
    if dims.is_empty() {
        return match requested {
            Some(chunk) if !chunk.is_empty() => Err(LayoutError::RankMismatch {
                what: "chunk dims",
                expected: 0,
                found: chunk.len(),
            }),
            _ => Ok(vec![1]),
        };
    }
    validate_maxdims(dims, maxdims)?;
    let chunk = match requested {
        Some(chunk) => validate_requested(chunk, dims, maxdims)?.to_vec(),
        None => guess_chunk(dims, maxdims),
    };
    let size = chunk_size(&chunk, item);
    if size < u128::from(limits.min) {
        expand_chunk(&chunk, item_size, dims, maxdims, limits.min)
    } else if size > u128::from(limits.max) {
        shrink_chunk(&chunk, item_size, limits.max)
    } else {
        Ok(chunk)
    }
}

fn validate_maxdims(dims: &[u64], maxdims: Option<&[u64]>) -> Result<(), LayoutError> {
    let Some(maxdims) = maxdims else { return Ok(()) };
    check_rank("maxdims", dims.len(), maxdims.len())?;
    match dims.iter().zip(maxdims).position(|(&extent, &maxdim)| maxdim != 0 && maxdim < extent) {
        Some(dim) => Err(LayoutError::MaxdimsBelowDims { dim }),
        None => Ok(()),
    }
}

fn validate_requested<'a>(
    chunk: &'a [u64],
    dims: &[u64],
    maxdims: Option<&[u64]>,
) -> Result<&'a [u64], LayoutError> {
    check_rank("chunk dims", dims.len(), chunk.len())?;
    for (dim, (&extent, &chunk_extent)) in dims.iter().zip(chunk).enumerate() {
        if chunk_extent == 0 {
            return Err(LayoutError::ZeroChunkExtent);
        }
        let limit = match maxdims.map(|m| at(m, dim)) {
            None => extent,
            Some(0) => continue,
            Some(maxdim) => maxdim,
        };
        if chunk_extent > limit {
            return Err(LayoutError::ChunkExceedsExtent { dim, chunk: chunk_extent, limit });
        }
    }
    Ok(chunk)
}

/// Number of dimensions HSDS counts as extendable: unlimited, or maxdim
/// above the extent.
fn count_extendable_dims(dims: &[u64], maxdims: Option<&[u64]>) -> usize {
    let Some(maxdims) = maxdims else { return 0 };
    dims.iter().zip(maxdims).filter(|&(&extent, &maxdim)| maxdim == 0 || maxdim > extent).count()
}

/// HSDS `get_dset_size`: bytes of the dataspace, zero extents counted as 1.
fn dataset_size(dims: &[u64], item: u64) -> u128 {
    dims.iter()
        .filter(|&&extent| extent != 0)
        .fold(u128::from(item), |acc, &extent| acc.saturating_mul(u128::from(extent)))
}

/// HSDS `getChunkSize`: bytes of one chunk (saturating; only compared).
pub(crate) fn chunk_size(layout: &[u64], item: u64) -> u128 {
    layout.iter().fold(u128::from(item), |acc, &extent| acc.saturating_mul(u128::from(extent)))
}

fn checked_item_size(item_size: ItemSize) -> Result<u64, LayoutError> {
    match item_size.bytes() {
        0 => Err(LayoutError::ZeroItemSize),
        bytes => Ok(bytes),
    }
}

pub(crate) fn check_rank(
    what: &'static str,
    expected: usize,
    found: usize,
) -> Result<(), LayoutError> {
    if expected == found {
        Ok(())
    } else {
        Err(LayoutError::RankMismatch { what, expected, found })
    }
}

/// `values[dim]` for an index already checked against the rank.
fn at(values: &[u64], dim: usize) -> u64 {
    values.get(dim).copied().unwrap_or(0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn auto(dims: &[u64], maxdims: Option<&[u64]>, item: u64) -> Vec<u64> {
        auto_layout(dims, maxdims, ItemSize::Fixed(item), None, ChunkSizeLimits::default()).unwrap()
    }

    #[test]
    fn reference_worked_table() {
        assert_eq!(auto(&[10], None, 4), [10]);
        assert_eq!(auto(&[10], Some(&[0]), 4), [262_144]);
        assert_eq!(auto(&[1000, 1000], None, 8), [500, 1000]);
        assert_eq!(auto(&[10000, 10000], None, 4), [625, 1250]);
        assert_eq!(auto(&[365, 720, 1440], None, 4), [46, 90, 180]);
        assert_eq!(auto(&[0, 100], Some(&[0, 100]), 8), [2048, 100]);
        assert_eq!(auto(&[5000, 5000], Some(&[0, 0]), 8), [512, 1024]);
        assert_eq!(auto(&[3_207_353], None, 43), [50115]);
    }

    /// (dims, maxdims, item size, requested chunk dims, HSDS result), computed
    /// by running HSDS's own `chunkUtil` functions the way `POST_Dataset` does.
    /// The first rows exercise the extendable-count quirk.
    #[allow(clippy::type_complexity)]
    const HSDS_CASES: &[(&[u64], Option<&[u64]>, u64, Option<&[u64]>, &[u64])] = &[
        (&[100, 10], Some(&[0, 10]), 8, Some(&[1, 1]), &[100, 10]),
        (&[10, 10], Some(&[20, 10]), 1, Some(&[1, 1]), &[10, 10]),
        (&[0, 100], Some(&[3, 100]), 8, Some(&[1, 1]), &[3, 100]),
        (&[1000, 1000], None, 8, Some(&[10, 10]), &[320, 640]),
        (&[10], Some(&[0]), 128, None, &[8192]),
        (&[100_000, 12345], Some(&[200_001, 0]), 2, None, &[12501, 128]),
        (&[3_000_000, 3], Some(&[3_000_000, 0]), 1, None, &[93750, 32]),
        (&[0, 3_000_000, 5000], None, 128, None, &[1, 2930, 10]),
        (&[12345, 3_000_000], None, 43, Some(&[64, 1]), &[1024, 32]),
        (&[10, 100_000], Some(&[0, 200_001]), 1, Some(&[50, 1]), &[6400, 256]),
        (&[5000, 5000, 1], Some(&[0, 10001, 1]), 4, Some(&[2, 1553, 1]), &[32, 10001, 1]),
        (&[1], Some(&[1]), 8, Some(&[1]), &[1]),
        (&[3], Some(&[7]), 128, None, &[7]),
        (&[3], Some(&[3]), 1, None, &[3]),
        (&[100, 5000], Some(&[0, 0]), 43, None, &[256, 256]),
        (&[3_000_000], Some(&[6_000_001]), 8, Some(&[1705]), &[218_240]),
        (&[0], Some(&[0]), 2, None, &[524_288]),
        (&[100, 5000], None, 43, Some(&[1, 2]), &[100, 256]),
        (&[100_000, 3_000_000], None, 4, Some(&[1, 1]), &[512, 512]),
        (&[12345, 10], Some(&[0, 10]), 4, None, &[32768, 10]),
        (&[1], Some(&[1]), 4, None, &[1]),
        (&[100_000, 3_000_000, 3], Some(&[0, 3_000_000, 3]), 128, Some(&[1, 1, 1]), &[64, 64, 3]),
        (&[3, 1], Some(&[7, 1]), 128, Some(&[3, 1]), &[7, 1]),
        (&[12345, 1, 5000], None, 1, None, &[3087, 1, 1250]),
        (&[0, 3_000_000, 5000], Some(&[0, 6_000_001, 0]), 1, Some(&[1, 1492, 50]), &[2, 2984, 200]),
        (
            &[3_000_000, 12345, 12345],
            Some(&[6_000_001, 0, 24691]),
            43,
            Some(&[1, 1, 1]),
            &[32, 32, 32],
        ),
        (&[12345, 100, 0], Some(&[0, 201, 1]), 2, None, &[4096, 201, 1]),
        (&[12345, 12345], None, 4, Some(&[26, 1647]), &[52, 6588]),
        (&[10], Some(&[21]), 4, Some(&[4]), &[21]),
        (&[12345], Some(&[0]), 8, Some(&[1377]), &[176_256]),
        (&[3_000_000, 12345], Some(&[0, 12345]), 43, Some(&[46, 3]), &[736, 48]),
        (&[3, 5000, 12345], Some(&[3, 0, 0]), 1, None, &[3, 1024, 1024]),
        (&[12345], Some(&[24691]), 128, None, &[24691]),
        (&[1, 10], Some(&[1, 10]), 2, None, &[1, 10]),
        (&[100_000, 0], Some(&[100_000, 0]), 43, None, &[1563, 32]),
        (&[100_000, 3_000_000, 3], Some(&[200_001, 0, 0]), 8, None, &[1563, 16, 16]),
    ];

    #[test]
    fn matches_hsds_on_generated_cases() {
        for &(dims, maxdims, item, requested, expected) in HSDS_CASES {
            let limits = ChunkSizeLimits::default();
            let got = auto_layout(dims, maxdims, ItemSize::Fixed(item), requested, limits).unwrap();
            assert_eq!(got, expected, "{dims:?} {maxdims:?} {item} {requested:?}");
        }
    }

    #[test]
    fn scalars_vlen_and_zero_extents() {
        let limits = ChunkSizeLimits::default();
        assert_eq!(auto_layout(&[], None, ItemSize::Fixed(4), None, limits).unwrap(), [1]);
        assert_eq!(auto_layout(&[], None, ItemSize::Variable, Some(&[]), limits).unwrap(), [1]);
        assert_eq!(
            auto_layout(&[10], Some(&[0]), ItemSize::Variable, None, limits).unwrap(),
            [8192]
        );
        // HSDS keeps a zero chunk extent for a fixed, empty dimension.
        assert_eq!(auto(&[0], None, 4), [0]);
        assert_eq!(auto(&[0, 5], Some(&[0, 5]), 4), [65536, 5]);
        assert_eq!(guess_chunk(&[0, 7], None), [1024, 7]);
        assert_eq!(guess_chunk(&[], None), [1]);
    }

    #[test]
    fn custom_limits() {
        let limits = ChunkSizeLimits { min: 100, max: 200 };
        assert_eq!(auto_layout(&[1000], None, ItemSize::Fixed(1), None, limits).unwrap(), [125]);
        assert_eq!(
            auto_layout(&[10], Some(&[0]), ItemSize::Fixed(1), None, limits).unwrap(),
            [128]
        );
        assert_eq!(shrink_chunk(&[1, 1], ItemSize::Fixed(1000), 10).unwrap(), [1, 1]);
        assert_eq!(expand_chunk(&[1], ItemSize::Fixed(1), &[3], None, 100).unwrap(), [3]);
    }

    #[test]
    fn errors() {
        let limits = ChunkSizeLimits::default();
        let fixed = ItemSize::Fixed(4);
        let err = |dims: &[u64], maxdims, requested| {
            auto_layout(dims, maxdims, fixed, requested, limits).unwrap_err()
        };
        assert!(matches!(err(&[10], Some(&[0, 0]), None), LayoutError::RankMismatch { .. }));
        assert!(matches!(err(&[10], None, Some(&[1, 1])), LayoutError::RankMismatch { .. }));
        assert!(matches!(err(&[], None, Some(&[1])), LayoutError::RankMismatch { .. }));
        assert!(matches!(err(&[10], Some(&[5]), None), LayoutError::MaxdimsBelowDims { dim: 0 }));
        assert!(matches!(err(&[10], None, Some(&[0])), LayoutError::ZeroChunkExtent));
        assert!(matches!(err(&[10], None, Some(&[11])), LayoutError::ChunkExceedsExtent { .. }));
        assert!(matches!(
            err(&[10], Some(&[20]), Some(&[21])),
            LayoutError::ChunkExceedsExtent { .. }
        ));
        assert_eq!(
            auto_layout(&[10], Some(&[0]), fixed, Some(&[1_000_000]), limits).unwrap(),
            [1_000_000]
        );
        assert_eq!(auto_layout(&[10], Some(&[20]), fixed, Some(&[20]), limits).unwrap(), [20]);
        let zero = ItemSize::Fixed(0);
        assert_eq!(auto_layout(&[10], None, zero, None, limits), Err(LayoutError::ZeroItemSize));
        assert_eq!(shrink_chunk(&[0], fixed, 1), Err(LayoutError::ZeroChunkExtent));
        assert!(expand_chunk(&[1, 1], fixed, &[4], None, 100).is_err());
    }
}
