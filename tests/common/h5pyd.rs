//! Servers for the h5pyd tests and running the venv's Python against them: the real
//! `restvol serve` binary on 127.0.0.1 (ephemeral port), HSDS 1.0.2 on a private Unix socket
//! directory (its data nodes would otherwise take fixed TCP ports), each in its own process
//! group and stopped on drop; private scratch directories; h5pyd scripts under `tests/scripts/`
//! run with `HS_ENDPOINT`/`HS_USERNAME`/`HS_PASSWORD` (never the developer's `~/.hscfg`).

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The user both servers are started with.
pub const USER: &str = "test_user1";
/// That user's password.
pub const PASSWORD: &str = "test";
/// The user's home folder, where the scripts create their domains.
pub const FOLDER: &str = "/home/test_user1/";

/// The project's Python venv (h5py, h5pyd, hsds, numpy).
pub fn venv() -> PathBuf {
    PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/restvol/deps/venv")
}

/// A script under `tests/scripts/`.
pub fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts").join(name)
}

/// A private scratch directory under the system temp dir (short, for Unix socket paths),
/// removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A fresh directory named after `tag` and this process.
    pub fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("rv-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A server process in its own process group, stopped on drop: SIGINT, then SIGTERM, then
/// SIGKILL to the group, each after a grace period.
pub struct Server {
    /// The server process.
    pub child: Child,
    /// Its endpoint, from its `READY! use endpoint: <url>` line.
    pub endpoint: String,
}

impl Server {
    /// Spawns `cmd` and waits for its `READY! use endpoint: <url>` line.
    pub fn start(cmd: Command) -> Server {
        Server::try_start(cmd).expect("server did not become ready")
    }

    /// As [`Server::start`]; `None` when the server exits or stays silent for 90 s.
    pub fn try_start(mut cmd: Command) -> Option<Server> {
        cmd.stdout(Stdio::piped()).stderr(Stdio::inherit()).stdin(Stdio::piped()).process_group(0);
        let mut child = cmd.spawn().expect("start server");
        let stdout = child.stdout.take().expect("server stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.split("READY! use endpoint: ").nth(1) {
                    let _ = tx.send(url.trim().to_string());
                }
            }
        });
        let mut server = Server { child, endpoint: String::new() };
        server.endpoint = rx.recv_timeout(Duration::from_secs(90)).ok()?;
        Some(server)
    }

    fn signal_group(&self, signal: &str) {
        let _ = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg("--")
            .arg(format!("-{}", self.child.id()))
            .stderr(Stdio::null())
            .status();
    }

    /// Waits up to `grace` for the process to exit; whether it did.
    pub fn wait_for_exit(&mut self, grace: Duration) -> bool {
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// Graceful stop; returns whether the process exited by itself after SIGINT.
    pub fn stop(&mut self) -> bool {
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

    /// Closes the server's stdin (`--watch_stdin`: a graceful stop that flushes everything)
    /// and waits for it to exit.
    pub fn stop_at_end_of_stdin(mut self) {
        drop(self.child.stdin.take());
        assert!(
            self.wait_for_exit(Duration::from_secs(20)),
            "restvol did not stop at end of stdin"
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `restvol serve` (the binary under test) on 127.0.0.1, an ephemeral port, storing under
/// `root` (bucket `hsdstest`); it stops when its stdin closes.
pub fn restvol(root: &Path) -> Server {
    restvol_with(root, &[])
}

/// As [`restvol`], with `extra` flags (`--count 2`, …).
pub fn restvol_with(root: &Path, extra: &[&str]) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_restvol"));
    cmd.args(["serve", "--root_dir"])
        .arg(root)
        .args(["--bucket_name", "hsdstest", "--hs_username", USER, "--hs_password", PASSWORD])
        .args(["--host", "127.0.0.1", "--port", "0", "--watch_stdin"])
        .args(extra);
    Server::start(cmd)
}

/// HSDS 1.0.2 (the venv's `hsds` launcher, one DN) on Unix sockets in `sockets`, storing under
/// `root` (bucket `hsdstest`).
pub fn hsds(root: &Path, sockets: &Path) -> Server {
    // HSDS's launcher gives its nodes a fixed 10 s to come up, which a loaded machine can
    // miss: start it again (a fresh launcher) before giving up.
    for _ in 0..3 {
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
        if let Some(server) = Server::try_start(cmd) {
            return server;
        }
    }
    panic!("HSDS did not start in three attempts (see {})", sockets.join("hs.log").display());
}

/// A command running the venv's Python on `script` with `args`, configured for `endpoint`
/// through the environment only (`H5PYD_CONFIG` points nowhere; `HOME` is `home` when given,
/// so no real `~/.hscfg` is read), bounded by 600 s (h5pyd retries failed requests with long
/// backoffs).
pub fn python(endpoint: &str, script: &Path, args: &[&str], home: Option<&Path>) -> Command {
    let mut cmd = Command::new("timeout");
    cmd.arg("600")
        .arg(venv().join("bin/python"))
        .arg(script)
        .args(args)
        .env("HS_ENDPOINT", endpoint)
        .env("HS_USERNAME", USER)
        .env("HS_PASSWORD", PASSWORD)
        .env("H5PYD_CONFIG", "/nonexistent")
        .env_remove("HS_API_KEY")
        .env_remove("HS_BUCKET");
    if let Some(home) = home {
        cmd.env("HOME", home);
    }
    cmd
}

/// Runs `cmd`, panicking with its output (`what` names it) unless it succeeds; its output.
pub fn run_ok(mut cmd: Command, what: &str) -> String {
    let out = cmd.output().expect("run python");
    let text =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{what} failed:\n{text}");
    text
}

/// Runs the check program `tests/c/<program>.c` with the connector against a fresh
/// `restvol serve`, with `arg` (the file it works on), and asserts that every check passes.
pub fn c_checks_pass_through_restvol_serve(program: &str, scratch_name: &str, arg: &str) {
    let (dir, exe) = super::compiled_check(program, scratch_name);
    let server = restvol(&dir.join("store"));
    let out = run_through(&server, &exe, arg);
    super::assert_c_checks_pass(&out);
    drop(server);
}

/// Runs the compiled program `exe` with the connector against `server` (as [`USER`]), with
/// `arg`; its output (killed by a signal fails the test).
pub fn run_through(server: &Server, exe: &Path, arg: &str) -> std::process::Output {
    let mut cmd = super::with_connector(exe, None);
    cmd.env("HSDS_ENDPOINT", &server.endpoint)
        .env("HSDS_USERNAME", USER)
        .env("HSDS_PASSWORD", PASSWORD)
        .arg(arg);
    super::run_no_crash(&mut cmd)
}
