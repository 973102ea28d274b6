//! The process-wide registry of local services: one service per [`ServiceSettings`], shared by
//! every open file of the application, started on first [`acquire`], stopped when the last
//! [`ServiceHandle`] is dropped. All calls are plain blocking calls, safe from any thread.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use once_cell::sync::Lazy;

use super::error::DirectError;
use super::service::{LocalService, ServiceInfo};
use super::settings::ServiceSettings;

struct Entry {
    service: Arc<LocalService>,
    users: usize,
}

static REGISTRY: Lazy<Mutex<HashMap<ServiceSettings, Entry>>> =
    Lazy::new(|| Mutex::new(HashMap::new()));

fn registry() -> MutexGuard<'static, HashMap<ServiceSettings, Entry>> {
    REGISTRY.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A counted reference to a running local service; the service stops when the last one drops.
#[derive(Debug)]
pub struct ServiceHandle {
    settings: ServiceSettings,
    service: Arc<LocalService>,
}

impl ServiceHandle {
    /// How to reach the service (endpoint, credentials, pid, start-up time).
    pub fn info(&self) -> &ServiceInfo {
        self.service.info()
    }

    /// Whether the service process is still alive.
    pub fn is_running(&self) -> bool {
        self.service.is_running()
    }
}

impl Clone for ServiceHandle {
    fn clone(&self) -> Self {
        // Count the clone only on this handle's own service: when that one died and a new one
        // took its place in the registry, the clone (like this handle) is not one of its users,
        // and counting it there would keep the new service running forever.
        match registry().get_mut(&self.settings) {
            Some(entry) if Arc::ptr_eq(&entry.service, &self.service) => entry.users += 1,
            _ => {}
        }
        ServiceHandle { settings: self.settings.clone(), service: Arc::clone(&self.service) }
    }
}

impl Drop for ServiceHandle {
    fn drop(&mut self) {
        let finished = {
            let mut map = registry();
            let last = match map.get_mut(&self.settings) {
                Some(entry) if Arc::ptr_eq(&entry.service, &self.service) => {
                    entry.users = entry.users.saturating_sub(1);
                    entry.users == 0
                }
                _ => false,
            };
            if last {
                map.remove(&self.settings)
            } else {
                None
            }
        };
        // Stop outside the lock: it may take a moment.
        if let Some(entry) = finished {
            let _ = entry.service.stop();
        }
    }
}

/// Returns a handle to the service for `settings`, starting it if none runs (or the one that
/// ran has died). Starting holds the registry lock, so concurrent first calls start only one.
pub fn acquire(settings: &ServiceSettings) -> Result<ServiceHandle, DirectError> {
    let mut map = registry();
    if let Some(entry) = map.get_mut(settings) {
        if entry.service.is_running() {
            entry.users += 1;
            return Ok(ServiceHandle {
                settings: settings.clone(),
                service: Arc::clone(&entry.service),
            });
        }
        // It died: forget it (remaining handles keep their dead Arc) and start afresh.
        map.remove(settings);
    }
    let service = Arc::new(LocalService::start(settings)?);
    map.insert(settings.clone(), Entry { service: Arc::clone(&service), users: 1 });
    Ok(ServiceHandle { settings: settings.clone(), service })
}

/// How many handles refer to the service for `settings` (0 when none runs).
pub fn user_count(settings: &ServiceSettings) -> usize {
    registry().get(settings).map_or(0, |e| e.users)
}

/// Stops every registered service now (for the connector's terminate callback); handles still
/// held afterwards refer to stopped services.
pub fn shutdown_all() {
    let entries: Vec<Entry> = registry().drain().map(|(_, e)| e).collect();
    for entry in entries {
        let _ = entry.service.stop();
    }
}
