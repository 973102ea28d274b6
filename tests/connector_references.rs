//! HDF5 references through the connector: `tests/c/references.c` exercises the `H5R` API
//! (object, region and attribute references), stores references in a dataset and an
//! attribute, reopens the file and dereferences them, in direct access; and h5pyd, through
//! `restvol serve`, reads object references the connector wrote and the other way round.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use std::path::Path;

use common::h5pyd::{self, FOLDER, PASSWORD, USER};
use common::*;

#[test]
fn references_round_trip_in_direct_access() {
    c_checks_pass_in_direct_access("references", "connector_references_direct", "/refs/data.h5");
}

/// Runs `tests/scripts/h5pyd_references.py <mode>` against `endpoint`.
fn h5pyd(endpoint: &str, mode: &str, name: &str) {
    let cmd =
        h5pyd::python(endpoint, &h5pyd::script("h5pyd_references.py"), &[mode, FOLDER, name], None);
    let stdout = h5pyd::run_ok(cmd, &format!("h5pyd {mode} {name}"));
    assert!(
        stdout.contains(&format!("{} OK", mode.to_uppercase())),
        "h5pyd {mode} {name}:\n{stdout}"
    );
}

/// Runs a C program through the connector, remote to `endpoint`, and expects no failure.
fn run_remote(exe: &Path, endpoint: &str, domain: &str) {
    let mut cmd = with_connector(exe, None);
    cmd.env("HSDS_ENDPOINT", endpoint)
        .env("HSDS_USERNAME", USER)
        .env("HSDS_PASSWORD", PASSWORD)
        .arg(domain);
    let out = run_no_crash(&mut cmd);
    let stdout = text(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("OK: 0 failure(s)"),
        "{} {domain}:\n{stdout}\n{}",
        exe.display(),
        text(&out.stderr)
    );
}

#[test]
fn object_references_are_shared_with_h5pyd_both_ways() {
    let dir = scratch("connector_references_h5pyd");
    let reader = dir.join("read_h5pyd_refs");
    compile_c(&repo().join("tests/c/read_h5pyd_refs.c"), &reader, &[]);
    let writer = dir.join("references");
    compile_c(&repo().join("tests/c/references.c"), &writer, &[]);
    let root = dir.join("store");
    std::fs::create_dir_all(&root).unwrap();
    let served = h5pyd::restvol_with(&root, &["--auto_folders"]);

    // h5pyd writes, the connector reads and dereferences.
    h5pyd(&served.endpoint, "write", "from_h5pyd.h5");
    run_remote(&reader, &served.endpoint, &format!("{FOLDER}from_h5pyd.h5"));

    // The connector writes, h5pyd reads and dereferences.
    run_remote(&writer, &served.endpoint, &format!("{FOLDER}from_connector.h5"));
    h5pyd(&served.endpoint, "check", "from_connector.h5");
}

#[test]
fn references_with_hsds_1_0_2_as_the_remote_server() {
    let dir = scratch("connector_references_hsds");
    let exe = dir.join("references");
    compile_c(&repo().join("tests/c/references.c"), &exe, &[]);
    let hsds = hsds::start_hsds(false).expect("HSDS from the project's venv");
    let folder = restvol::client::Request::put("/")
        .domain("/restvol-refs")
        .json(serde_json::json!({"folder": true}));
    hsds::client(&hsds.endpoint).send(&folder).unwrap();
    let mut cmd = with_connector(&exe, None);
    cmd.env("HSDS_ENDPOINT", &hsds.endpoint)
        .env("HSDS_USERNAME", hsds::USER)
        .env("HSDS_PASSWORD", hsds::PASSWORD)
        .arg("/restvol-refs/refs.h5");
    let out = run_no_crash(&mut cmd);
    let stdout = text(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("OK: 0 failure(s)"),
        "{stdout}\n{}",
        text(&out.stderr)
    );
}
