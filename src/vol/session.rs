//! Sessions: one REST client (and, for direct access, one running local service) per distinct
//! set of [`Settings`], shared by every file the application opens with those settings.
//!
//! A session lives as long as something uses it: each open file holds an `Arc<Session>`, the
//! process-wide table holds only weak references, so the direct-access service stops when the
//! last file (and the last object inside it) is closed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use once_cell::sync::Lazy;

use super::config::{ConnectorConfig, Endpoint};
use super::error::VolError;
use super::response_cache::ResponseCache;
use super::settings::{EndpointKey, Settings};
use super::value_cache::{self, Scope, ValueCache};
use crate::client::{BlockingClient, ClientConfig, Request, Response};
use crate::direct::{ServiceHandle, ServiceSettings};

/// One connection to a service.
#[derive(Debug)]
pub struct Session {
    settings: Settings,
    client: BlockingClient,
    /// The local service (direct access); dropping the last handle stops it.
    service: Option<ServiceHandle>,
    /// Recent metadata answers (see [`ResponseCache`]).
    cache: ResponseCache,
    /// Small datasets' whole values (see [`ValueCache`]).
    values: ValueCache,
    /// Held-back writes are sent by one thread at a time, so that an older copy of a box can
    /// never arrive after a newer one.
    sending_changes: Mutex<()>,
}

static SESSIONS: Lazy<Mutex<HashMap<Settings, Weak<Session>>>> =
    Lazy::new(|| Mutex::new(HashMap::new()));

impl Session {
    /// The session for `settings`, starting one (and its local service) if none is alive.
    pub fn for_settings(settings: &Settings) -> Result<Arc<Session>, VolError> {
        let mut table =
            SESSIONS.lock().map_err(|_| VolError::Internal("session table poisoned"))?;
        if let Some(alive) = table.get(settings).and_then(Weak::upgrade) {
            return Ok(alive);
        }
        table.retain(|_, weak| weak.strong_count() > 0);
        let session = Arc::new(Session::start(settings)?);
        table.insert(settings.clone(), Arc::downgrade(&session));
        Ok(session)
    }

    fn start(settings: &Settings) -> Result<Session, VolError> {
        let (config, service) = match &settings.endpoint {
            EndpointKey::Local(dn_count) => {
                let handle = crate::direct::acquire(&service_settings(settings, *dn_count)?)?;
                (handle.info().client_config()?, Some(handle))
            }
            EndpointKey::Http(url) => (with_credentials(ClientConfig::new(url)?, settings), None),
            EndpointKey::Unix(path) => {
                (with_credentials(ClientConfig::new(&path.to_string_lossy())?, settings), None)
            }
        };
        let config = ClientConfig { trace: tracing_requested(), ..config };
        let ttl = std::env::var("RESTVOL_METADATA_CACHE_EXPIRE").ok();
        let ttl = ResponseCache::ttl_from(ttl.as_deref());
        Ok(Session {
            settings: settings.clone(),
            client: BlockingClient::new(config)?,
            service,
            cache: ResponseCache::with_ttl(ttl),
            values: ValueCache::new(ttl, value_cache::CAPACITY).with_write_back(
                ValueCache::write_back_from(std::env::var("RESTVOL_WRITE_BACK").ok().as_deref()),
            ),
            sending_changes: Mutex::new(()),
        })
    }

    /// The settings this session was made from.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Whether this session runs its own local service (direct access).
    pub fn is_direct(&self) -> bool {
        self.service.is_some()
    }

    /// Sends requests concurrently (bounded by the client), answers in order. Metadata `GET`s
    /// answered recently come from the cache.
    pub fn send_all(
        &self,
        requests: Vec<Request>,
    ) -> Result<Vec<Result<Response, VolError>>, VolError> {
        let requests: Vec<Request> = requests.into_iter().map(|r| self.with_bucket(r)).collect();
        let mut answers: Vec<Option<Result<Response, VolError>>> =
            requests.iter().map(|r| self.cache.get(r).map(Ok)).collect();
        let missing: Vec<usize> = (0..requests.len()).filter(|&i| answers[i].is_none()).collect();
        if !missing.is_empty() {
            self.flush_values(Scope::All)?;
        }
        let to_send: Vec<Request> = missing.iter().map(|&i| requests[i].clone()).collect();
        let started: Vec<_> = to_send.iter().map(|r| self.cache.start(r)).collect();
        let replies = self.client.send_all(&to_send);
        to_send.iter().for_each(|r| self.cache.written(r));
        for (((index, request), started), reply) in
            missing.into_iter().zip(&to_send).zip(started).zip(replies?)
        {
            if let Ok(response) = &reply {
                self.cache.keep(started, request, response);
            }
            answers[index] = Some(reply.map_err(VolError::from));
        }
        Ok(answers
            .into_iter()
            .map(|a| a.unwrap_or(Err(VolError::Internal("a request was not sent"))))
            .collect())
    }

    fn with_bucket(&self, request: Request) -> Request {
        match &self.settings.bucket {
            Some(bucket) if request.bucket.is_none() => request.bucket(bucket.clone()),
            _ => request,
        }
    }

