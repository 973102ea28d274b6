//! Programs written for HDF Group's REST VOL work unchanged (issue 6 §5):
//! `c_examples/rest_vol_dropin.c` includes `rest_vol_public.h`, calls `H5rest_init`,
//! `H5Pset_fapl_rest_vol` and `H5rest_get_object_uri`, creates `/home/test_user1/…`, and is
//! configured only by `HSDS_ENDPOINT`, `HSDS_USERNAME` and `HSDS_PASSWORD`. It is built against
//! restvol's headers and library and run against `restvol serve` and against HSDS 1.0.2; the
//! program checks the values it reads back, and the test checks each URI it printed against the
//! server: the file's is the domain's root group, the group, dataset and committed
//! datatype URIs are their ids.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use restvol::client::{BlockingClient, ClientError};
use serde_json::{json, Value};

const USER: &str = hsds::USER;
const DOMAIN: &str = "/home/test_user1/rest_vol_dropin.h5";

/// Builds the drop-in program against restvol's `include/` and `librestvol.so`.
fn build(dir: &Path) -> PathBuf {
    let exe = dir.join("rest_vol_dropin");
    let lib = build_dir();
    compile_c(
        &repo().join("c_examples/rest_vol_dropin.c"),
        &exe,
        &[
            "-Wall",
            "-Werror",
            &format!("-L{}", lib.display()),
            &format!("-Wl,-rpath,{}", lib.display()),
            "-lrestvol",
        ],
    );
    exe
}

/// `/home` and `/home/test_user1`, as a REST VOL user's server has them.
fn make_home(client: &BlockingClient) {
    for folder in ["/home", "/home/test_user1"] {
        let made = client.put_json("/", Some(folder), json!({"folder": true}));
        assert!(matches!(made, Ok(_) | Err(ClientError::Conflict { .. })), "{folder}: {made:?}");
    }
}

/// Runs the program against `endpoint` with only the REST VOL environment; its URIs by path.
fn run(exe: &Path, endpoint: &str, home: &Path) -> HashMap<String, String> {
    let mut cmd = Command::new(exe);
    for key in [
        "HDF5_VOL_CONNECTOR",
        "HDF5_PLUGIN_PATH",
        "HS_ENDPOINT",
        "HS_USERNAME",
        "HS_PASSWORD",
        "ROOT_DIR",
        "BUCKET_NAME",
        "RESTVOL_BIN",
    ] {
        cmd.env_remove(key);
    }
    cmd.env("HSDS_ENDPOINT", endpoint)
        .env("HSDS_USERNAME", USER)
        .env("HSDS_PASSWORD", hsds::PASSWORD)
        .env("HOME", home);
    let out = run_no_crash(&mut cmd);
    let stdout = text(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("all checks passed"),
        "rest_vol_dropin failed:\nstdout:\n{stdout}\nstderr:\n{}",
        text(&out.stderr)
    );
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("uri "))
        .filter_map(|l| l.split_once(' '))
        .map(|(path, uri)| (path.to_string(), uri.to_string()))
        .collect()
}

/// Each URI names the object it was printed for on the server.
fn check_uris(client: &BlockingClient, uris: &HashMap<String, String>) {
    let root = client.get_json("/", Some(DOMAIN)).unwrap();
    assert_eq!(root["root"].as_str(), Some(uris["/"].as_str()), "the file URI is the root id");

    let group = &uris["/measurements"];
    assert!(group.starts_with("g-"), "{group}");
    let got = client.get_json(&format!("/groups/{group}"), Some(DOMAIN)).unwrap();
    assert_eq!(got["id"].as_str(), Some(group.as_str()));
    assert_eq!(got["linkCount"], 1, "{got}");
    let link = client
        .get_json(&format!("/groups/{}/links/measurements", uris["/"]), Some(DOMAIN))
        .unwrap();
    assert_eq!(link["link"]["id"].as_str(), Some(group.as_str()), "{link}");

    let dset = &uris["/measurements/counts"];
    assert!(dset.starts_with("d-"), "{dset}");
    let got = client.get_json(&format!("/datasets/{dset}"), Some(DOMAIN)).unwrap();
    assert_eq!(got["id"].as_str(), Some(dset.as_str()));
    assert_eq!(got["shape"]["dims"], json!([4, 6]), "{got}");
    let datatype = &uris["/temperature_t"];
    assert!(datatype.starts_with("t-"), "{datatype}");
    let got = client.get_json(&format!("/datatypes/{datatype}"), Some(DOMAIN)).unwrap();
    assert_eq!(got["id"].as_str(), Some(datatype.as_str()));

    let value = client.get_json(&format!("/datasets/{dset}/value"), Some(DOMAIN)).unwrap();
    let expected: Vec<Value> =
        (0..4).map(|i| (0..6).map(|j| i * 100 + j).collect::<Vec<i64>>().into()).collect();
    assert_eq!(value["value"], Value::Array(expected), "values of {dset}");
}

#[test]
fn rest_vol_program_against_restvol_serve() {
    let dir = scratch("rest_vol_dropin_restvol");
    let exe = build(&dir);
    let root = dir.join("store");
    std::fs::create_dir_all(&root).unwrap();
    let served = h5pyd::restvol(&root);
    let client = hsds::client(&served.endpoint);
    make_home(&client);
    let uris = run(&exe, &served.endpoint, &dir);
    check_uris(&client, &uris);
}

#[test]
fn rest_vol_program_against_hsds_1_0_2() {
    let dir = scratch("rest_vol_dropin_hsds");
    let exe = build(&dir);
    let Some(hsds) = hsds::start_hsds(false) else { return };
    let client = hsds::client(&hsds.endpoint);
    make_home(&client);
    let uris = run(&exe, &hsds.endpoint, &dir);
    check_uris(&client, &uris);
}
