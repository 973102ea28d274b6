//! Nested variable-length data and irregular selections through the connector in direct
//! access (`tests/c/vlen_nested.c`): vlen of vlen (datasets and attributes), compounds with
//! sequences of compounds holding strings read back with `H5Dget_type`'s C layout, vlen
//! strings written and read through point lists and unions of blocks, `H5Soffset_simple`
//! selection offsets, a 128-block checkerboard, and `H5D_FILL_TIME_NEVER` refused for vlen
//! types as HDF5 does.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use std::time::{Duration, Instant};

use common::*;

#[test]
fn nested_vlen_irregular_selections_and_offsets_round_trip() {
    let dir = scratch("connector_vlen_nested");
    let exe = dir.join("vlen_nested");
    compile_c(&repo().join("tests/c/vlen_nested.c"), &exe, &[]);
    let store = dir.join("store");
    let out = run_no_crash(with_direct_access(&exe, &store).arg("/vlen/nested.h5"));
    let stdout = text(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("all match"),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    let marker = store.display().to_string();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !restvol_processes(&marker).is_empty() {
        assert!(Instant::now() < deadline, "restvol processes left behind");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The same program against HSDS 1.0.2 (remote mode), without vlen of vlen (HSDS 1.0.2 refuses
/// to store it): the nested encoding restvol writes for compounds, sequences of compounds with
/// strings, point and union selections is the one HSDS reads and writes.
#[test]
fn hsds_1_0_2_takes_nested_vlen_and_irregular_selections() {
    let dir = scratch("connector_vlen_hsds");
    let exe = dir.join("vlen_nested");
    compile_c(&repo().join("tests/c/vlen_nested.c"), &exe, &[]);
    let hsds = hsds::start_hsds(false).expect("HSDS from the project's venv");
    let mut cmd = hsds.connector_command(&exe, "/vlen");
    let out = run_no_crash(cmd.args(["/vlen/nested.h5", "compound,strings,offsets,never"]));
    let stdout = text(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("all match"),
        "{stdout}\n{}",
        text(&out.stderr)
    );
}
