//! The private run directory of one local service: mode 0700, under `$XDG_RUNTIME_DIR` or the
//! temp dir, short enough that every socket path in it fits a Unix socket address (≤ 100
//! bytes; `/tmp` is the fallback when the preferred base is too long). Removed on drop; run
//! directories left by dead processes are swept when a new one is made.

use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use super::error::DirectError;

/// The longest socket path allowed, in bytes (`sun_path` is 108 bytes on Linux, 104 on macOS).
pub const MAX_SOCKET_PATH: usize = 100;
/// The longest socket file name the service makes (`local[256]`).
const LONGEST_SOCKET_NAME: &str = "dn_256.sock";
/// Run directory names start with this, then `<pid>-<sequence>`.
const PREFIX: &str = "restvol-";
/// Bytes reserved for the directory name: `restvol-` + pid (≤ 10) + `-` + sequence (≤ 10).
const NAME_RESERVE: usize = 29;

static SEQUENCE: AtomicU32 = AtomicU32::new(0);

/// Picks the base directory: `runtime_dir` (`$XDG_RUNTIME_DIR`) when it is an absolute,
/// existing directory, else `temp_dir`; whichever is first to leave room for every socket
/// path, falling back to `/tmp`.
pub fn choose_base(runtime_dir: Option<&Path>, temp_dir: &Path) -> PathBuf {
    let candidates = runtime_dir
        .filter(|d| d.is_absolute() && d.is_dir())
        .into_iter()
        .chain(std::iter::once(temp_dir).filter(|d| d.is_absolute()));
    for base in candidates {
        if fits(base) {
            return base.to_path_buf();
        }
    }
    PathBuf::from("/tmp")
}

/// Whether the longest socket path under a run directory in `base` stays within the limit.
pub fn fits(base: &Path) -> bool {
    base.as_os_str().len() + 1 + NAME_RESERVE + 1 + LONGEST_SOCKET_NAME.len() <= MAX_SOCKET_PATH
}

/// A private directory for one service's sockets and log. Removed (with its contents) on drop.
#[derive(Debug)]
pub struct RunDir {
    path: PathBuf,
}

impl RunDir {
    /// Makes a run directory under the base [`choose_base`] picks from the environment.
    pub fn create() -> Result<Self, DirectError> {
        let runtime = std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from);
        Self::create_in(&choose_base(runtime.as_deref(), &std::env::temp_dir()))
    }

    /// Makes `<base>/restvol-<pid>-<n>` with mode 0700 (a fresh name, never an existing one),
    /// after sweeping run directories of processes that no longer exist.
    pub fn create_in(base: &Path) -> Result<Self, DirectError> {
        let fail = |message: String| DirectError::RunDir { base: base.to_path_buf(), message };
        sweep_stale(base);
        let pid = std::process::id();
        for _ in 0..1000 {
            let n = SEQUENCE.fetch_add(1, Ordering::Relaxed);
            let path = base.join(format!("{PREFIX}{pid}-{n}"));
            match std::fs::DirBuilder::new().mode(0o700).create(&path) {
                Ok(()) => {
                    // The umask can only clear bits; set the mode exactly anyway.
                    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700))
                        .map_err(|e| fail(e.to_string()))?;
                    return Ok(RunDir { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(fail(e.to_string())),
            }
        }
        Err(fail("no free directory name".into()))
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The service node's socket, `sn_1.sock`.
    pub fn sn_socket(&self) -> PathBuf {
        self.path.join("sn_1.sock")
    }

    /// The service log file.
    pub fn log_file(&self) -> PathBuf {
        self.path.join("service.log")
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Removes `restvol-<pid>-*` directories in `base` whose process is gone (Linux `/proc` only;
/// elsewhere nothing is swept). Only directories this user may remove are affected.
fn sweep_stale(base: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(base) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(pid_of_run_dir) else { continue };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The pid in a run directory name `restvol-<pid>-<n>`.
fn pid_of_run_dir(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(PREFIX)?;
    let (pid, n) = rest.split_once('-')?;
    n.parse::<u32>().ok()?;
    pid.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn base_prefers_runtime_dir_then_temp_then_tmp() {
        let temp = std::env::temp_dir();
        let runtime = temp.join(format!("rv-rt-{}", std::process::id()));
        std::fs::create_dir_all(&runtime).unwrap();
        assert_eq!(choose_base(Some(&runtime), &temp), runtime);
        assert_eq!(choose_base(None, &temp), temp);
        assert_eq!(choose_base(Some(Path::new("relative")), &temp), temp);
        assert_eq!(choose_base(Some(&runtime.join("missing")), &temp), temp);
        let long = PathBuf::from(format!("/{}", "x".repeat(80)));
        std::fs::create_dir_all(&long).ok();
        assert_eq!(choose_base(Some(&long), &long), PathBuf::from("/tmp"));
        let _ = std::fs::remove_dir_all(&long);
        let _ = std::fs::remove_dir_all(&runtime);
    }

    #[test]
    fn length_rule() {
        assert!(fits(Path::new("/tmp")));
        assert!(fits(Path::new("/run/user/1000")));
        let limit = MAX_SOCKET_PATH - 2 - NAME_RESERVE - LONGEST_SOCKET_NAME.len();
        assert!(fits(Path::new(&format!("/{}", "a".repeat(limit - 1)))));
        assert!(!fits(Path::new(&format!("/{}", "a".repeat(limit)))));
    }

    #[test]
    fn private_fresh_and_removed_on_drop() {
        let a = RunDir::create().unwrap();
        let b = RunDir::create().unwrap();
        assert_ne!(a.path(), b.path());
        let meta = std::fs::metadata(a.path()).unwrap();
        assert_eq!(meta.mode() & 0o777, 0o700);
        assert!(a.sn_socket().as_os_str().len() <= MAX_SOCKET_PATH);
        assert!(a.sn_socket().ends_with("sn_1.sock"));
        std::fs::write(a.log_file(), "x").unwrap();
        let path = a.path().to_path_buf();
        drop(a);
        assert!(!path.exists());
    }

    #[test]
    fn stale_dirs_of_dead_processes_are_swept() {
        let base = std::env::temp_dir().join(format!("rv-sweep-{}", std::process::id()));
        std::fs::create_dir_all(&base).unwrap();
        // pid 4194304 is beyond Linux's pid_max limit, so no process has it.
        let dead = base.join("restvol-4194304-0");
        let mine = base.join(format!("restvol-{}-999999", std::process::id()));
        let other = base.join("unrelated");
        for d in [&dead, &mine, &other] {
            std::fs::create_dir_all(d).unwrap();
        }
        let fresh = RunDir::create_in(&base).unwrap();
        assert!(!dead.exists());
        assert!(mine.exists() && other.exists() && fresh.path().exists());
        drop(fresh);
        let _ = std::fs::remove_dir_all(&base);
        assert_eq!(pid_of_run_dir("restvol-12-3"), Some(12));
        assert_eq!(pid_of_run_dir("restvol-12"), None);
        assert_eq!(pid_of_run_dir("restvolx-12-3"), None);
    }
}
