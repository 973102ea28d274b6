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
//! - this process's first write to a held image goes through to the service *and* into the
//!   image (a failed write drops the image); once one has gone through, later writes are
//!   **written back**: they change the image only, and the chunks they touched are recorded
//!   ([`DirtyChunks`]). A program always reads its own writes;
//! - changes held back are sent (one request per changed chunk, the box of its changes) before
//!   anything else goes to the service, when the dataset is closed, and when its file is
//!   flushed, refreshed, reopened or closed ([`super::session::Session::flush_values`]); until
//!   then an image with changes never expires, is never evicted and is never forgotten;
//! - a clean image is trusted for at most the TTL after it was read
//!   (`RESTVOL_METADATA_CACHE_EXPIRE`, the metadata cache's), which bounds how stale another
//!   process's writes can look; `H5Drefresh`, `H5Orefresh` and `H5Fopen` drop the file's images
//!   at once; a shape change drops the dataset's;
//! - an epoch stops a fetch that raced with a write from storing the old value.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::dirty_region::{box_bytes, box_select, DirtyChunks};
use crate::h5::selection::RestSelection;

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
    /// Whether a write of this process to it went through to the service: later ones may be
    /// held back.
    written_through: bool,
    /// The changes not yet sent, if any.
    dirty: Option<DirtyChunks>,
    /// Bumped by every held-back write, so that a flush knows whether it sent the latest.
    generation: u64,
}

impl Image {
    fn new(dims: &[u64], bytes: Arc<Vec<u8>>, since: Instant, written_through: bool) -> Image {
        Image { dims: dims.to_vec(), bytes, since, written_through, dirty: None, generation: 0 }
    }
}

/// Changes of one dataset held back, ready to send: each a `select` (`None`: the whole value)
/// with the box's bytes.
#[derive(Debug)]
pub struct Pending {
    /// The dataset's domain.
    pub domain: String,
    /// The dataset's id.
    pub id: String,
    /// One write per changed chunk.
    pub writes: Vec<(Option<String>, Vec<u8>)>,
    generation: u64,
}

/// Which held-back changes to send.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// Every dataset's.
    All,
    /// Those of one domain.
    Domain(&'a str),
    /// Those of one dataset (domain, id).
    Dataset(&'a str, &'a str),
}

impl Scope<'_> {
    fn covers(&self, key: &Key) -> bool {
        match self {
            Scope::All => true,
            Scope::Domain(domain) => key.0 == *domain,
            Scope::Dataset(domain, id) => key.0 == *domain && key.1 == *id,
        }
    }
}

