//! netCDF-4 through restvol (issue 6 §3): `tests/c/netcdf_roundtrip.c`, a program that uses only
//! netCDF-C, creates a file with groups, fixed and unlimited dimensions, coordinate variables,
//! variables of every atomic type and of user-defined compound, vlen and enum types (deflate,
//! shuffle, chunking, fill values) and attributes, closes it, reopens it to append along the
//! unlimited dimension and reads every value back. It runs once on a native `.nc` file and once
//! through restvol (direct access; the file name is the domain path), and `ncdump` must print
//! the same for both (`-h`, full data and `-s`). Normalised:
//! - the first line, `netcdf <name> {`, since it names the file;
//! - with `-s`, `:_SuperblockVersion = N ;`: netCDF reads it from the file creation property
//!   list (`H5Pget_version`); a native file has the superblock version its format bounds chose
//!   (2 for netCDF's), an HSDS store has no superblock and restvol reports HDF5's default, 0.
//!
//! Lines that still differ are listed in [`KNOWN_DIFFERENCES`]; the test asserts they still
//! differ, so the list stays honest.
//!
//! netCDF-C is the one the installer builds (`scripts/install-deps.sh`, next to the HDF5 the
//! crate is built against, or `NETCDF_DIR`), with `scripts/patches/netcdf-4.9.3-vol-open.patch`
//! so `nc_open` accepts a name that is no local file when the VOL connector opens it. The test
//! skips, saying so, only when no netCDF is installed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

/// The netCDF-C installation: `NETCDF_DIR`, else the installer's, next to the HDF5 one.
fn netcdf_root() -> Option<PathBuf> {
    let root = match std::env::var_os("NETCDF_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => hdf5_root().parent()?.join("netcdf"),
    };
    root.join("bin/ncdump").is_file().then_some(root)
}

/// Lines `ncdump -s` prints for the restvol domain but not for the native file, with the reason.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[
    (
        "  \t\tname:_NoFill = \"true\" ;",
        "the fill value of a variable-length type (netCDF sets \"\" for strings) is not kept in \
         the dataset's creation properties, so netCDF sees no fill value",
    ),
    (
        "  \t\tragged:_NoFill = \"true\" ;",
        "the same for a vlen type (netCDF sets an empty sequence)",
    ),
];

/// Compiles the C program against netCDF-C (and through it the installed HDF5).
fn compile_netcdf(netcdf: &Path, source: &Path, out: &Path) {
    let lib = netcdf.join("lib");
    let status = Command::new("cc")
        .arg(source)
        .arg("-o")
        .arg(out)
        .args(["-Wall", "-Werror"])
        .arg(format!("-I{}", netcdf.join("include").display()))
        .arg(format!("-L{}", lib.display()))
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .arg(format!("-Wl,-rpath,{}", hdf5_root().join("lib").display()))
        .arg("-lnetcdf")
        .status()
        .expect("run cc");
    assert!(status.success(), "compiling {} failed", source.display());
}

fn native(program: &Path, dir: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.current_dir(dir).env_remove("HDF5_VOL_CONNECTOR");
    cmd
}

