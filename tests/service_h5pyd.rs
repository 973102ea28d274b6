#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The real `restvol serve` binary driven by real h5pyd (folders, a domain, groups, soft and
//! external links, attributes of several types, dataset metadata; reopen and check), and store
//! compatibility with HSDS 1.0.2 both ways on one root directory.
//!
//! Servers bind 127.0.0.1 (restvol, ephemeral port) or a private Unix socket directory (HSDS,
//! whose data nodes would otherwise take fixed TCP ports), and are stopped in Drop guards.

mod common;

use std::process::Command;
use std::time::Duration;

use common::h5pyd::{
    hsds, python, restvol, run_ok, script, Scratch, Server, FOLDER, PASSWORD, USER,
};

/// Runs the script against `endpoint`; panics with its output on failure.
fn h5pyd(endpoint: &str, mode: &str, name: &str) {
    let cmd = python(endpoint, &script("h5pyd_metadata.py"), &[mode, FOLDER, name], None);
    run_ok(cmd, &format!("h5pyd {mode} {name} against {endpoint}"));
}

#[test]
fn h5pyd_metadata_round_trip() {
    let scratch = Scratch::new("h5pyd");
    let server = restvol(&scratch.0);
    assert!(server.endpoint.starts_with("http://127.0.0.1:"), "{}", server.endpoint);
    h5pyd(&server.endpoint, "all", "meta.h5");
}

#[test]
fn store_is_shared_with_hsds_both_ways() {
    let scratch = Scratch::new("compat");
    let root = scratch.0.join("data");
    let sockets = scratch.0.join("hs");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::create_dir_all(&sockets).unwrap();

    // restvol writes; closing its stdin shuts it down gracefully (flushing everything).
    let mut ours = restvol(&root);
    h5pyd(&ours.endpoint, "folders", "meta.h5");
    h5pyd(&ours.endpoint, "write", "meta.h5");
    drop(ours.child.stdin.take());
    assert!(ours.wait_for_exit(Duration::from_secs(20)), "restvol did not stop at end of stdin");
    drop(ours);

    // HSDS reads restvol's domain, then writes its own.
    let mut theirs = hsds(&root, &sockets);
    h5pyd(&theirs.endpoint, "check", "meta.h5");
    h5pyd(&theirs.endpoint, "write", "hs_meta.h5");
    theirs.stop();
    drop(theirs);

    // restvol reads HSDS's domain (and its own again).
    let ours = restvol(&root);
    h5pyd(&ours.endpoint, "check", "hs_meta.h5");
    h5pyd(&ours.endpoint, "check", "meta.h5");
}

#[test]
fn h5pyd_over_a_unix_socket() {
    let scratch = Scratch::new("sock");
    let sockets = scratch.0.join("s");
    std::fs::create_dir_all(&sockets).unwrap();
    std::fs::write(sockets.join("sn_1.sock"), b"stale").unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_restvol"));
    cmd.args(["serve", "--root_dir"])
        .arg(&scratch.0)
        .args(["--hs_username", USER, "--hs_password", PASSWORD, "--socket_dir"])
        .arg(&sockets);
    let server = Server::start(cmd);
    assert!(server.endpoint.starts_with("http+unix://%2F"), "{}", server.endpoint);
    h5pyd(&server.endpoint, "all", "sock.h5");
}
