//! The caches between a program and its store, through a real program: the connector's
//! (`vol::response_cache`), the SN's (`server::meta_cache`) and the DNs' (rechecked against
//! storage). `tests/c/metadata_cache.c` reads its own writes at once and sees another process's
//! writes after `H5Orefresh` or `H5Grefresh`, after reopening the file, or after the TTL: at
//! once when both processes use one `restvol serve`, within `storage_recheck_interval` when
//! each runs its own direct-access service.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use common::*;

#[test]
fn own_writes_and_other_processes_writes_in_direct_access() {
    let (dir, exe) = compiled_check("metadata_cache", "connector_metadata_cache");
    let mut cmd = with_direct_access(&exe, &dir.join("store"));
    // Each process has its own service; H5Orefresh, H5Grefresh and H5Fopen make its DNs
    // recheck storage at once, so no wait is needed after the other process's writes.
    cmd.args(["/cache.h5", "--other-processes", "0"]);
    assert_c_checks_pass(&run_no_crash(&mut cmd));
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
