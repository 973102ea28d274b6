//! Fortran programs through restvol (issue 6 §4): `tests/fortran/h5_roundtrip.f90`, a plain
//! HDF5 Fortran 2003 program (groups, chunked + deflated integer and real(8) 2-D datasets, a
//! strided hyperslab read, an extended unlimited dataset, string and numeric attributes, the
//! high-level `h5ltmake_dataset_f`), built with gfortran against the installed HDF5 (its `h5hlfc`
//! or `h5fc` wrapper when installed), runs natively and, unchanged, through restvol in direct
//! access with only `HDF5_VOL_CONNECTOR`/`HDF5_PLUGIN_PATH` set. Each run writes its file, opens
//! it again and checks every value; `h5dump` of the domain equals `h5dump` of the native file
//! except for the file name. `tests/fortran/rest_vol_roundtrip.f90` selects the connector in
//! code through restvol's Fortran module (`include/restvol.f90`). The plain program also runs
//! with HSDS 1.0.2 as the remote server.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// The Fortran sources under `tests/fortran/`.
fn source(name: &str) -> PathBuf {
    repo().join("tests/fortran").join(name)
}

/// A compiler command for HDF5 Fortran programs using the high-level library: HDF5's `h5hlfc`
/// wrapper, else `h5fc` plus the HL libraries, else plain gfortran with the flags spelled out.
fn fortran_compiler() -> Command {
    let h5 = hdf5_root();
    let lib = h5.join("lib");
    let mut cmd;
    if h5.join("bin/h5hlfc").is_file() {
        cmd = Command::new(h5.join("bin/h5hlfc"));
    } else if h5.join("bin/h5fc").is_file() {
        cmd = Command::new(h5.join("bin/h5fc"));
        cmd.args(["-lhdf5_hl_fortran", "-lhdf5_hl"]);
    } else {
        cmd = Command::new("gfortran");
        cmd.arg(format!("-I{}", h5.join("include").display()))
            .arg(format!("-L{}", lib.display()))
            .args(["-lhdf5_hl_fortran", "-lhdf5_fortran", "-lhdf5_hl", "-lhdf5"]);
    }
    cmd.arg(format!("-Wl,-rpath,{}", lib.display()));
    cmd
}

/// Compiles `sources` (in order: modules first) into `dir/exe`, with `extra` flags after them.
fn compile_fortran(dir: &Path, sources: &[PathBuf], exe: &str, extra: &[String]) -> PathBuf {
    let out = dir.join(exe);
    let result = fortran_compiler()
        .current_dir(dir) // module files land here
        .args(["-std=f2008", "-Wall", "-Werror"])
        .args(sources)
        .arg("-o")
        .arg(&out)
        .args(extra)
        .output()
        .expect("run the Fortran compiler");
    assert!(
        result.status.success(),
        "compiling {exe} failed:\n{}{}",
        text(&result.stdout),
        text(&result.stderr)
    );
    out
}

/// Runs a round-trip program and checks it passed every check.
fn run_checks(mut cmd: Command, what: &str) -> String {
    let out = run_no_crash(&mut cmd);
    let stdout = text(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("all checks passed"),
        "{what} failed:\nstdout:\n{stdout}\nstderr:\n{}",
        text(&out.stderr)
    );
    stdout
}

/// `h5dump` of `target` (a native file, or a domain when `store` is given), with the
/// `HDF5 "<name>" {` line made name-independent.
fn dump(dir: &Path, target: &str, store: Option<&Path>) -> String {
    let h5dump = hdf5_root().join("bin/h5dump");
    let out = match store {
        Some(store) => {
            let mut cmd = with_direct_access(&h5dump, store);
            run_no_crash(cmd.current_dir(dir).arg("--vol-name=REST").arg(target))
        }
        None => run_no_crash(
            Command::new(&h5dump).current_dir(dir).env_remove("HDF5_VOL_CONNECTOR").arg(target),
        ),
    };
    assert!(out.status.success(), "h5dump {target}: {}", text(&out.stderr));
    text(&out.stdout).replacen(&format!("HDF5 \"{target}\" {{"), "HDF5 \"FILE\" {", 1)
}

