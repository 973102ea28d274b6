//! The data-node chunk store: [`ChunkNode`] owns the chunks of its partition (HSDS
//! `getObjPartition` over the chunk id string), reads and writes chunk-local selections and
//! point lists, keeps chunks in a byte-budgeted cache, and writes dirty chunks back lazily
//! (within `sync_interval + age`) or on [`ChunkNode::flush`].
//!
//! Chunks are stored as HSDS stores them: the full chunk shape in C order under
//! `storage::keys::chunk_key`, raw or through a [`ChunkFilters`] codec; variable-length chunks
//! in the count+bytes form. A chunk equal to the fill value everywhere is never written, and one
//! that becomes all-fill after being stored is deleted, so readers never see stale data.
//!
//! Every operation on a chunk holds that chunk's async lock for its read-modify-write, so
//! concurrent writers through one node never lose updates. Selections and points given to a
//! node are **chunk-local** (coordinates inside the chunk), which keeps the node free of
//! dataset-level math; the SN side (`server::values`) computes them.

pub mod access;
pub mod dataset;
pub mod elements;
pub mod error;
pub mod fill;
pub mod filters;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::stream::{self, StreamExt};
use tokio::sync::{Mutex, Notify};

use crate::chunking::{dn_index, parse_chunk_id, DimSelection};
use crate::storage::backend::Bucket;
use crate::storage::keys::{chunk_key, dataset_prefix, parse_key, KeyTarget};

pub use dataset::DatasetLayout;
pub use elements::{ElementBuf, ItemLayout};
pub use error::ChunkError;
pub use filters::{ChunkFilters, RawFilters};

/// Tunables of a [`ChunkNode`] (HSDS config names in brackets).
#[derive(Debug, Clone)]
pub struct ChunkNodeConfig {
    /// This node's index in the sorted node list (`node_number`).
    pub node_index: usize,
    /// Number of data nodes.
    pub node_count: usize,
    /// Chunk cache budget in bytes (`chunk_mem_cache_size`, 128 MiB).
    pub cache_bytes: usize,
    /// Write-back period (`s3_sync_interval`, 1 s).
    pub sync_interval: Duration,
    /// Minimum age of a dirty chunk before lazy write-back (`s3_age_time`, 1 s).
    pub dirty_age: Duration,
    /// Concurrent storage writes during write-back (`max_pending_write_requests`, 20).
    pub max_pending_writes: usize,
}

impl ChunkNodeConfig {
    /// HSDS's defaults for node `node_index` of `node_count`.
    #[must_use]
    pub fn new(node_index: usize, node_count: usize) -> ChunkNodeConfig {
        ChunkNodeConfig {
            node_index,
            node_count,
            cache_bytes: 128 * 1024 * 1024,
            sync_interval: Duration::from_secs(1),
            dirty_age: Duration::from_secs(1),
            max_pending_writes: 20,
        }
    }
}

/// Cache key: bucket name and chunk id.
type SlotKey = (String, String);

/// One cached chunk.
#[derive(Debug)]
struct Slot {
    state: Mutex<SlotState>,
    last_used: AtomicU64,
    size: AtomicUsize,
}

#[derive(Debug)]
struct SlotState {
    /// The decoded chunk; `None` until loaded.
    data: Option<ElementBuf>,
    /// Whether storage holds an object for the chunk (`None`: unknown).
    stored: Option<bool>,
    /// Changed since the last write-back, and since when.
    dirty_since: Option<Instant>,
    /// The bucket and dataset of the last use (for write-back).
    bucket: Option<Bucket>,
    dataset: Option<Arc<DatasetLayout>>,
    /// Dropped from the cache (evicted or deleted): callers must look the slot up again.
    removed: bool,
}

/// A data node's chunk store. Create with [`ChunkNode::new`]; share as `Arc<ChunkNode>`.
#[derive(Debug)]
pub struct ChunkNode {
    config: ChunkNodeConfig,
    filters: Arc<dyn ChunkFilters>,
    slots: StdMutex<HashMap<SlotKey, Arc<Slot>>>,
    dirty: StdMutex<HashSet<SlotKey>>,
    tick: AtomicU64,
    cached_bytes: AtomicUsize,
    /// Set when eviction found only dirty chunks; cleared by write-back. Saves re-scanning the
    /// cache on every operation while over budget.
    evict_blocked: AtomicBool,
    wake: Notify,
}

fn lock_error() -> ChunkError {
    ChunkError::Poisoned
}

