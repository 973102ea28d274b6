//! `DirectError`: why the local service for direct access could not be found, started or
//! stopped. Messages name the paths involved and, for start-up failures, end with the tail of
//! the service's log.

use std::path::PathBuf;
use std::time::Duration;

/// A failure of direct-access process management.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectError {
    /// No usable `restvol` binary; `tried` lists every candidate and why it failed.
    #[error("cannot find the restvol binary (set restvol_bin or RESTVOL_BIN); tried: {}", .tried.join("; "))]
    BinaryNotFound {
        /// Each candidate, as `path (reason)`.
        tried: Vec<String>,
    },
    /// The store settings are incomplete or contradictory.
    #[error("direct-access store settings: {0}")]
    Settings(String),
    /// The private run directory could not be made.
    #[error("cannot create a private run directory under {base}: {message}")]
    RunDir {
        /// The directory it was to be made in.
        base: PathBuf,
        /// The cause.
        message: String,
    },
    /// The binary could not be started.
    #[error("cannot start {binary}: {message}")]
    Spawn {
        /// The binary.
        binary: PathBuf,
        /// The cause.
        message: String,
    },
    /// The service exited before it became ready.
    #[error("the restvol service exited during start-up ({status}); end of its log:\n{log_tail}")]
    ExitedEarly {
        /// The exit status as text.
        status: String,
        /// The last lines of the service log.
        log_tail: String,
    },
    /// The service did not answer `GET /about` in time.
    #[error("the restvol service did not answer GET /about on {} within {timeout:?}; end of its log:\n{log_tail}", .socket.display())]
    NotReady {
        /// The socket polled.
        socket: PathBuf,
        /// How long it waited.
        timeout: Duration,
        /// The last lines of the service log.
        log_tail: String,
    },
    /// Waiting for or signalling the service failed.
    #[error("cannot stop the restvol service (pid {pid}): {message}")]
    Stop {
        /// The service's process id.
        pid: u32,
        /// The cause.
        message: String,
    },
}
