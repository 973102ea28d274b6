#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The value endpoints' `append`, `fields` and `query` parameters through the real `restvol
//! serve` binary (two DN processes) driven by h5pyd (`tests/scripts/h5pyd_params.py`), and the
//! same script against HSDS 1.0.2, so restvol's answers are checked against HSDS's.
//!
//! Servers bind 127.0.0.1 (restvol, ephemeral port) or a private Unix socket directory (HSDS),
//! and are stopped in Drop guards.

mod common;

use common::h5pyd::{hsds, python, restvol_with, run_ok, script, Scratch, FOLDER};

/// Runs the parameter script against `endpoint`; panics with its output on failure.
fn h5pyd(endpoint: &str, name: &str) {
    let cmd = python(endpoint, &script("h5pyd_params.py"), &[FOLDER, name], None);
    run_ok(cmd, &format!("h5pyd {name} against {endpoint}"));
}

#[test]
fn h5pyd_append_fields_query_on_restvol() {
    let scratch = Scratch::new("params");
    let server = restvol_with(&scratch.0, &["--count", "2"]);
    h5pyd(&server.endpoint, "params.h5");
}

#[test]
fn h5pyd_append_fields_query_on_hsds() {
    let scratch = Scratch::new("params-hsds");
    let root = scratch.0.join("store");
    let sockets = scratch.0.join("s");
    std::fs::create_dir_all(root.join("hsdstest")).unwrap();
    std::fs::create_dir_all(&sockets).unwrap();
    let server = hsds(&root, &sockets);
    h5pyd(&server.endpoint, "params.h5");
}
