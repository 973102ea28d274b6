//! restvol: keep HDF5 data in a sharded object store (HSDS storage schema v2).
//!
//! One package, two artifacts: `librestvol.so`, an HDF5 VOL connector plugin (name `REST`,
//! value 520, a drop-in for HDF Group's REST VOL), and the `restvol` binary, the
//! HSDS-compatible service (service node + data nodes) that the connector talks to, either as
//! local subprocesses (direct access) or as a remote server.
//!
//! Module map (see `DESIGN.md` in the shared folder): pure layers first (`model`, `chunking`,
//! `codec`, `storage`), then the service (`server`), the client side (`client`, `direct`), and the
//! connector (`vol`, `h5`, `ffi`). Only `ffi` contains `unsafe` code.

#![deny(unsafe_code)]

pub mod chunking;
pub mod client;
pub mod codec;
pub mod direct;
#[allow(unsafe_code)]
pub mod ffi;
pub mod h5;
pub mod model;
pub mod server;
pub mod storage;
pub mod transfer;
pub mod vol;
