//! The chunk codec pipeline: a dataset's filter list (`creationProperties.filters`) and type
//! turned into the operations that encode a chunk's packed bytes for storage and decode them
//! back, byte-compatible with HSDS 1.0.2 (`datanode_lib.getFilterOps`, `storUtil._compress` /
//! `_uncompress`).
//!
//! Filter selection follows HSDS 1.0.2: the first compression filter (deflate, szip,
//! scaleoffset, lzf, blosclz, snappy, lz4, lz4hc, zstd) picks the compressor (level 5 when not
//! given); an `H5Z_FILTER_SHUFFLE` filter gives byte shuffle, or bitshuffle when its `name` is
//! `bitshuffle`; vlen types are never shuffled; fletcher32, nbit and scaleoffset are accepted and
//! ignored; szip and unknown filters are refused.
//!
//! Reading accepts everything HSDS reads: Blosc frames (blosclz, lz4, lz4hc, zlib, zstd; byte
//! shuffle undone by the frame), raw zlib streams for deflate, the HDF5 bitshuffle+LZ4 layout
//! with its 12-byte header, and byte shuffle.
//!
//! Writing (what restvol stores, all readable by HSDS 1.0.2):
//! - deflate: a raw zlib stream of the (byte-shuffled when shuffle is set) bytes. HSDS itself
//!   writes a Blosc/zlib frame; it reads raw zlib too, then unshuffles.
//! - lz4, lz4hc, zstd: a Blosc frame with that compressor and byte shuffle by item size. lz4hc
//!   is written with the LZ4 encoder (the same stream format). blosclz, snappy and lzf, which
//!   restvol cannot encode, are written as Blosc/LZ4 frames: HSDS decodes any Blosc frame
//!   whatever the filter says. (HSDS 1.0.2 cannot encode snappy or lzf and stores those chunks
//!   raw; restvol reads such raw chunks back when their size is exactly the chunk size.)
//! - bitshuffle: the 12-byte header plus bitshuffle/LZ4 blocks of 2048 elements, then the
//!   compressor (as a Blosc frame without byte shuffle for zlib too, like HSDS).
//! - shuffle alone: the byte-shuffled bytes. HSDS 1.0.2 writes these chunks unshuffled but
//!   unshuffles on read (see reference §7.6), so writing them shuffled is what makes HSDS read
//!   restvol's chunks correctly.
//!
//! `H5Z_FILTER_BITSHUFFLE` (id 32008, what h5pyd sends) is not a shuffle filter for HSDS 1.0.2
//! (`getShuffleFilter` only matches `H5Z_FILTER_SHUFFLE`), so restvol writes such chunks without
//! bitshuffle too; on read it accepts both the plain bytes and the bitshuffle layout (older HSDS
//! versions wrote it), telling them apart by the header.

use serde_json::{json, Map, Value};

use crate::codec::blosc::{CODE_LZ4, CODE_ZLIB, CODE_ZSTD};
use crate::codec::{
    bitshuffle_compress, bitshuffle_decompress, blosc_compress, blosc_decompress, is_blosc_frame,
    shuffle, unshuffle, zlib_compress, zlib_decompress, CodecError,
};
use crate::model::Datatype;

/// HSDS's `bit_shuffle_default_blocksize`: elements per bitshuffle block.
pub const BITSHUFFLE_BLOCK_ELEMS: usize = 2048;
/// HSDS's default compression level when the filter gives none.
pub const DEFAULT_LEVEL: u32 = 5;

/// Errors building a codec from dataset JSON or encoding/decoding a chunk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChunkCodecError {
    /// The filter list or type in the dataset JSON is malformed.
    #[error("invalid filter: {0}")]
    InvalidFilter(String),
    /// A recognized filter restvol (like HSDS) cannot apply.
    #[error("unsupported filter: {0}")]
    UnsupportedFilter(String),
    /// The dataset's `type` is not a usable datatype.
    #[error("invalid dataset type: {0}")]
    InvalidType(String),
    /// Stored bytes that do not decode with the dataset's filters.
    #[error("cannot decode chunk: {0}")]
    Decode(String),
    /// A codec failure while encoding.
    #[error("cannot encode chunk: {0}")]
    Encode(String),
}

