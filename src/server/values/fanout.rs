//! Hyperslab (and coordinate-list) reads and writes: plan the touched chunks, run one request
//! per chunk on its owning node, concurrently, and assemble or split the packed buffer.

use std::sync::Arc;

use futures_util::stream::{self, StreamExt, TryStreamExt};
use tokio::sync::Semaphore;

use crate::chunking::{ChunkSelection, DimPart, DimSelection};
use crate::storage::backend::Bucket;

use super::super::chunks::{DatasetLayout, ElementBuf, ItemLayout};
use super::place::{put_block, take_block};
use super::points::{read_points, write_points};
use super::target::ValueSelection;
use super::{node_for, NodeLink, ValueError, MAX_TASKS_PER_NODE_PER_REQUEST};

/// Per-node concurrency limits for one request.
#[derive(Debug)]
pub(super) struct NodeLimits(Vec<Semaphore>);

impl NodeLimits {
    pub(super) fn new(nodes: &[NodeLink]) -> NodeLimits {
        NodeLimits(nodes.iter().map(|_| Semaphore::new(MAX_TASKS_PER_NODE_PER_REQUEST)).collect())
    }

    /// Total concurrency across nodes.
    pub(super) fn width(&self) -> usize {
        self.0.len().max(1) * MAX_TASKS_PER_NODE_PER_REQUEST
    }

    /// Runs `task` on the node owning `chunk_id`, within that node's limit.
    pub(super) async fn run<'a, T, F, Fut>(
        &self,
        nodes: &'a [NodeLink],
        chunk_id: &str,
        task: F,
    ) -> Result<T, ValueError>
    where
        F: FnOnce(&'a NodeLink) -> Fut,
        Fut: std::future::Future<Output = Result<T, ValueError>>,
    {
        let (index, node) = node_for(nodes, chunk_id)?;
        let _permit = match self.0.get(index) {
            Some(semaphore) => Some(
                semaphore
                    .acquire()
                    .await
                    .map_err(|_| ValueError::Internal("node limit closed".into()))?,
            ),
            None => None,
        };
        task(node).await
    }
}

/// The `index`-th planned chunk.
fn chunk_at<'p, 'a>(
    chunks: &'p [ChunkSelection<'a>],
    index: usize,
) -> Result<&'p ChunkSelection<'a>, ValueError> {
    chunks.get(index).ok_or_else(|| ValueError::Internal("chunk index out of range".into()))
}

/// The chunk-local selection of one chunk's part.
fn local_selection(chunk: &ChunkSelection<'_>) -> Vec<DimSelection> {
    chunk
        .parts
        .iter()
        .map(|part| match *part {
            DimPart::Strided { start, step, count, .. } => DimSelection::Slice {
                start,
                stop: start + step * count.saturating_sub(1) + 1,
                step,
            },
            DimPart::Listed { local, .. } => DimSelection::Coords(local.to_vec()),
        })
        .collect()
}

/// An empty packed buffer for `count` elements.
fn empty_buffer(layout: ItemLayout, count: usize) -> Result<ElementBuf, ValueError> {
    Ok(match layout {
        ItemLayout::Fixed(size) => ElementBuf::Fixed(vec![
            0;
            count.checked_mul(size).ok_or_else(
                || { ValueError::TooLarge("selection too large".into()) }
            )?
        ]),
        ItemLayout::Variable => ElementBuf::Variable(vec![Vec::new(); count]),
    })
}

fn element_count(selection: &ValueSelection) -> Result<usize, ValueError> {
    usize::try_from(selection.element_count())
        .map_err(|_| ValueError::TooLarge("selection too large".into()))
}

