//! The connector's error type. Every failure that reaches HDF5 becomes one message on the HDF5
//! error stack, naming the operation and the cause; this enum keeps the cause typed until then.

use super::config::ConfigError;
use crate::client::ClientError;
use crate::direct::DirectError;
use crate::model::ModelError;

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
    /// The service answered with an error, or could not be reached.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The service sent something restvol cannot understand.
    #[error("unexpected answer from the service: {0}")]
    Model(#[from] ModelError),
    /// The local service for direct access could not be started.
    #[error(transparent)]
    Direct(#[from] DirectError),
    /// An internal invariant broke (a poisoned lock); please report.
    #[error("internal error: {0}")]
    Internal(&'static str),
}

impl VolError {
    /// Whether the service said the object, link or domain does not exist.
    pub fn is_not_found(&self) -> bool {
        match self {
            VolError::Client(err) => err.status() == Some(404) || err.status() == Some(410),
            _ => false,
        }
    }

    /// Whether the service refused access.
    pub fn is_forbidden(&self) -> bool {
        match self {
            VolError::Client(err) => matches!(err.status(), Some(401) | Some(403)),
            _ => false,
        }
    }

    /// Whether the service has no such request (405): HSDS lacks restvol's extensions, such
    /// as `refCountChange`.
    pub fn is_method_not_allowed(&self) -> bool {
        match self {
            VolError::Client(err) => err.status() == Some(405),
            _ => false,
        }
    }

    /// Whether the service said the name is already taken.
    pub fn is_conflict(&self) -> bool {
        match self {
            VolError::Client(err) => err.status() == Some(409),
            _ => false,
        }
    }
}