/// One known filter: class, id, name (h5json's `FILTER_DEFS`).
struct FilterDef {
    class: &'static str,
    id: i64,
    name: &'static str,
}

const FILTER_DEFS: &[FilterDef] = &[
    FilterDef { class: "H5Z_FILTER_NONE", id: 0, name: "none" },
    FilterDef { class: "H5Z_FILTER_DEFLATE", id: 1, name: "gzip" },
    FilterDef { class: "H5Z_FILTER_SHUFFLE", id: 2, name: "shuffle" },
    FilterDef { class: "H5Z_FILTER_FLETCHER32", id: 3, name: "fletcher32" },
    FilterDef { class: "H5Z_FILTER_SZIP", id: 4, name: "szip" },
    FilterDef { class: "H5Z_FILTER_NBIT", id: 5, name: "nbit" },
    FilterDef { class: "H5Z_FILTER_SCALEOFFSET", id: 6, name: "scaleoffset" },
    FilterDef { class: "H5Z_FILTER_LZF", id: 32000, name: "lzf" },
    FilterDef { class: "H5Z_FILTER_BLOSC", id: 32001, name: "blosclz" },
    FilterDef { class: "H5Z_FILTER_SNAPPY", id: 32003, name: "snappy" },
    FilterDef { class: "H5Z_FILTER_LZ4", id: 32004, name: "lz4" },
    FilterDef { class: "H5Z_FILTER_LZ4HC", id: 32005, name: "lz4hc" },
    FilterDef { class: "H5Z_FILTER_BITSHUFFLE", id: 32008, name: "bitshuffle" },
    FilterDef { class: "H5Z_FILTER_ZSTD", id: 32015, name: "zstd" },
];

/// Filter classes HSDS treats as compression filters (h5json `COMPRESSION_FILTER_IDS`).
const COMPRESSION_CLASSES: &[&str] = &[
    "H5Z_FILTER_DEFLATE",
    "H5Z_FILTER_SZIP",
    "H5Z_FILTER_SCALEOFFSET",
    "H5Z_FILTER_LZF",
    "H5Z_FILTER_BLOSC",
    "H5Z_FILTER_SNAPPY",
    "H5Z_FILTER_LZ4",
    "H5Z_FILTER_LZ4HC",
    "H5Z_FILTER_ZSTD",
];

fn def_by_key(key: &Value) -> Option<&'static FilterDef> {
    match key {
        Value::Number(n) => {
            let id = n.as_i64()?;
            FILTER_DEFS.iter().find(|d| d.id == id)
        }
        Value::String(s) => {
            let s = if s == "deflate" || s == "zlib" { "gzip" } else { s.as_str() };
            FILTER_DEFS.iter().find(|d| d.class == s || d.name == s)
        }
        _ => None,
    }
}

/// Normalizes one filter given as an int id, a name/class string or a dict into the stored form
/// `{"class":"H5Z_FILTER_…","id":N,"name":"…", options…}`, filling in a missing id or name as
/// HSDS 1.0.2's `normalizeFilters` does (no level is added: a missing level means 5 when
/// chunks are compressed). `H5Z_FILTER_USER` dicts are resolved by `id` or `name` when known.
///
/// # Errors
/// [`ChunkCodecError::InvalidFilter`] for an unknown filter or a malformed entry.
pub fn normalize_filter(filter: &Value) -> Result<Value, ChunkCodecError> {
    let unknown = || ChunkCodecError::InvalidFilter(format!("filter {filter} is unknown"));
    let out = match filter {
        Value::Number(_) | Value::String(_) => {
            let def = def_by_key(filter).ok_or_else(unknown)?;
            let mut m = Map::new();
            m.insert("class".into(), json!(def.class));
            m.insert("id".into(), json!(def.id));
            m.insert("name".into(), json!(def.name));
            m
        }
        Value::Object(map) => {
            let class = map.get("class").and_then(Value::as_str);
            let def = match class {
                Some("H5Z_FILTER_USER") | None => map
                    .get("id")
                    .and_then(def_by_key)
                    .or_else(|| map.get("name").and_then(def_by_key)),
                Some(c) => def_by_key(&json!(c)),
            };
            let mut m = map.clone();
            match def {
                Some(def) => {
                    m.insert("class".into(), json!(def.class));
                    m.entry("id").or_insert(json!(def.id));
                    m.entry("name").or_insert(json!(def.name));
                }
                None if class == Some("H5Z_FILTER_USER") => {}
                None => return Err(unknown()),
            }
            m
        }
        _ => return Err(unknown()),
    };
    Ok(Value::Object(out))
}

