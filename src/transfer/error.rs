//! What can go wrong in `restvol import` / `restvol export`.

use std::path::PathBuf;

use crate::ffi::transfer::Hdf5Failure;

/// A failed import or export.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// The command line is wrong.
    #[error("{0}")]
    Usage(String),
    /// The source file or domain does not exist.
    #[error("source {0} does not exist")]
    MissingSource(String),
    /// The source exists but cannot be opened.
    #[error("cannot open source {name}: {source}")]
    OpenSource {
        /// The file or domain.
        name: String,
        /// Why.
        source: Hdf5Failure,
    },
    /// The destination exists and `--force` was not given.
    #[error("destination {0} exists (pass --force to replace it)")]
    DestinationExists(String),
    /// The domain name is not a valid domain path.
    #[error("bad domain name: {0}")]
    BadDomain(String),
    /// The connector settings are invalid.
    #[error("bad connector settings: {0}")]
    Config(#[from] crate::vol::config::ConfigError),
    /// An HDF5 call failed while working on an object.
    #[error("{what}: {source}")]
    Hdf5 {
        /// What was being done, naming the object.
        what: String,
        /// The failed call.
        source: Hdf5Failure,
    },
    /// The source holds something the copy cannot represent.
    #[error("{0}")]
    Unsupported(String),
    /// A local file operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// A native destination path is not valid.
    #[error("bad destination file {0}")]
    BadFile(PathBuf),
}

impl TransferError {
    /// The process exit code for this error: 2 for usage errors, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            TransferError::Usage(_) | TransferError::BadDomain(_) => 2,
            _ => 1,
        }
    }
}

/// Adds "what was being done" to an HDF5 failure.
pub(crate) trait Context<T> {
    /// Wraps the failure with `what()`.
    fn context(self, what: impl FnOnce() -> String) -> Result<T, TransferError>;
}

impl<T> Context<T> for Result<T, Hdf5Failure> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, TransferError> {
        self.map_err(|source| TransferError::Hdf5 { what: what(), source })
    }
}
