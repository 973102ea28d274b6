//! The libhdf5 calls behind `restvol import` / `restvol export` (the walker lives in
//! `crate::transfer`; this module only wraps the C calls it makes, each once, safely).
//!
//! - [`handle`]: owned identifiers, the HDF5 error stack turned into [`Hdf5Failure`], library
//!   set-up and the file access lists for the native and the restvol connector.
//! - [`tree`]: files, groups, links, object identity, committed datatypes, attribute names.
//! - [`data`]: datasets and attributes: their type, space and creation properties, and copying
//!   their values block by block, rewriting references for the destination file.

mod data;
mod handle;
mod tree;

pub use data::{
    attribute_creation_plist, attribute_space, attribute_type, chunk_dims, create_attribute,
    create_dataset, dataset_creation_plist, dataset_space, dataset_type, is_allocated,
    is_committed, open_attribute, space_shape, type_size, SpaceShape, ValueCopy, ValueKind,
    ValueTarget,
};
pub use handle::{file_access, init, Access, Handle, Hdf5Failure};
pub use tree::{
    attr_creation_order_tracked, attribute_names, close_file, commit_datatype, copy_datatype,
    create_external_link, create_file, create_group, create_hard_link, create_soft_link,
    datatype_creation_plist, delete_file, group_creation_plist, is_accessible,
    link_creation_order_tracked, links, object_info, object_info_by_name, open_datatype, open_file,
    open_object, LinkEntry, LinkKind, ObjectInfo, ObjectKey, ObjectKind,
};