/// Copies `block` into `packed` at `parts`.
fn put(
    layout: ItemLayout,
    parts: &[DimPart<'_>],
    shape: &[u64],
    block: &ElementBuf,
    packed: &mut ElementBuf,
) -> Result<(), ValueError> {
    match (layout, block, packed) {
        (ItemLayout::Fixed(size), ElementBuf::Fixed(block), ElementBuf::Fixed(packed)) => {
            put_block(parts, shape, size, block, packed)
        }
        (ItemLayout::Variable, ElementBuf::Variable(block), ElementBuf::Variable(packed)) => {
            put_block(parts, shape, 1, block, packed)
        }
        _ => Err(ValueError::Internal("element buffer kind mismatch".into())),
    }
}

/// The elements at `parts` of `packed`.
fn take(
    layout: ItemLayout,
    parts: &[DimPart<'_>],
    shape: &[u64],
    packed: &ElementBuf,
) -> Result<ElementBuf, ValueError> {
    match (layout, packed) {
        (ItemLayout::Fixed(size), ElementBuf::Fixed(packed)) => {
            take_block(parts, shape, size, packed).map(ElementBuf::Fixed)
        }
        (ItemLayout::Variable, ElementBuf::Variable(packed)) => {
            take_block(parts, shape, 1, packed).map(ElementBuf::Variable)
        }
        _ => Err(ValueError::BadRequest("value data does not match the dataset type".into())),
    }
}

/// Parts placing one pair's block inside a paired selection's result.
fn pair_parts(selection: &ValueSelection, pair: usize) -> Vec<DimPart<'static>> {
    let first = selection.paired.first().copied();
    selection
        .dims
        .iter()
        .enumerate()
        .filter(|(index, _)| Some(*index) == first || !selection.paired.contains(index))
        .map(|(index, dim)| {
            if Some(index) == first {
                DimPart::Strided { start: 0, step: 1, count: 1, out_start: pair as u64 }
            } else {
                DimPart::Strided { start: 0, step: 1, count: dim.count(), out_start: 0 }
            }
        })
        .collect()
}

/// Reads `selection` of `dataset`: the selected elements packed in C order of
/// [`ValueSelection::shape`].
///
/// # Errors
/// [`ValueError`] for an invalid selection or a failing node.
pub async fn read_selection(
    nodes: &[NodeLink],
    bucket: &Bucket,
    dataset: &Arc<DatasetLayout>,
    selection: &ValueSelection,
) -> Result<ElementBuf, ValueError> {
    if selection.is_points() {
        return read_points(nodes, bucket, dataset, &selection.points()).await;
    }
    if selection.paired.is_empty() {
        return read_block(nodes, bucket, dataset, selection).await;
    }
    let shape = selection.shape();
    let mut packed = empty_buffer(dataset.item, element_count(selection)?)?;
    let blocks: Vec<(usize, ElementBuf)> = stream::iter(0..selection.pair_count())
        .map(|pair| async move {
            let block = read_block(nodes, bucket, dataset, &selection.pair_block(pair)).await?;
            Ok::<_, ValueError>((pair, block))
        })
        .buffer_unordered(MAX_TASKS_PER_NODE_PER_REQUEST)
        .try_collect()
        .await?;
    for (pair, block) in blocks {
        put(dataset.item, &pair_parts(selection, pair), &shape, &block, &mut packed)?;
    }
    Ok(packed)
}

async fn read_block(
    nodes: &[NodeLink],
    bucket: &Bucket,
    dataset: &Arc<DatasetLayout>,
    selection: &ValueSelection,
) -> Result<ElementBuf, ValueError> {
    let plan = dataset.grid()?.plan(&selection.dims)?;
    let shape = plan.selection_shape().to_vec();
    let count = usize::try_from(plan.element_count())
        .map_err(|_| ValueError::TooLarge("selection too large".into()))?;
    let mut packed = empty_buffer(dataset.item, count)?;
    let limits = NodeLimits::new(nodes);
    // Chunks are addressed by index so the per-chunk futures borrow no closure argument
    // (keeps the handler futures provably `Send`).
    let chunks: Vec<ChunkSelection<'_>> = plan.chunks().collect();
    let chunks = &chunks;
    let mut results = stream::iter(0..chunks.len())
        .map(|index| {
            let limits = &limits;
            async move {
                let chunk = chunk_at(chunks, index)?;
                let chunk_id = dataset.chunk_id(&chunk.indices)?;
                let id = chunk_id.as_str();
                let local = local_selection(chunk);
                let block = limits
                    .run(nodes, id, |node| async move {
                        Ok(node.read(bucket, dataset, id, &local).await?)
                    })
                    .await?;
                Ok::<_, ValueError>((index, block))
            }
        })
        .buffer_unordered(limits.width());
    while let Some(result) = results.next().await {
        let (index, block) = result?;
        put(dataset.item, &chunk_at(chunks, index)?.parts, &shape, &block, &mut packed)?;
    }
    Ok(packed)
}

/// Repeats `data` to fill a selection of `shape` the way HSDS broadcasts (`element_count`):
/// one element to everything, or a block matching the trailing dimensions of `shape`.
///
/// # Errors
/// [`ValueError::BadRequest`] with HSDS's message when no broadcast fits.
pub fn broadcast(
    layout: ItemLayout,
    data: ElementBuf,
    shape: &[u64],
) -> Result<ElementBuf, ValueError> {
    if let (ItemLayout::Fixed(size), ElementBuf::Fixed(bytes)) = (layout, &data) {
        if !bytes.len().is_multiple_of(size) {
            return Err(ValueError::BadRequest(format!(
                "Expected request size to be a multiple of {size}, but {} bytes received",
                bytes.len()
            )));
        }
    }
    let total: u128 = shape.iter().map(|&n| u128::from(n)).product();
    let given = data.len(layout) as u128;
    if given == total {
        return Ok(data);
    }
    let mut trailing = 1_u128;
    let fits = given == 1
        || shape.iter().skip(1).rev().any(|&n| {
            trailing *= u128::from(n);
            trailing == given
        });
    if !fits || given == 0 {
        let dims: Vec<String> = shape.iter().map(u64::to_string).collect();
        let tuple = if dims.len() == 1 {
            format!("({},)", dims[0])
        } else {
            format!("({})", dims.join(", "))
        };
        return Err(ValueError::BadRequest(format!(
            "element_count {given} not compatible with selection shape: {tuple}"
        )));
    }
    let repeats = usize::try_from(total / given)
        .map_err(|_| ValueError::TooLarge("selection too large".into()))?;
    Ok(match data {
        ElementBuf::Fixed(bytes) => ElementBuf::Fixed(bytes.repeat(repeats)),
        ElementBuf::Variable(items) => {
            ElementBuf::Variable((0..repeats).flat_map(|_| items.iter().cloned()).collect())
        }
    })
}

/// Writes `data` (packed in C order of [`ValueSelection::shape`], or fewer elements to
/// [`broadcast`]) into `selection` of `dataset`.
///
/// # Errors
/// [`ValueError`] for an invalid selection, data that does not fit, or a failing node.
pub async fn write_selection(
    nodes: &[NodeLink],
    bucket: &Bucket,
    dataset: &Arc<DatasetLayout>,
    selection: &ValueSelection,
    data: ElementBuf,
) -> Result<(), ValueError> {
    let shape = selection.shape();
    let data = broadcast(dataset.item, data, &shape)?;
    if selection.is_points() {
        return write_points(nodes, bucket, dataset, &selection.points(), &data).await;
    }
    if selection.paired.is_empty() {
        return write_block(nodes, bucket, dataset, selection, &data).await;
    }
    let data = &data;
    stream::iter(0..selection.pair_count())
        .map(|pair| {
            let shape = &shape;
            async move {
                let block = take(dataset.item, &pair_parts(selection, pair), shape, data)?;
                write_block(nodes, bucket, dataset, &selection.pair_block(pair), &block).await
            }
        })
        .buffer_unordered(MAX_TASKS_PER_NODE_PER_REQUEST)
        .try_collect::<Vec<()>>()
        .await?;
    Ok(())
}

async fn write_block(
    nodes: &[NodeLink],
    bucket: &Bucket,
    dataset: &Arc<DatasetLayout>,
    selection: &ValueSelection,
    data: &ElementBuf,
) -> Result<(), ValueError> {
    let plan = dataset.grid()?.plan(&selection.dims)?;
    let shape = plan.selection_shape().to_vec();
    let limits = NodeLimits::new(nodes);
    let shape = &shape;
    let chunks: Vec<ChunkSelection<'_>> = plan.chunks().collect();
    let chunks = &chunks;
    stream::iter(0..chunks.len())
        .map(|index| {
            let limits = &limits;
            async move {
                let chunk = chunk_at(chunks, index)?;
                let chunk_id = dataset.chunk_id(&chunk.indices)?;
                let id = chunk_id.as_str();
                let local = local_selection(chunk);
                let block = take(dataset.item, &chunk.parts, shape, data)?;
                limits
                    .run(nodes, id, |node| async move {
                        Ok(node.write(bucket, dataset, id, &local, &block).await?)
                    })
                    .await
            }
        })
        .buffer_unordered(limits.width())
        .try_collect::<Vec<()>>()
        .await?;
    Ok(())
}
