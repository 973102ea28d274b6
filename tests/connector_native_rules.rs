//! Rules the native connector enforces that restvol follows too: `tests/c/native_rules.c`
//! (truncating an open file, `H5Iget_file_id` identity, `H5Fis_accessible` of a missing file,
//! userblock vs alignment, dataspaces without extent, out-of-range iteration start indices,
//! intermediate groups for `H5Olink`), in direct access and through `restvol serve`; and
//! `tests/c/testhdf5_gaps.c`, what testhdf5's misc and attr groups found missing (links into
//! intermediate groups, creation plist settings kept, committed datatype user counts).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use common::h5pyd;
use common::*;

#[test]
fn native_rules_hold_in_direct_access() {
    c_checks_pass_in_direct_access("native_rules", "connector_native_rules", "/rules");
}

#[test]
fn native_rules_hold_through_restvol_serve() {
    h5pyd::c_checks_pass_through_restvol_serve(
        "native_rules",
        "native_rules_hold_through_restvol_serve",
        "",
    );
}

/// `tests/c/testhdf5_gaps.c`: what testhdf5's misc, attr and ref groups found missing (links
/// into intermediate groups, creation plist settings kept across reopen, …).
#[test]
fn testhdf5_gaps_closed_in_direct_access() {
    c_checks_pass_in_direct_access("testhdf5_gaps", "connector_testhdf5_gaps", "/gaps");
}

#[test]
fn testhdf5_gaps_closed_through_restvol_serve() {
    h5pyd::c_checks_pass_through_restvol_serve(
        "testhdf5_gaps",
        "testhdf5_gaps_closed_through_restvol_serve",
        "",
    );
}
