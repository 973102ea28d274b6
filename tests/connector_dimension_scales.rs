//! Dimension scales through the connector (what netCDF-4 needs, issue 6 §3):
//! `tests/c/dimension_scales.c` uses HDF5's high-level H5DS API (`H5DSset_scale`,
//! `H5DSattach_scale`, `H5DSiterate_scales`, `H5DSdetach_scale`…), which with a connector other
//! than the native one keeps `DIMENSION_LIST` as an attribute of sequences of `H5R_ref_t` and
//! `REFERENCE_LIST` as an attribute of `{H5R_ref_t, int}` compounds. It runs natively and
//! through restvol (direct access) and must print the same and exit cleanly: H5DS leaks the
//! references of a detached scale, so the file is still open when the program exits and HDF5
//! closes it from its atexit handler, which must not panic in the connector.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use std::process::Command;

use common::*;

#[test]
fn dimension_scales_attach_iterate_and_detach_as_natively() {
    let dir = scratch("connector_dimension_scales");
    let exe = dir.join("dimension_scales");
    compile_c(&repo().join("tests/c/dimension_scales.c"), &exe, &["-Wall", "-Werror", "-lhdf5_hl"]);
    let native = run_no_crash(
        Command::new(&exe).current_dir(&dir).env_remove("HDF5_VOL_CONNECTOR").arg("scales.h5"),
    );
    let mut cmd = with_direct_access(&exe, &dir.join("store"));
    let rest = run_no_crash(cmd.current_dir(&dir).arg("/scales/scales.h5"));
    for (what, out) in [("native", &native), ("restvol", &rest)] {
        assert!(
            out.status.success(),
            "{what} run failed:\n{}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
    }
    assert_eq!(text(&rest.stdout), text(&native.stdout));
    let stderr = text(&rest.stderr);
    assert!(!stderr.contains("panicked") && !stderr.contains("HDF5"), "stderr:\n{stderr}");
}
