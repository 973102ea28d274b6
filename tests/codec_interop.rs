//! Chunk codecs against the real libraries HSDS uses: Blosc frames written by numcodecs
//! (c-blosc) with every internal codec HSDS configures, restvol's own Blosc/zlib frames read back
//! by numcodecs, and the HDF5 bitshuffle layout made with the `bitshuffle` package. The Python
//! peers come from the project's environment (`scripts/install-deps.sh`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use std::path::PathBuf;
use std::process::Command;

use restvol::codec::{
    bitshuffle_decompress, blosc_compress_zlib, blosc_decompress, is_blosc_frame,
};

fn python() -> PathBuf {
    let deps = std::env::var_os("RESTVOL_DEPS").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/restvol/deps")
    });
    let py = deps.join("venv/bin/python");
    assert!(py.is_file(), "{} missing: run scripts/install-deps.sh", py.display());
    py
}

fn run_python(script: &str, dir: &std::path::Path) {
    let out = Command::new(python()).arg("-c").arg(script).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "python failed:\n{}", common::text(&out.stderr));
}

const MAKE_FRAMES: &str = r#"
import numpy as np, numcodecs, bitshuffle, struct
a = (np.arange(100000, dtype='<i4') * 7) ^ (np.arange(100000, dtype='<i4') >> 3)
open('raw.bin', 'wb').write(a.tobytes())
for cname in ['blosclz', 'lz4', 'lz4hc', 'zlib', 'zstd']:
    for shuffle in [0, 1]:
        frame = numcodecs.Blosc(cname=cname, clevel=5, shuffle=shuffle).encode(a)
        open(f'blosc_{cname}_{shuffle}.bin', 'wb').write(bytes(frame))
block = 2048
body = bitshuffle.compress_lz4(a, block).tobytes()
open('bitshuffle.bin', 'wb').write(struct.pack('>QI', a.nbytes, block * a.itemsize) + body)
"#;

#[test]
fn reads_blosc_frames_written_by_numcodecs() {
    let dir = common::scratch("codec_interop_read");
    run_python(MAKE_FRAMES, &dir);
    let raw = std::fs::read(dir.join("raw.bin")).unwrap();
    for cname in ["blosclz", "lz4", "lz4hc", "zlib", "zstd"] {
        for shuffle in [0, 1] {
            let frame = std::fs::read(dir.join(format!("blosc_{cname}_{shuffle}.bin"))).unwrap();
            assert!(is_blosc_frame(&frame), "{cname}/{shuffle} not recognized as Blosc");
            let decoded = blosc_decompress(&frame, raw.len())
                .unwrap_or_else(|e| panic!("{cname} shuffle={shuffle}: {e}"));
            assert!(decoded == raw, "{cname} shuffle={shuffle}: decoded bytes differ");
        }
    }
}

#[test]
fn reads_hdf5_bitshuffle_layout_made_by_the_bitshuffle_package() {
    let dir = common::scratch("codec_interop_bitshuffle");
    run_python(MAKE_FRAMES, &dir);
    let raw = std::fs::read(dir.join("raw.bin")).unwrap();
    let data = std::fs::read(dir.join("bitshuffle.bin")).unwrap();
    let decoded = bitshuffle_decompress(&data, 4, raw.len()).expect("bitshuffle decode");
    assert!(decoded == raw, "bitshuffle: decoded bytes differ");
}

#[test]
fn numcodecs_reads_restvol_blosc_zlib_frames() {
    let dir = common::scratch("codec_interop_write");
    let raw: Vec<u8> = (0..400_000u32).flat_map(|i| (i / 3).to_le_bytes()).collect();
    std::fs::write(dir.join("raw.bin"), &raw).unwrap();
    for shuffle in [false, true] {
        let frame = blosc_compress_zlib(&raw, 4, 5, shuffle).unwrap();
        assert!(frame.len() < raw.len() / 4, "frame does not compress: {}", frame.len());
        std::fs::write(dir.join(format!("ours_{shuffle}.bin")), &frame).unwrap();
    }
    run_python(
        r#"
import numcodecs
raw = open('raw.bin', 'rb').read()
for s in ['false', 'true']:
    out = numcodecs.Blosc().decode(open(f'ours_{s}.bin', 'rb').read())
    assert bytes(out) == raw, f'numcodecs decoded shuffle={s} differently'
"#,
        &dir,
    );
}
