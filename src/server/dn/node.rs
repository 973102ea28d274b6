//! [`DataNode`]: one partition's metadata owner. Reads objects through the cache, creates,
//! mutates and deletes them under their slot lock, and writes dirty objects back to storage. A
//! clean cached object used more than `recheck_interval` after it was last checked is compared
//! with storage (its version, one `HEAD`) and read again if another writer changed it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::cache::{ObjectCache, Slot, SlotState};
use super::member::{outline, MemberAnswer, Section};
use super::mutation::{apply, Mutation, Outcome};
use crate::chunking::dn_index;
use crate::server::api::quote_non_finite;
use crate::server::error::{ApiError, ApiResult};
use crate::server::recheck::RecheckClock;
use crate::storage::backend::Version;
use crate::storage::keys::{dataset_prefix, domain_key, object_key};
use crate::storage::{Bucket, Storage};

/// Below this size an object's cache charge is not re-measured after mutations.
const MEASURE_FLOOR: usize = 4096;

/// The address of one stored object.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjRef {
    /// A group, dataset or datatype id.
    Id(String),
    /// A domain or folder path (`/home/u/f.h5`, `/home/u/`).
    Domain(String),
}

impl ObjRef {
    /// The string HSDS hashes to pick the DN: the id, or `<bucket><path>`.
    pub fn partition_key(&self, bucket: &str) -> String {
        match self {
            ObjRef::Id(id) => id.clone(),
            ObjRef::Domain(path) => format!("{bucket}{path}"),
        }
    }

    /// The storage key.
    ///
    /// # Errors
    /// 400 for a malformed id or path.
    pub fn storage_key(&self) -> ApiResult<String> {
        Ok(match self {
            ObjRef::Id(id) => object_key(id)?,
            ObjRef::Domain(path) => domain_key(path)?,
        })
    }

    fn is_domain(&self) -> bool {
        matches!(self, ObjRef::Domain(_))
    }
}

/// A data node: partition `node_number` of `node_count`.
#[derive(Debug)]
pub struct DataNode {
    node_number: usize,
    node_count: usize,
    storage: Storage,
    cache: ObjectCache,
    /// Held for a whole flush: a flush that finds nothing dirty because the write-back task
    /// took the dirty set must still wait until those writes are done.
    flushing: tokio::sync::Mutex<()>,
    /// When a clean cached object is compared with storage again.
    recheck: RecheckClock,
}

/// The default of `storage_recheck_interval`: 1 s.
pub const DEFAULT_RECHECK_INTERVAL: Duration = Duration::from_secs(1);

fn slot_name(bucket: &str, key: &str) -> String {
    format!("{bucket}\n{key}")
}

fn split_slot_name(name: &str) -> (&str, &str) {
    name.split_once('\n').unwrap_or(("", name))
}

impl DataNode {
    /// A DN over `storage` with a cache budget of `cache_bytes`.
    pub fn new(
        node_number: usize,
        node_count: usize,
        storage: Storage,
        cache_bytes: usize,
    ) -> DataNode {
        DataNode {
            node_number,
            node_count,
            storage,
            cache: ObjectCache::new(cache_bytes),
            flushing: tokio::sync::Mutex::new(()),
            recheck: RecheckClock::new(DEFAULT_RECHECK_INTERVAL),
        }
    }

    /// The same node, comparing clean cached objects with storage after `interval`.
    #[must_use]
    pub fn with_recheck_interval(self, interval: Duration) -> DataNode {
        DataNode { recheck: RecheckClock::new(interval), ..self }
    }

    /// Compares every clean cached object with storage on its next use (a client asked to see
    /// other services' writes at once).
    pub fn recheck_all(&self) {
        self.recheck.recheck_all();
    }

    /// This node's index.
    pub fn node_number(&self) -> usize {
        self.node_number
    }

    /// The DN id HSDS reports (`dn-001`, …).
    pub fn node_id(&self) -> String {
        format!("dn-{:03}", self.node_number + 1)
    }

    /// The cache (for statistics).
    pub fn cache(&self) -> &ObjectCache {
        &self.cache
    }

    fn check_partition(&self, bucket: &str, obj: &ObjRef) -> ApiResult<()> {
        let owner = dn_index(&obj.partition_key(bucket), self.node_count)
            .map_err(|e| ApiError::internal(e.to_string()))?;
        if owner != self.node_number {
            return Err(ApiError::internal(format!(
                "{obj:?} belongs to data node {owner}, not {}",
                self.node_number
            )));
        }
        Ok(())
    }

