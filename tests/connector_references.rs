//! HDF5 references through the connector: `tests/c/references.c` exercises the `H5R` API
//! (object, region and attribute references), stores references in a dataset and an
//! attribute, reopens the file and dereferences them, in direct access; and h5pyd, through
//! `restvol serve`, reads object references the connector wrote and the other way round.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

#[test]
fn references_round_trip_in_direct_access() {
    let dir = scratch("connector_references_direct");
    let exe = dir.join("references");
    compile_c(&repo().join("tests/c/references.c"), &exe, &[]);
    let store = dir.join("store");
    let out = run_no_crash(with_direct_access(&exe, &store).arg("/refs/data.h5"));
    let stdout = text(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("OK: 0 failure(s)"),
        "{stdout}\n{}",
        text(&out.stderr)
    );
}

const USER: &str = "test_user1";
const PASSWORD: &str = "test";
const FOLDER: &str = "/home/test_user1/";

/// `restvol serve` on an ephemeral TCP port of 127.0.0.1, stopped on drop.
struct Served {
    child: Child,
    endpoint: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline && matches!(self.child.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(root: &Path) -> Served {
    std::fs::create_dir_all(root).unwrap();
    let mut child = Command::new(build_dir().join("restvol"))
        .args(["serve", "--host", "127.0.0.1", "--port", "0", "--bucket_name", "hsdstest"])
        .arg("--root_dir")
        .arg(root)
        .args(["--hs_username", USER, "--hs_password", PASSWORD, "--auto_folders"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap() > 0 {
        if let Some(rest) = line.split("use endpoint:").nth(1) {
            let endpoint = rest.split_whitespace().next().unwrap().to_string();
            std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
            return Served { child, endpoint };
        }
        line.clear();
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("restvol serve printed no endpoint");
}

/// Runs `tests/scripts/h5pyd_references.py <mode>` against `endpoint`.
fn h5pyd(endpoint: &str, mode: &str, name: &str) {
    let venv = PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/restvol/deps/venv");
    // h5pyd retries failed requests with long backoffs; bound each run.
    let out = Command::new("timeout")
        .arg("180")
        .arg(venv.join("bin/python"))
        .arg(repo().join("tests/scripts/h5pyd_references.py"))
        .args([mode, FOLDER, name])
        .env("HS_ENDPOINT", endpoint)
        .env("HS_USERNAME", USER)
        .env("HS_PASSWORD", PASSWORD)
        .env("H5PYD_CONFIG", "/nonexistent")
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(
        out.status.success() && stdout.contains(&format!("{} OK", mode.to_uppercase())),
        "h5pyd {mode} {name}:\n{stdout}\n{}",
        text(&out.stderr)
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
    let served = serve(&dir.join("store"));

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
