//! [`DnTransport`]: how the SN reaches the data nodes. Every call names the object, the
//! transport picks the owning DN (`md5` partition, reference §3.2) and forwards the call over
//! that node's [`NodeLink`] — in this process or in a `restvol dn` process. Domain JSON, the
//! dataset JSON value requests need and group JSON read for links are kept briefly in
//! [`MetaCache`]s (every write through the transport drops the entry).

use std::sync::Arc;

use serde_json::Value;

use super::chunks::{ChunkError, ChunkNode, ChunkNodeConfig, CodecFilters, DatasetLayout};
use super::cluster::NodeLink;
use super::dn::member::member_of;
use super::dn::{DataNode, MemberAnswer, Mutation, ObjRef, Outcome, Section};
use super::error::{ApiError, ApiResult};
use super::meta_cache::MetaCache;
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
    domains: Arc<MetaCache>,
    /// Dataset JSON without `attributes` and `links` (what value requests need).
    datasets: Arc<MetaCache>,
    /// Whole group JSON, shared, for reading links and resolving paths (see
    /// [`DnTransport::group_for_links`]).
    groups: Arc<MetaCache<Arc<Value>>>,
}

impl DnTransport {
    /// A transport over `links` (link `i` must reach node number `i`).
    #[must_use]
    pub fn new(links: Vec<NodeLink>) -> DnTransport {
        DnTransport {
            nodes: Arc::new(links),
            domains: Arc::new(MetaCache::default()),
            datasets: Arc::new(MetaCache::default()),
            groups: Arc::new(MetaCache::default()),
        }
    }

    /// The same transport with domain JSON reused for `ttl` (zero: never cached).
    #[must_use]
    pub fn with_domain_cache_ttl(self, ttl: std::time::Duration) -> DnTransport {
        DnTransport { domains: Arc::new(MetaCache::with_ttl(ttl)), ..self }
    }

    /// The same transport with dataset JSON (for value requests) and group JSON (for links and
    /// paths) reused for `ttl` (zero: never cached).
    #[must_use]
    pub fn with_dataset_cache_ttl(self, ttl: std::time::Duration) -> DnTransport {
        DnTransport {
            datasets: Arc::new(MetaCache::with_ttl(ttl)),
            groups: Arc::new(MetaCache::with_ttl(ttl)),
            ..self
        }
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
        match obj {
            ObjRef::Domain(path) => self.cached_get(&self.domains, bucket, path, obj, |j| j).await,
            ObjRef::Id(_) => self.owner(bucket, obj)?.get(bucket, obj).await,
        }
    }

    /// Reads dataset `id` for a value request: its JSON without `attributes` and `links`
    /// (which value requests do not use), reused from the cache while fresh.
    ///
    /// # Errors
    /// As [`DataNode::get`].
    pub async fn dataset_meta(&self, bucket: &str, id: &str) -> ApiResult<Option<Value>> {
        let obj = ObjRef::Id(id.to_string());
        self.cached_get(&self.datasets, bucket, id, &obj, |mut json| {
            if let Some(fields) = json.as_object_mut() {
                fields.remove("attributes");
                fields.remove("links");
            }
            json
        })
        .await
    }

    /// Reads group `id` to read or follow its links (`h5path` lookups, link GETs): its whole
    /// JSON, shared and reused from the cache while fresh, so resolving names in a group of
    /// thousands of links does not fetch and copy the group for every request.
    ///
    /// # Errors
    /// As [`DataNode::get`].
    pub async fn group_for_links(&self, bucket: &str, id: &str) -> ApiResult<Option<Arc<Value>>> {
        let obj = ObjRef::Id(id.to_string());
        self.cached_get(&self.groups, bucket, id, &obj, Arc::new).await
    }

