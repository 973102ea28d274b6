//! [`ResponseCache`]: the connector's short-lived copies of metadata answers (object, link and
//! attribute JSON, `h5path` lookups, attribute values), so that a program reading the same
//! metadata again, or opening an attribute and then reading it, does not pay a round trip each
//! time.
//!
//! Rules, per session (one service endpoint):
//!
//! - only `GET`s are kept, with answers of at most [`MAX_BODY`] bytes, and never a dataset's
//!   value or anything without a domain;
//! - any other request about a domain (a write, a flush) drops every entry of that domain, before
//!   it is sent and after it is answered, and bumps an epoch so that a `GET` that raced with the
//!   write cannot store the old answer; a request without a domain drops everything;
//! - an entry is reused for at most the TTL (`RESTVOL_METADATA_CACHE_EXPIRE` seconds, default
//!   1; `0` turns the cache off), which bounds how stale a change made by *another* process can
//!   look; `H5Frefresh`-style calls drop the domain's entries at once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::client::{Method, Request, Response};

/// The largest answer kept (bytes).
pub const MAX_BODY: usize = 64 * 1024;

/// Entries of one domain kept before expired ones are swept; if all are fresh, the domain's
/// entries start over.
const SWEEP_AT: usize = 4096;

/// The default time an answer is reused.
pub const DEFAULT_TTL: Duration = Duration::from_secs(1);

/// Whether `path` is a dataset's value (`/datasets/{id}/value`).
fn is_dataset_value(path: &str) -> bool {
    path.starts_with("/datasets/") && path.ends_with("/value")
}

/// What identifies a `GET`: path, bucket, query and whether binary was asked for.
type Key = (String, Option<String>, Vec<(String, String)>, bool);

/// One domain's answers, with the time each was received.
type DomainEntries = HashMap<Key, (Instant, Response)>;

/// Cached answers by domain.
#[derive(Debug)]
pub struct ResponseCache {
    ttl: Duration,
    epoch: AtomicU64,
    domains: Mutex<HashMap<String, DomainEntries>>,
}

/// The epoch a `GET` started in; [`ResponseCache::keep`] ignores its answer if a write came
/// since.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Started(u64);

impl ResponseCache {
    /// A cache whose entries live `ttl` (zero: nothing is kept).
    #[must_use]
    pub fn with_ttl(ttl: Duration) -> ResponseCache {
        ResponseCache { ttl, epoch: AtomicU64::new(0), domains: Mutex::new(HashMap::new()) }
    }

    /// The TTL from `RESTVOL_METADATA_CACHE_EXPIRE` (seconds, fractions allowed), else
    /// [`DEFAULT_TTL`]; a value that is not a non-negative number is ignored.
    #[must_use]
    pub fn ttl_from(value: Option<&str>) -> Duration {
        value
            .and_then(|text| text.trim().parse::<f64>().ok())
            .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
            .map_or(DEFAULT_TTL, Duration::from_secs_f64)
    }

    fn is_cacheable(&self, request: &Request) -> bool {
        !self.ttl.is_zero()
            && request.method == Method::Get
            && request.domain.is_some()
            && !is_dataset_value(&request.path)
    }

    fn key(request: &Request) -> Key {
        (
            request.path.clone(),
            request.bucket.clone(),
            request.query.clone(),
            request.binary_response,
        )
    }

    /// A fresh cached answer to `request`, if it is a `GET` that may be cached.
    pub fn get(&self, request: &Request) -> Option<Response> {
        if !self.is_cacheable(request) {
            return None;
        }
        let domains = self.domains.lock().ok()?;
        let (read_at, response) =
            domains.get(request.domain.as_deref()?)?.get(&Self::key(request))?;
        (read_at.elapsed() < self.ttl).then(|| response.clone())
    }

    /// Whether `request` may change something: anything but a `GET`, except a `POST` of a
    /// dataset value (a point or query read).
    fn is_write(request: &Request) -> bool {
        match request.method {
            Method::Get | Method::Head => false,
            Method::Post => !is_dataset_value(&request.path),
            Method::Put | Method::Delete => true,
        }
    }

    /// Call before sending `request`: a write drops its domain's entries; the result goes to
    /// [`ResponseCache::keep`] or [`ResponseCache::written`].
    pub fn start(&self, request: &Request) -> Started {
        if Self::is_write(request) {
            self.forget(request.domain.as_deref());
        }
        Started(self.epoch.load(Ordering::Acquire))
    }

    /// After a write was answered (or failed): drops its domain's entries again.
    pub fn written(&self, request: &Request) {
        if Self::is_write(request) {
            self.forget(request.domain.as_deref());
        }
    }

