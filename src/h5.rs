//! Safe, connector-level helpers over libhdf5 (through `ffi::hdf5`): error-stack reporting now;
//! selections, datatype introspection and property lists as the connector grows.

pub mod convert;
pub mod error;
pub mod errors;
pub mod handle;
pub mod plist;
pub mod selection;
pub mod space;
pub mod types;

pub use error::{H5Error, H5Result};
pub use handle::{IdKind, OwnedId};
