//! Query evaluation on the service node (`GET|PUT …/value?query=…`): read every chunk the
//! selection touches whole, through the owning node's link (the DN protocol has no query
//! call), and test its elements in chunk order, then C order inside each chunk, as HSDS
//! concatenates its per-chunk answers. Like HSDS, which never initializes a chunk for a
//! query, a chunk that was never written (here: one that is all fill, which restvol never
//! stores) contributes no matches.

use std::sync::Arc;

use futures_util::stream::{self, StreamExt};

use crate::chunking::{ChunkSelection, DimSelection};
use crate::storage::backend::Bucket;

use super::super::chunks::{DatasetLayout, ElementBuf, ItemLayout};
use super::fanout::NodeLimits;
use super::query::Query;
use super::target::ValueSelection;
use super::{write_points, NodeLink, ValueError};

/// One element that satisfied a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryMatch {
    /// Its coordinates in the dataset.
    pub coords: Vec<u64>,
    /// Its packed bytes.
    pub element: Vec<u8>,
}

fn in_dim(selection: &DimSelection, coord: u64) -> bool {
    match selection {
        DimSelection::Slice { start, stop, step } => {
            coord >= *start && coord < *stop && (coord - start).is_multiple_of((*step).max(1))
        }
        DimSelection::Coords(coords) => coords.contains(&coord),
    }
}

fn fixed_size(dataset: &DatasetLayout) -> Result<usize, ValueError> {
    match dataset.item {
        ItemLayout::Fixed(size) => Ok(size),
        ItemLayout::Variable => {
            Err(ValueError::BadRequest("query is not supported for variable-length types".into()))
        }
    }
}

/// The matches of one whole chunk at grid `indices`.
fn chunk_matches(
    dataset: &DatasetLayout,
    selection: &ValueSelection,
    query: &Query,
    indices: &[u64],
    data: &[u8],
    size: usize,
) -> Vec<QueryMatch> {
    if data.chunks_exact(size).all(|element| element == dataset.fill.as_slice()) {
        return Vec::new();
    }
    let rank = dataset.chunk_dims.len();
    let mut local = vec![0_u64; rank];
    let mut out = Vec::new();
    for element in data.chunks_exact(size) {
        let coords: Vec<u64> = (0..rank)
            .map(|d| indices.get(d).copied().unwrap_or(0) * dataset.chunk_dims[d] + local[d])
            .collect();
        let inside = coords.iter().zip(&dataset.dims).all(|(c, extent)| c < extent)
            && coords.iter().zip(&selection.dims).all(|(c, dim)| in_dim(dim, *c));
        if inside && query.matches(element) {
            out.push(QueryMatch { coords, element: element.to_vec() });
        }
        for d in (0..rank).rev() {
            local[d] += 1;
            if local[d] < dataset.chunk_dims[d] {
                break;
            }
            local[d] = 0;
        }
    }
    out
}

/// The elements of `selection` that satisfy `query`, at most `limit` (0: all).
///
/// # Errors
/// [`ValueError::BadRequest`] for variable-length types; a failing node.
pub async fn scan(
    nodes: &[NodeLink],
    bucket: &Bucket,
    dataset: &Arc<DatasetLayout>,
    selection: &ValueSelection,
    query: &Query,
    limit: usize,
) -> Result<Vec<QueryMatch>, ValueError> {
    let size = fixed_size(dataset)?;
    let plan = dataset.grid()?.plan(&selection.dims)?;
    let chunks: Vec<Vec<u64>> =
        plan.chunks().map(|chunk: ChunkSelection<'_>| chunk.indices).collect();
    let whole: Vec<DimSelection> =
        dataset.chunk_dims.iter().map(|&d| DimSelection::all(d)).collect();
    let limits = NodeLimits::new(nodes);
    let mut reads = stream::iter(chunks)
        .map(|indices| {
            let limits = &limits;
            let whole = &whole;
            async move {
                let chunk_id = dataset.chunk_id(&indices)?;
                let id = chunk_id.as_str();
                let data = limits
                    .run(nodes, id, |node| async move {
                        Ok(node.read(bucket, dataset, id, whole).await?)
                    })
                    .await?;
                Ok::<_, ValueError>((indices, data))
            }
        })
        .buffered(limits.width());
    let mut found = Vec::new();
    while let Some(result) = reads.next().await {
        let (indices, data) = result?;
        let ElementBuf::Fixed(bytes) = data else {
            return Err(ValueError::Internal("fixed dataset read as variable".into()));
        };
        found.extend(chunk_matches(dataset, selection, query, &indices, &bytes, size));
        if limit > 0 && found.len() >= limit {
            found.truncate(limit);
            break;
        }
    }
    Ok(found)
}

/// Writes `matches` back (each element as given) as one point write.
///
/// # Errors
/// A failing node.
pub async fn write_matches(
    nodes: &[NodeLink],
    bucket: &Bucket,
    dataset: &Arc<DatasetLayout>,
    matches: &[QueryMatch],
) -> Result<(), ValueError> {
    if matches.is_empty() {
        return Ok(());
    }
    let points: Vec<u64> = matches.iter().flat_map(|m| m.coords.iter().copied()).collect();
    let data = ElementBuf::Fixed(matches.iter().flat_map(|m| m.element.iter().copied()).collect());
    write_points(nodes, bucket, dataset, &points, &data).await
}
