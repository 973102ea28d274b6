//! Building applications against an installed restvol: `scripts/install.sh` lays out a prefix,
//! a C program builds with plain `cc` and pkg-config, and the examples build with CMake
//! through `find_package(restvol)`, the Fortran example too (with HDF5's Fortran library and
//! the installed `restvol` Fortran module); all of them run.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn installed_prefix() -> &'static PathBuf {
    static PREFIX: OnceLock<PathBuf> = OnceLock::new();
    PREFIX.get_or_init(|| {
        let prefix = scratch("packaging").join("prefix");
        let status = Command::new("bash")
            .arg(repo().join("scripts/install.sh"))
            .arg(&prefix)
            .arg("--from")
            .arg(build_dir())
            .env("HDF5_DIR", hdf5_root())
            .status()
            .expect("run install.sh");
        assert!(status.success(), "scripts/install.sh failed");
        prefix
    })
}

fn pkg_config_path(prefix: &Path) -> String {
    format!(
        "{}:{}",
        prefix.join("lib/pkgconfig").display(),
        hdf5_root().join("lib/pkgconfig").display()
    )
}

#[test]
fn install_layout_is_complete() {
    let prefix = installed_prefix();
    for path in [
        "lib/librestvol.so",
        "lib/plugin/librestvol.so",
        "bin/restvol",
        "include/restvol.h",
        "include/rest_vol_public.h",
        "include/restvol.f90",
        "lib/cmake/restvol/restvolConfig.cmake",
        "lib/cmake/restvol/restvolConfigVersion.cmake",
        "lib/pkgconfig/restvol.pc",
    ] {
        assert!(prefix.join(path).exists(), "{path} missing from the install prefix");
    }
}

#[test]
fn c_program_builds_with_pkg_config_and_uses_the_rest_vol_api() {
    let prefix = installed_prefix();
    let flags = Command::new("pkg-config")
        .args(["--cflags", "--libs", "restvol"])
        .env("PKG_CONFIG_PATH", pkg_config_path(prefix))
        .output()
        .expect("run pkg-config");
    assert!(flags.status.success(), "pkg-config restvol failed: {}", text(&flags.stderr));
    let flags = text(&flags.stdout);
    assert!(flags.contains("-lrestvol") && flags.contains("-lhdf5"), "{flags}");
    for (variable, path) in [("plugindir", "lib/plugin"), ("fortran_module", "include/restvol.f90")]
    {
        let value = Command::new("pkg-config")
            .args(["--variable", variable, "restvol"])
            .env("PKG_CONFIG_PATH", pkg_config_path(prefix))
            .output()
            .expect("run pkg-config");
        assert_eq!(text(&value.stdout).trim(), prefix.join(path).to_str().unwrap());
    }
    let exe = scratch("packaging-pkgconfig").join("rest_vol_api");
    let status = Command::new("cc")
        .arg(repo().join("c_examples/rest_vol_api.c"))
        .arg("-o")
        .arg(&exe)
        .args(flags.split_whitespace())
        .arg(format!("-Wl,-rpath,{}", hdf5_root().join("lib").display()))
        .status()
        .expect("run cc");
    assert!(status.success(), "cc with pkg-config flags failed");
    let out = run_no_crash(&mut Command::new(&exe));
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{}", text(&out.stderr));
    assert!(stdout.contains("all checks passed"), "{stdout}");
}

#[test]
fn examples_build_with_cmake_find_package() {
    let prefix = installed_prefix();
    let build = scratch("packaging-cmake");
    let configure = Command::new("cmake")
        .arg("-S")
        .arg(repo().join("c_examples"))
        .arg("-B")
        .arg(&build)
        .arg(format!("-DCMAKE_PREFIX_PATH={}", prefix.display()))
        .output()
        .expect("run cmake");
    assert!(configure.status.success(), "cmake configure failed:\n{}", text(&configure.stderr));
    let compile = Command::new("cmake").arg("--build").arg(&build).output().expect("cmake --build");
    assert!(compile.status.success(), "cmake build failed:\n{}", text(&compile.stdout));

    let out = run_no_crash(&mut Command::new(build.join("rest_vol_api")));
    assert!(out.status.success(), "rest_vol_api: {}", text(&out.stderr));

    let out = run_no_crash(
        Command::new(build.join("connector_info"))
            .env("HDF5_VOL_CONNECTOR", "REST")
            .env("HDF5_PLUGIN_PATH", prefix.join("lib/plugin")),
    );
    assert!(out.status.success(), "connector_info: {}", text(&out.stderr));
    assert!(text(&out.stdout).contains("REST is the default"));

    // The program written for HDF Group's REST VOL, here in direct access (no HSDS_ENDPOINT).
    let store = build.join("store");
    let mut cmd = with_direct_access(&build.join("rest_vol_dropin"), &store);
    cmd.env_remove("HDF5_VOL_CONNECTOR")
        .env_remove("HDF5_PLUGIN_PATH")
        .env("RESTVOL_BIN", prefix.join("bin/restvol"))
        .arg("/examples/rest_vol_dropin.h5");
    let out = run_no_crash(&mut cmd);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "rest_vol_dropin:\n{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("uri /measurements/counts d-"), "{stdout}");
}

#[test]
fn fortran_example_builds_with_cmake_find_package() {
    let prefix = installed_prefix();
    let build = scratch("packaging-fortran");
    let configure = Command::new("cmake")
        .arg("-S")
        .arg(repo().join("c_examples/fortran"))
        .arg("-B")
        .arg(&build)
        .arg(format!("-DCMAKE_PREFIX_PATH={}", prefix.display()))
        .output()
        .expect("run cmake");
    assert!(
        configure.status.success(),
        "cmake configure failed:\n{}{}",
        text(&configure.stdout),
        text(&configure.stderr)
    );
    let compile = Command::new("cmake").arg("--build").arg(&build).output().expect("cmake --build");
    assert!(compile.status.success(), "cmake build failed:\n{}", text(&compile.stdout));

    // Direct access with the installed service binary; the program selects restvol in code.
    let store = build.join("store");
    let mut cmd = with_direct_access(&build.join("restvol_fortran"), &store);
    cmd.env_remove("HDF5_VOL_CONNECTOR")
        .env_remove("HDF5_PLUGIN_PATH")
        .env("RESTVOL_BIN", prefix.join("bin/restvol"))
        .arg("/examples/fortran.h5");
    let out = run_no_crash(&mut cmd);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "restvol_fortran:\n{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("dataset URI: d-") && stdout.contains("all checks passed"), "{stdout}");
}
