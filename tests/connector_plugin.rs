//! The plugin as HDF5 loads it: a real HDF5 program selects `REST` through
//! `HDF5_VOL_CONNECTOR` and `HDF5_PLUGIN_PATH`, and HDF5 registers restvol, makes it the
//! default connector and reads back the capability flags restvol advertises.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use common::*;
use std::path::PathBuf;
use std::sync::OnceLock;

fn connector_info() -> &'static PathBuf {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        let out = scratch("connector_plugin").join("connector_info");
        compile_c(&repo().join("c_examples/connector_info.c"), &out, &[]);
        out
    })
}

#[test]
fn hdf5_registers_restvol_as_default_connector() {
    let out = run_no_crash(&mut with_connector(connector_info(), None));
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{}", text(&out.stderr));
    assert!(stdout.contains("REST connector registered: yes"), "{stdout}");
    assert!(stdout.contains("default connector: value 520 (REST is the default)"), "{stdout}");
    assert!(stdout.contains("connector value: 520"), "{stdout}");
    let flags = format!("capability flags: 0x{:016x}", restvol::vol::caps::ADVERTISED);
    assert!(stdout.contains(&flags), "expected '{flags}' in:\n{stdout}");
}

#[test]
fn valid_info_string_is_accepted() {
    let info = "endpoint=local[2];root_dir=/tmp/restvol-test;bucket=hsdstest";
    let out = run_no_crash(&mut with_connector(connector_info(), Some(info)));
    assert!(out.status.success(), "stderr:\n{}", text(&out.stderr));
}

#[test]
fn misconfigured_info_string_gives_a_clear_hdf5_error() {
    for (info, expected) in [
        ("colour=blue", "unknown info string key 'colour'"),
        ("endpoint=ftp://x", "info string key 'endpoint' has a bad value 'ftp://x'"),
        ("bucket=a;bucket=b", "info string key 'bucket' is given more than once"),
        ("endpoint", "info string item 'endpoint' is not of the form key=value"),
    ] {
        let out = run_no_crash(&mut with_connector(connector_info(), Some(info)));
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "'{info}' was accepted");
        assert!(stderr.contains("restvol-DIAG"), "no restvol error stack for '{info}':\n{stderr}");
        assert!(stderr.contains(expected), "'{expected}' missing for '{info}':\n{stderr}");
    }
}

#[test]
fn plugin_does_not_carry_its_own_libhdf5() {
    let lib = build_dir().join("librestvol.so");
    let out = std::process::Command::new("readelf").arg("-d").arg(&lib).output();
    let Ok(out) = out else { return };
    let dynamic = text(&out.stdout);
    assert!(!dynamic.contains("libhdf5"), "librestvol.so must not depend on libhdf5:\n{dynamic}");
    assert!(dynamic.contains("librestvol.so"), "soname missing:\n{dynamic}");
}
