//! C programs reading and writing through the connector in the three setups users run: direct
//! access (the default: the connector starts `restvol serve` itself), a `restvol serve` over
//! TCP, and HSDS 1.0.2 from PyPI (remote mode). Every value is compared; the files are then
//! read by h5dump and h5ls; no service process may outlive its application, even one killed
//! with SIGKILL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

const EXAMPLE_FILE: &str = "/restvol-examples/weather.h5";

fn example_binary(dir: &Path) -> PathBuf {
    let exe = dir.join("write_read_3d");
    compile_c(&repo().join("c_examples/write_read_3d.c"), &exe, &[]);
    exe
}

fn assert_example_output(out: &std::process::Output) {
    let stdout = text(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("all values match"),
        "write_read_3d failed ({:?}):\n{stdout}\n{}",
        out.status,
        text(&out.stderr)
    );
}

/// h5dump -H and h5ls -r of the example file, through the connector with the same settings.
fn assert_tools_read(configure: impl Fn(&mut Command)) {
    let bin = hdf5_root().join("bin");
    let mut dump = with_connector(&bin.join("h5dump"), None);
    configure(&mut dump);
    let out = run_no_crash(dump.args(["-H", "--vol-name=REST", EXAMPLE_FILE]));
    let header = text(&out.stdout);
    for expected in [
        "GROUP \"run1\"",
        "DATASET \"temperature\"",
        "DATASPACE  SIMPLE { ( 32, 128, 256 ) / ( 32, 128, 256 ) }",
        "ATTRIBUTE \"units\"",
        "ATTRIBUTE \"version\"",
    ] {
        assert!(
            header.contains(expected),
            "h5dump -H lacks {expected}:\n{header}\n{}",
            text(&out.stderr)
        );
    }
    let mut ls = with_connector(&bin.join("h5ls"), None);
    configure(&mut ls);
    let out = run_no_crash(ls.args(["-r", "--vol-name=REST", EXAMPLE_FILE]));
    let listing = text(&out.stdout);
    assert!(
        listing.contains("/measurements/2026/run1/temperature Dataset {32, 128, 256}"),
        "h5ls -r:\n{listing}\n{}",
        text(&out.stderr)
    );
}

