#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The value endpoints' `append`, `fields` and `query` parameters through the real `restvol
//! serve` binary (two DN processes) driven by h5pyd (`tests/scripts/h5pyd_params.py`), and the same script against
//! HSDS 1.0.2, so restvol's answers are checked against HSDS's.
//!
//! Servers bind 127.0.0.1 (restvol, ephemeral port) or a private Unix socket directory (HSDS),
//! and are stopped in Drop guards.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const USER: &str = "test_user1";
const PASSWORD: &str = "test";
const FOLDER: &str = "/home/test_user1/";

fn venv() -> PathBuf {
    PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/restvol/deps/venv")
}

/// A private scratch directory (short, for Unix socket paths), removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("rvv-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A server process in its own process group, stopped on drop (INT, then TERM, then KILL).
struct Server {
    child: Child,
    endpoint: String,
}

impl Server {
    fn start(mut cmd: Command) -> Server {
        cmd.stdout(Stdio::piped()).stderr(Stdio::inherit()).stdin(Stdio::piped()).process_group(0);
        let mut child = cmd.spawn().expect("start server");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.split("READY! use endpoint: ").nth(1) {
                    let _ = tx.send(url.trim().to_string());
                }
            }
        });
        let mut server = Server { child, endpoint: String::new() };
        server.endpoint =
            rx.recv_timeout(Duration::from_secs(90)).expect("server did not become ready");
        server
    }

    fn signal_group(&self, signal: &str) {
        let _ = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg("--")
            .arg(format!("-{}", self.child.id()))
            .stderr(Stdio::null())
            .status();
    }

    fn wait_for_exit(&mut self, grace: Duration) -> bool {
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    fn stop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        self.signal_group("INT");
        if self.wait_for_exit(Duration::from_secs(10)) {
            self.signal_group("TERM");
            return;
        }
        self.signal_group("TERM");
        if self.wait_for_exit(Duration::from_secs(5)) {
            return;
        }
        self.signal_group("KILL");
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn restvol(root: &Path) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_restvol"));
    cmd.args(["serve", "--root_dir"])
        .arg(root)
        .args(["--bucket_name", "hsdstest", "--hs_username", USER, "--hs_password", PASSWORD])
        .args(["--host", "127.0.0.1", "--port", "0", "--watch_stdin", "--count", "2"]);
    Server::start(cmd)
}

fn hsds(root: &Path, sockets: &Path) -> Server {
    let mut cmd = Command::new(venv().join("bin/hsds"));
    cmd.arg("--root_dir")
        .arg(root)
        .args(["--bucket_name", "hsdstest", "--hs_username", USER, "--hs_password", PASSWORD])
        .arg("--socket_dir")
        .arg(sockets)
        .args(["--count", "1", "--logfile"])
        .arg(sockets.join("hs.log"))
        .env_remove("ROOT_DIR")
        .env_remove("BUCKET_NAME");
    Server::start(cmd)
}

/// Runs the parameter script against `endpoint`; panics with its output on failure.
fn h5pyd(endpoint: &str, name: &str) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts/h5pyd_params.py");
    let out = Command::new(venv().join("bin/python"))
        .arg(script)
        .args([FOLDER, name])
        .env("HS_ENDPOINT", endpoint)
        .env("HS_USERNAME", USER)
        .env("HS_PASSWORD", PASSWORD)
        .env("H5PYD_CONFIG", "/nonexistent")
        .output()
        .expect("run python");
    let text =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "h5pyd {name} against {endpoint} failed:\n{text}");
}

#[test]
fn h5pyd_append_fields_query_on_restvol() {
    let scratch = Scratch::new("params");
    let _server = restvol(&scratch.0);
    h5pyd(&_server.endpoint, "params.h5");
}

#[test]
fn h5pyd_append_fields_query_on_hsds() {
    let scratch = Scratch::new("params-hsds");
    let root = scratch.0.join("store");
    let sockets = scratch.0.join("s");
    std::fs::create_dir_all(root.join("hsdstest")).unwrap();
    std::fs::create_dir_all(&sockets).unwrap();
    let _server = hsds(&root, &sockets);
    h5pyd(&_server.endpoint, "params.h5");
}