    fn bucket(&self, name: &str) -> ApiResult<Bucket> {
        Ok(self.storage.bucket(name)?)
    }

    /// Makes `slot` hold what storage holds: reads it if never loaded, or if it is clean, was
    /// last checked more than `recheck_interval` ago and storage has another version now.
    async fn load(&self, bucket: &str, key: &str, slot: &mut Slot) -> ApiResult<()> {
        if slot.state != SlotState::Unloaded {
            if slot.dirty || !self.recheck.is_due(slot.checked_at) {
                return Ok(());
            }
            let now = self.bucket(bucket)?.version(key).await?;
            let unchanged = match (&slot.state, &now) {
                (SlotState::Present(_), Some(now)) => slot.version.same_as(now),
                (SlotState::Absent, None) => true,
                _ => false,
            };
            if unchanged {
                slot.checked_at = Some(Instant::now());
                return Ok(());
            }
        }
        match self.read_json(bucket, key).await? {
            Some((value, version)) => {
                let size = value.to_string().len();
                slot.state = SlotState::Present(value);
                slot.version = version;
                slot.measured = size;
                self.cache.charge(slot, size);
            }
            None => {
                slot.state = SlotState::Absent;
                slot.version = Version::default();
                self.cache.charge(slot, 0);
            }
        }
        slot.checked_at = Some(Instant::now());
        Ok(())
    }

    /// Reads a stored JSON object and its version; HSDS (Python) writes non-finite floats as
    /// bare `NaN` / `Infinity` tokens, which are read as the strings `"NaN"` / `"Infinity"`.
    async fn read_json(&self, bucket: &str, key: &str) -> ApiResult<Option<(Value, Version)>> {
        let Some((bytes, version)) = self.bucket(bucket)?.get_versioned(key).await? else {
            return Ok(None);
        };
        let parsed = match serde_json::from_slice(&bytes) {
            Ok(value) => Ok(value),
            Err(err) => quote_non_finite(&bytes)
                .and_then(|fixed| serde_json::from_slice(&fixed).ok())
                .ok_or_else(|| {
                    ApiError::internal(format!("stored object {key} is not valid JSON: {err}"))
                }),
        };
        parsed.map(|value| Some((value, version)))
    }

    async fn settle(
        &self,
        bucket: &str,
        key: &str,
        obj: &ObjRef,
        slot: &mut Slot,
    ) -> ApiResult<()> {
        slot.dirty = true;
        if obj.is_domain() {
            self.write_slot(bucket, key, slot).await
        } else {
            self.cache.mark_dirty(&slot_name(bucket, key))
        }
    }

    /// The object's JSON, or `None` if it does not exist.
    ///
    /// # Errors
    /// 400 for a bad id, 500 for a foreign id or a storage failure.
    pub async fn get(&self, bucket: &str, obj: &ObjRef) -> ApiResult<Option<Value>> {
        self.read(bucket, obj, |value, _| value.clone()).await
    }

    /// Member `name` of `section` of the object, or the whole object when it is small
    /// ([`MemberAnswer::of`]); `None` if the object does not exist.
    ///
    /// # Errors
    /// As [`DataNode::get`].
    pub async fn get_member(
        &self,
        bucket: &str,
        obj: &ObjRef,
        section: Section,
        name: &str,
    ) -> ApiResult<Option<MemberAnswer>> {
        self.read(bucket, obj, |value, stored_bytes| {
            MemberAnswer::of(value, stored_bytes, section, name)
        })
        .await
    }

    /// The object's [`outline`] (no attribute or link tables), or `None` if it does not exist.
    ///
    /// # Errors
    /// As [`DataNode::get`].
    pub async fn get_outline(&self, bucket: &str, obj: &ObjRef) -> ApiResult<Option<Value>> {
        self.read(bucket, obj, |value, _| outline(value)).await
    }

