//! [`NodeLink`]: how the SN reaches one data node — in this process ([`LocalNode`]: the
//! metadata [`DataNode`] and the chunk store [`ChunkNode`] of the same node number) or in
//! another one ([`RemoteNode`], over the [`super::wire`] protocol). Both answer the same calls
//! with the same results and errors.

use std::sync::Arc;

use serde_json::Value;

use super::remote::RemoteNode;
use crate::chunking::DimSelection;
use crate::server::chunks::{ChunkError, ChunkNode, DatasetLayout, ElementBuf};
use crate::server::dn::{DataNode, MemberAnswer, Mutation, ObjRef, Outcome, Section};
use crate::server::error::{ApiError, ApiResult};
use crate::storage::backend::Bucket;

/// One data node in this process: its metadata half and its chunk store.
#[derive(Debug)]
pub struct LocalNode {
    /// Objects (`.group.json`, `.dataset.json`, …) of this node's partition.
    pub meta: Arc<DataNode>,
    /// Chunks of this node's partition.
    pub chunks: Arc<ChunkNode>,
}

impl LocalNode {
    /// Makes both halves compare their clean cached entries with storage on next use.
    pub fn recheck_all(&self) {
        self.meta.recheck_all();
        self.chunks.recheck_all();
    }

    /// Flushes chunks, then metadata.
    ///
    /// # Errors
    /// The first failure, as an HTTP error.
    pub async fn flush(&self) -> ApiResult<()> {
        let chunks = self.chunks.flush().await;
        let meta = self.meta.flush().await;
        chunks.map_err(|err| ApiError::new(err.http_status(), err.to_string()))?;
        meta
    }
}

/// The SN's link to one data node.
#[derive(Debug, Clone)]
pub enum NodeLink {
    /// In this process.
    Local(Arc<LocalNode>),
    /// In another process.
    Remote(Arc<RemoteNode>),
}

impl NodeLink {
    /// An in-process link.
    #[must_use]
    pub fn local(meta: Arc<DataNode>, chunks: Arc<ChunkNode>) -> NodeLink {
        NodeLink::Local(Arc::new(LocalNode { meta, chunks }))
    }

    /// The node's id (`dn-001`, …).
    #[must_use]
    pub fn node_id(&self) -> String {
        match self {
            NodeLink::Local(node) => node.meta.node_id(),
            NodeLink::Remote(node) => node.node_id(),
        }
    }

    /// Reads an object (`None` when it does not exist).
    ///
    /// # Errors
    /// As [`DataNode::get`], or 503 when a remote node is unreachable.
    pub async fn get(&self, bucket: &str, obj: &ObjRef) -> ApiResult<Option<Value>> {
        match self {
            NodeLink::Local(node) => node.meta.get(bucket, obj).await,
            NodeLink::Remote(node) => node.get(bucket, obj).await,
        }
    }

    /// One attribute or link of an object, or the whole object when it is small.
    ///
    /// # Errors
    /// As [`DataNode::get`], or 503 when a remote node is unreachable.
    pub async fn get_member(
        &self,
        bucket: &str,
        obj: &ObjRef,
        section: Section,
        name: &str,
    ) -> ApiResult<Option<MemberAnswer>> {
        match self {
            NodeLink::Local(node) => node.meta.get_member(bucket, obj, section, name).await,
            NodeLink::Remote(node) => node.get_member(bucket, obj, section, name).await,
        }
    }

    /// An object without its attribute and link tables (with their sizes).
    ///
    /// # Errors
    /// As [`DataNode::get`], or 503 when a remote node is unreachable.
    pub async fn get_outline(&self, bucket: &str, obj: &ObjRef) -> ApiResult<Option<Value>> {
        match self {
            NodeLink::Local(node) => node.meta.get_outline(bucket, obj).await,
            NodeLink::Remote(node) => node.get_outline(bucket, obj).await,
        }
    }

    /// Creates an object (409 if it exists).
    ///
    /// # Errors
    /// As [`DataNode::create`].
    pub async fn create(&self, bucket: &str, obj: &ObjRef, value: Value) -> ApiResult<()> {
        match self {
            NodeLink::Local(node) => node.meta.create(bucket, obj, value).await,
            NodeLink::Remote(node) => node.create(bucket, obj, value).await,
        }
    }

    /// Applies a mutation.
    ///
    /// # Errors
    /// As [`DataNode::mutate`].
    pub async fn mutate(
        &self,
        bucket: &str,
        obj: &ObjRef,
        mutation: &Mutation,
    ) -> ApiResult<(Outcome, Value)> {
        match self {
            NodeLink::Local(node) => node.meta.mutate(bucket, obj, mutation).await,
            NodeLink::Remote(node) => node.mutate(bucket, obj, mutation).await,
        }
    }

