//! [`DnTransport`]: how the SN reaches the data nodes. Every call names the object, the
//! transport picks the owning DN (`md5` partition, reference §3.2) and forwards the call.
//! Today there is one variant, in-process; an HTTP variant (DNs in other processes) adds one arm
//! to each method.

use std::sync::Arc;

use serde_json::Value;

use super::dn::{DataNode, Mutation, ObjRef, Outcome};
use super::error::{ApiError, ApiResult};
use crate::chunking::dn_index;

/// The SN's link to its data nodes.
#[derive(Debug, Clone)]
pub enum DnTransport {
    /// Data nodes living in this process, indexed by node number.
    InProcess(Arc<Vec<Arc<DataNode>>>),
}

impl DnTransport {
    /// An in-process transport over `nodes` (node `i` must have node number `i`).
    pub fn in_process(nodes: Vec<Arc<DataNode>>) -> DnTransport {
        DnTransport::InProcess(Arc::new(nodes))
    }

    /// How many DNs there are.
    pub fn node_count(&self) -> usize {
        match self {
            DnTransport::InProcess(nodes) => nodes.len(),
        }
    }

    /// The DN ids (`dn-001`, …).
    pub fn node_ids(&self) -> Vec<String> {
        match self {
            DnTransport::InProcess(nodes) => nodes.iter().map(|n| n.node_id()).collect(),
        }
    }

    fn owner(&self, bucket: &str, obj: &ObjRef) -> ApiResult<&Arc<DataNode>> {
        let index = dn_index(&obj.partition_key(bucket), self.node_count())
            .map_err(|e| ApiError::new(503, e.to_string()))?;
        match self {
            DnTransport::InProcess(nodes) => {
                nodes.get(index).ok_or_else(|| ApiError::new(503, "data node missing"))
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

    /// Flushes every DN; returns when everything is durable.
    ///
    /// # Errors
    /// The first DN failure.
    pub async fn flush(&self) -> ApiResult<()> {
        match self {
            DnTransport::InProcess(nodes) => {
                let results =
                    futures_util::future::join_all(nodes.iter().map(|node| node.flush())).await;
                results.into_iter().collect::<ApiResult<Vec<()>>>().map(|_| ())
            }
        }
    }
}
