//! The connector used from several threads at once, all values checked:
//! - `tests/c/threads.c` against the main (not thread-safe) HDF5: pthreads each work on their own
//!   file, every HDF5 call sequence under one application mutex;
//! - `tests/c/threads_concurrent.c`: threads on their own files, threads sharing one open file
//!   (groups, datasets, attributes, link iteration), threads opening and closing the same file.
//!   Against the thread-safe HDF5 (`scripts/install-deps.sh` builds it into `hdf5-threadsafe`,
//!   same soname, so `librestvol.so` binds to it) the threads call HDF5 with no application
//!   mutex, several rounds, in direct access and through `restvol serve`; against the main
//!   HDF5 the same program takes its mutex.
//!
//! restvol advertises `H5VL_CAP_FLAG_THREADSAFE` (`vol::caps`): these tests are what backs it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// Separate processes per round: each starts and stops its own services and threads.
const ROUNDS: usize = 5;

#[test]
fn threads_each_with_their_own_file_read_back_their_values() {
    let dir = scratch("connector_threads");
    let exe = dir.join("threads");
    compile_c(&repo().join("tests/c/threads.c"), &exe, &["-pthread"]);
    let store = dir.join("store");
    let out = run_no_crash(with_direct_access(&exe, &store).arg("/threads"));
    let stdout = text(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("all match"),
        "{stdout}\n{}",
        text(&out.stderr)
    );
}

/// `tests/c/threads_concurrent.c` compiled against the HDF5 at `hdf5` into `dir`.
fn concurrent_program(hdf5: &Path, dir: &Path) -> PathBuf {
    let exe = dir.join("threads_concurrent");
    compile_c_against(hdf5, &repo().join("tests/c/threads_concurrent.c"), &exe, &["-pthread"]);
    exe
}

/// Asserts that a run of the concurrent program passed every check, on a libhdf5 that is
/// (`threadsafe`) or is not thread-safe.
fn assert_concurrent_run_passes(out: &std::process::Output, threadsafe: bool, round: usize) {
    let stdout = text(&out.stdout);
    let expected = if threadsafe { "yes" } else { "no" };
    assert!(
        stdout.contains(&format!("library thread-safe: {expected}")),
        "round {round}: wrong libhdf5 loaded\n{stdout}"
    );
    // HDF5 asked the connector for its flags: they must be restvol's, and when they claim thread
    // safety, this run (with no application lock on a thread-safe libhdf5) must pass.
    let flag = if restvol::vol::caps::ADVERTISED & THREADSAFE != 0 { "yes" } else { "no" };
    assert!(
        stdout.contains(&format!("connector thread-safe flag: {flag}")),
        "round {round}: HDF5 sees other capability flags than vol::caps\n{stdout}"
    );
    assert!(
        out.status.success() && stdout.contains("OK: 0 failure(s)"),
        "round {round} (connector thread-safe flag: {flag}):\n{stdout}\n{}",
        text(&out.stderr)
    );
}

#[test]
fn concurrent_threads_with_an_application_mutex_on_the_main_hdf5() {
    let dir = scratch("connector_threads_mutex");
    let exe = concurrent_program(&hdf5_root(), &dir);
    let out = run_no_crash(with_direct_access(&exe, &dir.join("store")).arg("/threads"));
    assert_concurrent_run_passes(&out, false, 0);
}

#[test]
fn concurrent_threads_without_a_mutex_on_threadsafe_hdf5_in_direct_access() {
    let dir = scratch("connector_threads_direct");
    let exe = concurrent_program(&threadsafe_hdf5_root(), &dir);
    let store = dir.join("store");
    for round in 0..ROUNDS {
        let out = run_no_crash(with_direct_access(&exe, &store).arg(format!("/round{round}")));
        assert_concurrent_run_passes(&out, true, round);
    }
    assert!(
        restvol_processes(&store.display().to_string()).is_empty(),
        "direct-access services left running"
    );
}

#[test]
fn concurrent_threads_without_a_mutex_on_threadsafe_hdf5_through_restvol_serve() {
    let dir = scratch("connector_threads_serve");
    let exe = concurrent_program(&threadsafe_hdf5_root(), &dir);
    let server = h5pyd::restvol(&dir.join("store"));
    for round in 0..ROUNDS {
        // The program truncates its files, so every round starts afresh on the same domains.
        let out = h5pyd::run_through(&server, &exe, "");
        assert_concurrent_run_passes(&out, true, round);
    }
    drop(server);
}

#[test]
fn the_threadsafe_build_shares_the_soname_so_the_connector_binds_to_it() {
    // librestvol.so is linked against the main build; a program built against the thread-safe
    // one loads that first, and the loader resolves the connector's libhdf5.so.310 to it.
    let soname = |lib: PathBuf| {
        let out = std::process::Command::new("objdump").arg("-p").arg(&lib).output().unwrap();
        text(&out.stdout)
            .lines()
            .find_map(|l| l.trim().strip_prefix("SONAME").map(|s| s.trim().to_string()))
            .unwrap_or_else(|| panic!("no SONAME in {}", lib.display()))
    };
    assert_eq!(
        soname(threadsafe_hdf5_root().join("lib/libhdf5.so")),
        soname(hdf5_root().join("lib/libhdf5.so"))
    );
}

#[test]
fn the_threadsafe_capability_is_advertised() {
    // The runs above are what back the flag: if it is set they must pass (they are tests of
    // this binary), and it must stay set only while they do.
    assert_ne!(restvol::vol::caps::ADVERTISED & THREADSAFE, 0);
    assert_eq!(restvol::vol::caps::THREADSAFE, THREADSAFE);
}

/// `H5VL_CAP_FLAG_THREADSAFE` from `H5VLpublic.h`.
const THREADSAFE: u64 = 0x0001;
