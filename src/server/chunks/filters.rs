//! The codec seam: [`ChunkFilters`] turns a chunk's raw C-order bytes into the stored object
//! bytes and back, following the dataset's `creationProperties.filters`.
//!
//! Only [`RawFilters`] (no compression) lives here. The full pipeline (`storage::chunk_codec`:
//! Blosc frames, zlib, shuffle, bitshuffle) plugs in by implementing this trait and passing it
//! to [`super::ChunkNode::new`]; nothing else in the value path changes.

use std::fmt::Debug;

use serde_json::Value;

use super::dataset::DatasetLayout;
use super::error::ChunkError;

/// Encodes chunks for storage and decodes stored chunks.
pub trait ChunkFilters: Send + Sync + Debug {
    /// Stored bytes for the raw chunk bytes `raw` of `dataset`.
    ///
    /// # Errors
    /// [`ChunkError::UnsupportedFilters`] or [`ChunkError::Codec`].
    fn encode(&self, dataset: &DatasetLayout, raw: Vec<u8>) -> Result<Vec<u8>, ChunkError>;

    /// Raw chunk bytes from the stored bytes `stored` of `dataset`.
    ///
    /// # Errors
    /// [`ChunkError::UnsupportedFilters`] or [`ChunkError::Codec`].
    fn decode(&self, dataset: &DatasetLayout, stored: Vec<u8>) -> Result<Vec<u8>, ChunkError>;
}

/// No compression: stored bytes are the raw bytes. Refuses datasets whose filters would make
/// HSDS write anything else (a compressor or bitshuffle), so nothing is silently misread.
/// Byte shuffle alone, fletcher32, nbit and scaleoffset are not applied by HSDS on write and are
/// accepted (reference §1.6).
#[derive(Debug, Clone, Copy, Default)]
pub struct RawFilters;

/// Filters that change stored bytes, by `class` or `name`.
fn is_transforming(filter: &Value) -> bool {
    const KEEP_RAW: [&str; 5] = ["shuffle", "fletcher32", "nbit", "scaleoffset", "none"];
    let name = match filter {
        Value::Object(map) => map
            .get("class")
            .and_then(Value::as_str)
            .map(|class| class.trim_start_matches("H5Z_FILTER_").to_ascii_lowercase())
            .filter(|class| class != "user")
            .or_else(|| map.get("name").and_then(Value::as_str).map(str::to_ascii_lowercase)),
        Value::String(name) => Some(name.to_ascii_lowercase()),
        Value::Number(id) => Some(
            match id.as_u64() {
                Some(2) => "shuffle",
                Some(3) => "fletcher32",
                Some(5) => "nbit",
                Some(6) => "scaleoffset",
                _ => "other",
            }
            .to_string(),
        ),
        _ => None,
    };
    !name.is_some_and(|name| KEEP_RAW.contains(&name.as_str()))
}

impl RawFilters {
    fn check(dataset: &DatasetLayout) -> Result<(), ChunkError> {
        match dataset.filters.iter().find(|filter| is_transforming(filter)) {
            Some(filter) => Err(ChunkError::UnsupportedFilters(filter.to_string())),
            None => Ok(()),
        }
    }
}

impl ChunkFilters for RawFilters {
    fn encode(&self, dataset: &DatasetLayout, raw: Vec<u8>) -> Result<Vec<u8>, ChunkError> {
        Self::check(dataset)?;
        Ok(raw)
    }

    fn decode(&self, dataset: &DatasetLayout, stored: Vec<u8>) -> Result<Vec<u8>, ChunkError> {
        Self::check(dataset)?;
        Ok(stored)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn raw_filters_refuse_compression() {
        let mut dset =
            DatasetLayout::from_json(&json!({"id":"d-b03b24ef-69f244b6-acd9-4df97b-37122a",
            "type":"H5T_STD_I8LE","shape":{"class":"H5S_SIMPLE","dims":[4]},
            "layout":{"class":"H5D_CHUNKED","dims":[4]}}))
            .unwrap();
        assert_eq!(RawFilters.encode(&dset, vec![1, 2]).unwrap(), [1, 2]);
        dset.filters =
            vec![json!({"class":"H5Z_FILTER_SHUFFLE","id":2,"name":"shuffle"}), json!(3)];
        assert_eq!(RawFilters.decode(&dset, vec![1]).unwrap(), [1]);
        dset.filters.push(json!({"class":"H5Z_FILTER_DEFLATE","id":1,"level":5}));
        assert!(RawFilters.encode(&dset, vec![1]).is_err());
        dset.filters = vec![json!({"class":"H5Z_FILTER_USER","name":"lz4"})];
        assert!(RawFilters.decode(&dset, vec![1]).is_err());
    }
}
