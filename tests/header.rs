//! The checked-in C header `include/restvol.h` must equal what cbindgen generates from the
//! source. Regenerate it with `RESTVOL_BLESS=1 cargo test --test header`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::path::Path;

#[test]
fn checked_in_header_is_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(root.join("src/ffi/api.rs"))
        .generate()
        .expect("cbindgen generates the header");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let generated = String::from_utf8(generated).expect("header is UTF-8");
    let path = root.join("include/restvol.h");
    if std::env::var_os("RESTVOL_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write include/restvol.h");
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == generated,
        "include/restvol.h is stale: regenerate it with `RESTVOL_BLESS=1 cargo test --test header`"
    );
}
