//! Lazy write-back and eviction for [`ChunkNode`]: dirty chunks are written (or deleted when
//! all fill) every `sync_interval` once `dirty_age` old, on memory pressure, on
//! [`ChunkNode::flush`], and when the node is dropped; clean chunks are evicted least recently
//! used first when the cache is over its byte budget.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::{self, StreamExt};

use crate::storage::backend::Version;
use crate::storage::keys::chunk_key;

use super::{access, lock_error, ChunkError, ChunkNode, Slot, SlotKey};

impl ChunkNode {
    /// Drops least recently used clean chunks while over budget; wakes the write-back task
    /// when only dirty chunks are left to drop.
    pub(super) fn evict_if_needed(&self) -> Result<(), ChunkError> {
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
    pub(super) async fn write_back(&self, min_age: Option<Duration>) -> Result<(), ChunkError> {
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
            state.version = Version::default();
        } else {
            let stored = self.filters.encode(&dataset, data.to_bytes())?;
            state.version = bucket.put_versioned(&storage_key, Bytes::from(stored)).await?;
            state.stored = Some(true);
        }
        state.checked_at = Some(std::time::Instant::now());
        state.dirty_since = None;
        self.dirty.lock().map_err(|_| lock_error())?.remove(&key);
        Ok(())
    }
}

/// The lazy write-back task: every `sync_interval` (or when woken for eviction), writes the
/// chunks dirty for at least `dirty_age`. It holds the node; once it is the last holder (every
/// user dropped the node), it writes all dirty chunks and ends, so dropping a node loses
/// nothing as long as the runtime keeps running for one more interval.
pub(super) async fn write_back_loop(node: Arc<ChunkNode>) {
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