#[derive(Debug, Default)]
struct State {
    epoch: u64,
    total: usize,
    /// Images holding changes not yet sent.
    dirty: usize,
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
    /// Whether writes may be held back (`RESTVOL_WRITE_BACK`, on unless `0`).
    write_back: bool,
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
        ValueCache { ttl, capacity, write_back: true, state: Mutex::new(State::default()) }
    }

    /// The same cache, holding writes back or not (then every write goes through).
    #[must_use]
    pub fn with_write_back(self, write_back: bool) -> ValueCache {
        ValueCache { write_back, ..self }
    }

    /// `RESTVOL_WRITE_BACK`'s value: writes are held back unless it is `0`, `off` or `false`.
    #[must_use]
    pub fn write_back_from(value: Option<&str>) -> bool {
        !matches!(value.map(str::trim), Some("0" | "off" | "false"))
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

    /// The held value of dataset `id` in `domain` under shape `dims`, if fresh (or holding
    /// changes not yet sent).
    pub fn get(&self, domain: &str, id: &str, dims: &[u64]) -> Option<Arc<Vec<u8>>> {
        let state = self.state()?;
        let image = state.images.get(&key(domain, id))?;
        (image.dims == dims && self.is_fresh(image)).then(|| image.bytes.clone())
    }

    fn is_fresh(&self, image: &Image) -> bool {
        image.dirty.is_some() || image.since.elapsed() < self.ttl
    }

    /// A write held back: when this process holds the value of dataset `id` under shape
    /// `dims` and a write to it already went through, `apply` writes the new elements into
    /// the image, and the elements `selection` names are recorded as changed, by chunks of
    /// `chunks`. True if so; false (nothing done) if the write must go to the service.
    ///
    /// # Errors
    /// `apply`'s error; the image is then dropped unless it holds earlier changes.
    pub fn write_back<E>(
        &self,
        (domain, id): (&str, &str),
        dims: &[u64],
        chunks: Option<&[u64]>,
        selection: &RestSelection,
        apply: impl FnOnce(&mut [u8]) -> Result<(), E>,
    ) -> Result<bool, E> {
        if !self.write_back {
            return Ok(false);
        }
        let Some(mut state) = self.state() else { return Ok(false) };
        let key = key(domain, id);
        let usable = state.images.get(&key).is_some_and(|image| {
            image.written_through && image.dims == dims && self.is_fresh(image)
        });
        if !usable {
            return Ok(false);
        }
        let mut marked = DirtyChunks::new(dims, chunks);
        if !marked.mark(selection) {
            return Ok(false);
        }
        state.epoch += 1;
        let State { images, dirty, total, .. } = &mut *state;
        let Some(image) = images.get_mut(&key) else { return Ok(false) };
        if let Err(err) = apply(Arc::make_mut(&mut image.bytes).as_mut_slice()) {
            if image.dirty.is_none() {
                *total -= image.bytes.len();
                images.remove(&key);
            }
            return Err(err);
        }
        image.generation += 1;
        match &mut image.dirty {
            Some(held) => held.merge(marked),
            None => {
                image.dirty = Some(marked);
                *dirty += 1;
            }
        }
        Ok(true)
    }

    /// Whether any image holds changes not yet sent.
    #[must_use]
    pub fn has_changes(&self) -> bool {
        self.state().is_some_and(|state| state.dirty > 0)
    }

    /// The changes held back in `scope`, ready to send; they stay recorded until
    /// [`ValueCache::sent`] says they arrived.
    pub fn pending(&self, scope: Scope<'_>) -> Vec<Pending> {
        let Some(state) = self.state() else { return Vec::new() };
        if state.dirty == 0 {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (key, image) in &state.images {
            let Some(dirty) = image.dirty.as_ref().filter(|_| scope.covers(key)) else {
                continue;
            };
            let elements: u64 = image.dims.iter().product();
            let element_size = usize::try_from(elements)
                .ok()
                .filter(|&n| n > 0)
                .map_or(0, |n| image.bytes.len() / n);
            let writes = dirty
                .clone()
                .take()
                .into_iter()
                .filter_map(|corners| {
                    let bytes = box_bytes(&image.bytes, &image.dims, element_size, &corners)?;
                    Some((box_select(&corners), bytes))
                })
                .collect();
            out.push(Pending {
                domain: key.0.clone(),
                id: key.1.clone(),
                writes,
                generation: image.generation,
            });
        }
        out
    }

    /// Records that `pending` reached the service: an image not changed since is clean again.
    pub fn sent(&self, pending: &[Pending]) {
        let Some(mut state) = self.state() else { return };
        let State { images, dirty, .. } = &mut *state;
        for one in pending {
            let Some(image) = images.get_mut(&(one.domain.clone(), one.id.clone())) else {
                continue;
            };
            if image.generation == one.generation && image.dirty.take().is_some() {
                *dirty -= 1;
                // Sent values are as fresh as a value just read.
                image.since = Instant::now();
            }
        }
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
                let image = Image::new(dims, bytes.clone(), Instant::now(), false);
                self.insert(&mut state, key(domain, id), image);
            }
        }
        bytes
    }

    /// Takes the held value out before this process writes to the dataset (a racing read then
    /// misses). Give it back, changed, with [`ValueCache::put_back`] once the write succeeded.
    /// Drops the image `pending` came from, changes and all: its dataset or domain is gone.
    pub fn discard(&self, pending: &Pending) {
        let Some(mut state) = self.state() else { return };
        state.epoch += 1;
        if let Some(image) = state.images.remove(&(pending.domain.clone(), pending.id.clone())) {
            state.total -= image.bytes.len();
            if image.dirty.is_some() {
                state.dirty -= 1;
            }
        }
    }

    /// Callers send the dataset's held-back changes first.
    pub fn take(&self, domain: &str, id: &str, dims: &[u64]) -> Option<(Vec<u8>, Instant)> {
        let mut state = self.state()?;
        state.epoch += 1;
        let image = state.images.remove(&key(domain, id))?;
        state.total -= image.bytes.len();
        if image.dirty.is_some() {
            state.dirty -= 1;
        }
        if image.dims != dims || image.since.elapsed() >= self.ttl {
            return None;
        }
        let bytes = Arc::try_unwrap(image.bytes).unwrap_or_else(|shared| shared.as_ref().clone());
        Some((bytes, image.since))
    }

    /// Holds the value this process just wrote through to the service: a taken value with the
    /// write applied (keeping the time it was read), or a whole value written now. Later
    /// writes to it may be held back.
    pub fn put_back(&self, domain: &str, id: &str, dims: &[u64], bytes: Vec<u8>, since: Instant) {
        if let Some(mut state) = self.state() {
            state.epoch += 1;
            self.insert(
                &mut state,
                key(domain, id),
                Image::new(dims, Arc::new(bytes), since, true),
            );
        }
    }

    /// Holds `image` under `key`, making room by dropping expired, then the oldest, clean
    /// images. An image holding changes is never replaced or dropped here; if there is no room
    /// without that, `image` is not held.
    fn insert(&self, state: &mut State, key: Key, image: Image) {
        let size = image.bytes.len();
        if !self.may_hold(size) {
            return;
        }
        match state.images.get(&key) {
            Some(old) if old.dirty.is_some() => return,
            Some(old) => {
                state.total -= old.bytes.len();
                state.images.remove(&key);
            }
            None => {}
        }
        let ttl = self.ttl;
        if state.total + size > self.capacity {
            let State { images, total, .. } = state;
            images.retain(|_, image| {
                let keep = image.dirty.is_some() || image.since.elapsed() < ttl;
                if !keep {
                    *total -= image.bytes.len();
                }
                keep
            });
        }
        while state.total + size > self.capacity {
            let oldest = state
                .images
                .iter()
                .filter(|(_, image)| image.dirty.is_none())
                .min_by_key(|(_, image)| image.since);
            let Some(oldest) = oldest.map(|(key, _)| key.clone()) else { return };
            if let Some(image) = state.images.remove(&oldest) {
                state.total -= image.bytes.len();
            }
        }
        state.total += size;
        state.images.insert(key, image);
    }

    /// Drops the held value of one dataset (its shape changed, or a write not applied here),
    /// unless it holds changes not yet sent (callers send them first).
    pub fn forget_dataset(&self, domain: &str, id: &str) {
        if let Some(mut state) = self.state() {
            state.epoch += 1;
            let key = key(domain, id);
            if state.images.get(&key).is_some_and(|image| image.dirty.is_none()) {
                if let Some(image) = state.images.remove(&key) {
                    state.total -= image.bytes.len();
                }
            }
        }
    }

    /// Drops every held value of `domain` (`H5*refresh`, `H5Fopen`) but those holding changes
    /// not yet sent (callers send them first).
    pub fn forget_domain(&self, domain: &str) {
        if let Some(mut state) = self.state() {
            state.epoch += 1;
            let State { images, total, misses, .. } = &mut *state;
            images.retain(|(held, _), image| {
                let keep = held != domain || image.dirty.is_some();
                if !keep {
                    *total -= image.bytes.len();
                }
                keep
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

    fn write_one(cache: &ValueCache, index: u64, byte: u8) -> bool {
        let selection = RestSelection::Points(vec![vec![index]]);
        let write = |image: &mut [u8]| -> Result<(), ()> {
            image[usize::try_from(index).unwrap()] = byte;
            Ok(())
        };
        cache.write_back(("/d", "a"), &[8], Some(&[4]), &selection, write).unwrap()
    }

    #[test]
    fn writes_are_held_back_once_one_went_through() {
        let cache = ValueCache::new(Duration::from_millis(30), 1024);
        cache.keep(cache.ticket(), "/d", "a", &[8], vec![0; 8]);
        assert!(!write_one(&cache, 1, 5), "a value only read is written through");
        let (mut bytes, since) = cache.take("/d", "a", &[8]).unwrap();
        bytes[1] = 5;
        cache.put_back("/d", "a", &[8], bytes, since);
        assert!(write_one(&cache, 6, 7) && write_one(&cache, 7, 9));
        assert!(cache.has_changes());
        // A value holding changes neither expires nor is forgotten nor replaced.
        std::thread::sleep(Duration::from_millis(40));
        cache.forget_domain("/d");
        cache.forget_dataset("/d", "a");
        cache.keep(cache.ticket(), "/d", "a", &[8], vec![0; 8]);
        assert_eq!(cache.get("/d", "a", &[8]).unwrap().as_slice(), &[0, 5, 0, 0, 0, 0, 7, 9]);
        let pending = cache.pending(Scope::Domain("/d"));
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].writes, vec![(Some("[6:8]".to_string()), vec![7, 9])]);
        assert!(cache.pending(Scope::Dataset("/d", "b")).is_empty());
        assert!(cache.pending(Scope::Domain("/e")).is_empty());
        // A write after the changes were collected keeps the value changed once they arrive.
        assert!(write_one(&cache, 0, 3));
        cache.sent(&pending);
        assert!(cache.has_changes());
        let again = cache.pending(Scope::All);
        assert_eq!(
            again[0].writes,
            vec![(Some("[0:1]".into()), vec![3]), (Some("[6:8]".into()), vec![7, 9])]
        );
        cache.sent(&again);
        assert!(!cache.has_changes());
        // Clean again: it expires as any other.
        std::thread::sleep(Duration::from_millis(40));
        assert!(cache.get("/d", "a", &[8]).is_none());
    }

    #[test]
    fn write_back_can_be_turned_off() {
        let cache = ValueCache::new(SEC, 1024).with_write_back(false);
        cache.put_back("/d", "a", &[8], vec![0; 8], Instant::now());
        assert!(!write_one(&cache, 1, 5));
        assert!(ValueCache::write_back_from(None) && ValueCache::write_back_from(Some("1")));
        assert!(
            !ValueCache::write_back_from(Some("0")) && !ValueCache::write_back_from(Some("off"))
        );
    }

    #[test]
    fn values_holding_changes_are_not_evicted_and_discarding_drops_them() {
        let cache = ValueCache::new(SEC, 10);
        cache.put_back("/d", "a", &[8], vec![0; 8], Instant::now());
        assert!(write_one(&cache, 2, 1));
        cache.keep(cache.ticket(), "/d", "b", &[4], vec![0; 4]);
        assert!(cache.get("/d", "a", &[8]).is_some(), "the changed value stays");
        assert!(cache.get("/d", "b", &[4]).is_none(), "no room for the new one");
        let pending = cache.pending(Scope::All);
        cache.discard(&pending[0]);
        assert!(!cache.has_changes());
        assert_eq!(cache.held(), 0);
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
