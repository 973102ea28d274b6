//! File mounting through the connector: `tests/c/mount.c` mounts a child file on a group of a
//! parent file, opens, reads, writes, creates and iterates through the mount point, checks the
//! refused mounts and the covered group's links, unmounts, and rereads the child, in direct
//! access and through `restvol serve`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use common::h5pyd::{self, PASSWORD, USER};
use common::*;

#[test]
fn mount_and_unmount_in_direct_access() {
    let dir = scratch("connector_mount_direct");
    let exe = dir.join("mount");
    compile_c(&repo().join("tests/c/mount.c"), &exe, &[]);
    let store = dir.join("store");
    let out = run_no_crash(with_direct_access(&exe, &store).arg("/mount"));
    let stdout = text(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("OK: 0 failure(s)"),
        "{stdout}\n{}",
        text(&out.stderr)
    );
}

#[test]
fn mount_and_unmount_through_restvol_serve() {
    let dir = scratch("mount_and_unmount_through_restvol_serve");
    let exe = dir.join("mount");
    compile_c(&repo().join("tests/c/mount.c"), &exe, &[]);
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