impl ChunkNode {
    /// A node with `config` and the codec `filters`. Inside a tokio runtime this also starts
    /// the lazy write-back task, which writes everything and ends once every other handle on
    /// the node is dropped; outside one, dirty chunks are written only by [`Self::flush`].
    pub fn new(config: ChunkNodeConfig, filters: Arc<dyn ChunkFilters>) -> Arc<ChunkNode> {
        let node = Arc::new(ChunkNode {
            config,
            filters,
            slots: StdMutex::new(HashMap::new()),
            dirty: StdMutex::new(HashSet::new()),
            tick: AtomicU64::new(0),
            cached_bytes: AtomicUsize::new(0),
            evict_blocked: AtomicBool::new(false),
            wake: Notify::new(),
        });
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(write_back_loop(Arc::clone(&node)));
        }
        node
    }

    /// This node's configuration.
    #[must_use]
    pub fn config(&self) -> &ChunkNodeConfig {
        &self.config
    }

    /// Whether `chunk_id` is in this node's partition.
    ///
    /// # Errors
    /// [`ChunkError::Partition`] for a zero node count.
    pub fn owns(&self, chunk_id: &str) -> Result<bool, ChunkError> {
        Ok(dn_index(chunk_id, self.config.node_count)? == self.config.node_index)
    }

    /// Bytes currently held by the chunk cache.
    #[must_use]
    pub fn cached_bytes(&self) -> usize {
        self.cached_bytes.load(Ordering::Relaxed)
    }

    /// Reads the chunk-local `selection` of chunk `chunk_id`, packed in C order of the
    /// selection. A chunk never written reads as the fill value.
    ///
    /// # Errors
    /// [`ChunkError`] for a foreign id, a bad selection, or a storage/codec failure.
    pub async fn read(
        &self,
        bucket: &Bucket,
        dataset: &Arc<DatasetLayout>,
        chunk_id: &str,
        selection: &[DimSelection],
    ) -> Result<ElementBuf, ChunkError> {
        self.with_chunk(bucket, dataset, chunk_id, |chunk| {
            Ok((access::gather(dataset.item, &dataset.chunk_dims, selection, chunk)?, false))
        })
        .await
    }

    /// Writes `data` (packed in C order of the chunk-local `selection`) into chunk `chunk_id`.
    ///
    /// # Errors
    /// As [`Self::read`], and [`ChunkError::BadData`] when `data` does not fit the selection.
    pub async fn write(
        &self,
        bucket: &Bucket,
        dataset: &Arc<DatasetLayout>,
        chunk_id: &str,
        selection: &[DimSelection],
        data: &ElementBuf,
    ) -> Result<(), ChunkError> {
        self.with_chunk(bucket, dataset, chunk_id, |chunk| {
            access::scatter(dataset.item, &dataset.chunk_dims, selection, data, chunk)?;
            Ok(((), true))
        })
        .await
    }

    /// Reads the elements at chunk-local `points` (flat, one coordinate per dimension each).
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
        let offsets = access::point_offsets(&dataset.chunk_dims, points)?;
        self.with_chunk(bucket, dataset, chunk_id, |chunk| {
            Ok((access::read_offsets(dataset.item, chunk, &offsets)?, false))
        })
        .await
    }

    /// Writes one element of `data` at each chunk-local point of `points`, in order.
    ///
    /// # Errors
    /// As [`Self::write`].
    pub async fn write_points(
        &self,
        bucket: &Bucket,
        dataset: &Arc<DatasetLayout>,
        chunk_id: &str,
        points: &[u64],
        data: &ElementBuf,
    ) -> Result<(), ChunkError> {
        let offsets = access::point_offsets(&dataset.chunk_dims, points)?;
        self.with_chunk(bucket, dataset, chunk_id, |chunk| {
            access::write_offsets(dataset.item, chunk, &offsets, data)?;
            Ok(((), true))
        })
        .await
    }

    /// Deletes every chunk of dataset `dataset_id` that this node owns, cached or stored.
    ///
    /// # Errors
    /// [`ChunkError`] for a malformed id or a storage failure.
    pub async fn delete_dataset(
        &self,
        bucket: &Bucket,
        dataset_id: &str,
    ) -> Result<(), ChunkError> {
        let uuid_of = |id: &str| id.split_once('-').map(|(_, rest)| rest.to_string());
        let uuid = uuid_of(dataset_id);
        for (key, slot) in self.cached_slots(bucket.name())? {
            let same = parse_chunk_id(&key.1).ok().map(|parts| uuid_of(&parts.dataset_id));
            if same == Some(uuid.clone()) {
                self.drop_slot(&key, &slot).await?;
            }
        }
        for chunk_id in self.stored_chunk_ids(bucket, dataset_id).await? {
            bucket.delete(&chunk_key(&chunk_id)?).await?;
        }
        Ok(())
    }

    /// After the dataset shrank to `dataset.dims`: deletes this node's chunks that lie wholly
    /// outside the new extents and resets to fill the out-of-range part of chunks that straddle
    /// them (so a later extension reads fill, as in HDF5).
    ///
    /// # Errors
    /// As [`Self::delete_dataset`].
    pub async fn trim(
        &self,
        bucket: &Bucket,
        dataset: &Arc<DatasetLayout>,
    ) -> Result<(), ChunkError> {
        let mut ids: HashSet<String> =
            self.stored_chunk_ids(bucket, &dataset.id).await?.into_iter().collect();
        let uuid = dataset.id.split_once('-').map(|(_, rest)| rest.to_string());
        for (key, _) in self.cached_slots(bucket.name())? {
            let parts = parse_chunk_id(&key.1).ok();
            let ours = parts.and_then(|p| p.dataset_id.split_once('-').map(|(_, r)| r.to_string()));
            if ours.is_some() && ours == uuid {
                ids.insert(key.1);
            }
        }
        for chunk_id in ids {
            let indices = parse_chunk_id(&chunk_id)?.indices;
            let origin: Vec<u64> =
                indices.iter().zip(&dataset.chunk_dims).map(|(i, c)| i * c).collect();
            if origin.iter().zip(&dataset.dims).any(|(o, d)| o >= d) {
                let key = (bucket.name().to_string(), chunk_id.clone());
                let slot = self.slots.lock().map_err(|_| lock_error())?.get(&key).cloned();
                if let Some(slot) = slot {
                    self.drop_slot(&key, &slot).await?;
                }
                bucket.delete(&chunk_key(&chunk_id)?).await?;
                continue;
            }
            let straddles = origin
                .iter()
                .zip(&dataset.chunk_dims)
                .zip(&dataset.dims)
                .any(|((o, c), d)| o + c > *d);
            if straddles {
                let limits: Vec<u64> = origin
                    .iter()
                    .zip(&dataset.chunk_dims)
                    .zip(&dataset.dims)
                    .map(|((o, c), d)| (d - o).min(*c))
                    .collect();
                self.with_chunk(bucket, dataset, &chunk_id, |chunk| {
                    reset_outside(dataset, &limits, chunk)?;
                    Ok(((), true))
                })
                .await?;
            }
        }
        Ok(())
    }

    /// Writes every dirty chunk now; returns when all are durable (or with the first error,
    /// leaving failed chunks dirty for a retry).
    ///
    /// # Errors
    /// The first storage or codec error met.
    pub async fn flush(&self) -> Result<(), ChunkError> {
        self.write_back(None).await
    }

    /// Runs `op` on the loaded chunk under its lock; `op` returns its result and whether it
    /// modified the chunk.
    async fn with_chunk<T>(
        &self,
        bucket: &Bucket,
        dataset: &Arc<DatasetLayout>,
        chunk_id: &str,
        op: impl FnOnce(&mut ElementBuf) -> Result<(T, bool), ChunkError>,
    ) -> Result<T, ChunkError> {
        self.check_chunk(dataset, chunk_id)?;
        let key = (bucket.name().to_string(), chunk_id.to_string());
        let result = loop {
            let slot = self.slot(&key)?;
            let mut state = slot.state.lock().await;
            if state.removed {
                continue;
            }
            if state.data.is_none() {
                let (data, stored) = self.load(bucket, dataset, chunk_id).await?;
                state.data = Some(data);
                state.stored = Some(stored);
            }
            state.bucket = Some(bucket.clone());
            state.dataset = Some(Arc::clone(dataset));
            let Some(data) = state.data.as_mut() else { continue };
            let (value, modified) = op(data)?;
            let size = data.byte_size();
            if modified && state.dirty_since.is_none() {
                state.dirty_since = Some(Instant::now());
                self.dirty.lock().map_err(|_| lock_error())?.insert(key.clone());
            }
            let old = slot.size.swap(size, Ordering::Relaxed);
            self.cached_bytes.fetch_add(size, Ordering::Relaxed);
            self.cached_bytes.fetch_sub(old, Ordering::Relaxed);
            break value;
        };
        self.evict_if_needed()?;
        Ok(result)
    }

    fn check_chunk(&self, dataset: &DatasetLayout, chunk_id: &str) -> Result<(), ChunkError> {
        if !self.owns(chunk_id)? {
            return Err(ChunkError::NotInPartition {
                chunk_id: chunk_id.to_string(),
                node: self.config.node_index,
                count: self.config.node_count,
            });
        }
        let parts = parse_chunk_id(chunk_id)?;
        let uuid = |id: &str| id.split_once('-').map(|(_, rest)| rest.to_string());
        if uuid(&parts.dataset_id) != uuid(&dataset.id) {
            return Err(ChunkError::ForeignChunk(chunk_id.to_string()));
        }
        dataset.grid()?.chunk_region(&parts.indices)?;
        Ok(())
    }

    fn slot(&self, key: &SlotKey) -> Result<Arc<Slot>, ChunkError> {
        let mut slots = self.slots.lock().map_err(|_| lock_error())?;
        let slot = slots.entry(key.clone()).or_insert_with(|| {
            Arc::new(Slot {
                state: Mutex::new(SlotState {
                    data: None,
                    stored: None,
                    dirty_since: None,
                    bucket: None,
                    dataset: None,
                    removed: false,
                }),
                last_used: AtomicU64::new(0),
                size: AtomicUsize::new(0),
            })
        });
        slot.last_used.store(self.tick.fetch_add(1, Ordering::Relaxed), Ordering::Relaxed);
        Ok(Arc::clone(slot))
    }

    /// The chunk from storage, or all fill if absent; and whether it was stored.
    async fn load(
        &self,
        bucket: &Bucket,
        dataset: &DatasetLayout,
        chunk_id: &str,
    ) -> Result<(ElementBuf, bool), ChunkError> {
        let count = dataset.chunk_elements()?;
        match bucket.get(&chunk_key(chunk_id)?).await? {
            Some(stored) => {
                let raw = self.filters.decode(dataset, stored.to_vec())?;
                let data = ElementBuf::from_bytes(&dataset.datatype, dataset.item, &raw, count)?;
                Ok((data, true))
            }
            None => Ok((ElementBuf::filled(dataset.item, &dataset.fill, count), false)),
        }
    }

    fn cached_slots(&self, bucket: &str) -> Result<Vec<(SlotKey, Arc<Slot>)>, ChunkError> {
        let slots = self.slots.lock().map_err(|_| lock_error())?;
        Ok(slots
            .iter()
            .filter(|(key, _)| key.0 == bucket)
            .map(|(key, slot)| (key.clone(), Arc::clone(slot)))
            .collect())
    }

    /// Removes a slot without writing it back.
    async fn drop_slot(&self, key: &SlotKey, slot: &Arc<Slot>) -> Result<(), ChunkError> {
        let mut state = slot.state.lock().await;
        state.removed = true;
        state.dirty_since = None;
        state.data = None;
        self.forget(key, slot)
    }

    /// Takes a (locked, removed) slot out of the maps and the byte count.
    fn forget(&self, key: &SlotKey, slot: &Arc<Slot>) -> Result<(), ChunkError> {
        let mut slots = self.slots.lock().map_err(|_| lock_error())?;
        if slots.get(key).is_some_and(|found| Arc::ptr_eq(found, slot)) {
            slots.remove(key);
        }
        drop(slots);
        self.dirty.lock().map_err(|_| lock_error())?.remove(key);
        let size = slot.size.swap(0, Ordering::Relaxed);
        self.cached_bytes.fetch_sub(size, Ordering::Relaxed);
        Ok(())
    }

    /// This node's stored chunk ids of a dataset.
    async fn stored_chunk_ids(
        &self,
        bucket: &Bucket,
        dataset_id: &str,
    ) -> Result<Vec<String>, ChunkError> {
        let mut ids = Vec::new();
        for info in bucket.list_all(&dataset_prefix(dataset_id)?).await? {
            if let Ok(KeyTarget::Chunk(chunk_id)) = parse_key(&info.key) {
                if self.owns(&chunk_id)? {
                    ids.push(chunk_id);
                }
            }
        }
        Ok(ids)
    }

    /// Drops least recently used clean chunks while over budget; wakes the write-back task
    /// when only dirty chunks are left to drop.
    fn evict_if_needed(&self) -> Result<(), ChunkError> {
        if self.cached_bytes() <= self.config.cache_bytes {
            return Ok(());
        }
        if self.evict_blocked.load(Ordering::Relaxed) {
            self.wake.notify_one();
            return Ok(());
        }
        let mut candidates = self.cached_slots_all()?;
        candidates.sort_by_key(|(_, slot)| slot.last_used.load(Ordering::Relaxed));
        let target = self.config.cache_bytes - self.config.cache_bytes / 10;
        let mut blocked = false;
        for (key, slot) in candidates {
            if self.cached_bytes() <= target {
                break;
            }
            let Ok(mut state) = slot.state.try_lock() else { continue };
            if state.dirty_since.is_some() {
                blocked = true;
                continue;
            }
            state.removed = true;
            state.data = None;
            self.forget(&key, &slot)?;
        }
        if blocked && self.cached_bytes() > target {
            self.evict_blocked.store(true, Ordering::Relaxed);
            self.wake.notify_one();
        }
        Ok(())
    }

    fn cached_slots_all(&self) -> Result<Vec<(SlotKey, Arc<Slot>)>, ChunkError> {
        let slots = self.slots.lock().map_err(|_| lock_error())?;
        Ok(slots.iter().map(|(key, slot)| (key.clone(), Arc::clone(slot))).collect())
    }

    /// Writes dirty chunks older than `min_age` (all of them for `None`).
    async fn write_back(&self, min_age: Option<Duration>) -> Result<(), ChunkError> {
        let keys: Vec<SlotKey> =
            self.dirty.lock().map_err(|_| lock_error())?.iter().cloned().collect();
        let results: Vec<Result<(), ChunkError>> = stream::iter(keys)
            .map(|key| self.write_one(key, min_age))
            .buffer_unordered(self.config.max_pending_writes.max(1))
            .collect()
            .await;
        let first_error = results.into_iter().find_map(Result::err);
        self.evict_blocked.store(false, Ordering::Relaxed);
        self.evict_if_needed()?;
        first_error.map_or(Ok(()), Err)
    }

    async fn write_one(&self, key: SlotKey, min_age: Option<Duration>) -> Result<(), ChunkError> {
        let slot = self.slots.lock().map_err(|_| lock_error())?.get(&key).cloned();
        let Some(slot) = slot else {
            self.dirty.lock().map_err(|_| lock_error())?.remove(&key);
            return Ok(());
        };
        let mut state = slot.state.lock().await;
        let Some(since) = state.dirty_since else { return Ok(()) };
        if min_age.is_some_and(|age| since.elapsed() < age) || state.removed {
            return Ok(());
        }
        let (Some(bucket), Some(dataset), Some(data)) =
            (state.bucket.clone(), state.dataset.clone(), state.data.as_ref())
        else {
            return Ok(());
        };
        let storage_key = chunk_key(&key.1)?;
        if access::is_all_fill(dataset.item, data, &dataset.fill) {
            if state.stored != Some(false) {
                bucket.delete(&storage_key).await?;
            }
            state.stored = Some(false);
        } else {
            let stored = self.filters.encode(&dataset, data.to_bytes())?;
            bucket.put(&storage_key, Bytes::from(stored)).await?;
            state.stored = Some(true);
        }
        state.dirty_since = None;
        self.dirty.lock().map_err(|_| lock_error())?.remove(&key);
        Ok(())
    }
}

