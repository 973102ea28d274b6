//! The connector's held dataset values (`vol::value_cache`), through a real program:
//! `tests/c/value_cache.c` reads back every write through any selection, memory type, handle
//! and extent, sees another process's writes after `H5Drefresh`, a reopen or the TTL, and,
//! traced with `RESTVOL_TRACE_REQUESTS`, sends no value request for small reads of a held
//! dataset but one per read when the dataset's chunk cache is 0 bytes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use common::*;

/// Value requests (`GET /datasets/…/value`) traced between `phase <from>` and the next phase.
fn value_requests_in_phase(stderr: &str, from: &str) -> usize {
    let start = format!("restvol-test: phase {from}");
    stderr
        .lines()
        .skip_while(|line| !line.contains(&start))
        .skip(1)
        .take_while(|line| !line.contains("restvol-test: phase"))
        .filter(|line| line.contains("GET /datasets/") && line.contains("/value"))
        .count()
}

#[test]
fn held_values_follow_every_write_and_save_requests_in_direct_access() {
    let (dir, exe) = compiled_check("value_cache", "connector_value_cache");
    let mut cmd = with_direct_access(&exe, &dir.join("store"));
    cmd.env("RESTVOL_TRACE_REQUESTS", "1").arg("/values.h5");
    let out = run_no_crash(&mut cmd);
    assert_c_checks_pass(&out);
    let stderr = text(&out.stderr);
    let held = value_requests_in_phase(&stderr, "held");
    let unheld = value_requests_in_phase(&stderr, "unheld");
    assert!(held <= 1, "50 small reads of a held dataset sent {held} value requests");
    assert!(unheld >= 50, "with a 0-byte chunk cache, 50 reads sent {unheld} value requests");
}

#[test]
fn other_processes_writes_are_read_in_direct_access() {
    let (dir, exe) = compiled_check("value_cache", "connector_value_cache_others");
    let mut cmd = with_direct_access(&exe, &dir.join("store"));
    // Each process has its own service; H5Drefresh and H5Fopen make its DNs recheck storage at
    // once, so no wait is needed after the other process's writes.
    cmd.args(["/values.h5", "--other-processes", "0"]);
    assert_c_checks_pass(&run_no_crash(&mut cmd));
}

#[test]
fn other_processes_writes_are_read_through_restvol_serve() {
    let (dir, exe) = compiled_check("value_cache", "connector_value_cache_serve");
    let server = h5pyd::restvol(&dir.join("store"));
    let mut cmd = with_connector(&exe, None);
    cmd.env("HSDS_ENDPOINT", &server.endpoint)
        .env("HSDS_USERNAME", h5pyd::USER)
        .env("HSDS_PASSWORD", h5pyd::PASSWORD)
        .args(["/values.h5", "--other-processes"]);
    assert_c_checks_pass(&run_no_crash(&mut cmd));
    drop(server);
}
