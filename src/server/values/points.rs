//! Point reads and writes: group the points by chunk (keeping their order inside each chunk),
//! run one request per touched chunk concurrently, and put the answers back in point order.

use std::collections::HashMap;
use std::sync::Arc;

use futures_util::stream::{self, StreamExt, TryStreamExt};

use crate::storage::backend::Bucket;

use super::super::chunks::{DatasetLayout, ElementBuf, ItemLayout};
use super::fanout::NodeLimits;
use super::{NodeLink, ValueError};

/// The points of one chunk: chunk-local coordinates (flat) and positions in the request.
#[derive(Debug, Default)]
struct ChunkPoints {
    local: Vec<u64>,
    positions: Vec<usize>,
}

/// Groups flat `points` by chunk id, in first-seen chunk order.
fn group_points(
    dataset: &DatasetLayout,
    points: &[u64],
) -> Result<Vec<(String, ChunkPoints)>, ValueError> {
    let rank = dataset.dims.len();
    if rank == 0 || !points.len().is_multiple_of(rank) {
        return Err(ValueError::BadRequest(
            "Number of point values is not consistent with dataset rank".into(),
        ));
    }
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, ChunkPoints> = HashMap::new();
    for (position, point) in points.chunks_exact(rank).enumerate() {
        if point.iter().zip(&dataset.dims).any(|(coord, extent)| coord >= extent) {
            let shown = match point {
                [single] => single.to_string(),
                many => {
                    format!("[{}]", many.iter().map(u64::to_string).collect::<Vec<_>>().join(", "))
                }
            };
            return Err(ValueError::BadRequest(format!(
                "Value point: {shown} is not within the bounds of the dataset"
            )));
        }
        let indices: Vec<u64> =
            point.iter().zip(&dataset.chunk_dims).map(|(c, d)| c / d.max(&1)).collect();
        let chunk_id = dataset.chunk_id(&indices)?;
        let group = groups.entry(chunk_id.clone()).or_insert_with(|| {
            order.push(chunk_id);
            ChunkPoints::default()
        });
        group.local.extend(point.iter().zip(&dataset.chunk_dims).map(|(c, d)| c % d.max(&1)));
        group.positions.push(position);
    }
    Ok(order.into_iter().filter_map(|id| groups.remove(&id).map(|points| (id, points))).collect())
}

/// Reads the elements at `points` (flat, one coordinate per dimension each), in point order.
///
/// # Errors
/// [`ValueError::BadRequest`] for a point outside the dataset (HSDS's message), or a failing
/// node.
pub async fn read_points(
    nodes: &[NodeLink],
    bucket: &Bucket,
    dataset: &Arc<DatasetLayout>,
    points: &[u64],
) -> Result<ElementBuf, ValueError> {
    let groups = group_points(dataset, points)?;
    let count = points.len() / dataset.dims.len().max(1);
    let limits = NodeLimits::new(nodes);
    let answers: Vec<(Vec<usize>, ElementBuf)> = stream::iter(groups)
        .map(|(chunk_id, group)| {
            let limits = &limits;
            async move {
                let local = &group.local;
                let id = chunk_id.as_str();
                let values = limits
                    .run(nodes, id, |node| async move {
                        Ok(node.read_points(bucket, dataset, id, local).await?)
                    })
                    .await?;
                Ok::<_, ValueError>((group.positions, values))
            }
        })
        .buffer_unordered(limits.width())
        .try_collect()
        .await?;
    let bad = || ValueError::Internal("point answer size mismatch".into());
    match dataset.item {
        ItemLayout::Fixed(size) => {
            let mut out = vec![0; count * size];
            for (positions, values) in answers {
                let ElementBuf::Fixed(bytes) = values else { return Err(bad()) };
                for (position, value) in positions.iter().zip(bytes.chunks_exact(size)) {
                    out.get_mut(position * size..(position + 1) * size)
                        .ok_or_else(bad)?
                        .copy_from_slice(value);
                }
            }
            Ok(ElementBuf::Fixed(out))
        }
        ItemLayout::Variable => {
            let mut out = vec![Vec::new(); count];
            for (positions, values) in answers {
                let ElementBuf::Variable(items) = values else { return Err(bad()) };
                for (position, item) in positions.iter().zip(items) {
                    *out.get_mut(*position).ok_or_else(bad)? = item;
                }
            }
            Ok(ElementBuf::Variable(out))
        }
    }
}

/// Writes one element of `data` at each of `points` (flat), in order; a point listed twice
/// gets its last value.
///
/// # Errors
/// As [`read_points`], and [`ValueError::BadRequest`] when `data` has another element count.
pub async fn write_points(
    nodes: &[NodeLink],
    bucket: &Bucket,
    dataset: &Arc<DatasetLayout>,
    points: &[u64],
    data: &ElementBuf,
) -> Result<(), ValueError> {
    let groups = group_points(dataset, points)?;
    let count = points.len() / dataset.dims.len().max(1);
    if data.len(dataset.item) != count {
        return Err(ValueError::BadRequest(format!(
            "expected {count} elements, but got {}",
            data.len(dataset.item)
        )));
    }
    let limits = NodeLimits::new(nodes);
    stream::iter(groups)
        .map(|(chunk_id, group)| {
            let limits = &limits;
            async move {
                let values = match data {
                    ElementBuf::Fixed(bytes) => {
                        let size = match dataset.item {
                            ItemLayout::Fixed(size) => size,
                            ItemLayout::Variable => 0,
                        };
                        ElementBuf::Fixed(
                            group
                                .positions
                                .iter()
                                .flat_map(|p| {
                                    bytes.get(p * size..(p + 1) * size).unwrap_or_default()
                                })
                                .copied()
                                .collect(),
                        )
                    }
                    ElementBuf::Variable(items) => ElementBuf::Variable(
                        group.positions.iter().filter_map(|p| items.get(*p).cloned()).collect(),
                    ),
                };
                let local = &group.local;
                let id = chunk_id.as_str();
                limits
                    .run(nodes, id, |node| async move {
                        Ok(node.write_points(bucket, dataset, id, local, &values).await?)
                    })
                    .await
            }
        })
        .buffer_unordered(limits.width())
        .try_collect::<Vec<()>>()
        .await?;
    Ok(())
}
