//! Safe, connector-level helpers over libhdf5 (through `ffi::hdf5`): error-stack reporting now;
//! selections, datatype introspection and property lists as the connector grows.

pub mod errors;
