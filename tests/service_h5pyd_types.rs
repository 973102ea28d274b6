#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Issue 3's h5pyd acceptance through the real `restvol serve` binary: datasets and attributes
//! of every type class h5pyd can express (`tests/scripts/h5pyd_types.py`), written and read back
//! with hyperslabs, steps, points and fancy indexing and compared with numpy, also after a
//! graceful restart; and a real `.h5` file made with h5py taken through h5pyd's own tools
//! (`hsload`, `hsls -r`, `hsget`) and compared object by object
//! (`tests/scripts/h5pyd_hsload.py`).
//!
//! HSDS 1.0.2 reads every value restvol stored (region references included), skipping the two
//! reads HSDS itself answers wrongly (`H5PYD_PEER=hsds`, see the script).
//!
//! restvol binds 127.0.0.1 on an ephemeral port, HSDS a private Unix socket directory; both are
//! stopped in Drop guards; the tools are configured through `HS_*` variables under a temporary
//! `HOME`.

mod common;

use common::h5pyd::{hsds, python, restvol, run_ok, script, Scratch, FOLDER};

#[test]
fn h5pyd_every_type_class_round_trips_and_survives_restart() {
    let scratch = Scratch::new("types");
    let server = restvol(&scratch.0);
    let types = script("h5pyd_types.py");
    let cmd = python(&server.endpoint, &types, &["all", FOLDER, "types.h5"], Some(&scratch.0));
    run_ok(cmd, "h5pyd_types.py all");
    server.stop_at_end_of_stdin();

    let server = restvol(&scratch.0);
    let cmd = python(&server.endpoint, &types, &["check", FOLDER, "types.h5"], Some(&scratch.0));
    run_ok(cmd, "h5pyd_types.py check after restart");
}

#[test]
fn hsload_hsls_hsget_round_trip_matches_the_original() {
    let scratch = Scratch::new("hsload");
    let store = scratch.0.join("store");
    let work = scratch.0.join("work");
    std::fs::create_dir_all(&store).unwrap();
    std::fs::create_dir_all(&work).unwrap();
    let server = restvol(&store);
    let workdir = work.to_str().unwrap();
    let cmd = python(&server.endpoint, &script("h5pyd_hsload.py"), &[FOLDER, workdir], Some(&work));
    let out = run_ok(cmd, "h5pyd_hsload.py");
    assert!(out.contains("ROUND TRIP OK"), "{out}");
}

#[test]
fn hsds_reads_every_type_restvol_stored() {
    let scratch = Scratch::new("typecompat");
    let root = scratch.0.join("data");
    let sockets = scratch.0.join("hs");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::create_dir_all(&sockets).unwrap();
    let types = script("h5pyd_types.py");
    let ours = restvol(&root);
    let cmd = python(&ours.endpoint, &types, &["write", FOLDER, "types.h5"], Some(&scratch.0));
    run_ok(cmd, "h5pyd_types.py write");
    ours.stop_at_end_of_stdin();

    let theirs = hsds(&root, &sockets);
    let mut cmd =
        python(&theirs.endpoint, &types, &["check", FOLDER, "types.h5"], Some(&scratch.0));
    cmd.env("H5PYD_PEER", "hsds");
    run_ok(cmd, "h5pyd_types.py check through HSDS 1.0.2");
}
