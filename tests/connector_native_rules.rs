//! Rules the native connector enforces that restvol follows too: `tests/c/native_rules.c`
//! (truncating an open file, `H5Iget_file_id` identity, `H5Fis_accessible` of a missing file,
//! userblock vs alignment, dataspaces without extent, out-of-range iteration start indices,
//! intermediate groups for `H5Olink`), in direct access and through `restvol serve`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use common::h5pyd::{self, PASSWORD, USER};
use common::*;

#[test]
fn native_rules_hold_in_direct_access() {
    let dir = scratch("connector_native_rules");
    let exe = dir.join("native_rules");
    compile_c(&repo().join("tests/c/native_rules.c"), &exe, &[]);
    let store = dir.join("store");
    let out = run_no_crash(with_direct_access(&exe, &store).arg("/rules"));
    let stdout = text(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("OK: 0 failure(s)"),
        "{stdout}\n{}",
        text(&out.stderr)
    );
}

#[test]
fn native_rules_hold_through_restvol_serve() {
    let dir = scratch("native_rules_hold_through_restvol_serve");
    let exe = dir.join("native_rules");
    compile_c(&repo().join("tests/c/native_rules.c"), &exe, &[]);
    let server = h5pyd::restvol(&dir.join("store"));
    let mut cmd = with_connector(&exe, None);
    cmd.env("HSDS_ENDPOINT", &server.endpoint)
        .env("HSDS_USERNAME", USER)
        .env("HSDS_PASSWORD", PASSWORD)
        .arg("");
    let out = run_no_crash(&mut cmd);
    let stdout = text(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("OK: 0 failure(s)"),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    drop(server);
}
