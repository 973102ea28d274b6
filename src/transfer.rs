//! `restvol import` and `restvol export`: copy a native HDF5 file into a domain and back.
//!
//! Design: the `restvol` binary links libhdf5 and contains the connector, so one walker over
//! the HDF5 API serves both directions. The source file is opened through one connector
//! (native for import, restvol for export) and the destination through the other, with restvol
//! registered in this process (no plugin path needed). The walker surveys the source first
//! ([`plan`]: every object once, keyed by its token, so an object reached by two paths is
//! copied once and the second path becomes a hard link; soft and external links kept as links;
//! the totals for the progress bar), then copies ([`copy`]): groups, committed datatypes,
//! datasets (type, dataspace and creation properties as they are: chunking, filters, fill
//! value, maximum dimensions; values in chunk-aligned blocks of about 8 MiB, see [`blocks`]),
//! links, and the attributes of every object, with references rewritten to name the same
//! objects in the destination.
//!
//! Why not `h5repack`/`h5copy`: HDF5 1.14's `h5repack` cannot copy soft or external links
//! between connectors (`H5Lcopy` refuses), nor `H5T_STD_REF` references (it handles only the
//! old reference kinds), `h5copy` has no per-file connector option (`H5Ocopy` needs one
//! connector on both sides), and neither can report progress.
//!
//! All C calls live in `crate::ffi::transfer`; this module holds the logic: the order of
//! operations, block shapes, progress, argument handling and clean-up of a failed destination
//! ([`cli`]).

mod blocks;
pub mod cli;
mod copy;
mod error;
mod plan;
mod progress;

pub use blocks::{block_shape, blocks, BLOCK_BYTES};
pub use cli::{main_export, main_import};
pub use error::TransferError;
pub use progress::Progress;
