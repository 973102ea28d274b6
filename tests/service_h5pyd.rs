#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The real `restvol serve` binary driven by real h5pyd (folders, a domain, groups, soft and
//! external links, attributes of several types, dataset metadata; reopen and check), and store
//! compatibility with HSDS 1.0.2 both ways on one root directory.
//!
//! Servers bind 127.0.0.1 (restvol, ephemeral port) or a private Unix socket directory (HSDS,
//! whose data nodes would otherwise take fixed TCP ports), and are stopped in Drop guards.

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

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts/h5pyd_metadata.py")
}

/// A private scratch directory (short, for Unix socket paths), removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("rv-{tag}-{}", std::process::id()));
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

/// A server process (in its own process group) stopped on drop: SIGINT, then SIGTERM, then
/// SIGKILL to the group, each after a grace period.
struct Server {
    child: Child,
    endpoint: String,
}

impl Server {
    /// Spawns `cmd` and waits for its `READY! use endpoint: <url>` line.
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

    /// Sends `signal` (a `kill` name such as `INT`) to the server's own process group.
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

    /// Graceful stop; returns whether the process exited by itself.
    fn stop(&mut self) -> bool {
        if let Ok(Some(_)) = self.child.try_wait() {
            return true;
        }
        self.signal_group("INT");
        if self.wait_for_exit(Duration::from_secs(10)) {
            self.signal_group("TERM");
            return true;
        }
        self.signal_group("TERM");
        if self.wait_for_exit(Duration::from_secs(5)) {
            return false;
        }
        self.signal_group("KILL");
        let _ = self.child.wait();
        false
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
        .args(["--host", "127.0.0.1", "--port", "0", "--watch_stdin"]);
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

/// Runs the h5pyd script against `endpoint`; panics with its output on failure.
fn h5pyd(endpoint: &str, mode: &str, name: &str) {
    // h5pyd retries failed requests with long backoffs; bound each run.
    let out = Command::new("timeout")
        .arg("180")
        .arg(venv().join("bin/python"))
        .arg(script())
        .args([mode, FOLDER, name])
        .env("HS_ENDPOINT", endpoint)
        .env("HS_USERNAME", USER)
        .env("HS_PASSWORD", PASSWORD)
        .env("H5PYD_CONFIG", "/nonexistent")
        .output()
        .expect("run python");
    let text =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "h5pyd {mode} {name} against {endpoint} failed:\n{text}");
}

#[test]
fn h5pyd_metadata_round_trip() {
    let scratch = Scratch::new("h5pyd");
    let server = restvol(&scratch.0);
    assert!(server.endpoint.starts_with("http://127.0.0.1:"), "{}", server.endpoint);
    h5pyd(&server.endpoint, "all", "meta.h5");
}

#[test]
fn store_is_shared_with_hsds_both_ways() {
    let scratch = Scratch::new("compat");
    let root = scratch.0.join("data");
    let sockets = scratch.0.join("hs");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::create_dir_all(&sockets).unwrap();

    // restvol writes; closing its stdin shuts it down gracefully (flushing everything).
    let mut ours = restvol(&root);
    h5pyd(&ours.endpoint, "folders", "meta.h5");
    h5pyd(&ours.endpoint, "write", "meta.h5");
    drop(ours.child.stdin.take());
    assert!(ours.wait_for_exit(Duration::from_secs(20)), "restvol did not stop at end of stdin");
    drop(ours);

    // HSDS reads restvol's domain, then writes its own.
    let mut theirs = hsds(&root, &sockets);
    h5pyd(&theirs.endpoint, "check", "meta.h5");
    h5pyd(&theirs.endpoint, "write", "hs_meta.h5");
    theirs.stop();
    drop(theirs);

    // restvol reads HSDS's domain (and its own again).
    let ours = restvol(&root);
    h5pyd(&ours.endpoint, "check", "hs_meta.h5");
    h5pyd(&ours.endpoint, "check", "meta.h5");
}

#[test]
fn h5pyd_over_a_unix_socket() {
    let scratch = Scratch::new("sock");
    let sockets = scratch.0.join("s");
    std::fs::create_dir_all(&sockets).unwrap();
    std::fs::write(sockets.join("sn_1.sock"), b"stale").unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_restvol"));
    cmd.args(["serve", "--root_dir"])
        .arg(&scratch.0)
        .args(["--hs_username", USER, "--hs_password", PASSWORD, "--socket_dir"])
        .arg(&sockets);
    let server = Server::start(cmd);
    assert!(server.endpoint.starts_with("http+unix://%2F"), "{}", server.endpoint);
    h5pyd(&server.endpoint, "all", "sock.h5");
}