fn succeeded(what: &str, out: &Output) -> String {
    assert!(
        out.status.success(),
        "{what} failed ({:?}):\n{}{}\n(an `nc_open` failing with 'No such file or directory' \
         means netCDF lacks scripts/patches/netcdf-4.9.3-vol-open.patch: rerun \
         scripts/install-deps.sh)",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// `netcdf <name> {` → `netcdf FILE {` (the only line that names the file) and
/// `:_SuperblockVersion = N ;` → `N` (see the module's documentation).
fn normalise(dump: &str) -> String {
    let mut out = String::new();
    for (index, line) in dump.lines().enumerate() {
        let line = if index == 0 && line.starts_with("netcdf ") && line.ends_with(" {") {
            "netcdf FILE {"
        } else if line.trim_start().starts_with(":_SuperblockVersion = ") {
            "\t\t:_SuperblockVersion = N ;"
        } else {
            line
        };
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The restvol dump without the [`KNOWN_DIFFERENCES`] lines, and how many of them it had.
fn without_known(dump: &str) -> (String, usize) {
    let mut found = 0;
    let mut out = String::new();
    for line in dump.lines() {
        if KNOWN_DIFFERENCES.iter().any(|(known, _)| *known == line) {
            found += 1;
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    (out, found)
}

#[test]
fn normalise_touches_only_what_it_names() {
    assert_eq!(
        normalise("netcdf a {\ndimensions:\n\tnetcdf b {\n\t\t:_SuperblockVersion = 2 ;\n"),
        "netcdf FILE {\ndimensions:\n\tnetcdf b {\n\t\t:_SuperblockVersion = N ;\n"
    );
    assert_eq!(normalise("other\n\t\t:_IsNetcdf4 = 1 ;\n"), "other\n\t\t:_IsNetcdf4 = 1 ;\n");
    let known = format!("a\n{}\nb\n", KNOWN_DIFFERENCES[0].0);
    assert_eq!(without_known(&known), ("a\nb\n".to_string(), 1));
}

/// Fails when a restvol run printed a panic or an HDF5 error stack (netCDF turns HDF5's error
/// printing off, so anything here comes from the connector or HDF5's shutdown).
fn quiet(what: &str, out: &Output) {
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked") && !stderr.contains("HDF5"), "{what} printed:\n{stderr}");
}

/// A unified diff of two texts (through `diff -u`).
fn unified_diff(dir: &Path, label: &str, native: &str, rest: &str) -> String {
    let a = dir.join(format!("{label}.native.cdl"));
    let b = dir.join(format!("{label}.restvol.cdl"));
    std::fs::write(&a, native).unwrap();
    std::fs::write(&b, rest).unwrap();
    let out = Command::new("diff").arg("-u").arg(&a).arg(&b).output().unwrap();
    text(&out.stdout)
}

#[test]
fn netcdf_program_and_ncdump_see_the_same_file() {
    let Some(netcdf) = netcdf_root() else {
        eprintln!("skipped: netCDF-C is not installed (run scripts/install-deps.sh)");
        return;
    };
    let dir = scratch("netcdf_parity");
    let exe = dir.join("netcdf_roundtrip");
    compile_netcdf(&netcdf, &repo().join("tests/c/netcdf_roundtrip.c"), &exe);
    let store = dir.join("store");
    let file = "parity.nc";
    let domain = "/netcdf/parity.nc";

    let out = run_no_crash(native(&exe, &dir).arg(file));
    succeeded("the program on a native file", &out);
    let mut cmd = with_direct_access(&exe, &store);
    let out = run_no_crash(cmd.current_dir(&dir).arg(domain));
    succeeded("the program through restvol", &out);
    quiet("the program through restvol", &out);

    let ncdump = netcdf.join("bin/ncdump");
    let mut failures = Vec::new();
    let mut known_found = 0;
    for flags in [&["-h"][..], &[], &["-s"]] {
        let label = format!("ncdump{}", flags.concat());
        let out = run_no_crash(native(&ncdump, &dir).args(flags).arg(file));
        let native_dump = normalise(&succeeded(&format!("{label} {file}"), &out));
        let mut cmd = with_direct_access(&ncdump, &store);
        let out = run_no_crash(cmd.current_dir(&dir).args(flags).arg(domain));
        let rest_dump = normalise(&succeeded(&format!("{label} {domain}"), &out));
        quiet(&format!("{label} {domain}"), &out);
        let (rest_dump, found) = without_known(&rest_dump);
        known_found += found;
        if native_dump != rest_dump {
            failures.push(format!(
                "{label} differs:\n{}",
                unified_diff(&dir, &label, &native_dump, &rest_dump)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        known_found,
        KNOWN_DIFFERENCES.len(),
        "a line of KNOWN_DIFFERENCES no longer differs: remove it"
    );
}