    /// Member `name` of `section` (an attribute or a link) of object `id`. A link comes from the
    /// SN's group cache when it holds the group; otherwise the object's DN answers, with the
    /// whole object when it is small (a group is then cached as by
    /// [`DnTransport::group_for_links`]) and with the member alone when it is large, so a
    /// lookup costs the same in an object of any size. `Ok(None)`: no such member.
    ///
    /// # Errors
    /// 404 when the object does not exist; as [`DataNode::get`].
    pub async fn member(
        &self,
        bucket: &str,
        id: &str,
        section: Section,
        name: &str,
    ) -> ApiResult<Option<Value>> {
        let is_group = section == Section::Links;
        if is_group {
            if let Some(group) = self.groups.get(bucket, id) {
                return Ok(member_of(&group, section, name).cloned());
            }
        }
        let started = self.groups.start_read();
        let obj = ObjRef::Id(id.to_string());
        let answer = self
            .owner(bucket, &obj)?
            .get_member(bucket, &obj, section, name)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("object {id} not found")))?;
        if let (true, MemberAnswer::Whole(object)) = (is_group, &answer) {
            let kept = Arc::new(object.clone());
            let member = member_of(&kept, section, name).cloned();
            self.groups.insert(started, bucket, id, &kept);
            return Ok(member);
        }
        Ok(answer.into_member(section, name))
    }

    /// Object `id` without its attribute and link tables, with their sizes
    /// ([`crate::server::dn::member::outline`]): what an object's GET needs, in a constant
    /// size however many attributes or links it has.
    ///
    /// # Errors
    /// As [`DataNode::get`].
    pub async fn outline(&self, bucket: &str, id: &str) -> ApiResult<Option<Value>> {
        let obj = ObjRef::Id(id.to_string());
        self.owner(bucket, &obj)?.get_outline(bucket, &obj).await
    }

    /// `obj` from `cache` while fresh, else from its DN, kept as `keep` makes it (a missing
    /// object is never cached).
    async fn cached_get<T: Clone>(
        &self,
        cache: &MetaCache<T>,
        bucket: &str,
        key: &str,
        obj: &ObjRef,
        keep: impl FnOnce(Value) -> T,
    ) -> ApiResult<Option<T>> {
        if let Some(cached) = cache.get(bucket, key) {
            return Ok(Some(cached));
        }
        let started = cache.start_read();
        let Some(json) = self.owner(bucket, obj)?.get(bucket, obj).await? else {
            return Ok(None);
        };
        let kept = keep(json);
        cache.insert(started, bucket, key, &kept);
        Ok(Some(kept))
    }

    /// Drops the cached copy of `obj` before and after this SN writes it.
    async fn writing<T>(
        &self,
        bucket: &str,
        obj: &ObjRef,
        write: impl std::future::Future<Output = ApiResult<T>>,
    ) -> ApiResult<T> {
        let forget = || match obj {
            ObjRef::Domain(path) => self.domains.invalidate(bucket, path),
            ObjRef::Id(id) => {
                self.datasets.invalidate(bucket, id);
                self.groups.invalidate(bucket, id);
            }
        };
        forget();
        let result = write.await;
        forget();
        result
    }

    /// Creates an object (409 if it exists).
    ///
    /// # Errors
    /// As [`DataNode::create`].
    pub async fn create(&self, bucket: &str, obj: &ObjRef, value: Value) -> ApiResult<()> {
        let node = self.owner(bucket, obj)?;
        self.writing(bucket, obj, node.create(bucket, obj, value)).await
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
        self.writing(bucket, obj, node.mutate(bucket, obj, mutation)).await
    }

    /// Deletes an object.
    ///
    /// # Errors
    /// As [`DataNode::delete`].
    pub async fn delete(&self, bucket: &str, obj: &ObjRef) -> ApiResult<()> {
        let node = self.owner(bucket, obj)?;
        self.writing(bucket, obj, node.delete(bucket, obj)).await
    }

    /// Flushes every DN, chunks and metadata; returns when everything is durable.
    ///
    /// # Errors
    /// The first DN failure.
    pub async fn flush(&self) -> ApiResult<()> {
        self.on_every_node(NodeLink::flush).await
    }

    /// Sees what other services wrote, at once: drops the SN's cached domain, dataset and
    /// group JSON and makes every DN compare its clean cached entries with storage on next
    /// use.
    ///
    /// # Errors
    /// A DN that cannot be reached.
    pub async fn recheck_all(&self) -> ApiResult<()> {
        self.domains.clear();
        self.datasets.clear();
        self.groups.clear();
        self.on_every_node(NodeLink::recheck_all).await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::time::Duration;

    use serde_json::json;

    use super::*;
    use crate::storage::backend::{Storage, StorageConfig};

    const DSET: &str = "d-b03b24ef-69f244b6-acd9-4df97b-37122a";

    /// Two SNs' transports over the same two DNs: one caching dataset JSON, one not.
    fn transports(ttl: std::time::Duration) -> (DnTransport, DnTransport) {
        let storage = Storage::new(StorageConfig::Memory).unwrap();
        let nodes: Vec<_> =
            (0..2).map(|i| Arc::new(DataNode::new(i, 2, storage.clone(), 1 << 20))).collect();
        let caching = DnTransport::in_process(nodes.clone()).with_dataset_cache_ttl(ttl);
        let other = DnTransport::in_process(nodes).with_dataset_cache_ttl(Duration::ZERO);
        (caching, other)
    }

    fn shape(dims: u64) -> Value {
        json!({"class": "H5S_SIMPLE", "dims": [dims], "maxdims": [0]})
    }

    #[tokio::test]
    async fn dataset_metadata_is_reused_without_attributes_and_dropped_by_a_write() {
        let (dn, other_sn) = transports(Duration::from_secs(60));
        let obj = ObjRef::Id(DSET.to_string());
        let stored = json!({"id": DSET, "type": "H5T_STD_I32LE", "shape": shape(4),
            "attributes": {"a": {"type": "H5T_STD_I32LE", "value": 1}}});
        dn.create("b", &obj, stored).await.unwrap();
        let first = dn.dataset_meta("b", DSET).await.unwrap().unwrap();
        assert_eq!(first["shape"], shape(4));
        assert!(first.get("attributes").is_none() && first.get("links").is_none());
        other_sn.mutate("b", &obj, &Mutation::SetShape { shape: shape(6) }).await.unwrap();
        let reused = dn.dataset_meta("b", DSET).await.unwrap().unwrap();
        assert_eq!(reused["shape"], shape(4), "another SN's write is seen only after the TTL");

        dn.mutate("b", &obj, &Mutation::SetShape { shape: shape(9) }).await.unwrap();
        let after = dn.dataset_meta("b", DSET).await.unwrap().unwrap();
        assert_eq!(after["shape"], shape(9), "a shape change through the SN is seen at once");

        dn.delete("b", &obj).await.unwrap();
        assert!(dn.dataset_meta("b", DSET).await.unwrap().is_none(), "nor is a deleted one kept");
        assert!(dn.dataset_meta("other", DSET).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn group_json_for_links_is_shared_and_dropped_by_a_link_change() {
        let (dn, other_sn) = transports(Duration::from_secs(60));
        let group = "g-b03b24ef-69f244b6-acd9-4df97b-37122a";
        let obj = ObjRef::Id(group.to_string());
        dn.create("b", &obj, json!({"id": group, "links": {}})).await.unwrap();
        let first = dn.group_for_links("b", group).await.unwrap().unwrap();
        let again = dn.group_for_links("b", group).await.unwrap().unwrap();
        assert!(Arc::ptr_eq(&first, &again), "one shared copy while fresh");

        let link = json!({"class": "H5L_TYPE_SOFT", "h5path": "/x"});
        let links = json!({ "s": link }).as_object().unwrap().clone();
        let put = Mutation::PutLinks { links, replace: false };
        other_sn.mutate("b", &obj, &put).await.unwrap();
        let stale = dn.group_for_links("b", group).await.unwrap().unwrap();
        assert!(stale["links"].get("s").is_none(), "another SN's change waits for the TTL");

        let (_, answer) = dn.mutate("b", &obj, &put).await.unwrap();
        assert_eq!(answer, Value::Null, "a link change does not send the group back");
        let fresh = dn.group_for_links("b", group).await.unwrap().unwrap();
        assert!(fresh["links"].get("s").is_some(), "this SN's change is seen at once");
        let (_, counted) =
            dn.mutate("b", &obj, &Mutation::ChangeRefCount { change: 1 }).await.unwrap();
        assert!(counted.get("id").is_some(), "a reference count change sends the object back");
    }
}