/// Sets every element of `chunk` at or beyond `limits` (chunk-local extents) to fill.
fn reset_outside(
    dataset: &DatasetLayout,
    limits: &[u64],
    chunk: &mut ElementBuf,
) -> Result<(), ChunkError> {
    let total = dataset.chunk_elements()?;
    let mut offsets = Vec::new();
    let mut coords = vec![0_u64; dataset.chunk_dims.len()];
    for offset in 0..total {
        if coords.iter().zip(limits).any(|(c, l)| c >= l) {
            offsets.push(offset);
        }
        for (coord, extent) in coords.iter_mut().zip(&dataset.chunk_dims).rev() {
            *coord += 1;
            if *coord < *extent {
                break;
            }
            *coord = 0;
        }
    }
    let fills = ElementBuf::filled(dataset.item, &dataset.fill, offsets.len());
    access::write_offsets(dataset.item, chunk, &offsets, &fills)
}

/// The lazy write-back task: every `sync_interval` (or when woken for eviction), writes the
/// chunks dirty for at least `dirty_age`. It holds the node; once it is the last holder (every
/// user dropped the node), it writes all dirty chunks and ends, so dropping a node loses
/// nothing as long as the runtime keeps running for one more interval.
async fn write_back_loop(node: Arc<ChunkNode>) {
    loop {
        let woken = tokio::select! {
            () = tokio::time::sleep(node.config.sync_interval) => false,
            () = node.wake.notified() => true,
        };
        if Arc::strong_count(&node) == 1 {
            let _ = node.write_back(None).await;
            return;
        }
        let age = if woken { None } else { Some(node.config.dirty_age) };
        // Failed chunks stay dirty and are retried next round.
        let _ = node.write_back(age).await;
    }
}

#[cfg(test)]
mod tests;
