//! [`DnProcesses`]: the `restvol dn` children of `restvol serve` (one per `--count`), each on a
//! Unix socket `dn_<n>.sock` in the socket directory (or a private 0700 run directory). A
//! child gets serve's own flags plus its node number, so it sees the same configuration. Its
//! stdin is a pipe from the parent: when the parent ends — cleanly or killed — the pipe
//! closes and the child flushes and exits, so DNs are never orphaned. DNs run in their own
//! process group so that signals meant for the whole job (Ctrl-C) reach serve alone, which
//! flushes through them first.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};

use crate::direct::run_dir::RunDir;
use crate::server::config::Config;
use crate::server::serve::ServeError;

/// How long a DN may take to print its READY line.
const READY_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a DN may take to flush and exit once its stdin closes.
const EXIT_TIMEOUT: Duration = Duration::from_secs(60);
/// The line a DN prints when it accepts calls.
const READY_PREFIX: &str = "READY! dn endpoint: ";

/// One DN child.
#[derive(Debug)]
struct DnChild {
    child: Child,
    stdin: Option<ChildStdin>,
}

/// The running DN children and where they listen.
#[derive(Debug)]
pub struct DnProcesses {
    children: Vec<DnChild>,
    endpoints: Vec<String>,
    _run_dir: Option<RunDir>,
}

fn spawn_error(context: &str, err: impl std::fmt::Display) -> ServeError {
    ServeError::Io(format!("{context}: {err}"))
}

/// Serve's command-line settings as `--key=value` flags, minus those that only make sense for
/// the SN (its listeners, its lifetime, where its DNs are).
fn forwarded_args(config: &Config) -> Vec<String> {
    const SN_ONLY: [&str; 7] =
        ["port", "socket_dir", "watch_stdin", "dn_urls", "dn_mode", "count", "dn_number"];
    config
        .command_line()
        .iter()
        .filter(|(key, _)| !SN_ONLY.contains(&key.as_str()))
        .map(|(key, value)| format!("--{key}={value}"))
        .collect()
}

impl DnProcesses {
    /// Starts `count` DNs with serve's command-line settings, their sockets in `socket_dir` (or a private run
    /// directory), and waits until each one is ready.
    ///
    /// # Errors
    /// [`ServeError::Io`] when a DN cannot be started or does not become ready; the ones
    /// already started are stopped.
    pub async fn start(
        config: &Config,
        count: usize,
        socket_dir: Option<&Path>,
    ) -> Result<DnProcesses, ServeError> {
        let exe = std::env::current_exe()
            .map_err(|err| spawn_error("cannot find the restvol binary", err))?;
        let run_dir = match socket_dir {
            Some(_) => None,
            None => Some(RunDir::create().map_err(|err| spawn_error("DN run directory", err))?),
        };
        let dir: PathBuf = match (&run_dir, socket_dir) {
            (Some(run_dir), _) => run_dir.path().to_path_buf(),
            (None, Some(dir)) => {
                std::fs::create_dir_all(dir)
                    .map_err(|err| spawn_error("cannot create the socket directory", err))?;
                dir.to_path_buf()
            }
            (None, None) => return Err(ServeError::Io("no DN socket directory".into())),
        };
        let mut processes =
            DnProcesses { children: Vec::new(), endpoints: Vec::new(), _run_dir: run_dir };
        let base = forwarded_args(config);
        let mut pending = Vec::new();
        for number in 0..count {
            let socket = dir.join(format!("dn_{}.sock", number + 1));
            let mut child = Command::new(&exe)
                .arg("dn")
                .args(&base)
                .arg(format!("--count={count}"))
                .arg(format!("--dn_number={number}"))
                .arg(format!("--dn_socket={}", socket.display()))
                .arg("--watch_stdin=true")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                // Their own process group: a terminal's Ctrl-C reaches serve, which flushes
                // through the DNs before it closes their stdin.
                .process_group(0)
                .kill_on_drop(true)
                .spawn()
                .map_err(|err| spawn_error("cannot start a data node", err))?;
            let stdout = child.stdout.take();
            let stdin = child.stdin.take();
            processes.children.push(DnChild { child, stdin });
            pending.push(stdout);
        }
        for (number, stdout) in pending.into_iter().enumerate() {
            let stdout = stdout.ok_or_else(|| ServeError::Io("DN stdout not captured".into()))?;
            let endpoint = wait_ready(stdout, number).await;
            match endpoint {
                Ok(endpoint) => processes.endpoints.push(endpoint),
                Err(err) => {
                    processes.stop().await;
                    return Err(err);
                }
            }
        }
        Ok(processes)
    }

    /// Where the DNs listen, by node number.
    #[must_use]
    pub fn endpoints(&self) -> &[String] {
        &self.endpoints
    }

    /// Closes every DN's stdin (each flushes and exits) and waits for them; a DN that does not
    /// exit in time is killed.
    pub async fn stop(&mut self) {
        for child in &mut self.children {
            child.stdin.take();
        }
        for child in &mut self.children {
            if tokio::time::timeout(EXIT_TIMEOUT, child.child.wait()).await.is_err() {
                let _ = child.child.kill().await;
            }
        }
        self.children.clear();
    }
}

/// Reads `stdout` until the READY line; the endpoint it names. Later output is drained in the
/// background so the DN never blocks on a full pipe.
async fn wait_ready(
    stdout: tokio::process::ChildStdout,
    number: usize,
) -> Result<String, ServeError> {
    let mut lines = BufReader::new(stdout).lines();
    let ready = tokio::time::timeout(READY_TIMEOUT, async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(endpoint) = line.strip_prefix(READY_PREFIX) {
                return Some(endpoint.trim().to_string());
            }
        }
        None
    })
    .await;
    match ready {
        Ok(Some(endpoint)) => {
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            Ok(endpoint)
        }
        Ok(None) => Err(ServeError::Io(format!("data node {number} exited before it was ready"))),
        Err(_) => Err(ServeError::Io(format!(
            "data node {number} not ready after {} s",
            READY_TIMEOUT.as_secs()
        ))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::collections::BTreeMap;

    use super::forwarded_args;
    use crate::server::config::Config;

    #[test]
    fn sn_listener_flags_are_not_forwarded() {
        let args: Vec<String> = [
            "--root_dir",
            "/d",
            "--port",
            "0",
            "--socket_dir=/s",
            "--watch_stdin",
            "--count",
            "3",
            "--dn_mode",
            "process",
            "--bucket_name",
            "b",
        ]
        .iter()
        .map(|s| (*s).to_string())
        .collect();
        let config = Config::from_sources(&args, &BTreeMap::new()).unwrap();
        assert_eq!(forwarded_args(&config), ["--bucket_name=b", "--root_dir=/d"]);
    }
}
