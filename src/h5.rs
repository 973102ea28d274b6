//! Safe, connector-level helpers over libhdf5 (through `ffi`): what the VOL callbacks use to turn
//! HDF5 ids into HDF REST JSON and back.
//!
//! - [`handle`]: [`OwnedId`], an id restvol created and closes on drop.
//! - [`types`]: datatype id ⇄ type JSON ([`crate::model::types::Datatype`]), sizes.
//! - [`space`]: dataspace extent ⇄ shape JSON.
//! - [`selection`]: a dataspace's selection, its REST `select`/boxes/points form, and
//!   gather/scatter between an application buffer and a packed buffer.
//! - [`convert`]: element buffers between the REST binary form and a memory type.
//! - [`layout`]: the C-struct layout handed to applications for types with vlen parts.
//! - [`value`]: JSON values of fixed-size types → packed REST bytes.
//! - [`plist`]: dataset/group creation property lists ⇄ `creationProperties` JSON.
//! - [`errors`]: pushing restvol's failures on the HDF5 error stack; [`error`]: `H5Error`.

pub mod convert;
pub mod error;
pub mod errors;
pub mod handle;
pub mod layout;
pub mod plist;
pub mod selection;
pub mod space;
pub mod types;
pub mod value;

pub use error::{H5Error, H5Result};
pub use handle::{IdKind, OwnedId};
