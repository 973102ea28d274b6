//! `LocalService`: one running `restvol serve` for direct access. Starts it in a private run
//! directory with a random password and stdin piped (the child exits on EOF, so it never
//! outlives the application, even after SIGKILL), waits until `sn_1.sock` answers
//! `GET /about`, and stops it: close stdin, wait, SIGTERM, SIGKILL, remove the run directory.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::discovery::BinarySearch;
use super::error::DirectError;
use super::probe::about_status;
use super::run_dir::RunDir;
use super::settings::{ServiceSettings, Store};
use crate::client::{ClientConfig, ClientError};

/// How long `stop` waits after closing stdin, and again after SIGTERM.
pub const STOP_GRACE: Duration = Duration::from_secs(3);
/// Bytes of the log shown in start-up errors.
const LOG_TAIL_BYTES: u64 = 4096;

/// What a running service is reached with.
#[derive(Clone)]
pub struct ServiceInfo {
    /// The binary started.
    pub binary: PathBuf,
    /// The service's process id (also its process group id).
    pub pid: u32,
    /// The private run directory.
    pub run_dir: PathBuf,
    /// The service node's socket.
    pub socket: PathBuf,
    /// The endpoint, `http+unix://%2F…%2Fsn_1.sock`.
    pub endpoint: String,
    /// The user name (the service's admin user).
    pub username: String,
    /// The random password of this session.
    pub password: String,
    /// From spawning to the first successful `GET /about`.
    pub startup_time: Duration,
    /// The service log (stdout and stderr), inside the run directory.
    pub log_file: PathBuf,
}

impl std::fmt::Debug for ServiceInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceInfo")
            .field("binary", &self.binary)
            .field("pid", &self.pid)
            .field("endpoint", &self.endpoint)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("startup_time", &self.startup_time)
            .finish_non_exhaustive()
    }
}

impl ServiceInfo {
    /// A client configuration for this service (endpoint and credentials).
    pub fn client_config(&self) -> Result<ClientConfig, ClientError> {
        Ok(ClientConfig::new(&self.endpoint)?.with_credentials(&self.username, &self.password))
    }
}

/// How [`LocalService::stop`] ended the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopOutcome {
    /// It was stopped before.
    AlreadyStopped,
    /// It exited by itself (after stdin closed, or earlier).
    Exited,
    /// It needed SIGTERM.
    Terminated,
    /// It needed SIGKILL.
    Killed,
}

struct Running {
    child: Child,
    stdin: Option<ChildStdin>,
    run_dir: RunDir,
}

/// A running local service. Stopped by [`LocalService::stop`] or on drop.
#[derive(Debug)]
pub struct LocalService {
    info: ServiceInfo,
    process: Mutex<Option<Running>>,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running").field("pid", &self.child.id()).finish_non_exhaustive()
    }
}