/// Filter names HSDS 1.0.2 accepts when a dataset is created (`getSupportedFilters`):
/// shuffles, the ignored metadata filters, and the Blosc compressors with `zlib` as `gzip`.
pub const HSDS_SUPPORTED_FILTERS: &[&str] = &[
    "bitshuffle",
    "shuffle",
    "fletcher32",
    "nbit",
    "scaleoffset",
    "blosclz",
    "lz4",
    "lz4hc",
    "gzip",
    "zstd",
    "deflate",
];

/// The `compressors` list HSDS 1.0.2 reports for a domain (`getCompressors`).
pub const HSDS_COMPRESSORS: &[&str] = &["blosclz", "lz4", "lz4hc", "gzip", "zstd", "deflate"];

/// HSDS's creation-time check on a normalized filter list: every filter's `name` must be in
/// [`HSDS_SUPPORTED_FILTERS`].
///
/// # Errors
/// [`ChunkCodecError::UnsupportedFilter`] with HSDS's message `Unsupported filter id: N`.
pub fn check_supported_filters(filters: &[Value]) -> Result<(), ChunkCodecError> {
    for filter in filters {
        let name = filter.get("name").and_then(Value::as_str).unwrap_or("");
        if !HSDS_SUPPORTED_FILTERS.contains(&name) {
            let id = filter.get("id").cloned().unwrap_or(Value::Null);
            return Err(ChunkCodecError::UnsupportedFilter(format!("Unsupported filter id: {id}")));
        }
    }
    Ok(())
}

/// Normalizes a whole filter list (see [`normalize_filter`]); `null`/absent gives an empty list.
///
/// # Errors
/// [`ChunkCodecError::InvalidFilter`] when the list is not a list or an entry is bad.
pub fn normalize_filters(filters: Option<&Value>) -> Result<Vec<Value>, ChunkCodecError> {
    match filters {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items.iter().map(normalize_filter).collect(),
        Some(other) => {
            Err(ChunkCodecError::InvalidFilter(format!("filters must be a list, got {other}")))
        }
    }
}

/// The shuffle step applied before compression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShuffleOp {
    /// No shuffle.
    None,
    /// HDF5 byte shuffle by item size.
    Byte,
    /// Bitshuffle+LZ4 with the 12-byte header.
    Bit,
}

/// The compressor HSDS names for a dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compressor {
    /// Deflate (`gzip`, Blosc's `zlib`).
    Zlib,
    /// Blosc's own LZ codec.
    BloscLz,
    /// LZ4.
    Lz4,
    /// LZ4 high compression.
    Lz4Hc,
    /// Zstandard.
    Zstd,
    /// Snappy (not a Blosc codec here; HSDS stores such chunks raw).
    Snappy,
    /// LZF (not a Blosc codec; HSDS stores such chunks raw).
    Lzf,
}

impl Compressor {
    fn from_name(name: &str) -> Option<Compressor> {
        Some(match name {
            "gzip" | "zlib" | "deflate" => Compressor::Zlib,
            "blosclz" => Compressor::BloscLz,
            "lz4" => Compressor::Lz4,
            "lz4hc" => Compressor::Lz4Hc,
            "zstd" => Compressor::Zstd,
            "snappy" => Compressor::Snappy,
            "lzf" => Compressor::Lzf,
            _ => return None,
        })
    }

    /// Whether HSDS 1.0.2 can write this compressor (numcodecs Blosc knows it); if not, HSDS
    /// stores such chunks raw.
    fn hsds_encodes(self) -> bool {
        !matches!(self, Compressor::Snappy | Compressor::Lzf)
    }

    /// The Blosc compressor code restvol writes for it.
    fn blosc_code(self) -> u8 {
        match self {
            Compressor::Zlib => CODE_ZLIB,
            Compressor::Zstd => CODE_ZSTD,
            _ => CODE_LZ4,
        }
    }
}

