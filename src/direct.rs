//! Direct access: spawning, health-checking and stopping the local SN/DN subprocesses that the
//! connector uses when no remote endpoint is configured.
//!
//! - [`BinarySearch`]: where the `restvol` binary is looked for.
//! - [`ServiceSettings`] / [`Store`]: what the service is started with, resolved from the
//!   connector configuration and the environment.
//! - [`RunDir`]: the private directory holding the sockets and the log.
//! - [`LocalService`]: one running service (start, readiness, stop, stop on drop).
//! - [`registry`]: one shared, reference-counted service per settings for the whole process.
//!
//! The connector reaches the service through `vol::session`, which starts (or shares) the
//! local service with [`acquire`] for direct access.

pub mod discovery;
pub mod error;
pub mod probe;
pub mod registry;
pub mod run_dir;
pub mod service;
pub mod settings;

pub use discovery::BinarySearch;
pub use error::DirectError;
pub use registry::{acquire, ServiceHandle};
pub use run_dir::RunDir;
pub use service::{LocalService, ServiceInfo, StopOutcome};
pub use settings::{ServiceSettings, Store};
