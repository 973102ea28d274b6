//! Direct access: spawning, health-checking and stopping the local SN/DN subprocesses that the
//! connector uses when no remote endpoint is configured.
//!
//! - [`BinarySearch`]: where the `restvol` binary is looked for.
//! - [`ServiceSettings`] / [`Store`]: what the service is started with, resolved from the
//!   connector configuration and the environment.
//! - [`RunDir`]: the private directory holding the sockets and the log.
//! - [`LocalService`]: one running service (start, readiness, stop, stop on drop).
//! - [`registry`]: one shared, reference-counted service per settings for the whole process.
//! - [`Connection`]: endpoint resolution for the connector: a remote server, or the shared
//!   local service, with a [`crate::client::BlockingClient`] either way.
//!
//! ```no_run
//! use restvol::direct::Connection;
//! use restvol::vol::ConnectorConfig;
//!
//! let config = ConnectorConfig::parse_info_string("endpoint=local[2]").unwrap();
//! let conn = Connection::open(&config, |k| std::env::var(k).ok(), None).unwrap();
//! let about = conn.client.get_json("/about", None).unwrap();
//! println!("{about}");
//! // Dropping `conn` releases the service; the last release stops it.
//! ```

pub mod connection;
pub mod discovery;
pub mod error;
pub mod probe;
pub mod registry;
pub mod run_dir;
pub mod service;
pub mod settings;

pub use connection::{ConnectError, Connection};
pub use discovery::BinarySearch;
pub use error::DirectError;
pub use registry::{acquire, ServiceHandle};
pub use run_dir::RunDir;
pub use service::{LocalService, ServiceInfo, StopOutcome};
pub use settings::{ServiceSettings, Store};