/// A dataset's chunk codec: built once from its JSON, then used for every chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkCodec {
    item_size: usize,
    variable: bool,
    shuffle: ShuffleOp,
    compressor: Option<Compressor>,
    level: u32,
    /// An `H5Z_FILTER_BITSHUFFLE` filter that HSDS 1.0.2 ignores: read both layouts.
    tolerate_bitshuffle: bool,
}

impl ChunkCodec {
    /// Builds the codec from a `.dataset.json` (its `type` and `creationProperties.filters`).
    ///
    /// # Errors
    /// [`ChunkCodecError`] for a bad type, a bad filter, or szip/unknown filters.
    pub fn from_dataset_json(dset: &Value) -> Result<ChunkCodec, ChunkCodecError> {
        let type_json = dset
            .get("type")
            .ok_or_else(|| ChunkCodecError::InvalidType("dataset JSON has no 'type'".into()))?;
        let datatype = Datatype::from_json(type_json)
            .map_err(|e| ChunkCodecError::InvalidType(e.to_string()))?;
        let filters = dset.get("creationProperties").and_then(|cp| cp.get("filters"));
        ChunkCodec::new(&datatype, &normalize_filters(filters)?)
    }

    /// Builds the codec from a datatype and a filter list (any form [`normalize_filter`] takes).
    ///
    /// # Errors
    /// [`ChunkCodecError::UnsupportedFilter`] for szip or a filter restvol does not know;
    /// [`ChunkCodecError::InvalidFilter`] for a malformed entry;
    /// [`ChunkCodecError::InvalidType`] for an unresolved committed type reference.
    pub fn new(datatype: &Datatype, filters: &[Value]) -> Result<ChunkCodec, ChunkCodecError> {
        let filters = filters.iter().map(normalize_filter).collect::<Result<Vec<_>, _>>()?;
        if matches!(datatype, Datatype::Committed(_)) {
            return Err(ChunkCodecError::InvalidType(
                "committed type reference must be resolved first".into(),
            ));
        }
        let variable = datatype.is_variable();
        let item_size = if variable {
            1
        } else {
            datatype
                .item_size()
                .and_then(|s| usize::try_from(s).ok())
                .filter(|s| *s > 0)
                .ok_or_else(|| ChunkCodecError::InvalidType("type has no item size".into()))?
        };
        let mut codec = ChunkCodec {
            item_size,
            variable,
            shuffle: ShuffleOp::None,
            compressor: None,
            level: DEFAULT_LEVEL,
            tolerate_bitshuffle: false,
        };
        let mut compression_seen = false;
        let mut shuffle_seen = false;
        for filter in &filters {
            let class = filter.get("class").and_then(Value::as_str).unwrap_or("");
            let name = filter.get("name").and_then(Value::as_str).unwrap_or("");
            match class {
                "H5Z_FILTER_SZIP" => {
                    return Err(ChunkCodecError::UnsupportedFilter(
                        "szip (H5Z_FILTER_SZIP) is not supported".into(),
                    ))
                }
                "H5Z_FILTER_USER" => {
                    return Err(ChunkCodecError::UnsupportedFilter(format!(
                        "user filter {filter} is not supported"
                    )))
                }
                "H5Z_FILTER_BITSHUFFLE" => {
                    codec.tolerate_bitshuffle = !variable && !shuffle_seen;
                }
                "H5Z_FILTER_SHUFFLE" if !shuffle_seen => {
                    shuffle_seen = true;
                    codec.tolerate_bitshuffle = false;
                    if !variable {
                        codec.shuffle =
                            if name == "bitshuffle" { ShuffleOp::Bit } else { ShuffleOp::Byte };
                    }
                }
                c if COMPRESSION_CLASSES.contains(&c) && !compression_seen => {
                    compression_seen = true;
                    codec.compressor = compression_from_filter(c, name)?;
                    if let Some(level) = filter.get("level") {
                        codec.level = level
                            .as_u64()
                            .filter(|l| *l <= 9)
                            .and_then(|l| u32::try_from(l).ok())
                            .ok_or_else(|| {
                                ChunkCodecError::InvalidFilter(format!(
                                    "compression level {level} is not an integer in 0..=9"
                                ))
                            })?;
                    }
                }
                "H5Z_FILTER_SHUFFLE"
                | "H5Z_FILTER_NONE"
                | "H5Z_FILTER_FLETCHER32"
                | "H5Z_FILTER_NBIT"
                | "H5Z_FILTER_SCALEOFFSET" => {}
                c if COMPRESSION_CLASSES.contains(&c) => {}
                other => {
                    return Err(ChunkCodecError::UnsupportedFilter(format!(
                        "unknown filter class '{other}'"
                    )))
                }
            }
        }
        Ok(codec)
    }

