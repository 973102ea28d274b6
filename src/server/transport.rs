//! [`DnTransport`]: how the SN reaches the data nodes. Every call names the object, the
//! transport picks the owning DN (`md5` partition, reference §3.2) and forwards the call.
//! Each DN has two halves: the metadata [`DataNode`] and the chunk store [`ChunkNode`] (same
//! node number and count). Today there is one variant, in-process; an HTTP variant (DNs in
//! other processes) adds one arm to each method.

use std::sync::Arc;

use serde_json::Value;

use super::chunks::{ChunkError, ChunkNode, ChunkNodeConfig, CodecFilters, DatasetLayout};
use super::dn::{DataNode, Mutation, ObjRef, Outcome};
use super::error::{ApiError, ApiResult};
use crate::chunking::dn_index;
use crate::storage::backend::Bucket;

/// The in-process data nodes: metadata node `i` and chunk node `i` are DN `i`.
#[derive(Debug)]
pub struct LocalNodes {
    /// Metadata halves, by node number.
    pub meta: Vec<Arc<DataNode>>,
    /// Chunk stores, by node number.
    pub chunks: Vec<Arc<ChunkNode>>,
}

/// An HTTP status error from a chunk store failure.
pub fn chunk_api_error(err: &ChunkError) -> ApiError {
    ApiError::new(err.http_status(), err.to_string())
}

/// Chunk stores with HSDS's default tunables and the [`CodecFilters`] pipeline, one per node.
pub fn default_chunk_nodes(count: usize) -> Vec<Arc<ChunkNode>> {
    let filters = Arc::new(CodecFilters::new());
    (0..count).map(|i| ChunkNode::new(ChunkNodeConfig::new(i, count), filters.clone())).collect()
}

/// The SN's link to its data nodes.
#[derive(Debug, Clone)]
pub enum DnTransport {
    /// Data nodes living in this process, indexed by node number.
    InProcess(Arc<LocalNodes>),
}

impl DnTransport {
    /// An in-process transport over `nodes` (node `i` must have node number `i`), with chunk
    /// stores of HSDS's default tunables (see [`default_chunk_nodes`]).
    pub fn in_process(nodes: Vec<Arc<DataNode>>) -> DnTransport {
        let chunks = default_chunk_nodes(nodes.len());
        DnTransport::in_process_with_chunks(nodes, chunks)
    }

    /// An in-process transport over metadata `nodes` and chunk stores `chunks` (same count and
    /// node numbers).
    pub fn in_process_with_chunks(
        nodes: Vec<Arc<DataNode>>,
        chunks: Vec<Arc<ChunkNode>>,
    ) -> DnTransport {
        DnTransport::InProcess(Arc::new(LocalNodes { meta: nodes, chunks }))
    }

    /// The chunk stores, by node number (what `server::values` fans out over).
    pub fn chunk_nodes(&self) -> &[Arc<ChunkNode>] {
        match self {
            DnTransport::InProcess(nodes) => &nodes.chunks,
        }
    }

    /// Removes every chunk of dataset `dataset_id` from every node (cache and storage).
    ///
    /// # Errors
    /// The first chunk store failure.
    pub async fn delete_dataset_chunks(&self, bucket: &Bucket, dataset_id: &str) -> ApiResult<()> {
        let results = futures_util::future::join_all(
            self.chunk_nodes().iter().map(|node| node.delete_dataset(bucket, dataset_id)),
        )
        .await;
        for result in results {
            result.map_err(|err| chunk_api_error(&err))?;
        }
        Ok(())
    }

    /// After a shrink to `dataset.dims`: removes the chunks outside the new extents on every
    /// node and resets the cut-off part of straddling chunks to fill.
    ///
    /// # Errors
    /// The first chunk store failure.
    pub async fn trim_chunks(
        &self,
        bucket: &Bucket,
        dataset: &Arc<DatasetLayout>,
    ) -> ApiResult<()> {
        let results = futures_util::future::join_all(
            self.chunk_nodes().iter().map(|node| node.trim(bucket, dataset)),
        )
        .await;
        for result in results {
            result.map_err(|err| chunk_api_error(&err))?;
        }
        Ok(())
    }

    /// How many DNs there are.
    pub fn node_count(&self) -> usize {
        match self {
            DnTransport::InProcess(nodes) => nodes.meta.len(),
        }
    }

    /// The DN ids (`dn-001`, …).
    pub fn node_ids(&self) -> Vec<String> {
        match self {
            DnTransport::InProcess(nodes) => nodes.meta.iter().map(|n| n.node_id()).collect(),
        }
    }

    fn owner(&self, bucket: &str, obj: &ObjRef) -> ApiResult<&Arc<DataNode>> {
        let index = dn_index(&obj.partition_key(bucket), self.node_count())
            .map_err(|e| ApiError::new(503, e.to_string()))?;
        match self {
            DnTransport::InProcess(nodes) => {
                nodes.meta.get(index).ok_or_else(|| ApiError::new(503, "data node missing"))
            }
        }
    }

    /// Reads an object.
    ///
    /// # Errors
    /// As [`DataNode::get`].
    pub async fn get(&self, bucket: &str, obj: &ObjRef) -> ApiResult<Option<Value>> {
        self.owner(bucket, obj)?.get(bucket, obj).await
    }

    /// Creates an object (409 if it exists).
    ///
    /// # Errors
    /// As [`DataNode::create`].
    pub async fn create(&self, bucket: &str, obj: &ObjRef, value: Value) -> ApiResult<()> {
        self.owner(bucket, obj)?.create(bucket, obj, value).await
    }

    /// Applies a mutation on the owning DN.
    ///
    /// # Errors
    /// As [`DataNode::mutate`].
    pub async fn mutate(
        &self,
        bucket: &str,
        obj: &ObjRef,
        mutation: &Mutation,
    ) -> ApiResult<(Outcome, Value)> {
        self.owner(bucket, obj)?.mutate(bucket, obj, mutation).await
    }

    /// Deletes an object.
    ///
    /// # Errors
    /// As [`DataNode::delete`].
    pub async fn delete(&self, bucket: &str, obj: &ObjRef) -> ApiResult<()> {
        self.owner(bucket, obj)?.delete(bucket, obj).await
    }

    /// Flushes every DN, chunks and metadata; returns when everything is durable.
    ///
    /// # Errors
    /// The first DN failure.
    pub async fn flush(&self) -> ApiResult<()> {
        match self {
            DnTransport::InProcess(nodes) => {
                let chunks =
                    futures_util::future::join_all(nodes.chunks.iter().map(|node| node.flush()))
                        .await;
                let meta =
                    futures_util::future::join_all(nodes.meta.iter().map(|node| node.flush()))
                        .await;
                for result in chunks {
                    result.map_err(|err| chunk_api_error(&err))?;
                }
                meta.into_iter().collect::<ApiResult<Vec<()>>>().map(|_| ())
            }
        }
    }
}
