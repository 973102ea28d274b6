//! Compounds keep the application's memory layout (`tests/c/compound_layout.c`): padded
//! struct types for datasets, attributes and committed types, an array of padded structs
//! inside a struct, and a packed compound come back `H5Tequal` to the created types and read
//! into the structs — in direct access and against HSDS 1.0.2, which keeps the layout keys
//! (`offset`, `memorySize`) in the type JSON while h5pyd reads the packed values.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use common::*;
use serde_json::{json, Value};

#[test]
fn padded_compounds_round_trip_in_direct_access() {
    c_checks_pass_in_direct_access(
        "compound_layout",
        "connector_compound_layout_direct",
        "/layout/compound.h5",
    );
}

/// The type JSON of the object at `path` (a link of the root group) in `domain`.
fn linked_type(client: &restvol::client::BlockingClient, domain: &str, name: &str) -> Value {
    let root = client.get_json("/", Some(domain)).unwrap()["root"].as_str().unwrap().to_string();
    let link = client.get_json(&format!("/groups/{root}/links/{name}"), Some(domain)).unwrap();
    let id = link["link"]["id"].as_str().unwrap().to_string();
    let collection = if id.starts_with("t-") { "datatypes" } else { "datasets" };
    client.get_json(&format!("/{collection}/{id}"), Some(domain)).unwrap()["type"].clone()
}

#[test]
fn hsds_1_0_2_keeps_the_layout_and_h5pyd_reads_the_values() {
    let (dir, exe) = compiled_check("compound_layout", "connector_compound_layout_hsds");
    let hsds = hsds::start_hsds(false).expect("HSDS from the project's venv");
    let client = hsds::client(&hsds.endpoint);
    let domain = "/layout/compound.h5";
    assert_c_checks_pass(&run_no_crash(hsds.connector_command(&exe, "/layout").arg(domain)));

    let padded = linked_type(&client, domain, "padded");
    assert_eq!(padded["memorySize"], json!(24), "{padded}");
    let offsets: Vec<&Value> =
        padded["fields"].as_array().unwrap().iter().map(|f| &f["offset"]).collect();
    assert_eq!(offsets, [&json!(0), &json!(8), &json!(16)], "{padded}");
    let committed = linked_type(&client, domain, "ptype");
    assert_eq!(committed["memorySize"], json!(24), "{committed}");
    let nested = linked_type(&client, domain, "nested");
    assert_eq!(nested["fields"][1]["type"]["base"]["memorySize"], json!(24), "{nested}");
    let packed = linked_type(&client, domain, "packed");
    assert!(packed.get("memorySize").is_none(), "{packed}");

    let script = h5pyd::script("h5pyd_compound_layout.py");
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let out =
        h5pyd::run_ok(h5pyd::python(&hsds.endpoint, &script, &[domain], Some(&home)), "h5pyd");
    assert!(out.contains("h5pyd read all values"), "{out}");
}
