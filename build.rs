//! Build script: finds the HDF5 installation, refuses one without the VOL layer restvol needs,
//! and generates Rust bindings for the HDF5 public and VOL connector headers with `bindgen`.
//!
//! Search order: `HDF5_DIR`, then the prefix of `scripts/install-deps.sh`
//! (`$RESTVOL_DEPS/hdf5`, default `~/.cache/restvol/deps/hdf5`), then `pkg-config hdf5`.
//!
//! Linking: the plugin (`librestvol.so`) deliberately does **not** record libhdf5 as a needed
//! library. Its HDF5 symbols resolve against the libhdf5 the application already loaded, so
//! there is never a second copy of HDF5 in a process. Executables built from this package
//! (tests, the `restvol` binary, whose `import`/`export` call libhdf5) link libhdf5 explicitly.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The oldest HDF5 whose VOL layer has the connector ABI restvol implements (`H5VL_VERSION` 3).
const MIN_VERSION: (u32, u32) = (1, 14);

struct Hdf5 {
    include_dir: PathBuf,
    lib_dir: PathBuf,
    root: Option<PathBuf>,
    found_by: String,
}

fn main() {
    for var in ["HDF5_DIR", "RESTVOL_DEPS", "HOME", "PKG_CONFIG_PATH"] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    println!("cargo:rerun-if-changed=build.rs");

    let hdf5 = match locate_hdf5() {
        Ok(h) => h,
        Err(msg) => fail(&msg),
    };
    let version = match read_version(&hdf5.include_dir) {
        Ok(v) => v,
        Err(msg) => fail(&msg),
    };
    if (version.0, version.1) < MIN_VERSION {
        fail(&format!(
            "HDF5 {}.{}.{} found at {} ({}) has no VOL connector layer with H5VL_VERSION 3; \
             restvol needs HDF5 {}.{} or newer. Run scripts/install-deps.sh or set HDF5_DIR.",
            version.0,
            version.1,
            version.2,
            hdf5.include_dir.display(),
            hdf5.found_by,
            MIN_VERSION.0,
            MIN_VERSION.1
        ));
    }
    if let Err(msg) = check_vol_version(&hdf5.include_dir) {
        fail(&msg);
    }

    generate_bindings(&hdf5.include_dir);

    let lib = hdf5.lib_dir.display();
    println!("cargo:rustc-link-search=native={lib}");
    // The rpath lets test executables find libhdf5; it is inert in the plugin, which records no
    // libhdf5 dependency (see the module doc and `ffi::sys`).
    println!("cargo:rustc-link-arg=-Wl,-rpath,{lib}");
    // The `restvol` binary's `import`/`export` walk files through libhdf5 itself.
    println!("cargo:rustc-link-arg-bins=-lhdf5");
    // A soname lets applications link the connector by name (`-lrestvol`, CMake targets).
    println!("cargo:rustc-link-arg-cdylib=-Wl,-soname,librestvol.so");
    println!("cargo:rustc-env=RESTVOL_HDF5_VERSION={}.{}.{}", version.0, version.1, version.2);
    println!("cargo:rustc-env=RESTVOL_HDF5_LIB_DIR={lib}");
    println!("cargo:rustc-env=RESTVOL_HDF5_INCLUDE_DIR={}", hdf5.include_dir.display());
    let root = hdf5.root.map(|r| r.display().to_string()).unwrap_or_default();
    println!("cargo:rustc-env=RESTVOL_HDF5_ROOT={root}");
}

fn fail(msg: &str) -> ! {
    eprintln!("restvol build: {msg}");
    println!("cargo:warning=restvol build: {msg}");
    std::process::exit(1);
}

