//! [`MetaCache`]: the SN's short-lived copies of metadata JSON read from the DNs.
//!
//! Every request that names a domain first reads that domain's JSON (owner, ACLs, root id), and
//! every dataset value request reads the dataset's JSON (type, shape, layout, filters), each
//! from the DN that owns it. Without a cache that is one or two DN calls before the real work.
//! The SN keeps what it read for a TTL, like HSDS's SN `domain_cache` and `meta_cache`:
//!
//! - every write of an entry made through this SN (create, mutation, delete) drops it, and
//!   bumps an epoch so that a read that raced with the write cannot put the old JSON back;
//! - something that does not exist is never cached (a new domain or dataset is seen at once);
//! - writes made by *another* SN sharing the same DNs or store are seen after at most the TTL.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long JSON read by this SN is reused by default.
pub const DEFAULT_TTL: Duration = Duration::from_secs(1);

/// Entries kept before expired ones are swept; if all are fresh, the cache starts over.
const SWEEP_AT: usize = 1024;

type Key = (String, String);

/// JSON by (bucket, key), with the time it was read. The key is a domain path or an object id.
#[derive(Debug)]
pub struct MetaCache<T = Value> {
    ttl: Duration,
    epoch: AtomicU64,
    entries: Mutex<HashMap<Key, (Instant, T)>>,
}

/// The epoch a read started in; [`MetaCache::insert`] ignores it if a write came since.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadEpoch(u64);

impl<T: Clone> Default for MetaCache<T> {
    fn default() -> MetaCache<T> {
        MetaCache::with_ttl(DEFAULT_TTL)
    }
}

impl<T: Clone> MetaCache<T> {
    /// A cache whose entries live `ttl`.
    #[must_use]
    pub fn with_ttl(ttl: Duration) -> MetaCache<T> {
        MetaCache { ttl, epoch: AtomicU64::new(0), entries: Mutex::new(HashMap::new()) }
    }

    /// The fresh cached JSON of `key` in `bucket`, if any.
    pub fn get(&self, bucket: &str, key: &str) -> Option<T> {
        let entries = self.entries.lock().ok()?;
        let (read_at, json) = entries.get(&(bucket.to_string(), key.to_string()))?;
        (read_at.elapsed() < self.ttl).then(|| json.clone())
    }

    /// Call before reading from a DN; pass the result to [`MetaCache::insert`].
    pub fn start_read(&self) -> ReadEpoch {
        ReadEpoch(self.epoch.load(Ordering::Acquire))
    }

    /// Keeps `json`, read from the DN since `started`, unless a write came in between.
    pub fn insert(&self, started: ReadEpoch, bucket: &str, key: &str, json: &T) {
        let Ok(mut entries) = self.entries.lock() else { return };
        if self.epoch.load(Ordering::Acquire) != started.0 {
            return;
        }
        if entries.len() >= SWEEP_AT {
            let ttl = self.ttl;
            entries.retain(|_, (read_at, _)| read_at.elapsed() < ttl);
            if entries.len() >= SWEEP_AT {
                entries.clear();
            }
        }
        entries.insert((bucket.to_string(), key.to_string()), (Instant::now(), json.clone()));
    }

    /// Drops `key` after (or while) this SN writes it.
    pub fn invalidate(&self, bucket: &str, key: &str) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(&(bucket.to_string(), key.to_string()));
        }
    }

    /// Drops every entry (a client asked to see other services' writes at once).
    pub fn clear(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_read_is_reused_until_the_ttl() {
        let cache = MetaCache::with_ttl(Duration::from_millis(50));
        let epoch = cache.start_read();
        cache.insert(epoch, "b", "/home/u/f.h5", &json!({"root": "g-1"}));
        assert_eq!(cache.get("b", "/home/u/f.h5"), Some(json!({"root": "g-1"})));
        assert_eq!(cache.get("other", "/home/u/f.h5"), None);
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(cache.get("b", "/home/u/f.h5"), None);
    }

    #[test]
    fn a_write_drops_the_entry_and_a_racing_read_cannot_restore_it() {
        let cache = MetaCache::default();
        let epoch = cache.start_read();
        cache.insert(epoch, "b", "/d.h5", &json!({"acls": {}}));
        let racing = cache.start_read();
        cache.invalidate("b", "/d.h5");
        assert_eq!(cache.get("b", "/d.h5"), None);
        cache.insert(racing, "b", "/d.h5", &json!({"acls": "old"}));
        assert_eq!(cache.get("b", "/d.h5"), None, "a read older than the write is not kept");
        let fresh = cache.start_read();
        cache.insert(fresh, "b", "/d.h5", &json!({"acls": "new"}));
        assert_eq!(cache.get("b", "/d.h5"), Some(json!({"acls": "new"})));
    }
}