impl LocalService {
    /// Finds the binary, prepares the store, starts the service and waits until it answers.
    pub fn start(settings: &ServiceSettings) -> Result<Self, DirectError> {
        let binary = BinarySearch::from(&settings.binary).find()?;
        settings.prepare_store()?;
        let run_dir = RunDir::create()?;
        let password = random_password()?;
        let log_file = run_dir.log_file();
        let log = File::create(&log_file).map_err(|e| DirectError::RunDir {
            base: run_dir.path().to_path_buf(),
            message: format!("cannot create {}: {e}", log_file.display()),
        })?;
        let spawn_error = |e: std::io::Error| DirectError::Spawn {
            binary: binary.clone(),
            message: e.to_string(),
        };
        let log_err = log.try_clone().map_err(spawn_error)?;
        let mut cmd = Command::new(&binary);
        cmd.args(serve_args(settings, run_dir.path(), &password))
            .envs(store_env(&settings.store))
            .envs(settings.extra_env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(log)
            .stderr(log_err)
            .process_group(0);
        let started = Instant::now();
        let mut child = cmd.spawn().map_err(spawn_error)?;
        let stdin = child.stdin.take();
        let socket = run_dir.sn_socket();
        let mut running = Running { child, stdin, run_dir };
        if let Err(e) =
            wait_ready(&mut running, &socket, &settings.username, &password, settings.ready_timeout)
        {
            let _ = shutdown(&mut running, Duration::from_millis(200));
            return Err(e);
        }
        let info = ServiceInfo {
            binary,
            pid: running.child.id(),
            run_dir: running.run_dir.path().to_path_buf(),
            endpoint: unix_endpoint(&socket),
            socket,
            username: settings.username.clone(),
            password,
            startup_time: started.elapsed(),
            log_file,
        };
        Ok(LocalService { info, process: Mutex::new(Some(running)) })
    }

    /// How to reach the service.
    pub fn info(&self) -> &ServiceInfo {
        &self.info
    }

    /// Whether the process is still alive (and not stopped).
    pub fn is_running(&self) -> bool {
        match self.lock().as_mut() {
            Some(running) => matches!(running.child.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// Stops the service: close stdin and wait, then SIGTERM and wait, then SIGKILL; removes
    /// the run directory. Stopping twice is harmless.
    pub fn stop(&self) -> Result<StopOutcome, DirectError> {
        let taken = self.lock().take();
        match taken {
            Some(mut running) => shutdown(&mut running, STOP_GRACE),
            None => Ok(StopOutcome::AlreadyStopped),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Option<Running>> {
        self.process.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for LocalService {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

/// `serve --socket_dir … --count … [--root_dir …] --bucket_name … --hs_username …
/// --hs_password … --auto_folders --watch_stdin`.
pub fn serve_args(settings: &ServiceSettings, socket_dir: &Path, password: &str) -> Vec<String> {
    let mut args = vec![
        "serve".to_string(),
        "--socket_dir".into(),
        socket_dir.display().to_string(),
        "--count".into(),
        settings.dn_count.to_string(),
    ];
    if let Store::Directory { root_dir, .. } = &settings.store {
        args.extend(["--root_dir".into(), root_dir.display().to_string()]);
    }
    args.extend([
        "--bucket_name".into(),
        settings.store.bucket().to_string(),
        "--hs_username".into(),
        settings.username.clone(),
        "--hs_password".into(),
        password.to_string(),
        "--auto_folders".into(),
        "--watch_stdin".into(),
    ]);
    args
}

/// The S3 settings as the environment variables HSDS and restvol read.
fn store_env(store: &Store) -> Vec<(&'static str, String)> {
    let mut env = Vec::new();
    if let Store::S3 { gateway, bucket, region, access_key_id, secret_access_key } = store {
        env.push(("AWS_S3_GATEWAY", gateway.clone()));
        env.push(("BUCKET_NAME", bucket.clone()));
        let optional = [
            ("AWS_REGION", region),
            ("AWS_ACCESS_KEY_ID", access_key_id),
            ("AWS_SECRET_ACCESS_KEY", secret_access_key),
        ];
        env.extend(optional.into_iter().filter_map(|(k, v)| v.clone().map(|v| (k, v))));
    }
    env
}

/// `http+unix://` with the socket path URL-encoded, as h5pyd writes it.
pub fn unix_endpoint(socket: &Path) -> String {
    let mut out = String::from("http+unix://");
    for &b in socket.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn random_password() -> Result<String, DirectError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| {
        DirectError::Settings(format!("no random source for the session password: {e}"))
    })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Polls `GET /about` quickly (1 ms, doubling to 20 ms) until it answers 200, the process
/// exits, or the timeout passes.
fn wait_ready(
    running: &mut Running,
    socket: &Path,
    username: &str,
    password: &str,
    timeout: Duration,
) -> Result<(), DirectError> {
    let start = Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        if let Ok(Some(status)) = running.child.try_wait() {
            return Err(DirectError::ExitedEarly {
                status: status.to_string(),
                log_tail: log_tail(&running.run_dir.log_file()),
            });
        }
        if socket.exists() {
            if let Ok(200) = about_status(socket, username, password, Duration::from_secs(2)) {
                return Ok(());
            }
        }
        if start.elapsed() >= timeout {
            return Err(DirectError::NotReady {
                socket: socket.to_path_buf(),
                timeout,
                log_tail: log_tail(&running.run_dir.log_file()),
            });
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}

/// Closes stdin, waits `grace`; SIGTERM to the process group, waits `grace`; SIGKILL. The run
/// directory is removed when `running` drops.
fn shutdown(running: &mut Running, grace: Duration) -> Result<StopOutcome, DirectError> {
    let pid = running.child.id();
    drop(running.stdin.take());
    if wait_exit(&mut running.child, grace) {
        return Ok(StopOutcome::Exited);
    }
    signal_group(pid, "TERM");
    if wait_exit(&mut running.child, grace) {
        return Ok(StopOutcome::Terminated);
    }
    signal_group(pid, "KILL");
    let _ = running.child.kill();
    running
        .child
        .wait()
        .map_err(|e| DirectError::Stop { pid, message: format!("waiting after SIGKILL: {e}") })?;
    Ok(StopOutcome::Killed)
}

/// Waits up to `limit` for the child to exit (polling); true when it has.
fn wait_exit(child: &mut Child, limit: Duration) -> bool {
    let start = Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => return true,
            Err(_) => return true, // already reaped
            Ok(None) if start.elapsed() >= limit => return false,
            Ok(None) => {}
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}

/// Sends a signal to the service's process group with the `kill` utility (this module has no
/// `unsafe`, so no direct `kill(2)`); errors are ignored: `Child::kill` is the last resort.
fn signal_group(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .args([format!("-{signal}"), "--".into(), format!("-{pid}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// The last lines of the log (up to 4 KiB), or a note when it cannot be read.
pub fn log_tail(path: &Path) -> String {
    let read = || -> std::io::Result<String> {
        let mut file = File::open(path)?;
        let len = file.metadata()?.len();
        file.seek(SeekFrom::Start(len.saturating_sub(LOG_TAIL_BYTES)))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    };
    match read() {
        Ok(text) if text.trim().is_empty() => "(log is empty)".to_string(),
        Ok(text) => text.trim_end().to_string(),
        Err(e) => format!("(cannot read {}: {e})", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::direct::settings::BinarySearchKey;

    #[test]
    fn endpoint_encoding_round_trips_through_the_client() {
        let socket = Path::new("/run/user/1000/restvol-12-0/sn_1.sock");
        let endpoint = unix_endpoint(socket);
        assert_eq!(endpoint, "http+unix://%2Frun%2Fuser%2F1000%2Frestvol-12-0%2Fsn_1.sock");
        assert_eq!(
            crate::client::Target::parse(&endpoint).unwrap(),
            crate::client::Target::Unix { socket: socket.to_path_buf() }
        );
    }

    #[test]
    fn arguments_for_directory_and_s3_stores() {
        let mut settings = ServiceSettings {
            binary: BinarySearchKey::default(),
            dn_count: 4,
            store: Store::Directory { root_dir: "/data".into(), bucket: "b".into() },
            username: "al".into(),
            extra_env: Vec::new(),
            ready_timeout: Duration::from_secs(1),
        };
        let args = serve_args(&settings, Path::new("/run/x"), "pw").join(" ");
        assert_eq!(
            args,
            "serve --socket_dir /run/x --count 4 --root_dir /data --bucket_name b \
             --hs_username al --hs_password pw --auto_folders --watch_stdin"
        );
        assert!(store_env(&settings.store).is_empty());
        settings.store = Store::S3 {
            gateway: "http://g".into(),
            bucket: "sb".into(),
            region: Some("r".into()),
            access_key_id: None,
            secret_access_key: Some("s".into()),
        };
        let args = serve_args(&settings, Path::new("/run/x"), "pw").join(" ");
        assert!(!args.contains("--root_dir") && args.contains("--bucket_name sb"), "{args}");
        let env = store_env(&settings.store);
        assert_eq!(
            env,
            vec![
                ("AWS_S3_GATEWAY", "http://g".to_string()),
                ("BUCKET_NAME", "sb".to_string()),
                ("AWS_REGION", "r".to_string()),
                ("AWS_SECRET_ACCESS_KEY", "s".to_string()),
            ]
        );
    }

    #[test]
    fn passwords_are_random() {
        let a = random_password().unwrap();
        assert_eq!(a.len(), 32);
        assert_ne!(a, random_password().unwrap());
    }

    #[test]
    fn log_tail_is_bounded() {
        let dir = std::env::temp_dir().join(format!("rv-logtail-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("l.log");
        std::fs::write(&log, "a".repeat(10_000) + "\nlast line\n").unwrap();
        let tail = log_tail(&log);
        assert!(tail.len() <= 4096 && tail.ends_with("last line"), "{}", tail.len());
        std::fs::write(&log, "").unwrap();
        assert_eq!(log_tail(&log), "(log is empty)");
        assert!(log_tail(&dir.join("none")).starts_with("(cannot read"));
        let _ = std::fs::remove_dir_all(dir);
    }
}