    /// Deletes an object.
    ///
    /// # Errors
    /// As [`DataNode::delete`].
    pub async fn delete(&self, bucket: &str, obj: &ObjRef) -> ApiResult<()> {
        match self {
            NodeLink::Local(node) => node.meta.delete(bucket, obj).await,
            NodeLink::Remote(node) => node.delete(bucket, obj).await,
        }
    }

    /// Makes everything the node holds durable.
    ///
    /// # Errors
    /// The node's first failure.
    pub async fn flush(&self) -> ApiResult<()> {
        match self {
            NodeLink::Local(node) => node.flush().await,
            NodeLink::Remote(node) => node.flush().await,
        }
    }

    /// Makes the node compare its clean cached objects and chunks with storage on next use.
    ///
    /// # Errors
    /// A remote node that cannot be reached.
    pub async fn recheck_all(&self) -> ApiResult<()> {
        match self {
            NodeLink::Local(node) => {
                node.recheck_all();
                Ok(())
            }
            NodeLink::Remote(node) => node.recheck_all().await,
        }
    }

    /// Reads a chunk-local selection (see [`ChunkNode::read`]).
    ///
    /// # Errors
    /// As [`ChunkNode::read`]; a remote node's failure as [`ChunkError::Remote`].
    pub async fn read(
        &self,
        bucket: &Bucket,
        dataset: &Arc<DatasetLayout>,
        chunk_id: &str,
        selection: &[DimSelection],
    ) -> Result<ElementBuf, ChunkError> {
        match self {
            NodeLink::Local(node) => node.chunks.read(bucket, dataset, chunk_id, selection).await,
            NodeLink::Remote(node) => node.read(bucket, dataset, chunk_id, selection).await,
        }
    }

    /// Writes a chunk-local selection (see [`ChunkNode::write`]).
    ///
    /// # Errors
    /// As [`Self::read`].
    pub async fn write(
        &self,
        bucket: &Bucket,
        dataset: &Arc<DatasetLayout>,
        chunk_id: &str,
        selection: &[DimSelection],
        data: &ElementBuf,
    ) -> Result<(), ChunkError> {
        match self {
            NodeLink::Local(node) => {
                node.chunks.write(bucket, dataset, chunk_id, selection, data).await
            }
            NodeLink::Remote(node) => node.write(bucket, dataset, chunk_id, selection, data).await,
        }
    }

    /// Reads chunk-local points (see [`ChunkNode::read_points`]).
    ///
    /// # Errors
    /// As [`Self::read`].
    pub async fn read_points(
        &self,
        bucket: &Bucket,
        dataset: &Arc<DatasetLayout>,
        chunk_id: &str,
        points: &[u64],
    ) -> Result<ElementBuf, ChunkError> {
        match self {
            NodeLink::Local(node) => {
                node.chunks.read_points(bucket, dataset, chunk_id, points).await
            }
            NodeLink::Remote(node) => node.read_points(bucket, dataset, chunk_id, points).await,
        }
    }

    /// Writes chunk-local points (see [`ChunkNode::write_points`]).
    ///
    /// # Errors
    /// As [`Self::read`].
    pub async fn write_points(
        &self,
        bucket: &Bucket,
        dataset: &Arc<DatasetLayout>,
        chunk_id: &str,
        points: &[u64],
        data: &ElementBuf,
    ) -> Result<(), ChunkError> {
        match self {
            NodeLink::Local(node) => {
                node.chunks.write_points(bucket, dataset, chunk_id, points, data).await
            }
            NodeLink::Remote(node) => {
                node.write_points(bucket, dataset, chunk_id, points, data).await
            }
        }
    }

    /// Removes every chunk of `dataset_id` this node owns.
    ///
    /// # Errors
    /// As [`ChunkNode::delete_dataset`].
    pub async fn delete_dataset(
        &self,
        bucket: &Bucket,
        dataset_id: &str,
    ) -> Result<(), ChunkError> {
        match self {
            NodeLink::Local(node) => node.chunks.delete_dataset(bucket, dataset_id).await,
            NodeLink::Remote(node) => node.delete_dataset(bucket, dataset_id).await,
        }
    }

    /// Drops chunks outside `dataset`'s extents (see [`ChunkNode::trim`]).
    ///
    /// # Errors
    /// As [`ChunkNode::trim`].
    pub async fn trim(
        &self,
        bucket: &Bucket,
        dataset: &Arc<DatasetLayout>,
    ) -> Result<(), ChunkError> {
        match self {
            NodeLink::Local(node) => node.chunks.trim(bucket, dataset).await,
            NodeLink::Remote(node) => node.trim(bucket, dataset).await,
        }
    }
}