    /// Bytes per element (1 for variable-length types).
    pub fn item_size(&self) -> usize {
        self.item_size
    }

    /// The shuffle step.
    pub fn shuffle_op(&self) -> ShuffleOp {
        self.shuffle
    }

    /// The compressor, if any.
    pub fn compressor(&self) -> Option<Compressor> {
        self.compressor
    }

    /// The compression level (0–9).
    pub fn level(&self) -> u32 {
        self.level
    }

    /// True when encode and decode leave bytes unchanged.
    pub fn is_identity(&self) -> bool {
        self.shuffle == ShuffleOp::None && self.compressor.is_none() && !self.tolerate_bitshuffle
    }

    /// Encodes a chunk's packed bytes (the full chunk, C order) for storage.
    ///
    /// # Errors
    /// [`ChunkCodecError::Encode`] when a fixed-size chunk is not a whole number of items or a
    /// codec fails.
    pub fn encode(&self, raw: &[u8]) -> Result<Vec<u8>, ChunkCodecError> {
        let enc = |e: CodecError| ChunkCodecError::Encode(e.to_string());
        if !self.variable && !raw.len().is_multiple_of(self.item_size) {
            return Err(ChunkCodecError::Encode(format!(
                "{} bytes is not a whole number of {}-byte items",
                raw.len(),
                self.item_size
            )));
        }
        let (data, blosc_shuffle) = match self.shuffle {
            ShuffleOp::None => (raw.to_vec(), false),
            ShuffleOp::Byte => match self.compressor {
                Some(c) if c != Compressor::Zlib => (raw.to_vec(), true),
                _ => (shuffle(raw, self.item_size), false),
            },
            ShuffleOp::Bit => (
                bitshuffle_compress(raw, self.item_size, BITSHUFFLE_BLOCK_ELEMS).map_err(enc)?,
                false,
            ),
        };
        match self.compressor {
            None => Ok(data),
            Some(Compressor::Zlib) if self.shuffle != ShuffleOp::Bit => {
                zlib_compress(&data, self.level).map_err(enc)
            }
            Some(c) => {
                let typesize = if blosc_shuffle { self.item_size } else { 1 };
                blosc_compress(&data, typesize, c.blosc_code(), self.level, blosc_shuffle)
                    .map_err(enc)
            }
        }
    }

    /// Decodes stored chunk bytes. For fixed-size types `expected_len` is the exact chunk size in
    /// bytes (checked); for variable-length types it is the largest output accepted. Output never
    /// exceeds it (no decompression bombs).
    ///
    /// # Errors
    /// [`ChunkCodecError::Decode`] when the bytes are not in a form HSDS would read for these
    /// filters, are corrupt, or decode to the wrong size.
    pub fn decode(&self, stored: &[u8], expected_len: usize) -> Result<Vec<u8>, ChunkCodecError> {
        let dec = |e: CodecError| ChunkCodecError::Decode(e.to_string());
        let bit_layout = self.shuffle == ShuffleOp::Bit || self.tolerate_bitshuffle;
        // A bitshuffled stream can be a little larger than the data it holds.
        let stage_cap = if bit_layout {
            expected_len.saturating_add(expected_len / 8).saturating_add(4096)
        } else {
            expected_len
        };
        let mut shuffle = self.shuffle;
        let data = match self.compressor {
            None => stored.to_vec(),
            Some(c) => {
                if is_blosc_frame(stored) {
                    if shuffle == ShuffleOp::Byte {
                        shuffle = ShuffleOp::None; // the frame undoes byte shuffle itself
                    }
                    blosc_decompress(stored, stage_cap).map_err(dec)?
                } else if c == Compressor::Zlib {
                    zlib_decompress(stored, stage_cap).map_err(dec)?
                } else if !c.hsds_encodes() && !self.variable && stored.len() == expected_len {
                    stored.to_vec()
                } else {
                    return Err(ChunkCodecError::Decode(format!(
                        "{c:?} chunk of {} bytes is not a Blosc frame",
                        stored.len()
                    )));
                }
            }
        };
        let out = match shuffle {
            ShuffleOp::None if self.tolerate_bitshuffle => {
                self.decode_maybe_bitshuffled(data, expected_len)?
            }
            ShuffleOp::None => data,
            ShuffleOp::Byte => unshuffle(&data, self.item_size),
            ShuffleOp::Bit => {
                self.check_bitshuffle_total(&data, expected_len)?;
                bitshuffle_decompress(&data, self.item_size, expected_len).map_err(dec)?
            }
        };
        if out.len() > expected_len || (!self.variable && out.len() != expected_len) {
            return Err(ChunkCodecError::Decode(format!(
                "decoded {} bytes, expected {expected_len}",
                out.len()
            )));
        }
        Ok(out)
    }

