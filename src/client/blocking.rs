//! `BlockingClient`: a synchronous facade over [`RestClient`] for the connector. It owns one
//! small multi-thread tokio runtime for its lifetime and runs requests with `block_on`; it can
//! be called from any thread, from several at once, even from inside another runtime or while
//! the process exits (the call then runs on a helper thread instead of panicking).

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;

use super::config::ClientConfig;
use super::error::ClientError;
use super::request::{Request, Response};
use super::rest_client::RestClient;

/// Worker threads of the client's runtime.
pub const RUNTIME_WORKERS: usize = 2;

/// A blocking REST client with its own runtime.
#[derive(Debug)]
pub struct BlockingClient {
    /// `None` only while dropping.
    runtime: Option<tokio::runtime::Runtime>,
    client: RestClient,
}

impl BlockingClient {
    /// Builds the runtime ([`RUNTIME_WORKERS`] workers) and the client.
    pub fn new(config: ClientConfig) -> Result<Self, ClientError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(RUNTIME_WORKERS)
            .thread_name("restvol-client")
            .enable_all()
            .build()
            .map_err(|e| ClientError::Invalid(format!("cannot start the client runtime: {e}")))?;
        // reqwest needs no runtime to build, but build inside it for timers' sake.
        let client = {
            let _guard = runtime.enter();
            RestClient::new(config)?
        };
        Ok(BlockingClient { runtime: Some(runtime), client })
    }

    /// The async client, for use inside [`BlockingClient::block_on`].
    pub fn client(&self) -> &RestClient {
        &self.client
    }

    /// Runs a future to completion on the client's runtime and returns its output.
    pub fn block_on<F>(&self, future: F) -> Result<F::Output, ClientError>
    where
        F: Future + Send,
        F::Output: Send,
    {
        let runtime = self
            .runtime
            .as_ref()
            .ok_or_else(|| ClientError::Invalid("the client runtime is shut down".into()))?;
        match tokio::runtime::Handle::try_current() {
            Err(outside) if !outside.is_thread_local_destroyed() => {
                return Ok(runtime.block_on(future));
            }
            _ => {}
        }
        // Inside another runtime, or on a thread whose thread-locals are gone (HDF5 closes
        // files still open from its atexit handler, which runs after exit() destroyed the main
        // thread's thread-locals), block_on would panic: run on a helper thread instead.
        std::thread::scope(|scope| {
            scope
                .spawn(|| runtime.block_on(future))
                .join()
                .map_err(|_| ClientError::Invalid("a client helper thread panicked".into()))
        })
    }

    /// Sends one request (see [`RestClient::send`]).
    pub fn send(&self, request: &Request) -> Result<Response, ClientError> {
        self.block_on(self.client.send(request))?
    }

    /// Sends many requests concurrently; results in order (see [`RestClient::send_all`]).
    pub fn send_all(
        &self,
        requests: &[Request],
    ) -> Result<Vec<Result<Response, ClientError>>, ClientError> {
        self.block_on(self.client.send_all(requests))
    }

    /// Sends a request and parses the JSON answer.
    pub fn send_json(&self, request: &Request) -> Result<Value, ClientError> {
        self.block_on(self.client.send_json(request))?
    }

    /// Sends a request and returns the raw answer body.
    pub fn send_bytes(&self, request: &Request) -> Result<Bytes, ClientError> {
        self.block_on(self.client.send_bytes(request))?
    }

    /// `GET path` in `domain`, JSON answer.
    pub fn get_json(&self, path: &str, domain: Option<&str>) -> Result<Value, ClientError> {
        self.block_on(self.client.get_json(path, domain))?
    }

    /// `PUT path` in `domain` with a JSON body, JSON answer.
    pub fn put_json(
        &self,
        path: &str,
        domain: Option<&str>,
        body: Value,
    ) -> Result<Value, ClientError> {
        self.block_on(self.client.put_json(path, domain, body))?
    }

    /// `POST path` in `domain` with a JSON body, JSON answer.
    pub fn post_json(
        &self,
        path: &str,
        domain: Option<&str>,
        body: Value,
    ) -> Result<Value, ClientError> {
        self.block_on(self.client.post_json(path, domain, body))?
    }

    /// `DELETE path` in `domain`, JSON answer.
    pub fn delete(&self, path: &str, domain: Option<&str>) -> Result<Value, ClientError> {
        self.block_on(self.client.delete(path, domain))?
    }

    /// `GET path` in `domain` with extra query parameters, binary answer.
    pub fn get_binary(
        &self,
        path: &str,
        domain: Option<&str>,
        query: &[(&str, &str)],
    ) -> Result<Bytes, ClientError> {
        self.block_on(self.client.get_binary(path, domain, query))?
    }

    /// `PUT path` in `domain` with extra query parameters and a binary body, JSON answer.
    pub fn put_binary(
        &self,
        path: &str,
        domain: Option<&str>,
        query: &[(&str, &str)],
        data: Bytes,
    ) -> Result<Value, ClientError> {
        self.block_on(self.client.put_binary(path, domain, query, data))?
    }
}

impl Drop for BlockingClient {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                // Blocking here would panic inside another runtime.
                runtime.shutdown_background();
            } else {
                runtime.shutdown_timeout(Duration::from_secs(1));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn connection_refused_from_many_threads() {
        // Port 1 on localhost is closed: every call fails fast with a Connect error.
        let config = ClientConfig::new("http://127.0.0.1:1")
            .unwrap()
            .with_retry(crate::client::RetryPolicy::none());
        let client = Arc::new(BlockingClient::new(config).unwrap());
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let c = Arc::clone(&client);
                std::thread::spawn(move || c.get_json("/about", None))
            })
            .collect();
        for t in threads {
            let err = t.join().unwrap().unwrap_err();
            assert!(matches!(err, ClientError::Connect { attempts: 1, .. }), "{err}");
            assert!(err.to_string().starts_with("GET /about: cannot reach"), "{err}");
        }
    }

    #[test]
    fn usable_and_droppable_inside_a_runtime() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let config = ClientConfig::new("http://127.0.0.1:1")
                .unwrap()
                .with_retry(crate::client::RetryPolicy::none());
            let client = BlockingClient::new(config).unwrap();
            assert!(client.get_json("/about", None).is_err());
            drop(client);
        });
    }
}
