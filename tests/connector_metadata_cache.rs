//! The connector's metadata cache (`vol::response_cache`) and the SN's dataset cache, through a
//! real program: `tests/c/metadata_cache.c` reads its own writes at once and, when both
//! processes use one `restvol serve`, sees another process's writes after `H5Orefresh` or
//! `H5Grefresh`, after reopening the file, or after the TTL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use common::*;

#[test]
fn own_writes_are_read_at_once_in_direct_access() {
    c_checks_pass_in_direct_access("metadata_cache", "connector_metadata_cache", "/cache.h5");
}

#[test]
fn other_processes_writes_are_seen_through_restvol_serve() {
    let (dir, exe) = compiled_check("metadata_cache", "connector_metadata_cache_serve");
    let server = h5pyd::restvol(&dir.join("store"));
    let mut cmd = with_connector(&exe, None);
    cmd.env("HSDS_ENDPOINT", &server.endpoint)
        .env("HSDS_USERNAME", h5pyd::USER)
        .env("HSDS_PASSWORD", h5pyd::PASSWORD)
        .args(["/cache.h5", "--other-processes"]);
    assert_c_checks_pass(&run_no_crash(&mut cmd));
    drop(server);
}
