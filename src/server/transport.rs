//! [`DnTransport`]: how the SN reaches the data nodes. Every call names the object, the
//! transport picks the owning DN (`md5` partition, reference §3.2) and forwards the call over
//! that node's [`NodeLink`] — in this process or in a `restvol dn` process. Domain JSON read
//! through it is kept briefly in a [`DomainCache`] (every domain write through it drops the entry).

use std::sync::Arc;

use serde_json::Value;

use super::chunks::{ChunkError, ChunkNode, ChunkNodeConfig, CodecFilters, DatasetLayout};
use super::cluster::NodeLink;
use super::dn::{DataNode, Mutation, ObjRef, Outcome};
use super::domain_cache::DomainCache;
use super::error::{ApiError, ApiResult};
use crate::chunking::dn_index;
use crate::storage::backend::Bucket;

/// An HTTP status error from a chunk store failure.
pub fn chunk_api_error(err: &ChunkError) -> ApiError {
    ApiError::new(err.http_status(), err.to_string())
}

/// Chunk stores with HSDS's default tunables and the [`CodecFilters`] pipeline, one per node.
pub fn default_chunk_nodes(count: usize) -> Vec<Arc<ChunkNode>> {
    let filters = Arc::new(CodecFilters::new());
    (0..count).map(|i| ChunkNode::new(ChunkNodeConfig::new(i, count), filters.clone())).collect()
}

/// The SN's links to its data nodes, by node number.
#[derive(Debug, Clone)]
pub struct DnTransport {
    nodes: Arc<Vec<NodeLink>>,
    domains: Arc<DomainCache>,
}

impl DnTransport {
    /// A transport over `links` (link `i` must reach node number `i`).
    #[must_use]
    pub fn new(links: Vec<NodeLink>) -> DnTransport {
        DnTransport { nodes: Arc::new(links), domains: Arc::new(DomainCache::default()) }
    }

    /// The same transport with domain JSON reused for `ttl` (zero: never cached).
    #[must_use]
    pub fn with_domain_cache_ttl(self, ttl: std::time::Duration) -> DnTransport {
        DnTransport { domains: Arc::new(DomainCache::with_ttl(ttl)), ..self }
    }

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
        DnTransport::new(
            nodes
                .into_iter()
                .zip(chunks)
                .map(|(meta, chunks)| NodeLink::local(meta, chunks))
                .collect(),
        )
    }

    /// The links, by node number (what `server::values` fans out over).
    pub fn chunk_nodes(&self) -> &[NodeLink] {
        &self.nodes
    }

    /// Runs `op` on every node concurrently; the first failure.
    async fn on_every_node<'a, F, Fut>(&'a self, op: F) -> ApiResult<()>
    where
        F: Fn(&'a NodeLink) -> Fut,
        Fut: std::future::Future<Output = ApiResult<()>>,
    {
        let results = futures_util::future::join_all(self.nodes.iter().map(op)).await;
        results.into_iter().collect::<ApiResult<Vec<()>>>().map(|_| ())
    }

    /// Removes every chunk of dataset `dataset_id` from every node (cache and storage).
    ///
    /// # Errors
    /// The first chunk store failure.
    pub async fn delete_dataset_chunks(&self, bucket: &Bucket, dataset_id: &str) -> ApiResult<()> {
        self.on_every_node(|node| async move {
            node.delete_dataset(bucket, dataset_id).await.map_err(|err| chunk_api_error(&err))
        })
        .await
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
        self.on_every_node(|node| async move {
            node.trim(bucket, dataset).await.map_err(|err| chunk_api_error(&err))
        })
        .await
    }

    /// How many DNs there are.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The DN ids (`dn-001`, …).
    pub fn node_ids(&self) -> Vec<String> {
        self.nodes.iter().map(NodeLink::node_id).collect()
    }

    fn owner(&self, bucket: &str, obj: &ObjRef) -> ApiResult<&NodeLink> {
        let index = dn_index(&obj.partition_key(bucket), self.node_count())
            .map_err(|e| ApiError::new(503, e.to_string()))?;
        self.nodes.get(index).ok_or_else(|| ApiError::new(503, "data node missing"))
    }

    /// Reads an object.
    ///
    /// # Errors
    /// As [`DataNode::get`].
    pub async fn get(&self, bucket: &str, obj: &ObjRef) -> ApiResult<Option<Value>> {
        let ObjRef::Domain(path) = obj else {
            return self.owner(bucket, obj)?.get(bucket, obj).await;
        };
        if let Some(json) = self.domains.get(bucket, path) {
            return Ok(Some(json));
        }
        let started = self.domains.start_read();
        let json = self.owner(bucket, obj)?.get(bucket, obj).await?;
        if let Some(json) = &json {
            self.domains.insert(started, bucket, path, json);
        }
        Ok(json)
    }

    /// Drops a cached domain before and after this SN writes it.
    async fn writing_domain<T>(
        &self,
        bucket: &str,
        obj: &ObjRef,
        write: impl std::future::Future<Output = ApiResult<T>>,
    ) -> ApiResult<T> {
        let ObjRef::Domain(path) = obj else { return write.await };
        self.domains.invalidate(bucket, path);
        let result = write.await;
        self.domains.invalidate(bucket, path);
        result
    }

    /// Creates an object (409 if it exists).
    ///
    /// # Errors
    /// As [`DataNode::create`].
    pub async fn create(&self, bucket: &str, obj: &ObjRef, value: Value) -> ApiResult<()> {
        let node = self.owner(bucket, obj)?;
        self.writing_domain(bucket, obj, node.create(bucket, obj, value)).await
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
        let node = self.owner(bucket, obj)?;
        self.writing_domain(bucket, obj, node.mutate(bucket, obj, mutation)).await
    }

    /// Deletes an object.
    ///
    /// # Errors
    /// As [`DataNode::delete`].
    pub async fn delete(&self, bucket: &str, obj: &ObjRef) -> ApiResult<()> {
        let node = self.owner(bucket, obj)?;
        self.writing_domain(bucket, obj, node.delete(bucket, obj)).await
    }

    /// Flushes every DN, chunks and metadata; returns when everything is durable.
    ///
    /// # Errors
    /// The first DN failure.
    pub async fn flush(&self) -> ApiResult<()> {
        self.on_every_node(NodeLink::flush).await
    }
}