    /// HSDS checks that the bitshuffle header's total is the chunk size.
    fn check_bitshuffle_total(
        &self,
        data: &[u8],
        expected_len: usize,
    ) -> Result<(), ChunkCodecError> {
        let total = bitshuffle_total(data).ok_or_else(|| {
            ChunkCodecError::Decode(format!(
                "{} bytes is too short for a bitshuffle header",
                data.len()
            ))
        })?;
        if !self.variable && total != expected_len as u64 {
            return Err(ChunkCodecError::Decode(format!(
                "bitshuffle header reports {total} bytes, expected {expected_len}"
            )));
        }
        Ok(())
    }

    /// For an `H5Z_FILTER_BITSHUFFLE` dataset: the bitshuffle layout when the header matches and
    /// decodes to exactly the chunk size, else the plain bytes.
    fn decode_maybe_bitshuffled(
        &self,
        data: Vec<u8>,
        expected_len: usize,
    ) -> Result<Vec<u8>, ChunkCodecError> {
        if bitshuffle_total(&data) == Some(expected_len as u64) {
            if let Ok(out) = bitshuffle_decompress(&data, self.item_size, expected_len) {
                if out.len() == expected_len {
                    return Ok(out);
                }
            }
        }
        Ok(data)
    }
}

fn bitshuffle_total(data: &[u8]) -> Option<u64> {
    let h: [u8; 8] = data.get(..8)?.try_into().ok()?;
    if data.len() < crate::codec::bitshuffle::HEADER_SIZE {
        return None;
    }
    Some(u64::from_be_bytes(h))
}