    /// Sends one request, adding the session's bucket; a metadata `GET` answered recently
    /// comes from the cache.
    pub fn send(&self, request: Request) -> Result<Response, VolError> {
        let request = self.with_bucket(request);
        if let Some(hit) = self.cache.get(&request) {
            return Ok(hit);
        }
        self.flush_values(Scope::All)?;
        let started = self.cache.start(&request);
        let reply = self.client.send(&request);
        self.cache.written(&request);
        let reply = reply?;
        self.cache.keep(started, &request, &reply);
        Ok(reply)
    }

    /// Sends the dataset writes the value cache held back in `scope` (one request per changed
    /// chunk, concurrently). Every request this session sends is preceded by this for all
    /// of them, so the service never answers from a value older than the program's writes.
    ///
    /// # Errors
    /// The first failed write; the changes stay held, to be sent again.
    pub fn flush_values(&self, scope: Scope<'_>) -> Result<(), VolError> {
        if !self.values.has_changes() {
            return Ok(());
        }
        let _one_at_a_time = self
            .sending_changes
            .lock()
            .map_err(|_| VolError::Internal("held-back writes lock poisoned"))?;
        let pending = self.values.pending(scope);
        let owners: Vec<usize> =
            pending.iter().enumerate().flat_map(|(i, one)| vec![i; one.writes.len()]).collect();
        let requests: Vec<Request> = pending
            .iter()
            .flat_map(|one| {
                one.writes.iter().map(move |(select, bytes)| {
                    let request = Request::put(format!("/datasets/{}/value", one.id))
                        .domain(one.domain.clone())
                        .binary(bytes.clone());
                    let request = match select {
                        Some(select) => request.param("select", select.clone()),
                        None => request,
                    };
                    self.with_bucket(request)
                })
            })
            .collect();
        if requests.is_empty() {
            return Ok(());
        }
        let replies = self.client.send_all(&requests);
        requests.iter().for_each(|r| self.cache.written(r));
        // Per dataset: every write arrived (clean again), its dataset or domain is gone (the
        // changes have nowhere to go and are dropped), or it failed (kept, and reported).
        let mut failed: Vec<Option<VolError>> = pending.iter().map(|_| None).collect();
        let mut gone = vec![false; pending.len()];
        for (owner, reply) in owners.into_iter().zip(replies?) {
            match reply.map_err(VolError::from) {
                Ok(_) => {}
                Err(err) if err.is_not_found() => gone[owner] = true,
                Err(err) => failed[owner] = failed[owner].take().or(Some(err)),
            }
        }
        let mut first_error = None;
        let mut arrived = Vec::new();
        for ((one, failure), gone) in pending.into_iter().zip(failed).zip(gone) {
            match failure {
                Some(err) => first_error = first_error.or(Some(err)),
                None if gone => self.values.discard(&one),
                None => arrived.push(one),
            }
        }
        self.values.sent(&arrived);
        first_error.map_or(Ok(()), Err)
    }

    /// Drops the cached answers and dataset values of `domain` (`H5*refresh`, `H5Fopen`: the
    /// next reads go to the service), after sending the writes held back for it.
    ///
    /// # Errors
    /// As [`Session::flush_values`].
    pub fn forget_cached(&self, domain: &str) -> Result<(), VolError> {
        self.flush_values(Scope::Domain(domain))?;
        self.cache.forget(Some(domain));
        self.values.forget_domain(domain);
        Ok(())
    }

    /// The dataset values this session holds.
    pub fn values(&self) -> &ValueCache {
        &self.values
    }
}

impl Drop for Session {
    /// The last file of the session is gone: writes still held back are sent (best effort; a
    /// file close sends them and reports failures).
    fn drop(&mut self) {
        let _ = self.flush_values(Scope::All);
    }
}

/// `RESTVOL_TRACE_REQUESTS` set and not `0`: log every request to stderr.
fn tracing_requested() -> bool {
    std::env::var_os("RESTVOL_TRACE_REQUESTS").is_some_and(|v| !v.is_empty() && v != "0")
}

fn with_credentials(config: ClientConfig, settings: &Settings) -> ClientConfig {
    match (&settings.username, &settings.password) {
        (Some(user), Some(password)) => config.with_credentials(user, password),
        _ => config,
    }
}

/// The local service's settings: the resolved store, user and binary search.
fn service_settings(
    settings: &Settings,
    dn_count: Option<u32>,
) -> Result<ServiceSettings, VolError> {
    let config = ConnectorConfig {
        endpoint: Some(Endpoint::Local { dn_count }),
        username: settings.username.clone(),
        password: None,
        root_dir: settings.root_dir.clone(),
        bucket: settings.bucket.clone(),
        aws_s3_gateway: settings.aws_s3_gateway.clone(),
        aws_region: settings.aws_region.clone(),
        restvol_bin: settings.restvol_bin.clone(),
    };
    Ok(ServiceSettings::resolve(
        &config,
        |key| std::env::var(key).ok(),
        crate::ffi::os::plugin_dir(),
    )?)
}