    /// What `pick` takes from the object (given its JSON and its cache charge, about its
    /// stored size) under the object's lock; `None` if it does not exist. A missing object's
    /// slot is not kept.
    async fn read<T>(
        &self,
        bucket: &str,
        obj: &ObjRef,
        pick: impl FnOnce(&Value, usize) -> T,
    ) -> ApiResult<Option<T>> {
        self.check_partition(bucket, obj)?;
        let key = obj.storage_key()?;
        let name = slot_name(bucket, &key);
        let handle = self.cache.slot(&name)?;
        let result = {
            let mut slot = handle.lock().await;
            let loaded = self.load(bucket, &key, &mut slot).await;
            loaded.map(|()| match &slot.state {
                SlotState::Present(value) => Some(pick(value, slot.charged)),
                _ => None,
            })
        };
        drop(handle);
        if !matches!(result, Ok(Some(_))) {
            self.cache.discard_if_idle(&name);
        }
        self.cache.evict();
        result
    }

    /// Creates the object.
    ///
    /// # Errors
    /// 409 if it exists; as [`DataNode::get`].
    pub async fn create(&self, bucket: &str, obj: &ObjRef, value: Value) -> ApiResult<()> {
        self.check_partition(bucket, obj)?;
        let key = obj.storage_key()?;
        let handle = self.cache.slot(&slot_name(bucket, &key))?;
        {
            let mut slot = handle.lock().await;
            self.load(bucket, &key, &mut slot).await?;
            if let SlotState::Present(_) = slot.state {
                return Err(ApiError::conflict("object already exists"));
            }
            let size = value.to_string().len();
            slot.state = SlotState::Present(value);
            slot.measured = size;
            self.cache.charge(&mut slot, size);
            self.settle(bucket, &key, obj, &mut slot).await?;
        }
        drop(handle);
        self.cache.evict();
        Ok(())
    }

    /// Applies `mutation` to the object under its lock; returns the outcome and, if
    /// [`Mutation::returns_object`], the new JSON (else `null`).
    ///
    /// # Errors
    /// 404 if the object does not exist; any error of [`apply`] (nothing is changed then).
    pub async fn mutate(
        &self,
        bucket: &str,
        obj: &ObjRef,
        mutation: &Mutation,
    ) -> ApiResult<(Outcome, Value)> {
        self.check_partition(bucket, obj)?;
        let key = obj.storage_key()?;
        let handle = self.cache.slot(&slot_name(bucket, &key))?;
        let result = {
            let mut slot = handle.lock().await;
            self.load(bucket, &key, &mut slot).await?;
            let SlotState::Present(current) = &mut slot.state else {
                return Err(ApiError::not_found("object not found"));
            };
            // `apply` changes nothing when it fails, so it works on the cached object itself:
            // no copy. The cache is charged what the mutation adds, and the object is measured
            // again only once that estimate doubles, so a change costs about the same in an
            // object of any size.
            let outcome = apply(current, mutation)?;
            let answer = if mutation.returns_object() { current.clone() } else { Value::Null };
            if outcome != Outcome::Unchanged {
                let estimate = slot.charged.saturating_add(mutation.added_bytes());
                let size = if estimate > slot.measured.max(MEASURE_FLOOR).saturating_mul(2) {
                    let exact = match &slot.state {
                        SlotState::Present(value) => value.to_string().len(),
                        _ => 0,
                    };
                    slot.measured = exact;
                    exact
                } else {
                    estimate
                };
                self.cache.charge(&mut slot, size);
                self.settle(bucket, &key, obj, &mut slot).await?;
            }
            (outcome, answer)
        };
        drop(handle);
        self.cache.evict();
        Ok(result)
    }

    /// Deletes the object (and, for a dataset, everything under its prefix: its chunks).
    ///
    /// # Errors
    /// 404 if it does not exist; as [`DataNode::get`].
    pub async fn delete(&self, bucket: &str, obj: &ObjRef) -> ApiResult<()> {
        self.check_partition(bucket, obj)?;
        let key = obj.storage_key()?;
        let handle = self.cache.slot(&slot_name(bucket, &key))?;
        let mut slot = handle.lock().await;
        self.load(bucket, &key, &mut slot).await?;
        if slot.state == SlotState::Absent {
            return Err(ApiError::not_found("object not found"));
        }
        slot.state = SlotState::Absent;
        self.cache.charge(&mut slot, 0);
        self.settle(bucket, &key, obj, &mut slot).await?;
        if let ObjRef::Id(id) = obj {
            if id.starts_with("d-") {
                let prefix = dataset_prefix(id)?;
                self.bucket(bucket)?.delete_prefix(&prefix).await?;
                slot.dirty = false;
            }
        }
        Ok(())
    }