/// HSDS 1.0.2's compressor choice: deflate → zlib; otherwise the filter's name (lz4 without one).
fn compression_from_filter(class: &str, name: &str) -> Result<Option<Compressor>, ChunkCodecError> {
    match class {
        "H5Z_FILTER_DEFLATE" => Ok(Some(Compressor::Zlib)),
        "H5Z_FILTER_SZIP" => Err(ChunkCodecError::UnsupportedFilter(
            "szip (H5Z_FILTER_SZIP) is not supported".into(),
        )),
        // HSDS skips compression for scaleoffset (metadata only).
        "H5Z_FILTER_SCALEOFFSET" => Ok(None),
        _ if name.is_empty() => Ok(Some(Compressor::Lz4)),
        _ => Compressor::from_name(name).map(Some).ok_or_else(|| {
            ChunkCodecError::UnsupportedFilter(format!("compressor '{name}' is not supported"))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int32() -> Value {
        json!({"class": "H5T_INTEGER", "base": "H5T_STD_I32LE"})
    }

    fn codec(filters: Value) -> ChunkCodec {
        ChunkCodec::from_dataset_json(
            &json!({"type": int32(), "creationProperties": {"filters": filters}}),
        )
        .unwrap()
    }

    fn sample(n: u32) -> Vec<u8> {
        (0..n).flat_map(|i| ((i / 5) ^ (i % 3)).to_le_bytes()).collect()
    }

    fn all_filter_lists() -> Vec<Value> {
        let mut lists = vec![json!([])];
        let shuffles = [
            None,
            Some(json!("shuffle")),
            Some(json!({"class": "H5Z_FILTER_SHUFFLE", "id": 2, "name": "bitshuffle"})),
            Some(json!({"class": "H5Z_FILTER_BITSHUFFLE", "id": 32008, "name": "bitshuffle"})),
        ];
        let compressors = [
            None,
            Some(json!({"class": "H5Z_FILTER_DEFLATE", "id": 1, "level": 6})),
            Some(json!(1)),
            Some(json!("lz4")),
            Some(json!({"class": "H5Z_FILTER_USER", "name": "lz4hc"})),
            Some(json!("zstd")),
            Some(json!("blosclz")),
            Some(json!("snappy")),
            Some(json!("lzf")),
            Some(json!("scaleoffset")),
        ];
        for s in &shuffles {
            for c in &compressors {
                let mut list = Vec::new();
                list.extend(s.clone());
                list.extend(c.clone());
                list.push(json!("fletcher32"));
                lists.push(Value::Array(list));
            }
        }
        lists
    }

    #[test]
    fn every_filter_combination_round_trips() {
        for n in [0u32, 1, 7, 100, 5000, 40_000] {
            let raw = sample(n);
            for filters in all_filter_lists() {
                let c = codec(filters.clone());
                let stored = c.encode(&raw).unwrap();
                let back =
                    c.decode(&stored, raw.len()).unwrap_or_else(|e| panic!("{filters}: {e}"));
                assert!(back == raw, "{filters} n={n}: round trip differs");
                if n == 40_000 && c.compressor.is_some() {
                    assert!(stored.len() < raw.len(), "{filters}: no compression");
                }
            }
        }
    }

    #[test]
    fn filter_ops_follow_hsds() {
        let c = codec(json!([{"class": "H5Z_FILTER_SHUFFLE", "id": 2, "name": "shuffle"},
            {"class": "H5Z_FILTER_DEFLATE", "id": 1, "level": 9}]));
        assert_eq!(
            (c.shuffle_op(), c.compressor(), c.level()),
            (ShuffleOp::Byte, Some(Compressor::Zlib), 9)
        );
        let c = codec(json!(["lz4"]));
        assert_eq!((c.compressor(), c.level()), (Some(Compressor::Lz4), DEFAULT_LEVEL));
        let c = codec(json!([{"class": "H5Z_FILTER_SHUFFLE", "id": 2, "name": "bitshuffle"}]));
        assert_eq!(c.shuffle_op(), ShuffleOp::Bit);
        let c = codec(json!(["bitshuffle", "nbit", "scaleoffset"]));
        assert_eq!((c.shuffle_op(), c.compressor()), (ShuffleOp::None, None));
        assert!(codec(json!([])).is_identity());
        let int = Datatype::from_json(&int32()).unwrap();
        let raw_forms = ChunkCodec::new(&int, &[json!(2), json!("deflate")]).unwrap();
        assert_eq!(
            (raw_forms.shuffle_op(), raw_forms.compressor(), raw_forms.level()),
            (ShuffleOp::Byte, Some(Compressor::Zlib), DEFAULT_LEVEL)
        );
        // vlen: never shuffled
        let v = ChunkCodec::from_dataset_json(&json!({
            "type": {"class": "H5T_STRING", "charSet": "H5T_CSET_UTF8", "strPad": "H5T_STR_NULLTERM", "length": "H5T_VARIABLE"},
            "creationProperties": {"filters": ["shuffle", "gzip"]}})).unwrap();
        assert_eq!((v.shuffle_op(), v.compressor()), (ShuffleOp::None, Some(Compressor::Zlib)));
        let raw = b"\x03\0\0\0abc\0\0\0\0".to_vec();
        assert_eq!(v.decode(&v.encode(&raw).unwrap(), 1000).unwrap(), raw);
    }

    #[test]
    fn szip_and_unknown_filters_are_refused() {
        for f in [
            json!(["szip"]),
            json!([4]),
            json!([{"class": "H5Z_FILTER_USER", "id": 32099, "name": "x"}]),
        ] {
            let err = ChunkCodec::from_dataset_json(
                &json!({"type": int32(), "creationProperties": {"filters": f}}),
            )
            .unwrap_err();
            assert!(matches!(err, ChunkCodecError::UnsupportedFilter(_)), "{err}");
        }
        let err = ChunkCodec::from_dataset_json(
            &json!({"type": int32(), "creationProperties": {"filters": ["nosuch"]}}),
        )
        .unwrap_err();
        assert!(err.to_string().contains("nosuch"), "{err}");
    }

    #[test]
    fn normalizes_int_name_and_dict_forms() {
        assert_eq!(
            normalize_filter(&json!(1)).unwrap(),
            json!({"class": "H5Z_FILTER_DEFLATE", "id": 1, "name": "gzip"})
        );
        assert_eq!(
            normalize_filter(&json!("deflate")).unwrap(),
            json!({"class": "H5Z_FILTER_DEFLATE", "id": 1, "name": "gzip"})
        );
        let normalized = normalize_filters(Some(
            &json!(["shuffle", {"class": "H5Z_FILTER_DEFLATE", "level": 9}]),
        ))
        .unwrap();
        assert!(check_supported_filters(&normalized).is_ok());
        let lzf = normalize_filters(Some(&json!(["lzf"]))).unwrap();
        assert_eq!(
            check_supported_filters(&lzf).unwrap_err().to_string(),
            "unsupported filter: Unsupported filter id: 32000"
        );
        assert_eq!(
            normalize_filter(&json!({"class": "H5Z_FILTER_USER", "name": "lz4", "level": 3}))
                .unwrap(),
            json!({"class": "H5Z_FILTER_LZ4", "id": 32004, "name": "lz4", "level": 3})
        );
        assert_eq!(
            normalize_filter(&json!({"class": "H5Z_FILTER_SHUFFLE"})).unwrap(),
            json!({"class": "H5Z_FILTER_SHUFFLE", "id": 2, "name": "shuffle"})
        );
    }

    #[test]
    fn deflate_is_written_as_raw_zlib_of_shuffled_bytes() {
        let raw = sample(1000);
        let c = codec(json!(["shuffle", "gzip"]));
        let stored = c.encode(&raw).unwrap();
        assert!(!is_blosc_frame(&stored));
        assert_eq!(zlib_decompress(&stored, raw.len()).unwrap(), shuffle(&raw, 4));
        let c = codec(json!(["shuffle"]));
        assert_eq!(c.encode(&raw).unwrap(), shuffle(&raw, 4));
    }

    #[test]
    fn bombs_and_garbage_are_errors() {
        let raw = vec![0u8; 1 << 20];
        let c = codec(json!(["gzip"]));
        let stored = c.encode(&raw).unwrap();
        assert!(c.decode(&stored, 4096).is_err());
        assert!(c.decode(b"not zlib at all", 4096).is_err());
        let c = codec(json!(["lz4"]));
        assert!(c.decode(&raw[..64], 64).is_err());
        let c = codec(json!([{"class": "H5Z_FILTER_SHUFFLE", "id": 2, "name": "bitshuffle"}]));
        assert!(c.decode(&[0u8; 5], 64).is_err());
        let stored = c.encode(&sample(64)).unwrap();
        assert!(c.decode(&stored, 128).is_err());
        assert!(codec(json!([])).decode(&[1, 2, 3], 4).is_err());
        assert!(codec(json!([])).encode(&[1, 2, 3]).is_err());
    }

    #[test]
    fn bitshuffle_filter_reads_both_layouts() {
        // HSDS 1.0.2 ignores H5Z_FILTER_BITSHUFFLE (plain bytes); older writers bitshuffled.
        let raw = sample(5000);
        let plain = codec(json!(["bitshuffle", "gzip"]));
        let shuffled =
            codec(json!([{"class": "H5Z_FILTER_SHUFFLE", "id": 2, "name": "bitshuffle"}, "gzip"]));
        let stored_plain = plain.encode(&raw).unwrap();
        assert_eq!(zlib_decompress(&stored_plain, raw.len()).unwrap(), raw);
        let stored_bits = shuffled.encode(&raw).unwrap();
        assert!(is_blosc_frame(&stored_bits));
        assert_eq!(plain.decode(&stored_plain, raw.len()).unwrap(), raw);
        assert_eq!(plain.decode(&stored_bits, raw.len()).unwrap(), raw);
    }
}
