//! HDF5 references through the connector: `tests/c/references.c` exercises the `H5R` API
//! (object, region and attribute references), stores references in a dataset and an
//! attribute, reopens the file and dereferences them, in direct access; and h5pyd, through
//! `restvol serve`, reads object references the connector wrote and the other way round.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use common::*;

#[test]
fn references_round_trip_in_direct_access() {
    let dir = scratch("connector_references_direct");
    let exe = dir.join("references");
    compile_c(&repo().join("tests/c/references.c"), &exe, &[]);
    let store = dir.join("store");
    let out = run_no_crash(with_direct_access(&exe, &store).arg("/refs/data.h5"));
    let stdout = text(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("OK: 0 failure(s)"),
        "{stdout}\n{}",
        text(&out.stderr)
    );
}
