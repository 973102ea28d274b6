//! The DN's metadata cache: one [`Slot`] per object key, each behind its own async lock (the
//! per-object lock every mutation runs under), a set of dirty keys for write-back, and a byte
//! budget enforced by evicting clean, unused slots.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::Value;
use tokio::sync::Mutex as AsyncMutex;

use crate::storage::backend::Version;

use crate::server::error::{ApiError, ApiResult};

/// What the cache knows about one object.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum SlotState {
    /// Not read from storage yet.
    #[default]
    Unloaded,
    /// The object does not exist (or was deleted).
    Absent,
    /// The object's JSON.
    Present(Value),
}

/// One cached object.
#[derive(Debug, Default)]
pub struct Slot {
    /// The object's state.
    pub state: SlotState,
    /// Whether storage is behind the cache (write or delete pending).
    pub dirty: bool,
    /// The bytes charged to the budget for this slot.
    pub charged: usize,
    /// The object's serialized size when it was last measured (mutations charge an estimate
    /// in between; see `DataNode::mutate`).
    pub measured: usize,
    /// The stored object's version when it was read or written (unknown when absent).
    pub version: Version,
    /// When the state was last known to match storage (`None`: never).
    pub checked_at: Option<Instant>,
}

/// A shared handle on one slot; lock it to read or change the object.
pub type SlotHandle = Arc<AsyncMutex<Slot>>;

/// The cache: slots by storage key (`<bucket>\n<key>`), dirty keys, byte accounting.
#[derive(Debug)]
pub struct ObjectCache {
    slots: Mutex<HashMap<String, SlotHandle>>,
    dirty: Mutex<HashSet<String>>,
    bytes: AtomicUsize,
    budget: usize,
}

fn poisoned() -> ApiError {
    ApiError::internal("metadata cache lock poisoned")
}

impl ObjectCache {
    /// An empty cache holding about `budget` bytes of JSON.
    pub fn new(budget: usize) -> ObjectCache {
        ObjectCache {
            slots: Mutex::new(HashMap::new()),
            dirty: Mutex::new(HashSet::new()),
            bytes: AtomicUsize::new(0),
            budget,
        }
    }

    /// The slot for `key`, created unloaded if absent.
    ///
    /// # Errors
    /// 500 if a lock is poisoned.
    pub fn slot(&self, key: &str) -> ApiResult<SlotHandle> {
        let mut slots = self.slots.lock().map_err(|_| poisoned())?;
        Ok(slots.entry(key.to_string()).or_default().clone())
    }

    /// Sets the byte charge of `slot` to `bytes`.
    pub fn charge(&self, slot: &mut Slot, bytes: usize) {
        // The old charge was added when it was set, so this never underflows.
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        self.bytes.fetch_sub(slot.charged, Ordering::Relaxed);
        slot.charged = bytes;
    }

    /// Marks `key` dirty.
    ///
    /// # Errors
    /// 500 if a lock is poisoned.
    pub fn mark_dirty(&self, key: &str) -> ApiResult<()> {
        self.dirty.lock().map_err(|_| poisoned())?.insert(key.to_string());
        Ok(())
    }

    /// Takes the set of dirty keys.
    ///
    /// # Errors
    /// 500 if a lock is poisoned.
    pub fn take_dirty(&self) -> ApiResult<Vec<String>> {
        let mut dirty = self.dirty.lock().map_err(|_| poisoned())?;
        Ok(dirty.drain().collect())
    }

    /// How many keys are dirty.
    pub fn dirty_count(&self) -> usize {
        self.dirty.lock().map(|d| d.len()).unwrap_or(0)
    }

    /// Bytes currently charged.
    pub fn bytes(&self) -> usize {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Number of slots.
    pub fn len(&self) -> usize {
        self.slots.lock().map(|s| s.len()).unwrap_or(0)
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops the slot of `key` if nobody uses it and it holds nothing worth keeping (not
    /// loaded, or known absent, and clean), so lookups of missing ids do not grow the cache.
    pub fn discard_if_idle(&self, key: &str) {
        let Ok(mut slots) = self.slots.lock() else { return };
        let idle = slots.get(key).is_some_and(|handle| {
            Arc::strong_count(handle) == 1
                && handle
                    .try_lock()
                    .is_ok_and(|slot| !slot.dirty && !matches!(slot.state, SlotState::Present(_)))
        });
        if idle {
            slots.remove(key);
        }
    }

    /// Evicts clean slots nobody is using until the charge is within budget.
    pub fn evict(&self) {
        if self.bytes() <= self.budget {
            return;
        }
        let Ok(mut slots) = self.slots.lock() else { return };
        let keys: Vec<String> = slots.keys().cloned().collect();
        for key in keys {
            if self.bytes() <= self.budget {
                break;
            }
            let removable = slots.get(&key).is_some_and(|handle| {
                Arc::strong_count(handle) == 1 && handle.try_lock().is_ok_and(|slot| !slot.dirty)
            });
            if removable {
                if let Some(handle) = slots.remove(&key) {
                    if let Ok(slot) = handle.try_lock() {
                        self.bytes.fetch_sub(slot.charged, Ordering::Relaxed);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn evicts_only_clean_unused_slots() {
        let cache = ObjectCache::new(10);
        for (key, dirty) in [("a", false), ("b", true)] {
            let handle = cache.slot(key).unwrap();
            let mut slot = handle.lock().await;
            slot.state = SlotState::Present(Value::Null);
            slot.dirty = dirty;
            cache.charge(&mut slot, 8);
        }
        assert_eq!(cache.bytes(), 16);
        cache.evict();
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.bytes(), 8);
        let handle = cache.slot("b").unwrap();
        assert!(handle.lock().await.dirty);
    }

    #[tokio::test]
    async fn idle_absent_slots_are_discarded() {
        let cache = ObjectCache::new(100);
        {
            let handle = cache.slot("gone").unwrap();
            handle.lock().await.state = SlotState::Absent;
        }
        cache.discard_if_idle("gone");
        assert!(cache.is_empty());
    }

    #[test]
    fn dirty_set() {
        let cache = ObjectCache::new(100);
        cache.mark_dirty("x").unwrap();
        cache.mark_dirty("x").unwrap();
        assert_eq!(cache.dirty_count(), 1);
        assert_eq!(cache.take_dirty().unwrap(), vec!["x".to_string()]);
        assert_eq!(cache.dirty_count(), 0);
    }
}