fn locate_hdf5() -> Result<Hdf5, String> {
    let mut tried = Vec::new();
    if let Some(dir) = env::var_os("HDF5_DIR") {
        let root = PathBuf::from(dir);
        return prefix_layout(&root, "HDF5_DIR").ok_or_else(|| {
            format!("HDF5_DIR={} has no include/hdf5.h and lib/libhdf5.so", root.display())
        });
    }
    let deps = env::var_os("RESTVOL_DEPS")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/restvol/deps")));
    if let Some(deps) = deps {
        let root = deps.join("hdf5");
        if let Some(h) = prefix_layout(&root, "scripts/install-deps.sh prefix") {
            return Ok(h);
        }
        tried.push(format!("installer prefix {}", root.display()));
    }
    match pkg_config_layout() {
        Some(h) => Ok(h),
        None => {
            tried.push("pkg-config hdf5".into());
            Err(format!(
                "no HDF5 found (tried HDF5_DIR unset, {}). Run scripts/install-deps.sh or set HDF5_DIR.",
                tried.join(", ")
            ))
        }
    }
}

fn prefix_layout(root: &Path, found_by: &str) -> Option<Hdf5> {
    let include_dir = root.join("include");
    let lib_dir = root.join("lib");
    (include_dir.join("hdf5.h").is_file() && lib_dir.join("libhdf5.so").exists()).then(|| Hdf5 {
        include_dir,
        lib_dir,
        root: Some(root.to_path_buf()),
        found_by: found_by.into(),
    })
}

fn pkg_config_layout() -> Option<Hdf5> {
    let var = |name: &str| -> Option<String> {
        let out = Command::new("pkg-config").args(["--variable", name, "hdf5"]).output().ok()?;
        let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
        (out.status.success() && !s.is_empty()).then_some(s)
    };
    let include_dir = PathBuf::from(var("includedir")?);
    let lib_dir = PathBuf::from(var("libdir")?);
    include_dir.join("hdf5.h").is_file().then(|| Hdf5 {
        include_dir,
        lib_dir,
        root: var("prefix").map(PathBuf::from),
        found_by: "pkg-config".into(),
    })
}

fn define_value(header: &str, name: &str) -> Option<u32> {
    header.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        (words.next() == Some("#define") && words.next() == Some(name))
            .then(|| words.next()?.trim_matches(|c| c == '(' || c == ')').parse().ok())
            .flatten()
    })
}

fn read_version(include: &Path) -> Result<(u32, u32, u32), String> {
    let path = include.join("H5public.h");
    let text =
        fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let get = |name| {
        define_value(&text, name)
            .ok_or_else(|| format!("{} does not define {name}", path.display()))
    };
    Ok((get("H5_VERS_MAJOR")?, get("H5_VERS_MINOR")?, get("H5_VERS_RELEASE")?))
}

fn check_vol_version(include: &Path) -> Result<(), String> {
    if !include.join("H5VLconnector.h").is_file() {
        return Err(format!("{} has no H5VLconnector.h: no VOL connector API", include.display()));
    }
    let path = include.join("H5VLpublic.h");
    let text = fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {} ({e}): no VOL layer", path.display()))?;
    match define_value(&text, "H5VL_VERSION") {
        Some(3) => Ok(()),
        other => Err(format!(
            "{} defines H5VL_VERSION {:?}; restvol implements version 3",
            path.display(),
            other
        )),
    }
}

fn generate_bindings(include: &Path) {
    let wrapper = "#include <hdf5.h>\n#include <H5VLconnector.h>\n#include <H5PLextern.h>\n";
    let bindings = bindgen::Builder::default()
        .header_contents("restvol_hdf5.h", wrapper)
        .clang_arg(format!("-I{}", include.display()))
        .allowlist_function("H5.*")
        .allowlist_type("H5.*|hid_t|herr_t|hsize_t|hssize_t|htri_t|haddr_t|hbool_t")
        .allowlist_var("H5.*")
        .default_enum_style(bindgen::EnumVariation::Consts)
        .prepend_enum_name(false)
        .derive_default(true)
        .layout_tests(false)
        .generate_comments(false)
        .generate();
    let bindings = match bindings {
        Ok(b) => b,
        Err(e) => fail(&format!(
            "bindgen could not parse the HDF5 headers in {} ({e}); is libclang installed?",
            include.display()
        )),
    };
    let Some(out_dir) = env::var_os("OUT_DIR") else { fail("OUT_DIR is not set by cargo") };
    let out = PathBuf::from(out_dir).join("hdf5_bindings.rs");
    if let Err(e) = bindings.write_to_file(&out) {
        fail(&format!("cannot write {}: {e}", out.display()));
    }
}
