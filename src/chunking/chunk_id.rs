//! Chunk ids: `c-<dataset uuid>_<i>_<j>…`, or `c<N>-…` when the dataset's
//! chunks are partitioned (HSDS `chunkUtil.getChunkId`, `getDatasetId`,
//! `getChunkIndex`, `getChunkPartition`). Indices are chunk coordinates,
//! slowest-varying dimension first. A scalar dataset has the single chunk
//! `_0` (HSDS gives scalars the shape `[1]`).

use crate::storage::keys::{parse_id, KeyError, ObjectKind};

/// A chunk id taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkIdParts {
    /// The dataset the chunk belongs to (`d-<uuid>`).
    pub dataset_id: String,
    /// The partition number of a `c<N>-` id.
    pub partition: Option<u64>,
    /// The chunk's grid coordinates.
    pub indices: Vec<u64>,
}

/// Builds the unpartitioned chunk id of `dataset_id` at grid `indices`.
///
/// # Errors
/// [`KeyError::MalformedId`] / [`KeyError::WrongKind`] unless `dataset_id` is
/// a dataset id, and `MalformedId` for an empty index list.
pub fn format_chunk_id(dataset_id: &str, indices: &[u64]) -> Result<String, KeyError> {
    let parts = parse_id(dataset_id)?;
    if parts.kind != ObjectKind::Dataset {
        return Err(KeyError::WrongKind {
            id: dataset_id.to_owned(),
            expected: "dataset",
            found: parts.kind.name(),
        });
    }
    if indices.is_empty() {
        return Err(KeyError::MalformedId {
            id: dataset_id.to_owned(),
            reason: "a chunk id needs at least one index (scalars use [0])",
        });
    }
    let coords: Vec<String> = indices.iter().map(u64::to_string).collect();
    Ok(format!("c-{}_{}", parts.uuid, coords.join("_")))
}

/// Takes a chunk id apart.
///
/// # Errors
/// [`KeyError::MalformedId`] or [`KeyError::WrongKind`] unless `chunk_id` is a
/// well-formed chunk id.
pub fn parse_chunk_id(chunk_id: &str) -> Result<ChunkIdParts, KeyError> {
    let parts = parse_id(chunk_id)?;
    let Some(coords) = parts.chunk_coords else {
        return Err(KeyError::WrongKind {
            id: chunk_id.to_owned(),
            expected: "chunk",
            found: parts.kind.name(),
        });
    };
    let malformed =
        || KeyError::MalformedId { id: chunk_id.to_owned(), reason: "bad chunk number" };
    let indices = coords
        .split('_')
        .map(|coord| coord.parse::<u64>().map_err(|_| malformed()))
        .collect::<Result<Vec<_>, _>>()?;
    let partition =
        parts.partition.map(|digits| digits.parse::<u64>().map_err(|_| malformed())).transpose()?;
    Ok(ChunkIdParts { dataset_id: format!("d-{}", parts.uuid), partition, indices })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const DATASET: &str = "d-b03b24ef-69f244b6-acd9-4df97b-37122a";

    #[test]
    fn format_and_parse() {
        let id = format_chunk_id(DATASET, &[0, 1]).unwrap();
        assert_eq!(id, "c-b03b24ef-69f244b6-acd9-4df97b-37122a_0_1");
        let parts = parse_chunk_id(&id).unwrap();
        assert_eq!(
            parts,
            ChunkIdParts { dataset_id: DATASET.into(), partition: None, indices: vec![0, 1] }
        );
        let parts = parse_chunk_id("c12-b03b24ef-69f244b6-acd9-4df97b-37122a_3_5_7").unwrap();
        assert_eq!(parts.partition, Some(12));
        assert_eq!(parts.indices, [3, 5, 7]);
        assert_eq!(
            format_chunk_id(DATASET, &[u64::MAX]).unwrap().rsplit('_').next(),
            Some("18446744073709551615")
        );
    }

    #[test]
    fn errors() {
        assert!(format_chunk_id(DATASET, &[]).is_err());
        assert!(format_chunk_id("g-b03b24ef-69f244b6-acd9-4df97b-37122a", &[0]).is_err());
        assert!(parse_chunk_id(DATASET).is_err());
        assert!(parse_chunk_id("c-b03b24ef-69f244b6-acd9-4df97b-37122a_x").is_err());
    }
}
