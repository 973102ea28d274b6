//! The chunk codec pipeline and the JSON ⇄ binary value conversion against HSDS 1.0.2's own
//! code from the project's Python environment (`scripts/install-deps.sh`):
//! - filter lists → filter ops: restvol's [`ChunkCodec`] agrees with `datanode_lib.getFilterOps`;
//! - chunks written by `storUtil._compress` decode with [`ChunkCodec::decode`];
//! - chunks written by [`ChunkCodec::encode`] decode with `storUtil._uncompress`;
//! - values: h5json's `jsonToArray` + `arrayToBytes` (numpy) give the same bytes as
//!   `model::values::json_to_bytes`, and `bytesToArray` + `bytesArrayToList` the same JSON as
//!   `model::values::bytes_to_json`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use restvol::model::values::{bytes_to_json, bytes_to_json_text, json_to_bytes};
use restvol::model::Datatype;
use restvol::storage::chunk_codec::{
    normalize_filters, ChunkCodec, Compressor, ShuffleOp, HSDS_COMPRESSORS, HSDS_SUPPORTED_FILTERS,
};
use serde_json::Value;

fn python() -> PathBuf {
    let deps = std::env::var_os("RESTVOL_DEPS").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/restvol/deps")
    });
    let py = deps.join("venv/bin/python");
    assert!(py.is_file(), "{} missing: run scripts/install-deps.sh", py.display());
    py
}

