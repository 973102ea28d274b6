//! The two partitionings HSDS applies to ids:
//!
//! * which data node (DN) serves an id: `int(md5(id)[:5], 16) % dn_count`
//!   (HSDS `idUtil.getObjPartition`). Chunk ids are hashed whole, with their
//!   `_i_j` suffix and any `c<N>` partition digits; domains are hashed as
//!   `<bucket>/<path>`; other objects by their id.
//! * which `p<N>/` folder holds a chunk when the dataset layout has a
//!   `partition_count` (HSDS `chunkUtil.getPartitionKey` and the
//!   `max_chunks_per_folder` logic of `dset_sn.POST_Dataset`).

use md5::{Digest, Md5};
use thiserror::Error;

use super::chunk_id::parse_chunk_id;
use crate::storage::keys::KeyError;

/// Total element count HSDS assumes for a dataset with unlimited dimensions.
const UNLIMITED_ELEMENT_GUESS: f64 = 1e6;

/// Why a partition could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PartitionError {
    /// `dn_count` was 0.
    #[error("there are no data nodes to choose from")]
    NoDataNodes,
    /// Shape, maxdims and chunk dims disagree on the rank.
    #[error(
        "rank mismatch between shape ({dims}), maxdims ({maxdims}) and chunk dims ({chunk_dims})"
    )]
    RankMismatch {
        /// Rank of the shape.
        dims: usize,
        /// Rank of maxdims (equal to `dims` when absent).
        maxdims: usize,
        /// Rank of the chunk dims.
        chunk_dims: usize,
    },
    /// A chunk extent of 0.
    #[error("chunk dimensions must be positive")]
    ZeroChunkExtent,
    /// A malformed chunk id.
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// The first five hex digits of `md5(id)` as a number (HSDS `getIdHash`).
#[must_use]
pub fn id_hash(id: &str) -> u32 {
    let digest = Md5::digest(id.as_bytes());
    digest.iter().take(3).fold(0_u32, |acc, &byte| (acc << 8) | u32::from(byte)) >> 4
}

/// Index of the DN (in the sorted `dn_urls` list) that owns `id_or_domain`.
///
/// # Errors
/// [`PartitionError::NoDataNodes`] when `dn_count` is 0.
pub fn dn_index(id_or_domain: &str, dn_count: usize) -> Result<usize, PartitionError> {
    if dn_count == 0 {
        return Err(PartitionError::NoDataNodes);
    }
    let hash = usize::try_from(id_hash(id_or_domain)).map_err(|_| PartitionError::NoDataNodes)?;
    Ok(hash % dn_count)
}

/// The partition of the chunk at grid `indices`:
/// `Σ indices[d] * primes[d % 10] mod partition_count` (primes 29…67), or `None` when the
/// count is below 2 (no partition folders).
#[must_use]
pub fn chunk_partition(indices: &[u64], partition_count: u64) -> Option<u64> {
    crate::model::ids::partition_index(indices, partition_count)
}

/// The chunk id with its partition digits set (`c-…_3_5` → `c2-…_3_5` for a
/// count of 4). Below a count of 2 the id is returned unchanged, as HSDS does.
///
/// # Errors
/// [`PartitionError::Key`] for a malformed chunk id.
pub fn partitioned_chunk_id(
    chunk_id: &str,
    partition_count: u64,
) -> Result<String, PartitionError> {
    let parts = parse_chunk_id(chunk_id)?;
    let Some(partition) = chunk_partition(&parts.indices, partition_count) else {
        return Ok(chunk_id.to_owned());
    };
    let after_prefix = chunk_id.find('-').and_then(|dash| chunk_id.get(dash..)).unwrap_or_default();
    Ok(format!("c{partition}{after_prefix}"))
}

/// The `partition_count` HSDS stores in a new dataset's layout, or `None` when
/// partitioning is off (`max_chunks_per_folder` 0) or not needed.
///
/// The chunk count is estimated over `maxdims` when given (an unlimited
/// dimension counts as `int((10**6) ** (1 / n_unlimited))` elements), else
/// over `dims`. HSDS divides in floating point; this divides exactly, which
/// agrees for extents below 2^53.
///
/// # Errors
/// [`PartitionError::RankMismatch`] or [`PartitionError::ZeroChunkExtent`].
pub fn partition_count(
    dims: &[u64],
    maxdims: Option<&[u64]>,
    chunk_dims: &[u64],
    max_chunks_per_folder: u64,
) -> Result<Option<u64>, PartitionError> {
    let extents = maxdims.unwrap_or(dims);
    if chunk_dims.len() != dims.len() || extents.len() != dims.len() {
        return Err(PartitionError::RankMismatch {
            dims: dims.len(),
            maxdims: extents.len(),
            chunk_dims: chunk_dims.len(),
        });
    }
    if chunk_dims.contains(&0) {
        return Err(PartitionError::ZeroChunkExtent);
    }
    if max_chunks_per_folder == 0 {
        return Ok(None);
    }
    let unlimited_guess =
        unlimited_extent_guess(extents.iter().filter(|&&extent| extent == 0).count());
    let num_chunks = extents.iter().zip(chunk_dims).fold(1_u128, |acc, (&extent, &chunk)| {
        let extent = if extent == 0 && maxdims.is_some() { unlimited_guess } else { extent };
        acc.saturating_mul(u128::from(extent.div_ceil(chunk)))
    });
    if num_chunks <= u128::from(max_chunks_per_folder) {
        return Ok(None);
    }
    let count = num_chunks.div_ceil(u128::from(max_chunks_per_folder));
    Ok(Some(u64::try_from(count).unwrap_or(u64::MAX)))
}

