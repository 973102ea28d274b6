//! Attribute behaviour testhdf5's attr group checks (`tests/c/attribute_rules.c`): an
//! attribute name's character set kept (HDF5/JSON `creationProperties.nameCharEncoding`)
//! through reopen, iteration, rename and `H5Ocopy`; zeros in a padded struct's padding after a
//! compound read; the earliest file format's 64 KiB limit on one attribute, lifted by a V18
//! low bound; creation order values kept across deletions. In direct access, through `restvol serve`, and against HSDS 1.0.2 (which drops
//! attribute creation properties or creation order values: names read back ASCII there, and
//! the creation order checks are left out).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use std::path::Path;

use common::*;

/// Every stored `.json` object under `dir`, concatenated.
fn stored_json(dir: &Path) -> String {
    let mut text = String::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return text };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            text.push_str(&stored_json(&path));
        } else if path.extension().is_some_and(|e| e == "json") {
            text.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
        }
    }
    text
}

#[test]
fn attribute_rules_hold_in_direct_access() {
    let (dir, exe) = compiled_check("attribute_rules", "connector_attribute_rules_direct");
    let store = dir.join("store");
    let out = run_no_crash(with_direct_access(&exe, &store).arg("/attrules"));
    assert_c_checks_pass(&out);
    let stored = stored_json(&store);
    // The UTF-8 names (original, renamed, copied) are stored with their character set, in
    // HDF5/JSON's form; ASCII names stay as HSDS writes them.
    let utf8 = r#""creationProperties":{"nameCharEncoding":"H5T_CSET_UTF8"}"#;
    assert!(stored.matches(utf8).count() >= 2, "{stored}");
    assert!(!stored.contains("\"nameCharEncoding\":\"H5T_CSET_ASCII\""), "{stored}");
}

#[test]
fn attribute_rules_hold_through_restvol_serve() {
    h5pyd::c_checks_pass_through_restvol_serve(
        "attribute_rules",
        "attribute_rules_hold_through_restvol_serve",
        "",
    );
}

#[test]
fn attribute_rules_against_hsds_1_0_2() {
    let (_dir, exe) = compiled_check("attribute_rules", "connector_attribute_rules_hsds");
    let hsds = hsds::start_hsds(false).expect("HSDS from the project's venv");
    let out = run_no_crash(hsds.connector_command(&exe, "/attrules").args(["/attrules", "hsds"]));
    assert_c_checks_pass(&out);
}
