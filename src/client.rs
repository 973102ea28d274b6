//! Async HTTP client for the HDF REST API over TCP and Unix sockets: retries, typed errors
//! mapped from status codes in one place, and concurrent paged transfers.
//!
//! - [`RestClient`]: async; [`BlockingClient`]: the same with its own runtime, for the connector.
//! - [`Request`] / [`Response`]: one call; [`ClientError`]: every failure, naming the call.
//! - [`ClientConfig`] / [`Target`] / [`RetryPolicy`]: endpoint, credentials, timeouts, retries.

pub mod blocking;
pub mod config;
pub mod error;
pub mod request;
pub mod rest_client;
pub mod retry;

pub use blocking::BlockingClient;
pub use config::{ClientConfig, Target};
pub use error::{Call, ClientError};
pub use request::{Body, Method, Request, Response};
pub use rest_client::RestClient;
pub use retry::RetryPolicy;