    /// Keeps the answer to a `GET` sent since `started`, unless a write came in between.
    pub fn keep(&self, started: Started, request: &Request, response: &Response) {
        if !self.is_cacheable(request) || response.body.len() > MAX_BODY {
            return;
        }
        let Some(domain) = request.domain.as_deref() else { return };
        let Ok(mut domains) = self.domains.lock() else { return };
        if self.epoch.load(Ordering::Acquire) != started.0 {
            return;
        }
        let entries = domains.entry(domain.to_string()).or_default();
        if entries.len() >= SWEEP_AT {
            let ttl = self.ttl;
            entries.retain(|_, (read_at, _)| read_at.elapsed() < ttl);
            if entries.len() >= SWEEP_AT {
                entries.clear();
            }
        }
        entries.insert(Self::key(request), (Instant::now(), response.clone()));
    }

    /// Drops every entry of `domain` (`None`: of every domain).
    pub fn forget(&self, domain: Option<&str>) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut domains) = self.domains.lock() {
            match domain {
                Some(domain) => {
                    domains.remove(domain);
                }
                None => domains.clear(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Call;
    use bytes::Bytes;

    fn answer(body: impl Into<Bytes>) -> Response {
        Response {
            call: Call { method: "GET".into(), path: "/".into() },
            status: 200,
            content_type: Some("application/json".into()),
            body: body.into(),
        }
    }

    fn get(path: &str) -> Request {
        Request::get(path).domain("/f.h5")
    }

    fn cached(cache: &ResponseCache, request: &Request) -> Option<Bytes> {
        cache.get(request).map(|r| r.body)
    }

    #[test]
    fn a_get_is_reused_until_the_ttl() {
        let cache = ResponseCache::with_ttl(Duration::from_millis(50));
        let request = get("/groups/g-1");
        let started = cache.start(&request);
        cache.keep(started, &request, &answer(&b"{}"[..]));
        assert_eq!(cached(&cache, &request), Some(Bytes::from_static(b"{}")));
        assert_eq!(cached(&cache, &request.clone().param("x", "1")), None, "the query counts");
        assert_eq!(cached(&cache, &request.clone().accept_binary()), None, "so does binary");
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(cached(&cache, &request), None);
    }

    #[test]
    fn a_write_drops_the_domain_and_a_racing_get_cannot_restore_it() {
        let cache = ResponseCache::with_ttl(DEFAULT_TTL);
        let request = get("/groups/g-1/attributes/a");
        let other_file = Request::get("/groups/g-1/attributes/a").domain("/other.h5");
        let started = cache.start(&request);
        cache.keep(started, &request, &answer(&b"old"[..]));
        let started_other = cache.start(&other_file);
        cache.keep(started_other, &other_file, &answer(&b"other"[..]));
        let racing = cache.start(&request);
        let write = Request::put("/groups/g-1/attributes/a/value").domain("/f.h5");
        let _ = cache.start(&write);
        assert_eq!(cached(&cache, &request), None);
        assert_eq!(cached(&cache, &other_file), Some(Bytes::from_static(b"other")));
        cache.keep(racing, &request, &answer(&b"stale"[..]));
        assert_eq!(cached(&cache, &request), None, "a GET older than the write is not kept");
        cache.written(&write);
        let point_read = Request::post("/datasets/d-1/value").domain("/f.h5");
        let fresh = cache.start(&request);
        cache.keep(fresh, &request, &answer(&b"kept"[..]));
        let _ = cache.start(&point_read);
        assert_eq!(cached(&cache, &request), Some(Bytes::from_static(b"kept")), "reads keep it");
        let fresh = cache.start(&request);
        cache.keep(fresh, &request, &answer(&b"new"[..]));
        assert_eq!(cached(&cache, &request), Some(Bytes::from_static(b"new")));
    }

    #[test]
    fn dataset_values_big_answers_and_a_zero_ttl_are_never_kept() {
        let cache = ResponseCache::with_ttl(DEFAULT_TTL);
        let value = get("/datasets/d-1/value");
        let started = cache.start(&value);
        cache.keep(started, &value, &answer(&b"data"[..]));
        assert_eq!(cached(&cache, &value), None);
        let big = vec![b' '; MAX_BODY + 1];
        let request = get("/groups/g-1");
        let started = cache.start(&request);
        cache.keep(started, &request, &answer(big));
        assert_eq!(cached(&cache, &request), None);
        let off = ResponseCache::with_ttl(Duration::ZERO);
        let started = off.start(&request);
        off.keep(started, &request, &answer(&b"{}"[..]));
        assert_eq!(cached(&off, &request), None);
    }

    #[test]
    fn the_ttl_comes_from_the_environment_value() {
        assert_eq!(ResponseCache::ttl_from(None), DEFAULT_TTL);
        assert_eq!(ResponseCache::ttl_from(Some("0")), Duration::ZERO);
        assert_eq!(ResponseCache::ttl_from(Some(" 2.5 ")), Duration::from_millis(2500));
        assert_eq!(ResponseCache::ttl_from(Some("-1")), DEFAULT_TTL);
        assert_eq!(ResponseCache::ttl_from(Some("soon")), DEFAULT_TTL);
    }
}