    async fn write_slot(&self, bucket: &str, key: &str, slot: &mut Slot) -> ApiResult<()> {
        if !slot.dirty {
            return Ok(());
        }
        let store = self.bucket(bucket)?;
        slot.version = match &slot.state {
            SlotState::Present(value) => store.put_json_versioned(key, value).await?,
            SlotState::Absent => {
                store.delete(key).await?;
                Version::default()
            }
            SlotState::Unloaded => Version::default(),
        };
        slot.dirty = false;
        slot.checked_at = Some(Instant::now());
        Ok(())
    }

    /// Writes every dirty object back; returns once all of them are durable.
    ///
    /// # Errors
    /// The first storage failure (the failed objects stay dirty).
    pub async fn flush(&self) -> ApiResult<()> {
        let _flushing = self.flushing.lock().await;
        let mut first_error = None;
        for name in self.cache.take_dirty()? {
            let (bucket, key) = split_slot_name(&name);
            let handle = self.cache.slot(&name)?;
            let mut slot = handle.lock().await;
            if let Err(err) = self.write_slot(bucket, key, &mut slot).await {
                self.cache.mark_dirty(&name)?;
                first_error.get_or_insert(err);
            }
        }
        self.cache.evict();
        match first_error {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }

    /// Starts the write-back task: every `interval`, dirty objects are flushed.
    pub fn spawn_write_back(self: &Arc<Self>, interval: Duration) -> tokio::task::JoinHandle<()> {
        let node = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval.max(Duration::from_millis(10)));
            loop {
                ticker.tick().await;
                let Some(node) = node.upgrade() else { break };
                if let Err(err) = node.flush().await {
                    eprintln!("restvol: write-back failed on {}: {err}", node.node_id());
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::storage::StorageConfig;
    use serde_json::json;

    const GROUP: &str = "g-b03b24ef-69f244b6-acd9-4df97b-37122a";

    fn node() -> (DataNode, Bucket) {
        let storage = Storage::new(StorageConfig::Memory).unwrap();
        let bucket = storage.bucket("b").unwrap();
        (DataNode::new(0, 1, storage, 1 << 20), bucket)
    }

    /// Another service's flushed changes (create, change, delete) reach a node that cached the
    /// object once it rechecks storage; one told to recheck only hourly keeps its copy until
    /// told to recheck everything.
    #[tokio::test]
    async fn another_writers_objects_are_seen_once_rechecked() {
        let storage = Storage::new(StorageConfig::Memory).unwrap();
        let rechecking =
            DataNode::new(0, 1, storage.clone(), 1 << 20).with_recheck_interval(Duration::ZERO);
        let hourly = DataNode::new(0, 1, storage.clone(), 1 << 20)
            .with_recheck_interval(Duration::from_secs(3600));
        let writer = DataNode::new(0, 1, storage, 1 << 20);
        let obj = ObjRef::Id(GROUP.into());
        assert_eq!(rechecking.get("b", &obj).await.unwrap(), None);
        assert_eq!(hourly.get("b", &obj).await.unwrap(), None);

        writer.create("b", &obj, json!({"id": GROUP, "v": 1})).await.unwrap();
        writer.flush().await.unwrap();
        assert_eq!(rechecking.get("b", &obj).await.unwrap().unwrap()["v"], 1);
        // A missing object is never kept: even the hourly node sees the new one at once.
        assert_eq!(hourly.get("b", &obj).await.unwrap().unwrap()["v"], 1);

        let attrs = json!({"a": {"type": "H5T_STD_I32LE", "shape": {"class": "H5S_SCALAR"}}});
        let change = Mutation::PutAttributes {
            attributes: attrs.as_object().unwrap().clone(),
            replace: false,
        };
        writer.mutate("b", &obj, &change).await.unwrap();
        writer.flush().await.unwrap();
        let seen = rechecking.get("b", &obj).await.unwrap().unwrap();
        assert!(seen["attributes"].get("a").is_some(), "{seen}");
        let kept = hourly.get("b", &obj).await.unwrap().unwrap();
        assert!(kept.get("attributes").is_none(), "{kept}");
        hourly.recheck_all();
        let refreshed = hourly.get("b", &obj).await.unwrap().unwrap();
        assert!(refreshed["attributes"].get("a").is_some(), "after recheck_all: {refreshed}");

        writer.delete("b", &obj).await.unwrap();
        writer.flush().await.unwrap();
        assert_eq!(rechecking.get("b", &obj).await.unwrap(), None);
    }

    /// Whichever of two concurrent flushes returns first, the object is already durable (the
    /// loser of the race for the dirty set waits for the winner's writes).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_flush_returns_only_after_a_concurrent_flush_wrote() {
        // A directory store: its writes take real time, so the flushes overlap.
        let root = std::env::temp_dir().join(format!("rv-dn-flush-{}", std::process::id()));
        std::fs::create_dir_all(root.join("b")).unwrap();
        let storage = Storage::new(StorageConfig::Directory { root: root.clone() }).unwrap();
        let bucket = storage.bucket("b").unwrap();
        let dn = Arc::new(DataNode::new(0, 1, storage, 1 << 20));
        let key = object_key(GROUP).unwrap();
        for round in 0..200 {
            let obj = ObjRef::Id(GROUP.into());
            if round > 0 {
                dn.delete("b", &obj).await.unwrap();
                dn.flush().await.unwrap();
            }
            dn.create("b", &obj, json!({"id": GROUP, "round": round})).await.unwrap();
            let (first, second) = (Arc::clone(&dn), Arc::clone(&dn));
            let mut a = tokio::spawn(async move { first.flush().await });
            let mut b = tokio::spawn(async move { second.flush().await });
            let other = tokio::select! {
                done = &mut a => { done.unwrap().unwrap(); b }
                done = &mut b => { done.unwrap().unwrap(); a }
            };
            let stored = bucket.get_json(&key).await.unwrap();
            assert_eq!(stored.and_then(|v| v.get("round").cloned()), Some(json!(round)));
            other.await.unwrap().unwrap();
        }
        let _ = std::fs::remove_dir_all(root);
    }

    #[tokio::test]
    async fn create_mutate_flush_delete() {
        let (dn, store) = node();
        let obj = ObjRef::Id(GROUP.into());
        dn.create("b", &obj, json!({"id": GROUP, "links": {}})).await.unwrap();
        assert_eq!(dn.create("b", &obj, json!({})).await.unwrap_err().status, 409);
        let key = object_key(GROUP).unwrap();
        assert!(store.get_json(&key).await.unwrap().is_none(), "written back lazily");
        let links = json!({"x": {"class": "H5L_TYPE_SOFT", "h5path": "/a"}});
        let mutation =
            Mutation::PutLinks { links: links.as_object().unwrap().clone(), replace: false };
        assert_eq!(dn.mutate("b", &obj, &mutation).await.unwrap().0, Outcome::Created);
        dn.flush().await.unwrap();
        let stored = store.get_json(&key).await.unwrap().unwrap();
        assert_eq!(stored["links"]["x"]["h5path"], json!("/a"));
        dn.delete("b", &obj).await.unwrap();
        assert!(dn.get("b", &obj).await.unwrap().is_none());
        dn.flush().await.unwrap();
        assert!(store.get_json(&key).await.unwrap().is_none());
        assert_eq!(dn.delete("b", &obj).await.unwrap_err().status, 404);
    }

    /// A failed mutation leaves the cached object as it was (mutations apply in place); member
    /// lookups answer a small group whole and a large one (or an attribute) by member; the
    /// cache charge tracks a growing object without re-measuring it on every change.
    #[tokio::test]
    async fn members_in_place_mutations_and_charges() {
        let (dn, _) = node();
        let obj = ObjRef::Id(GROUP.into());
        dn.create("b", &obj, json!({"id": GROUP, "links": {}, "attributes": {}})).await.unwrap();
        let link = |path: &str| {
            let links = json!({"x": {"class": "H5L_TYPE_SOFT", "h5path": path}});
            Mutation::PutLinks { links: links.as_object().unwrap().clone(), replace: false }
        };
        dn.mutate("b", &obj, &link("/a")).await.unwrap();
        let before = dn.get("b", &obj).await.unwrap().unwrap();
        assert_eq!(dn.mutate("b", &obj, &link("/other")).await.unwrap_err().status, 409);
        let gone = Mutation::DeleteLinks { titles: vec!["x".into(), "missing".into()] };
        assert_eq!(dn.mutate("b", &obj, &gone).await.unwrap_err().status, 404);
        assert_eq!(dn.get("b", &obj).await.unwrap().unwrap(), before, "failed mutations");

        let whole = dn.get_member("b", &obj, Section::Links, "x").await.unwrap().unwrap();
        assert_eq!(whole, MemberAnswer::Whole(before.clone()));
        let missing = ObjRef::Id("g-b03b24ef-69f244b6-acd9-4df97b-37122b".into());
        assert_eq!(dn.get_member("b", &missing, Section::Links, "x").await.unwrap(), None);

        for i in 0..2000 {
            let attrs = json!({ format!("attr {i:05}"): {"type": "H5T_STD_I32LE",
                "shape": {"class": "H5S_SCALAR"}, "value": i, "created": 1.0} });
            let put = Mutation::PutAttributes {
                attributes: attrs.as_object().unwrap().clone(),
                replace: false,
            };
            dn.mutate("b", &obj, &put).await.unwrap();
        }
        let answer =
            dn.get_member("b", &obj, Section::Attributes, "attr 01234").await.unwrap().unwrap();
        assert_eq!(answer.into_member(Section::Attributes, "attr 01234").unwrap()["value"], 1234);
        let answer = dn.get_member("b", &obj, Section::Links, "x").await.unwrap().unwrap();
        assert_eq!(answer, MemberAnswer::Member(Some(before["links"]["x"].clone())), "large");
        let exact = dn.get("b", &obj).await.unwrap().unwrap().to_string().len();
        let charged = dn.cache.bytes();
        assert!(charged >= exact && charged <= 2 * exact + 4096, "{charged} vs {exact}");
    }

    #[tokio::test]
    async fn write_back_runs_on_its_timer() {
        let (dn, store) = node();
        let dn = Arc::new(dn);
        let task = dn.spawn_write_back(Duration::from_millis(20));
        let obj = ObjRef::Id(GROUP.into());
        dn.create("b", &obj, json!({"id": GROUP})).await.unwrap();
        let key = object_key(GROUP).unwrap();
        let mut written = false;
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(10)).await;
            if store.get_json(&key).await.unwrap().is_some() {
                written = true;
                break;
            }
        }
        task.abort();
        assert!(written, "dirty object was not written back");
        assert_eq!(dn.cache().dirty_count(), 0);
    }

