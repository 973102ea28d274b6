#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Dataset values through the real `restvol serve` binary driven by real h5pyd
//! (`tests/scripts/h5pyd_values.py`): hyperslabs with steps, fancy indexing, point selections,
//! deflate+shuffle, fill values, scalars, strings and resizing, compared with numpy; the values
//! survive a graceful shutdown (end of stdin) and a restart, and HSDS 1.0.2 reads them.
//!
//! Servers bind 127.0.0.1 (restvol, ephemeral port) or a private Unix socket directory (HSDS),
//! and are stopped in Drop guards.

mod common;

use std::time::Duration;

use common::h5pyd::{hsds, python, restvol, run_ok, script, Scratch, FOLDER};

/// Runs the script against `endpoint`; panics with its output on failure.
fn h5pyd(endpoint: &str, mode: &str, name: &str) {
    let cmd = python(endpoint, &script("h5pyd_values.py"), &[mode, FOLDER, name], None);
    run_ok(cmd, &format!("h5pyd {mode} {name} against {endpoint}"));
}

#[test]
fn h5pyd_values_round_trip_and_survive_restart() {
    let scratch = Scratch::new("vals");
    let mut server = restvol(&scratch.0);
    h5pyd(&server.endpoint, "all", "values.h5");
    // End of stdin: a graceful stop that flushes the chunks.
    drop(server.child.stdin.take());
    assert!(server.wait_for_exit(Duration::from_secs(20)), "restvol did not stop at end of stdin");
    drop(server);
    let server = restvol(&scratch.0);
    h5pyd(&server.endpoint, "check", "values.h5");
}

#[test]
fn hsds_reads_restvol_values() {
    let scratch = Scratch::new("valcompat");
    let root = scratch.0.join("data");
    let sockets = scratch.0.join("hs");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::create_dir_all(&sockets).unwrap();
    let mut ours = restvol(&root);
    h5pyd(&ours.endpoint, "write", "values.h5");
    drop(ours.child.stdin.take());
    assert!(ours.wait_for_exit(Duration::from_secs(20)), "restvol did not stop at end of stdin");
    drop(ours);
    let theirs = hsds(&root, &sockets);
    h5pyd(&theirs.endpoint, "check", "values.h5");
}
