//! Shared helpers for the integration tests: where the HDF5 and the built connector are,
//! compiling C programs against the real libhdf5, and running them with the connector selected.

#![allow(dead_code)]

pub mod h5pyd;
pub mod hsds;
pub mod in_process;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The HDF5 installation the crate was built against (found by build.rs).
pub fn hdf5_root() -> PathBuf {
    PathBuf::from(env!("RESTVOL_HDF5_ROOT"))
}

/// The repository root.
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The cargo profile directory holding `librestvol.so` and `restvol` (e.g. `target/debug`).
pub fn build_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/<test> → target/<profile>
    exe.parent().and_then(Path::parent).expect("profile directory").to_path_buf()
}

/// A scratch directory for this test binary, removed at the start of each run.
pub fn scratch(name: &str) -> PathBuf {
    let dir = build_dir().join("test-scratch").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// A directory holding only `librestvol.so`, for `HDF5_PLUGIN_PATH` (HDF5 tries every library
/// in the directory, so nothing else may be there).
pub fn plugin_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let lib = build_dir().join("librestvol.so");
        assert!(lib.is_file(), "{} is missing: run `cargo build` before the tests", lib.display());
        let root = build_dir().join("test-plugin");
        remove_stale_plugin_dirs(&root);
        let dir = root.join(std::process::id().to_string());
        std::fs::create_dir_all(&dir).expect("plugin dir");
        let target = dir.join("librestvol.so");
        let _ = std::fs::remove_file(&target);
        // A hard link costs no disk and keeps this build's plugin even when cargo replaces
        // librestvol.so (cargo writes a new file); a copy only where linking is impossible.
        if std::fs::hard_link(&lib, &target).is_err() {
            std::fs::copy(&lib, &target).expect("copy plugin");
        }
        dir
    })
}

/// Removes the plugin directories of test processes that are gone (named by their pid).
fn remove_stale_plugin_dirs(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        if !Path::new("/proc").join(pid.to_string()).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The thread-safe HDF5 build `scripts/install-deps.sh` makes next to the main one
/// (`<deps>/hdf5-threadsafe`; `RESTVOL_HDF5_THREADSAFE` overrides). Panics when it is missing.
pub fn threadsafe_hdf5_root() -> PathBuf {
    let root =
        std::env::var_os("RESTVOL_HDF5_THREADSAFE").map(PathBuf::from).unwrap_or_else(|| {
            hdf5_root().parent().expect("HDF5 prefix has a parent").join("hdf5-threadsafe")
        });
    let settings = std::fs::read_to_string(root.join("lib/libhdf5.settings")).unwrap_or_default();
    assert!(
        settings.lines().any(|l| l.trim() == "Threadsafety: ON"),
        "no thread-safe HDF5 at {}: run scripts/install-deps.sh",
        root.display()
    );
    root
}

/// Compiles a C program against the installed HDF5 (and `include/` for restvol.h).
pub fn compile_c(source: &Path, out: &Path, extra: &[&str]) {
    compile_c_against(&hdf5_root(), source, out, extra);
}

/// As [`compile_c`], against the HDF5 installed at `h5` (its `include/` and `lib/`, with an
/// rpath, so the program loads that libhdf5).
pub fn compile_c_against(h5: &Path, source: &Path, out: &Path, extra: &[&str]) {
    let status = Command::new("cc")
        .arg(source)
        .arg("-o")
        .arg(out)
        .arg(format!("-I{}", h5.join("include").display()))
        .arg(format!("-I{}", repo().join("include").display()))
        .args(extra)
        .arg(format!("-L{}", h5.join("lib").display()))
        .arg(format!("-Wl,-rpath,{}", h5.join("lib").display()))
        .arg("-lhdf5")
        .status()
        .expect("run cc");
    assert!(status.success(), "compiling {} failed", source.display());
}

/// A command for `program` with the REST connector selected through the environment.
pub fn with_connector(program: &Path, info: Option<&str>) -> Command {
    let mut cmd = Command::new(program);
    let selector = match info {
        Some(info) => format!("REST {info}"),
        None => "REST".to_string(),
    };
    cmd.env("HDF5_VOL_CONNECTOR", selector).env("HDF5_PLUGIN_PATH", plugin_dir());
    cmd
}

/// Environment variables that would point the connector somewhere other than the test's own
/// store; removed from every connector command so a developer's settings cannot leak in.
const CONNECTOR_ENV: [&str; 12] = [
    "HSDS_ENDPOINT",
    "HSDS_USERNAME",
    "HSDS_PASSWORD",
    "HS_ENDPOINT",
    "HS_USERNAME",
    "HS_PASSWORD",
    "HS_BUCKET",
    "ROOT_DIR",
    "BUCKET_NAME",
    "AWS_S3_GATEWAY",
    "RESTVOL_BIN",
    "XDG_DATA_HOME",
];

/// A command for `program` using the connector in direct access on the store `root` (bucket
/// `restvol-test`), with the freshly built `restvol` binary.
pub fn with_direct_access(program: &Path, root: &Path) -> Command {
    let mut cmd = with_connector(program, None);
    for key in CONNECTOR_ENV {
        cmd.env_remove(key);
    }
    std::fs::create_dir_all(root).expect("store root");
    cmd.env("ROOT_DIR", root)
        .env("BUCKET_NAME", "restvol-test")
        .env("RESTVOL_BIN", build_dir().join("restvol"))
        .env("HOME", root);
    cmd
}

/// The `restvol` processes (service nodes and data nodes) running now whose command line
/// mentions `marker` (a store path).
pub fn restvol_processes(marker: &str) -> Vec<String> {
    let out = Command::new("ps").args(["-eo", "pid,args"]).output().expect("run ps");
    text(&out.stdout)
        .lines()
        .filter(|l| {
            l.contains("restvol")
                && (l.contains(" serve") || l.contains(" dn "))
                && l.contains(marker)
        })
        .map(str::to_string)
        .collect()
}

/// Runs a command and returns its output, failing the test if it was killed by a signal.
pub fn run_no_crash(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("start program");
    assert!(
        out.status.code().is_some(),
        "program was killed by a signal: {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Text of a byte buffer.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts that a `tests/c/` check program exited 0 and printed `OK: 0 failure(s)`.
pub fn assert_c_checks_pass(out: &Output) {
    let stdout = text(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("OK: 0 failure(s)"),
        "{stdout}\n{}",
        text(&out.stderr)
    );
}

/// Compiles `tests/c/<program>.c` into a fresh scratch directory `scratch_name` and returns
/// the directory and the executable.
pub fn compiled_check(program: &str, scratch_name: &str) -> (PathBuf, PathBuf) {
    let dir = scratch(scratch_name);
    let exe = dir.join(program);
    compile_c(&repo().join(format!("tests/c/{program}.c")), &exe, &[]);
    (dir, exe)
}

/// Runs the check program `tests/c/<program>.c` in direct access on a fresh store, with
/// `arg` (the file it works on), and asserts that every check passes.
pub fn c_checks_pass_in_direct_access(program: &str, scratch_name: &str, arg: &str) {
    let (dir, exe) = compiled_check(program, scratch_name);
    let out = run_no_crash(with_direct_access(&exe, &dir.join("store")).arg(arg));
    assert_c_checks_pass(&out);
}