/// `int(math.pow(10.0**6, 1 / n))`: 1000000, 1000, 99, 31, 15, …
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // int() of a value in [1, 1e6]
fn unlimited_extent_guess(unlimited_count: usize) -> u64 {
    let Ok(count) = u32::try_from(unlimited_count) else { return 1 };
    if count == 0 {
        return 1;
    }
    UNLIMITED_ELEMENT_GUESS.powf(1.0 / f64::from(count)) as u64
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const UUID: &str = "b03b24ef-69f244b6-acd9-4df97b-37122a";

    #[test]
    fn reference_dn_examples() {
        let chunk = format!("c-{UUID}_0_1");
        assert_eq!(id_hash(&chunk), 0xb3b22);
        assert_eq!(dn_index(&chunk, 4).unwrap(), 2);
        let dataset = format!("d-{UUID}");
        assert_eq!(id_hash(&dataset), 0x6d91f);
        assert_eq!(dn_index(&dataset, 4).unwrap(), 3);
        assert_eq!(dn_index(&dataset, 8).unwrap(), 7);
        // Computed with Python hashlib for the same strings.
        assert_eq!(id_hash("hsdstest/home/u/foo.h5"), 0xdafc4);
        assert_eq!(id_hash(&format!("c2-{UUID}_3_5")), 0xad912);
        assert_eq!(dn_index("anything", 1).unwrap(), 0);
        assert_eq!(dn_index("anything", 0), Err(PartitionError::NoDataNodes));
    }

    #[test]
    fn reference_chunk_partition_example() {
        assert_eq!(chunk_partition(&[3, 5], 4), Some(2));
        assert_eq!(
            partitioned_chunk_id(&format!("c-{UUID}_3_5"), 4).unwrap(),
            format!("c2-{UUID}_3_5")
        );
        assert_eq!(
            partitioned_chunk_id(&format!("c7-{UUID}_3_5"), 4).unwrap(),
            format!("c2-{UUID}_3_5")
        );
        assert_eq!(
            partitioned_chunk_id(&format!("c-{UUID}_3_5"), 1).unwrap(),
            format!("c-{UUID}_3_5")
        );
        assert!(partitioned_chunk_id(&format!("d-{UUID}"), 4).is_err());
    }

    #[test]
    fn chunk_partition_matches_unbounded_arithmetic() {
        // Eleven dims: the primes wrap around; huge indices must not overflow.
        let indices = [u64::MAX; 11];
        let expected = (468_u128 + 29) // 29+31+…+67 = 468, then the 11th dimension wraps to 29
            * u128::from(u64::MAX)
            % 1_000_003;
        assert_eq!(chunk_partition(&indices, 1_000_003), Some(u64::try_from(expected).unwrap()));
        assert_eq!(chunk_partition(&[3, 5], 0), None);
    }

    #[test]
    fn partition_count_follows_dset_sn() {
        // 100 x 100 chunks of a fixed 1000 x 1000 shape, 1000 per folder -> 10.
        assert_eq!(partition_count(&[1000, 1000], None, &[10, 10], 1000).unwrap(), Some(10));
        assert_eq!(partition_count(&[1000, 1000], None, &[10, 10], 10_000).unwrap(), None);
        assert_eq!(partition_count(&[1000, 1000], None, &[10, 10], 0).unwrap(), None);
        // maxdims take over from dims; one unlimited dim counts as 10^6.
        assert_eq!(partition_count(&[10], Some(&[0]), &[1000], 100).unwrap(), Some(10));
        // Two unlimited dims: 1000 each; ceil(1000/300)=4 -> 16 chunks.
        assert_eq!(partition_count(&[1, 1], Some(&[0, 0]), &[300, 300], 5).unwrap(), Some(4));
        // Three unlimited dims: int(99.99999999999997) = 99, as in Python.
        assert_eq!(unlimited_extent_guess(3), 99);
        assert_eq!(partition_count(&[1, 1, 1], Some(&[0, 0, 0]), &[99, 99, 99], 1).unwrap(), None);
        assert_eq!(
            partition_count(&[1, 1, 1], Some(&[0, 0, 0]), &[98, 99, 99], 1).unwrap(),
            Some(2)
        );
        assert_eq!(partition_count(&[0], None, &[5], 1).unwrap(), None);
        assert!(partition_count(&[1], None, &[0], 1).is_err());
        assert!(partition_count(&[1], None, &[1, 1], 1).is_err());
        assert!(partition_count(&[1], Some(&[1, 1]), &[1], 1).is_err());
    }
}
