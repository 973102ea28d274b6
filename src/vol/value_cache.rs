//! [`ValueCache`]: the connector's copies of whole dataset values, so that a program reading a
//! small dataset again and again (or reading back what it wrote) does not pay a round trip for
//! every `H5Dread`. This plays the part of the native connector's chunk cache.
//!
//! Rules, per session (one service endpoint):
//!
//! - only datasets of fixed-size types whose whole value fits the dataset's cache budget (its
//!   access list's `H5Pset_chunk_cache` size, 1 MiB unless set; `0` turns it off) are held, and
//!   at most [`CAPACITY`] bytes in all, oldest dropped first;
//! - an image is the dataset's value in the REST binary form, for one shape: a read under any
//!   other shape misses;
//! - this process's writes go through to the service *and* into the image, so a program always
//!   reads its own writes; a failed write drops the image; a shape change drops it;
//! - an image is trusted for at most the TTL after it was read (`RESTVOL_METADATA_CACHE_EXPIRE`,
//!   the metadata cache's), which bounds how stale another process's writes can look;
//!   `H5Drefresh`, `H5Orefresh` and `H5Fopen` drop the file's images at once;
//! - an epoch stops a fetch that raced with a write from storing the old value.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The most bytes of dataset values one session holds.
pub const CAPACITY: usize = 64 * 1024 * 1024;

/// A dataset: its domain and its id.
type Key = (String, String);

/// One dataset's value.
#[derive(Debug)]
struct Image {
    dims: Vec<u64>,
    bytes: Arc<Vec<u8>>,
    /// When the value was read from the service (or wholly written by this process).
    since: Instant,
}

#[derive(Debug, Default)]
struct State {
    epoch: u64,
    total: usize,
    images: HashMap<Key, Image>,
    /// Datasets read without being held, and when: a second read within the TTL fetches the
    /// whole value.
    misses: HashMap<Key, Instant>,
}

/// Held dataset values, by domain and dataset id.
#[derive(Debug)]
pub struct ValueCache {
    ttl: Duration,
    capacity: usize,
    state: Mutex<State>,
}

/// The epoch a fetch of a whole value started in (see [`ValueCache::keep`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket(u64);

fn key(domain: &str, id: &str) -> Key {
    (domain.to_string(), id.to_string())
}

impl ValueCache {
    /// A cache trusting values for `ttl` (zero: nothing is held) and holding at most
    /// `capacity` bytes.
    #[must_use]
    pub fn new(ttl: Duration, capacity: usize) -> ValueCache {
        ValueCache { ttl, capacity, state: Mutex::new(State::default()) }
    }