/// The native run: writes and checks `native.h5` in `dir`; its dump.
fn native_dump(dir: &Path, exe: &Path) -> String {
    let mut native = Command::new(exe);
    native.current_dir(dir).env_remove("HDF5_VOL_CONNECTOR").arg("native.h5");
    run_checks(native, "native run");
    dump(dir, "native.h5", None)
}

#[test]
fn plain_fortran_program_runs_unchanged_through_restvol() {
    let dir = scratch("fortran-plain");
    let exe = compile_fortran(
        &dir,
        &[source("roundtrip_checks.f90"), source("h5_roundtrip.f90")],
        "h5_roundtrip",
        &[],
    );
    let native = native_dump(&dir, &exe);

    let store = dir.join("store");
    let domain = "/fortran/roundtrip.h5";
    let mut rest = with_direct_access(&exe, &store);
    rest.current_dir(&dir).arg(domain);
    run_checks(rest, "run through restvol");
    let rest = dump(&dir, domain, Some(&store));
    assert!(native.contains("DATASET \"lt_ints\""), "{native}");
    assert_eq!(native, rest, "h5dump of the native file and of the domain differ");
}

#[test]
fn fortran_program_selects_restvol_in_code_with_the_fortran_module() {
    let dir = scratch("fortran-module");
    let build = build_dir();
    let exe = compile_fortran(
        &dir,
        &[
            repo().join("include/restvol.f90"),
            source("roundtrip_checks.f90"),
            source("rest_vol_roundtrip.f90"),
        ],
        "rest_vol_roundtrip",
        &[
            format!("-L{}", build.display()),
            format!("-Wl,-rpath,{}", build.display()),
            "-lrestvol".to_string(),
        ],
    );
    let plain = compile_fortran(
        &dir,
        &[source("roundtrip_checks.f90"), source("h5_roundtrip.f90")],
        "h5_roundtrip",
        &[],
    );
    let native = native_dump(&dir, &plain);

    let store = dir.join("store");
    let domain = "/fortran/in_code.h5";
    let mut rest = with_direct_access(&exe, &store);
    // Selected in code: no connector in the environment.
    rest.current_dir(&dir).env_remove("HDF5_VOL_CONNECTOR").env_remove("HDF5_PLUGIN_PATH");
    rest.arg(domain);
    let stdout = run_checks(rest, "run selecting restvol in code");
    assert!(stdout.contains("uri: / g-"), "{stdout}");
    assert_eq!(native, dump(&dir, domain, Some(&store)), "h5dump differs");
}

#[test]
fn plain_fortran_program_with_hsds_1_0_2_as_the_server() {
    let dir = scratch("fortran-hsds");
    let exe = compile_fortran(
        &dir,
        &[source("roundtrip_checks.f90"), source("h5_roundtrip.f90")],
        "h5_roundtrip",
        &[],
    );
    let native = native_dump(&dir, &exe);
    let Some(hsds) = hsds::start_hsds(false) else { return };
    let folder = restvol::client::Request::put("/")
        .domain("/fortran")
        .json(serde_json::json!({"folder": true}));
    hsds::client(&hsds.endpoint).send(&folder).unwrap();
    let remote = |program: &Path| {
        let mut cmd = with_connector(program, None);
        cmd.current_dir(&dir)
            .env("HSDS_ENDPOINT", &hsds.endpoint)
            .env("HSDS_USERNAME", hsds::USER)
            .env("HSDS_PASSWORD", hsds::PASSWORD)
            .env("HOME", &dir);
        cmd
    };
    let domain = "/fortran/roundtrip.h5";
    let mut run = remote(&exe);
    run.arg(domain);
    run_checks(run, "run with HSDS");
    let mut h5dump = remote(&hdf5_root().join("bin/h5dump"));
    let out = run_no_crash(h5dump.arg("--vol-name=REST").arg(domain));
    assert!(out.status.success(), "h5dump through HSDS: {}", text(&out.stderr));
    let rest = text(&out.stdout).replacen(&format!("HDF5 \"{domain}\" {{"), "HDF5 \"FILE\" {", 1);
    assert_eq!(native, rest, "h5dump of the native file and of the HSDS domain differ");
}