fn run_python(script: &str, dir: &Path) {
    let out = Command::new(python())
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env("LOG_LEVEL", "ERROR")
        .output()
        .unwrap();
    assert!(out.status.success(), "python failed:\n{}", common::text(&out.stderr));
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Writes `cases.json` (type, filters, HSDS's filter ops per case) and per case `N.raw` plus
/// `N.hsds` (what HSDS stores for it).
const MAKE_CHUNKS: &str = r#"
import json, numpy as np
from hsds.datanode_lib import getFilterOps
from hsds.util import storUtil
from h5json.hdf5dtype import createDataType
from h5json.array_util import jsonToArray, arrayToBytes

SHUF = {"class": "H5Z_FILTER_SHUFFLE", "id": 2, "name": "shuffle"}
BITS_AS_SHUFFLE = {"class": "H5Z_FILTER_SHUFFLE", "id": 2, "name": "bitshuffle"}
BITS = {"class": "H5Z_FILTER_BITSHUFFLE", "id": 32008, "name": "bitshuffle"}
F32 = {"class": "H5Z_FILTER_FLETCHER32", "id": 3, "name": "fletcher32"}
COMPRESSORS = [
    None,
    {"class": "H5Z_FILTER_DEFLATE", "id": 1, "name": "gzip", "level": 6},
    {"class": "H5Z_FILTER_LZ4", "id": 32004, "name": "lz4"},
    {"class": "H5Z_FILTER_LZ4HC", "id": 32005, "name": "lz4hc", "level": 3},
    {"class": "H5Z_FILTER_BLOSC", "id": 32001, "name": "blosclz"},
    {"class": "H5Z_FILTER_ZSTD", "id": 32015, "name": "zstd", "level": 7},
    {"class": "H5Z_FILTER_SCALEOFFSET", "id": 6, "name": "scaleoffset"},
]
TYPES = ["H5T_STD_I32LE", "H5T_IEEE_F64BE", "H5T_STD_U16LE"]
VSTR = {"class": "H5T_STRING", "charSet": "H5T_CSET_UTF8", "strPad": "H5T_STR_NULLTERM",
        "length": "H5T_VARIABLE"}
cases = []
n = 5003
for t in TYPES:
    dt = createDataType(t)
    i = np.arange(n)
    arr = ((i // 7) ^ (i % 5)).astype(dt)
    raw = arr.tobytes()
    for shuf in [None, SHUF, BITS_AS_SHUFFLE, BITS]:
        for comp in COMPRESSORS:
            filters = [f for f in [shuf, comp, F32] if f]
            cases.append((t, filters, raw, (n,)))
strings = ["", "a", "héllo", "x" * 300] * 50
vraw = arrayToBytes(jsonToArray([len(strings)], createDataType(VSTR), strings))
for comp in COMPRESSORS[:3]:
    cases.append((VSTR, [f for f in [SHUF, comp] if f], vraw, (len(strings),)))
out = []
for k, (t, filters, raw, shape) in enumerate(cases):
    dt = createDataType(t)
    ops = getFilterOps({"filter_map": {}}, f"d-{k}", filters, dtype=dt, chunk_shape=shape)
    stored = storUtil._compress(raw, **ops) if ops else raw
    open(f"{k}.raw", "wb").write(raw)
    open(f"{k}.hsds", "wb").write(stored)
    plain = {key: v for key, v in (ops or {}).items() if key in ("shuffle", "compressor", "level")}
    out.append({"type": t, "filters": filters, "ops": plain, "shape": list(shape)})
json.dump(out, open("cases.json", "w"))
from h5json.filters import normalizeFilters
given = [{"class": "H5Z_FILTER_DEFLATE", "level": 3}, {"class": "H5Z_FILTER_SHUFFLE"},
         {"class": "H5Z_FILTER_USER", "name": "lz4"}, {"class": "H5Z_FILTER_USER", "id": 32015},
         {"class": "H5Z_FILTER_BITSHUFFLE", "id": 32008, "name": "bitshuffle"}]
json.dump({"given": given, "normalized": normalizeFilters(given),
           "supported": storUtil.getSupportedFilters(), "compressors": storUtil.getCompressors()},
          open("filters.json", "w"))
"#;

/// Checks every `N.ours` with `storUtil._uncompress` under HSDS's own filter ops.
const CHECK_OURS: &str = r#"
import json
from hsds.datanode_lib import getFilterOps
from hsds.util import storUtil
from h5json.hdf5dtype import createDataType
cases = json.load(open("cases.json"))
bad = []
for k, c in enumerate(cases):
    dt = createDataType(c["type"])
    ops = getFilterOps({"filter_map": {}}, f"d-{k}", c["filters"], dtype=dt,
                       chunk_shape=tuple(c["shape"]))
    ours = open(f"{k}.ours", "rb").read()
    raw = open(f"{k}.raw", "rb").read()
    try:
        back = storUtil._uncompress(ours, **ops) if ops else ours
    except Exception as e:
        back = repr(e).encode()
    if bytes(back) != raw:
        bad.append((k, c["type"], c["filters"]))
assert not bad, f"HSDS cannot read restvol's chunks: {bad}"
"#;

fn hsds_ops(codec: &ChunkCodec) -> Value {
    let mut ops = serde_json::Map::new();
    let shuffle = match codec.shuffle_op() {
        ShuffleOp::None => 0,
        ShuffleOp::Byte => 1,
        ShuffleOp::Bit => 2,
    };
    ops.insert("shuffle".into(), shuffle.into());
    if let Some(c) = codec.compressor() {
        let name = match c {
            Compressor::Zlib => "zlib",
            Compressor::BloscLz => "blosclz",
            Compressor::Lz4 => "lz4",
            Compressor::Lz4Hc => "lz4hc",
            Compressor::Zstd => "zstd",
            Compressor::Snappy => "snappy",
            Compressor::Lzf => "lzf",
        };
        ops.insert("compressor".into(), name.into());
        ops.insert("level".into(), codec.level().into());
    }
    Value::Object(ops)
}

/// HSDS's ops as restvol models them: scaleoffset is "no compressor" for both.
fn normalized_hsds_ops(ops: &Value) -> Value {
    let mut ops = ops.as_object().cloned().unwrap_or_default();
    ops.entry("shuffle").or_insert(0.into());
    if ops.get("compressor").and_then(Value::as_str) == Some("scaleoffset") {
        ops.remove("compressor");
        ops.remove("level");
    }
    Value::Object(ops)
}

#[test]
fn chunks_interoperate_with_hsds_storutil() {
    let dir = common::scratch("chunk_codec_interop");
    run_python(MAKE_CHUNKS, &dir);
    let cases = read_json(&dir.join("cases.json"));
    let cases = cases.as_array().unwrap();
    assert!(cases.len() > 80, "only {} cases", cases.len());
    for (k, case) in cases.iter().enumerate() {
        let what = format!("case {k}: {} {}", case["type"], case["filters"]);
        let datatype = Datatype::from_json(&case["type"]).unwrap();
        let filters = normalize_filters(Some(&case["filters"])).unwrap();
        let codec = ChunkCodec::new(&datatype, &filters).unwrap();
        assert_eq!(hsds_ops(&codec), normalized_hsds_ops(&case["ops"]), "{what}: filter ops");
        let raw = std::fs::read(dir.join(format!("{k}.raw"))).unwrap();
        let hsds = std::fs::read(dir.join(format!("{k}.hsds"))).unwrap();
        let byte_shuffle_only =
            codec.shuffle_op() == ShuffleOp::Byte && codec.compressor().is_none();
        if !byte_shuffle_only {
            // (HSDS writes shuffle-only chunks unshuffled but unshuffles them on read.)
            let decoded = codec.decode(&hsds, raw.len()).unwrap_or_else(|e| panic!("{what}: {e}"));
            assert!(decoded == raw, "{what}: HSDS chunk decodes differently");
        }
        let ours = codec.encode(&raw).unwrap();
        std::fs::write(dir.join(format!("{k}.ours")), &ours).unwrap();
    }
    run_python(CHECK_OURS, &dir);

    let filters = read_json(&dir.join("filters.json"));
    let ours = normalize_filters(Some(&filters["given"])).unwrap();
    assert_eq!(Value::from(ours), filters["normalized"], "normalized filters");
    let names = |v: &Value| -> Vec<String> {
        let mut n: Vec<String> =
            v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect();
        n.sort();
        n
    };
    let sorted = |v: &[&str]| -> Vec<String> {
        let mut n: Vec<String> = v.iter().map(|s| s.to_string()).collect();
        n.sort();
        n
    };
    assert_eq!(names(&filters["supported"]), sorted(HSDS_SUPPORTED_FILTERS));
    assert_eq!(names(&filters["compressors"]), sorted(HSDS_COMPRESSORS));
}

/// Values through h5json (HSDS's conversion code): `N.bin` from `jsonToArray` +
/// `arrayToBytes`, `N.json` from `bytesToArray` + `bytesArrayToList`.
const MAKE_VALUES: &str = r#"
import json
from h5json.hdf5dtype import createDataType
from h5json.array_util import jsonToArray, arrayToBytes, bytesToArray, bytesArrayToList
cases = json.load(open("values.json"))
for k, c in enumerate(cases):
    dt = createDataType(c["type"])
    arr = jsonToArray(c["shape"], dt, c["value"])
    data = arrayToBytes(arr)
    open(f"{k}.bin", "wb").write(data)
    back = bytesArrayToList(bytesToArray(data, dt, c["shape"]))
    text = json.dumps(back)
    open(f"{k}.txt", "w").write(text)
    if "NaN" not in text and "Infinity" not in text:
        json.dump(back, open(f"{k}.json", "w"))
"#;

fn value_cases() -> Value {
    serde_json::json!([
        {"type": "H5T_STD_I16BE", "shape": [2, 3], "value": [[1, -2, 3], [32767, -32768, 0]]},
        {"type": "H5T_STD_U64LE", "shape": [2], "value": [0, 18446744073709551615u64]},
        {"type": "H5T_IEEE_F16LE", "shape": [4], "value": [1.0, -0.5, 65504.0, 0.099975586]},
        {"type": "H5T_IEEE_F32BE", "shape": [3], "value": [1.5, -2.25, 1e-3]},
        {"type": "H5T_IEEE_F64LE", "shape": [], "value": 3.25},
        {"type": "H5T_IEEE_F32LE", "shape": [4], "value": ["nan", "inf", "-inf", 2.5],
         "text": true},
        {"type": {"class": "H5T_STRING", "charSet": "H5T_CSET_ASCII",
                  "strPad": "H5T_STR_NULLPAD", "length": 5},
         "shape": [3], "value": ["ab", "abcde", ""]},
        {"type": {"class": "H5T_STRING", "charSet": "H5T_CSET_UTF8",
                  "strPad": "H5T_STR_NULLTERM", "length": "H5T_VARIABLE"},
         "shape": [2, 2], "value": [["é", ""], ["long text here", "中文"]]},
        {"type": {"class": "H5T_VLEN", "base": "H5T_STD_I32LE", "size": "H5T_VARIABLE"},
         "shape": [3], "value": [[1, 2, 3], [], [7]]},
        {"type": {"class": "H5T_ENUM",
                  "base": {"class": "H5T_INTEGER", "base": "H5T_STD_I16LE"},
                  "mapping": {"RED": 0, "GREEN": 1, "BLUE": 42}},
         "shape": [3], "value": [42, 0, 1]},
        {"type": {"class": "H5T_ENUM",
                  "base": {"class": "H5T_INTEGER", "base": "H5T_STD_I8LE"},
                  "mapping": {"FALSE": 0, "TRUE": 1}},
         "shape": [3], "value": [true, false, 42]},
        {"type": {"class": "H5T_ENUM",
                  "base": {"class": "H5T_INTEGER", "base": "H5T_STD_U8LE"},
                  "mapping": {"FALSE": 0, "TRUE": 1}},
         "shape": [2], "value": [1, 0]},
        {"type": {"class": "H5T_ARRAY", "base": "H5T_STD_I32LE", "dims": [2, 3]},
         "shape": [2], "value": [[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]]},
        {"type": {"class": "H5T_COMPOUND", "fields": [
            {"name": "id", "type": "H5T_STD_U8LE"},
            {"name": "t", "type": "H5T_IEEE_F64BE"},
            {"name": "tag", "type": {"class": "H5T_STRING", "charSet": "H5T_CSET_ASCII",
                                     "strPad": "H5T_STR_NULLPAD", "length": 4}},
            {"name": "v", "type": {"class": "H5T_ARRAY", "base": "H5T_STD_I16LE", "dims": [2]}}]},
         "shape": [2], "value": [[1, 2.5, "ab", [1, 2]], [255, -1.0, "wxyz", [-3, 4]]]},
        {"type": {"class": "H5T_COMPOUND", "fields": [
            {"name": "n", "type": "H5T_STD_I32LE"},
            {"name": "s", "type": {"class": "H5T_STRING", "charSet": "H5T_CSET_UTF8",
                                   "strPad": "H5T_STR_NULLTERM", "length": "H5T_VARIABLE"}}]},
         "shape": [2], "value": [[1, "one"], [2, "deux é"]]},
        {"type": {"class": "H5T_COMPOUND", "fields": [
            {"name": "a", "type": "H5T_STD_I64BE"}, {"name": "b", "type": "H5T_IEEE_F32LE"}]},
         "shape": [], "value": [-5, 0.25]},
        {"type": {"class": "H5T_OPAQUE", "size": 4, "tag": "blob"},
         "shape": [2], "value": ["AQIDBA==", ""]},
        {"type": {"class": "H5T_VLEN", "base": "H5T_IEEE_F64BE", "size": "H5T_VARIABLE"},
         "shape": [2, 1], "value": [[[0.5, 1.5]], [[-2.0]]]},
        {"type": {"class": "H5T_REFERENCE", "base": "H5T_STD_REF_OBJ"},
         "shape": [2],
         "value": ["groups/g-12345678-1234-1234-1234-1234567890ab", ""]}
    ])
}

#[test]
fn values_match_h5json_and_numpy() {
    let dir = common::scratch("values_interop");
    let cases = value_cases();
    std::fs::write(dir.join("values.json"), serde_json::to_vec(&cases).unwrap()).unwrap();
    run_python(MAKE_VALUES, &dir);
    for (k, case) in cases.as_array().unwrap().iter().enumerate() {
        let what = format!("case {k}: {}", case["type"]);
        let datatype = Datatype::from_json(&case["type"]).unwrap();
        let dims: Vec<u64> =
            case["shape"].as_array().unwrap().iter().map(|d| d.as_u64().unwrap()).collect();
        let expected = std::fs::read(dir.join(format!("{k}.bin"))).unwrap();
        let ours = json_to_bytes(&datatype, &dims, &case["value"])
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(ours, expected, "{what}: packed bytes differ from numpy's");
        if case.get("text").is_some() {
            // NaN and ±Infinity: compare the JSON text HSDS writes.
            let hsds_text = std::fs::read_to_string(dir.join(format!("{k}.txt"))).unwrap();
            let ours = bytes_to_json_text(&datatype, &dims, &expected, false).unwrap();
            assert_eq!(ours, hsds_text, "{what}: JSON text differs from Python's");
            continue;
        }
        let hsds_json = read_json(&dir.join(format!("{k}.json")));
        let back = bytes_to_json(&datatype, &dims, &expected).unwrap();
        assert_eq!(back, hsds_json, "{what}: JSON differs from h5json's");
    }
}
