//! The data-node chunk store: [`ChunkNode`] owns the chunks of its partition (HSDS
//! `getObjPartition` over the chunk id string), reads and writes chunk-local selections and
//! point lists, keeps chunks in a byte-budgeted cache, and writes dirty chunks back lazily
//! (within `sync_interval + age`) or on [`ChunkNode::flush`]. A clean cached chunk used again
//! more than `recheck_interval` after it was last checked is compared with storage (its
//! entity tag, one `HEAD`) and reloaded if another writer (another process's service, HSDS)
//! replaced or removed it.
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
mod cleanup;
pub mod codec_filters;
pub mod dataset;
pub mod elements;
pub mod error;
pub mod fill;
pub mod filters;
mod writeback;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, Instant};

use tokio::sync::{Mutex, Notify};

use crate::chunking::{dn_index, parse_chunk_id, DimSelection};
use crate::server::recheck::RecheckClock;
use crate::storage::backend::{Bucket, Version};
use crate::storage::keys::chunk_key;

pub use codec_filters::CodecFilters;
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
    /// How long a clean cached chunk is used before it is compared with storage again
    /// (`storage_recheck_interval`, 1 s; restvol's own).
    pub recheck_interval: Duration,
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
            recheck_interval: Duration::from_secs(1),
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
    /// The stored object's version when loaded or written (if `stored`).
    version: Version,
    /// When the data was last known to match storage.
    checked_at: Option<Instant>,
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
    /// When a clean cached chunk is compared with storage again.
    recheck: RecheckClock,
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
            filters,
            slots: StdMutex::new(HashMap::new()),
            dirty: StdMutex::new(HashSet::new()),
            tick: AtomicU64::new(0),
            cached_bytes: AtomicUsize::new(0),
            evict_blocked: AtomicBool::new(false),
            wake: Notify::new(),
            recheck: RecheckClock::new(config.recheck_interval),
            config,
        });
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(writeback::write_back_loop(Arc::clone(&node)));
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
            if state.data.is_some() && self.is_due_for_check(&state) {
                self.recheck(bucket, chunk_id, &mut state).await?;
            }
            if state.data.is_none() {
                let (data, version) = self.load(bucket, dataset, chunk_id).await?;
                state.data = Some(data);
                state.stored = Some(version.is_some());
                state.version = version.unwrap_or_default();
                state.checked_at = Some(Instant::now());
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
                    version: Version::default(),
                    checked_at: None,
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

    /// Whether a clean loaded chunk was last checked against storage too long ago.
    fn is_due_for_check(&self, state: &SlotState) -> bool {
        state.dirty_since.is_none() && self.recheck.is_due(state.checked_at)
    }

    /// Compares every clean cached chunk with storage on its next use (a client asked to see
    /// other services' writes at once).
    pub fn recheck_all(&self) {
        self.recheck.recheck_all();
    }

    /// Compares a clean chunk with storage; drops the data if another writer changed it.
    async fn recheck(
        &self,
        bucket: &Bucket,
        chunk_id: &str,
        state: &mut SlotState,
    ) -> Result<(), ChunkError> {
        let now = bucket.version(&chunk_key(chunk_id)?).await?;
        let unchanged = match (state.stored, &now) {
            (Some(true), Some(now)) => state.version.same_as(now),
            (Some(false), None) => true,
            _ => false,
        };
        if unchanged {
            state.checked_at = Some(Instant::now());
        } else {
            state.data = None;
        }
        Ok(())
    }

    /// The chunk from storage, or all fill if absent; and its version if it was stored.
    async fn load(
        &self,
        bucket: &Bucket,
        dataset: &DatasetLayout,
        chunk_id: &str,
    ) -> Result<(ElementBuf, Option<Version>), ChunkError> {
        let count = dataset.chunk_elements()?;
        match bucket.get_versioned(&chunk_key(chunk_id)?).await? {
            Some((stored, version)) => {
                let raw = self.filters.decode(dataset, stored.to_vec())?;
                let data = ElementBuf::from_bytes(&dataset.datatype, dataset.item, &raw, count)?;
                Ok((data, Some(version)))
            }
            None => Ok((ElementBuf::filled(dataset.item, &dataset.fill, count), None)),
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
}

#[cfg(test)]
mod tests;
