//! The connector used from several threads: a C program whose pthreads each create, write,
//! reopen and read their own file through direct access (HDF5 calls serialized by a mutex, as
//! the HDF5 build here is not thread-safe), all values checked.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use common::*;

#[test]
fn threads_each_with_their_own_file_read_back_their_values() {
    let dir = scratch("connector_threads");
    let exe = dir.join("threads");
    compile_c(&repo().join("tests/c/threads.c"), &exe, &["-pthread"]);
    let store = dir.join("store");
    let out = run_no_crash(with_direct_access(&exe, &store).arg("/threads"));
    let stdout = text(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("all match"),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    // The connector must not claim thread safety while libhdf5 is not thread-safe.
    if stdout.contains("library thread-safe: no") {
        assert_eq!(restvol::vol::caps::ADVERTISED & THREADSAFE, 0);
    }
}

/// `H5VL_CAP_FLAG_THREADSAFE` from `H5VLconnector.h`.
const THREADSAFE: u64 = 0x0001;
