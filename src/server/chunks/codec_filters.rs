//! [`CodecFilters`]: the [`ChunkFilters`] the service uses, backed by HSDS 1.0.2's filter
//! pipeline in `storage::chunk_codec` (Blosc frames, zlib, shuffle, bitshuffle). The codec of
//! each dataset is built once from its type and filter list and cached.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::storage::chunk_codec::ChunkCodec;

use super::dataset::DatasetLayout;
use super::elements::ItemLayout;
use super::error::ChunkError;
use super::filters::ChunkFilters;

/// Largest decoded size accepted for a variable-length chunk (no decompression bombs).
const MAX_VLEN_CHUNK_BYTES: usize = 1 << 30;

/// Cached codecs kept before the cache is cleared.
const MAX_CACHED_CODECS: usize = 4096;

/// HSDS's filter pipeline, with one cached [`ChunkCodec`] per dataset and filter list.
#[derive(Debug, Default)]
pub struct CodecFilters {
    codecs: Mutex<HashMap<String, Arc<ChunkCodec>>>,
}

impl CodecFilters {
    /// An empty codec cache.
    #[must_use]
    pub fn new() -> CodecFilters {
        CodecFilters::default()
    }

    fn codec(&self, dataset: &DatasetLayout) -> Result<Arc<ChunkCodec>, ChunkError> {
        let key = format!("{}|{}", dataset.id, serde_json::Value::from(dataset.filters.clone()));
        let mut codecs = self.codecs.lock().map_err(|_| ChunkError::Poisoned)?;
        if let Some(codec) = codecs.get(&key) {
            return Ok(Arc::clone(codec));
        }
        let codec = Arc::new(
            ChunkCodec::new(&dataset.datatype, &dataset.filters)
                .map_err(|err| ChunkError::UnsupportedFilters(err.to_string()))?,
        );
        if codecs.len() >= MAX_CACHED_CODECS {
            codecs.clear();
        }
        codecs.insert(key, Arc::clone(&codec));
        Ok(codec)
    }
}

impl ChunkFilters for CodecFilters {
    fn encode(&self, dataset: &DatasetLayout, raw: Vec<u8>) -> Result<Vec<u8>, ChunkError> {
        let codec = self.codec(dataset)?;
        if codec.is_identity() {
            return Ok(raw);
        }
        codec.encode(&raw).map_err(|err| ChunkError::Codec(err.to_string()))
    }

    fn decode(&self, dataset: &DatasetLayout, stored: Vec<u8>) -> Result<Vec<u8>, ChunkError> {
        let codec = self.codec(dataset)?;
        if codec.is_identity() {
            return Ok(stored);
        }
        let expected = match dataset.item {
            ItemLayout::Fixed(size) => {
                dataset.chunk_elements()?.checked_mul(size).ok_or(ChunkError::TooLarge)?
            }
            ItemLayout::Variable => MAX_VLEN_CHUNK_BYTES,
        };
        codec.decode(&stored, expected).map_err(|err| ChunkError::Codec(err.to_string()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn deflate_and_shuffle_round_trip() {
        let dset = DatasetLayout::from_json(&json!({
            "id":"d-b03b24ef-69f244b6-acd9-4df97b-37122a",
            "type":"H5T_STD_I32LE","shape":{"class":"H5S_SIMPLE","dims":[64]},
            "layout":{"class":"H5D_CHUNKED","dims":[64]},
            "creationProperties":{"filters":[
                {"class":"H5Z_FILTER_SHUFFLE","id":2,"name":"shuffle"},
                {"class":"H5Z_FILTER_DEFLATE","id":1,"level":6}]}}))
        .unwrap();
        let filters = CodecFilters::new();
        let raw: Vec<u8> = (0..64_i32).flat_map(i32::to_le_bytes).collect();
        let stored = filters.encode(&dset, raw.clone()).unwrap();
        assert_ne!(stored, raw);
        assert!(stored.len() < raw.len());
        assert_eq!(filters.decode(&dset, stored).unwrap(), raw);
        let plain = DatasetLayout { filters: vec![], ..dset };
        assert_eq!(filters.encode(&plain, raw.clone()).unwrap(), raw);
        let szip =
            DatasetLayout { filters: vec![json!({"class":"H5Z_FILTER_SZIP","id":4})], ..plain };
        assert_eq!(filters.encode(&szip, raw).unwrap_err().http_status(), 501);
    }
}
