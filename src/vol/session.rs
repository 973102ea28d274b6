//! Sessions: one REST client (and, for direct access, one running local service) per distinct
//! set of [`Settings`], shared by every file the application opens with those settings.
//!
//! A session lives as long as something uses it: each open file holds an `Arc<Session>`, the
//! process-wide table holds only weak references, so the direct-access service stops when the
//! last file (and the last object inside it) is closed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use once_cell::sync::Lazy;

use super::error::VolError;
use super::settings::{EndpointKey, Settings};
use crate::client::{BlockingClient, ClientConfig, Request, Response};

/// One connection to a service.
#[derive(Debug)]
pub struct Session {
    settings: Settings,
    client: BlockingClient,
    /// Whether the session runs its own local service (direct access).
    direct: bool,
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
        let config = match &settings.endpoint {
            EndpointKey::Local(_) => {
                return Err(VolError::Unsupported(
                    "direct access (set HSDS_ENDPOINT to a server for now)",
                ))
            }
            EndpointKey::Http(url) => ClientConfig::new(url)?,
            EndpointKey::Unix(path) => ClientConfig::new(&path.to_string_lossy())?,
        };
        let config = match (&settings.username, &settings.password) {
            (Some(user), Some(password)) => config.with_credentials(user, password),
            _ => config,
        };
        Ok(Session {
            settings: settings.clone(),
            client: BlockingClient::new(config)?,
            direct: false,
        })
    }

    /// The settings this session was made from.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Whether this session runs its own local service (direct access).
    pub fn is_direct(&self) -> bool {
        self.direct
    }

    /// Sends one request, adding the session's bucket.
    pub fn send(&self, request: Request) -> Result<Response, VolError> {
        let request = match &self.settings.bucket {
            Some(bucket) if request.bucket.is_none() => request.bucket(bucket.clone()),
            _ => request,
        };
        Ok(self.client.send(&request)?)
    }
}