    fn state(&self) -> Option<MutexGuard<'_, State>> {
        // A poisoned lock means the cache is not used: every read then goes to the service.
        self.state.lock().ok()
    }

    /// Whether a value of `bytes` bytes may be held at all.
    #[must_use]
    pub fn may_hold(&self, bytes: usize) -> bool {
        !self.ttl.is_zero() && bytes <= self.capacity
    }

    /// The held value of dataset `id` in `domain` under shape `dims`, if fresh.
    pub fn get(&self, domain: &str, id: &str, dims: &[u64]) -> Option<Arc<Vec<u8>>> {
        let state = self.state()?;
        let image = state.images.get(&key(domain, id))?;
        (image.dims == dims && image.since.elapsed() < self.ttl).then(|| image.bytes.clone())
    }

    /// Records a read that missed; true if the same dataset missed within the TTL before (it is
    /// read repeatedly, so its whole value is worth fetching).
    pub fn missed_before(&self, domain: &str, id: &str) -> bool {
        let Some(mut state) = self.state() else { return false };
        let ttl = self.ttl;
        if state.misses.len() >= 1024 {
            state.misses.retain(|_, at| at.elapsed() < ttl);
        }
        let before = state.misses.insert(key(domain, id), Instant::now());
        before.is_some_and(|at| at.elapsed() < ttl)
    }

    /// Call before fetching a whole value; give the ticket to [`ValueCache::keep`].
    pub fn ticket(&self) -> Ticket {
        Ticket(self.state().map_or(u64::MAX, |state| state.epoch))
    }

    /// Holds a whole value fetched since `ticket`, unless a write or a refresh came in between.
    /// Returns it, shared.
    pub fn keep(
        &self,
        ticket: Ticket,
        domain: &str,
        id: &str,
        dims: &[u64],
        bytes: Vec<u8>,
    ) -> Arc<Vec<u8>> {
        let bytes = Arc::new(bytes);
        if let Some(mut state) = self.state() {
            if state.epoch == ticket.0 {
                self.insert(&mut state, key(domain, id), dims, bytes.clone(), Instant::now());
            }
        }
        bytes
    }

    /// Takes the held value out before this process writes to the dataset (a racing read then
    /// misses). Give it back, changed, with [`ValueCache::put_back`] once the write succeeded.
    pub fn take(&self, domain: &str, id: &str, dims: &[u64]) -> Option<(Vec<u8>, Instant)> {
        let mut state = self.state()?;
        state.epoch += 1;
        let image = state.images.remove(&key(domain, id))?;
        state.total -= image.bytes.len();
        if image.dims != dims || image.since.elapsed() >= self.ttl {
            return None;
        }
        let bytes = Arc::try_unwrap(image.bytes).unwrap_or_else(|shared| shared.as_ref().clone());
        Some((bytes, image.since))
    }

    /// Holds the value this process just wrote: a taken value with the write applied (keeping
    /// the time it was read), or a whole value written now.
    pub fn put_back(&self, domain: &str, id: &str, dims: &[u64], bytes: Vec<u8>, since: Instant) {
        if let Some(mut state) = self.state() {
            state.epoch += 1;
            self.insert(&mut state, key(domain, id), dims, Arc::new(bytes), since);
        }
    }

    fn insert(
        &self,
        state: &mut State,
        key: Key,
        dims: &[u64],
        bytes: Arc<Vec<u8>>,
        since: Instant,
    ) {
        if !self.may_hold(bytes.len()) {
            return;
        }
        if let Some(old) = state.images.remove(&key) {
            state.total -= old.bytes.len();
        }
        let ttl = self.ttl;
        if state.total + bytes.len() > self.capacity {
            let State { images, total, .. } = state;
            images.retain(|_, image| {
                let fresh = image.since.elapsed() < ttl;
                if !fresh {
                    *total -= image.bytes.len();
                }
                fresh
            });
        }
        while state.total + bytes.len() > self.capacity {
            let oldest = state.images.iter().min_by_key(|(_, image)| image.since);
            let Some(oldest) = oldest.map(|(key, _)| key.clone()) else { break };
            if let Some(image) = state.images.remove(&oldest) {
                state.total -= image.bytes.len();
            }
        }
        state.total += bytes.len();
        state.images.insert(key, Image { dims: dims.to_vec(), bytes, since });
    }

    /// Drops the held value of one dataset (its shape changed, or a write not applied here).
    pub fn forget_dataset(&self, domain: &str, id: &str) {
        if let Some(mut state) = self.state() {
            state.epoch += 1;
            if let Some(image) = state.images.remove(&key(domain, id)) {
                state.total -= image.bytes.len();
            }
        }
    }

    /// Drops every held value of `domain` (`H5*refresh`, `H5Fopen`).
    pub fn forget_domain(&self, domain: &str) {
        if let Some(mut state) = self.state() {
            state.epoch += 1;
            let State { images, total, misses, .. } = &mut *state;
            images.retain(|(held, _), image| {
                let other = held != domain;
                if !other {
                    *total -= image.bytes.len();
                }
                other
            });
            misses.retain(|(held, _), _| held != domain);
        }
    }

    /// Bytes held now.
    #[cfg(test)]
    fn held(&self) -> usize {
        self.state().map_or(0, |state| state.total)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    const SEC: Duration = Duration::from_secs(60);

    #[test]
    fn a_kept_value_is_read_under_its_shape_only() {
        let cache = ValueCache::new(SEC, 1024);
        let ticket = cache.ticket();
        cache.keep(ticket, "/d", "d-1", &[2, 2], vec![1, 2, 3, 4]);
        assert_eq!(cache.get("/d", "d-1", &[2, 2]).unwrap().as_slice(), &[1, 2, 3, 4]);
        assert!(cache.get("/d", "d-1", &[4]).is_none());
        assert!(cache.get("/e", "d-1", &[2, 2]).is_none());
    }

    #[test]
    fn a_fetch_that_raced_with_a_write_is_not_kept() {
        let cache = ValueCache::new(SEC, 1024);
        let ticket = cache.ticket();
        assert!(cache.take("/d", "d-1", &[4]).is_none());
        cache.keep(ticket, "/d", "d-1", &[4], vec![0; 4]);
        assert!(cache.get("/d", "d-1", &[4]).is_none());
        let ticket = cache.ticket();
        cache.forget_domain("/other");
        cache.keep(ticket, "/d", "d-1", &[4], vec![0; 4]);
        assert!(cache.get("/d", "d-1", &[4]).is_none());
    }

    #[test]
    fn a_taken_value_comes_back_changed_and_keeps_its_age() {
        let cache = ValueCache::new(SEC, 1024);
        cache.keep(cache.ticket(), "/d", "d-1", &[4], vec![0; 4]);
        let (mut bytes, since) = cache.take("/d", "d-1", &[4]).unwrap();
        assert!(cache.get("/d", "d-1", &[4]).is_none(), "a racing read misses");
        bytes[1] = 9;
        cache.put_back("/d", "d-1", &[4], bytes, since);
        assert_eq!(cache.get("/d", "d-1", &[4]).unwrap().as_slice(), &[0, 9, 0, 0]);
        assert_eq!(cache.take("/d", "d-1", &[4]).unwrap().1, since);
        assert_eq!(cache.held(), 0);
    }

    #[test]
    fn values_expire_and_a_zero_ttl_holds_nothing() {
        let cache = ValueCache::new(Duration::from_millis(30), 1024);
        cache.keep(cache.ticket(), "/d", "d-1", &[4], vec![0; 4]);
        assert!(cache.get("/d", "d-1", &[4]).is_some());
        std::thread::sleep(Duration::from_millis(40));
        assert!(cache.get("/d", "d-1", &[4]).is_none());
        assert!(cache.take("/d", "d-1", &[4]).is_none(), "an expired value is not written into");
        let off = ValueCache::new(Duration::ZERO, 1024);
        assert!(!off.may_hold(1));
        off.keep(off.ticket(), "/d", "d-1", &[1], vec![0]);
        assert!(off.get("/d", "d-1", &[1]).is_none());
    }

    #[test]
    fn the_oldest_values_make_room_and_big_ones_are_refused() {
        let cache = ValueCache::new(SEC, 10);
        cache.keep(cache.ticket(), "/d", "a", &[4], vec![0; 4]);
        std::thread::sleep(Duration::from_millis(2));
        cache.keep(cache.ticket(), "/d", "b", &[4], vec![0; 4]);
        cache.keep(cache.ticket(), "/d", "c", &[4], vec![0; 4]);
        assert!(cache.get("/d", "a", &[4]).is_none());
        assert!(cache.get("/d", "b", &[4]).is_some() && cache.get("/d", "c", &[4]).is_some());
        assert_eq!(cache.held(), 8);
        cache.keep(cache.ticket(), "/d", "big", &[11], vec![0; 11]);
        assert!(cache.get("/d", "big", &[11]).is_none());
        assert_eq!(cache.held(), 8);
    }

    #[test]
    fn forgetting_drops_one_dataset_or_a_domain() {
        let cache = ValueCache::new(SEC, 1024);
        for (domain, id) in [("/d", "a"), ("/d", "b"), ("/e", "a")] {
            cache.keep(cache.ticket(), domain, id, &[1], vec![0]);
        }
        cache.forget_dataset("/d", "a");
        assert!(cache.get("/d", "a", &[1]).is_none() && cache.get("/d", "b", &[1]).is_some());
        cache.forget_domain("/d");
        assert!(cache.get("/d", "b", &[1]).is_none() && cache.get("/e", "a", &[1]).is_some());
        assert_eq!(cache.held(), 1);
    }

    #[test]
    fn a_second_miss_within_the_ttl_asks_for_the_whole_value() {
        let cache = ValueCache::new(SEC, 1024);
        assert!(!cache.missed_before("/d", "a"));
        assert!(cache.missed_before("/d", "a"));
        assert!(!cache.missed_before("/d", "b"));
        cache.forget_domain("/d");
        assert!(!cache.missed_before("/d", "a"));
    }
}
