//! File mounting through the connector: `tests/c/mount.c` mounts a child file on a group of a
//! parent file, opens, reads, writes, creates and iterates through the mount point, checks the
//! refused mounts and the covered group's links, unmounts, and rereads the child, in direct
//! access and through `restvol serve`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use common::h5pyd;
use common::*;

#[test]
fn mount_and_unmount_in_direct_access() {
    c_checks_pass_in_direct_access("mount", "connector_mount_direct", "/mount");
}

#[test]
fn mount_and_unmount_through_restvol_serve() {
    h5pyd::c_checks_pass_through_restvol_serve(
        "mount",
        "mount_and_unmount_through_restvol_serve",
        "",
    );
}
