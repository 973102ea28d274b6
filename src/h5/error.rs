//! `H5Error`: why turning an HDF5 object (datatype, dataspace, selection, property list) into
//! REST JSON, or back, failed.

use crate::codec::CodecError;
use crate::model::ModelError;
use crate::vol::VolError;

/// Result alias for the `h5` helpers.
pub type H5Result<T> = Result<T, H5Error>;

/// A failure of an `h5` helper.
#[derive(Debug, thiserror::Error)]
pub enum H5Error {
    /// A libhdf5 call failed (the error names the call).
    #[error(transparent)]
    Hdf5(#[from] VolError),
    /// The HDF5 object uses a feature the HDF REST model cannot express.
    #[error("not expressible in the HDF REST API: {0}")]
    Unsupported(String),
    /// REST JSON or bytes that do not fit the HDF5 object they are used with.
    #[error("{0}")]
    Invalid(String),
    /// Invalid REST JSON.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// Invalid variable-length byte stream.
    #[error(transparent)]
    Codec(#[from] CodecError),
}

impl From<H5Error> for VolError {
    fn from(error: H5Error) -> VolError {
        match error {
            H5Error::Hdf5(inner) => inner,
            other => VolError::InvalidArgument(other.to_string()),
        }
    }
}

/// Shorthand for [`H5Error::Unsupported`].
pub(crate) fn unsupported(message: impl Into<String>) -> H5Error {
    H5Error::Unsupported(message.into())
}

/// Shorthand for [`H5Error::Invalid`].
pub(crate) fn invalid(message: impl Into<String>) -> H5Error {
    H5Error::Invalid(message.into())
}
