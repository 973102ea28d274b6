//! Raw declarations of the HDF5 C API (public headers, `H5VLconnector.h`, `H5PLextern.h`),
//! generated at build time by `bindgen` for the HDF5 the build found. Nothing here is safe to
//! call directly; `ffi::hdf5` wraps what the connector uses.

#![allow(
    non_upper_case_globals,
    non_camel_case_types,
    non_snake_case,
    dead_code,
    missing_debug_implementations,
    unsafe_op_in_unsafe_fn,
    clippy::all,
    clippy::pedantic,
    clippy::undocumented_unsafe_blocks
)]

include!(concat!(env!("OUT_DIR"), "/hdf5_bindings.rs"));

// Unit-test executables call into libhdf5 and so link it; the plugin itself never does.
#[cfg(test)]
#[link(name = "hdf5")]
unsafe extern "C" {}