fn wait_for_no_service(store: &Path, within: Duration) {
    let marker = store.display().to_string();
    let deadline = Instant::now() + within;
    loop {
        let left = restvol_processes(&marker);
        if left.is_empty() {
            return;
        }
        assert!(Instant::now() < deadline, "restvol processes left behind: {left:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn direct_access_writes_a_schema_v2_store_that_tools_read() {
    let dir = scratch("connector_io_direct");
    let exe = example_binary(&dir);
    let store = dir.join("store");
    let out = run_no_crash(&mut with_direct_access(&exe, &store));
    assert_example_output(&out);
    wait_for_no_service(&store, Duration::from_secs(10));
    // The store is HSDS's layout: the domain object, and one object per chunk.
    let bucket = store.join("restvol-test");
    assert!(bucket.join("restvol-examples/weather.h5/.domain.json").is_file());
    let chunks = walk(&bucket).into_iter().filter(|p| {
        p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.split('_').count() == 3)
    });
    assert_eq!(chunks.count(), 4 * 2 * 4, "one object per 8x64x64 chunk");
    assert_tools_read(|cmd| {
        let template = with_direct_access(Path::new("true"), &store);
        for (key, value) in template.get_envs() {
            match value {
                Some(value) => cmd.env(key, value),
                None => cmd.env_remove(key),
            };
        }
    });
    wait_for_no_service(&store, Duration::from_secs(10));
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn sigkill_of_the_application_leaves_no_service_behind() {
    let dir = scratch("connector_io_sigkill");
    let exe = dir.join("hold_open");
    compile_c(&repo().join("tests/c/hold_open.c"), &exe, &[]);
    let store = dir.join("store");
    let mut child = with_direct_access(&exe, &store)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "open", "the program did not open its file");
    assert!(!restvol_processes(&store.display().to_string()).is_empty(), "no service started");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    wait_for_no_service(&store, Duration::from_secs(10));
}

/// `restvol serve` on an ephemeral TCP port, stopped on drop.
struct Served {
    child: std::process::Child,
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
        .args(["serve", "--host", "127.0.0.1", "--port", "0", "--bucket_name", "served"])
        .arg("--root_dir")
        .arg(root)
        .args(["--hs_username", "tester", "--hs_password", "secret", "--auto_folders"])
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

#[test]
fn restvol_serve_over_tcp() {
    let dir = scratch("connector_io_serve");
    let exe = example_binary(&dir);
    let served = serve(&dir.join("store"));
    let remote = |cmd: &mut Command| {
        cmd.env("HSDS_ENDPOINT", &served.endpoint)
            .env("HSDS_USERNAME", "tester")
            .env("HSDS_PASSWORD", "secret");
    };
    let mut cmd = with_connector(&exe, None);
    remote(&mut cmd);
    assert_example_output(&run_no_crash(&mut cmd));
    assert_tools_read(remote);
}

#[test]
fn hsds_1_0_2_as_the_remote_server() {
    let dir = scratch("connector_io_hsds");
    let exe = example_binary(&dir);
    let hsds = hsds::start_hsds(false).expect("HSDS from the project's venv");
    // HSDS needs the parent folder first.
    let client = hsds::client(&hsds.endpoint);
    let folder = restvol::client::Request::put("/")
        .domain("/restvol-examples")
        .json(serde_json::json!({"folder": true}));
    client.send(&folder).unwrap();
    let remote = |cmd: &mut Command| {
        cmd.env("HSDS_ENDPOINT", &hsds.endpoint)
            .env("HSDS_USERNAME", hsds::USER)
            .env("HSDS_PASSWORD", hsds::PASSWORD);
    };
    let mut cmd = with_connector(&exe, None);
    remote(&mut cmd);
    assert_example_output(&run_no_crash(&mut cmd));
    assert_tools_read(remote);
}

#[test]
fn variable_length_strings_and_sequences_round_trip() {
    let dir = scratch("connector_io_vlen");
    let exe = dir.join("vlen_roundtrip");
    compile_c(&repo().join("tests/c/vlen_roundtrip.c"), &exe, &[]);
    let store = dir.join("store");
    let out = run_no_crash(with_direct_access(&exe, &store).arg("/vlen/data.h5"));
    let stdout = text(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("all match"),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    wait_for_no_service(&store, Duration::from_secs(10));
}

#[test]
fn properties_orders_and_counts_come_back_as_set() {
    let dir = scratch("connector_io_properties");
    let exe = dir.join("properties_roundtrip");
    compile_c(&repo().join("tests/c/properties_roundtrip.c"), &exe, &[]);
    let store = dir.join("store");
    let out =
        run_no_crash(with_direct_access(&exe, &store).args(["/props/one.h5", "/props/two.h5"]));
    let stdout = text(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("all match"),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    wait_for_no_service(&store, Duration::from_secs(10));
}

/// Contiguous datasets too large for one HSDS chunk (HSDS 1.0.2 refuses `H5D_CONTIGUOUS`
/// beyond its chunk cache: `400 contiguous dataset of N bytes is larger than the server's
/// chunk_mem_cache_size`) are created, written, read and still report `H5D_CONTIGUOUS`, on
/// HSDS and in direct access.
#[test]
fn large_contiguous_datasets_on_hsds_and_direct_access() {
    let dir = scratch("connector_io_large_contiguous");
    let exe = dir.join("large_contiguous");
    compile_c(&repo().join("tests/c/large_contiguous.c"), &exe, &[]);
    let check = |out: &std::process::Output, setup: &str| {
        let stdout = text(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("all match"),
            "{setup}: {stdout}\n{}",
            text(&out.stderr)
        );
    };
    let store = dir.join("store");
    let out = run_no_crash(with_direct_access(&exe, &store).arg("/layouts/large.h5"));
    check(&out, "direct access");
    wait_for_no_service(&store, Duration::from_secs(10));

    let hsds = hsds::start_hsds(false).expect("HSDS from the project's venv");
    let mut cmd = hsds.connector_command(&exe, "/layouts");
    check(&run_no_crash(cmd.arg("/layouts/large.h5")), "HSDS 1.0.2");
}
