//! The connector's error type. Every failure that reaches HDF5 becomes one message on the HDF5
//! error stack, naming the operation and the cause; this enum keeps the cause typed until then.

use super::config::ConfigError;

/// Why a connector operation failed.
#[derive(Debug, thiserror::Error)]
pub enum VolError {
    /// The connector configuration (info string or environment) is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A pointer argument that must not be NULL was NULL.
    #[error("argument '{0}' is NULL")]
    NullArgument(&'static str),
    /// A C string argument is not valid UTF-8.
    #[error("argument '{0}' is not valid UTF-8")]
    NotUtf8(&'static str),
    /// The HDF5 library rejected a call restvol made.
    #[error("HDF5 call {call} failed")]
    Hdf5Call {
        /// The HDF5 function that failed.
        call: &'static str,
    },
    /// The operation is part of the HDF5 data model but restvol does not implement it yet.
    #[error("{0} is not supported by the restvol connector yet")]
    Unsupported(&'static str),
    /// Any other invalid argument.
    #[error("{0}")]
    InvalidArgument(String),
}