    #[tokio::test]
    async fn missing_lookups_do_not_grow_the_cache() {
        let (dn, _) = node();
        for i in 0..10 {
            let id = format!("g-b03b24ef-69f244b6-acd9-4df97b-{i:06x}");
            assert!(dn.get("b", &ObjRef::Id(id)).await.unwrap().is_none());
        }
        assert!(dn.cache().is_empty());
    }

    #[tokio::test]
    async fn reads_python_non_finite_tokens() {
        let (dn, store) = node();
        let key = object_key(GROUP).unwrap();
        store.put(&key, bytes::Bytes::from_static(br#"{"id": "x", "v": NaN}"#)).await.unwrap();
        let value = dn.get("b", &ObjRef::Id(GROUP.into())).await.unwrap().unwrap();
        assert_eq!(value["v"], json!("NaN"));
    }

    #[tokio::test]
    async fn domains_are_written_through() {
        let (dn, store) = node();
        let obj = ObjRef::Domain("/home/u/f.h5".into());
        dn.create("b", &obj, json!({"owner": "u", "acls": {}})).await.unwrap();
        assert!(store.get_json("home/u/f.h5/.domain.json").await.unwrap().is_some());
    }

    #[tokio::test]
    async fn concurrent_mutations_keep_every_update() {
        let (dn, _) = node();
        let dn = Arc::new(dn);
        let obj = ObjRef::Id(GROUP.into());
        dn.create("b", &obj, json!({"links": {}})).await.unwrap();
        let mut tasks = Vec::new();
        for i in 0..50 {
            let dn = dn.clone();
            let obj = obj.clone();
            tasks.push(tokio::spawn(async move {
                let links = json!({ format!("l{i}"): {"class": "H5L_TYPE_SOFT", "h5path": "/"} });
                let m = Mutation::PutLinks {
                    links: links.as_object().unwrap().clone(),
                    replace: false,
                };
                dn.mutate("b", &obj, &m).await.unwrap();
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let value = dn.get("b", &obj).await.unwrap().unwrap();
        assert_eq!(value["links"].as_object().unwrap().len(), 50);
    }

    #[tokio::test]
    async fn rejects_foreign_ids() {
        let storage = Storage::new(StorageConfig::Memory).unwrap();
        let obj = ObjRef::Id(GROUP.into());
        let owner = dn_index(GROUP, 4).unwrap();
        let other = DataNode::new((owner + 1) % 4, 4, storage, 1 << 20);
        assert_eq!(other.get("b", &obj).await.unwrap_err().status, 500);
    }
}
