//! The SN ⇄ DN protocol: one `POST /dn` per call. A message (request or successful answer) is
//! a little-endian `u32` header length, a JSON header, then raw payload bytes (chunk data).
//! Failed calls answer with the DN's status and a JSON `{"message": …}` body.

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::chunking::DimSelection;
use crate::model::Datatype;
use crate::server::chunks::elements::item_layout;
use crate::server::chunks::{ChunkError, DatasetLayout};
use crate::server::dn::{Mutation, ObjRef, Outcome, Section};

/// The path every call is posted to.
pub const CALL_PATH: &str = "/dn";

/// The path a DN answers its identity on (also its readiness probe).
pub const INFO_PATH: &str = "/info";

/// A dataset's chunk layout as it travels (see [`DatasetLayout`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WireLayout {
    id: String,
    #[serde(rename = "type")]
    datatype: Value,
    dims: Vec<u64>,
    scalar: bool,
    chunk_dims: Vec<u64>,
    partition_count: Option<u64>,
    fill: String,
    filters: Vec<Value>,
}

impl WireLayout {
    /// The travelling form of `layout`.
    #[must_use]
    pub fn of(layout: &DatasetLayout) -> WireLayout {
        WireLayout {
            id: layout.id.clone(),
            datatype: layout.datatype.to_json(),
            dims: layout.dims.clone(),
            scalar: layout.scalar,
            chunk_dims: layout.chunk_dims.clone(),
            partition_count: layout.partition_count,
            fill: base64::engine::general_purpose::STANDARD.encode(&layout.fill),
            filters: layout.filters.clone(),
        }
    }

    /// The layout back.
    ///
    /// # Errors
    /// [`ChunkError::BadDataset`] for a malformed type or fill.
    pub fn into_layout(self) -> Result<DatasetLayout, ChunkError> {
        let datatype = Datatype::from_json(&self.datatype)
            .map_err(|err| ChunkError::BadDataset(err.to_string()))?;
        let item = item_layout(&datatype)?;
        let fill = base64::engine::general_purpose::STANDARD
            .decode(self.fill.as_bytes())
            .map_err(|err| ChunkError::BadDataset(format!("fill: {err}")))?;
        Ok(DatasetLayout {
            id: self.id,
            datatype,
            item,
            dims: self.dims,
            scalar: self.scalar,
            chunk_dims: self.chunk_dims,
            partition_count: self.partition_count,
            fill,
            filters: self.filters,
        })
    }
}

/// One call from the SN to a DN. Calls that carry elements (`write`, `write_points`) have them
/// as the payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum DnCall {
    /// Read an object's JSON.
    Get {
        /// Bucket name.
        bucket: String,
        /// The object.
        obj: ObjRef,
    },
    /// Read one attribute or link of an object (the whole object when it is small).
    GetMember {
        /// Bucket name.
        bucket: String,
        /// The object.
        obj: ObjRef,
        /// Attributes or links.
        section: Section,
        /// The member's name.
        name: String,
    },
    /// Read an object without its attribute and link tables (with their sizes).
    GetOutline {
        /// Bucket name.
        bucket: String,
        /// The object.
        obj: ObjRef,
    },
    /// Create an object.
    Create {
        /// Bucket name.
        bucket: String,
        /// The object.
        obj: ObjRef,
        /// Its JSON.
        value: Value,
    },
    /// Change an object.
    Mutate {
        /// Bucket name.
        bucket: String,
        /// The object.
        obj: ObjRef,
        /// The change.
        mutation: Mutation,
    },
    /// Delete an object.
    Delete {
        /// Bucket name.
        bucket: String,
        /// The object.
        obj: ObjRef,
    },
    /// Make everything durable.
    Flush,
    /// Compare every clean cached object and chunk with storage on next use.
    Recheck,
    /// Read a chunk-local selection.
    Read {
        /// Bucket name.
        bucket: String,
        /// The dataset.
        dataset: WireLayout,
        /// The chunk.
        chunk_id: String,
        /// Chunk-local selection.
        selection: Vec<DimSelection>,
    },
    /// Write a chunk-local selection (elements in the payload).
    Write {
        /// Bucket name.
        bucket: String,
        /// The dataset.
        dataset: WireLayout,
        /// The chunk.
        chunk_id: String,
        /// Chunk-local selection.
        selection: Vec<DimSelection>,
        /// Number of elements in the payload.
        count: usize,
    },
    /// Read chunk-local points (flat coordinates).
    ReadPoints {
        /// Bucket name.
        bucket: String,
        /// The dataset.
        dataset: WireLayout,
        /// The chunk.
        chunk_id: String,
        /// Flat chunk-local coordinates.
        points: Vec<u64>,
    },
    /// Write chunk-local points (elements in the payload).
    WritePoints {
        /// Bucket name.
        bucket: String,
        /// The dataset.
        dataset: WireLayout,
        /// The chunk.
        chunk_id: String,
        /// Flat chunk-local coordinates.
        points: Vec<u64>,
        /// Number of elements in the payload.
        count: usize,
    },
    /// Remove every chunk of a dataset this DN owns.
    DeleteDataset {
        /// Bucket name.
        bucket: String,
        /// The dataset id.
        dataset_id: String,
    },
    /// Drop chunks outside the dataset's (shrunk) extents.
    Trim {
        /// Bucket name.
        bucket: String,
        /// The dataset, with its new extents.
        dataset: WireLayout,
    },
}

/// A successful answer's header.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DnAnswer {
    /// `get`: the object (`null` when absent); `mutate`: the changed object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// `mutate`: what it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// Reads: number of elements in the payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
}

/// Why a message could not be decoded.
#[derive(Debug, thiserror::Error)]
#[error("malformed data node message: {0}")]
pub struct WireError(String);

/// Frames `header` and `payload` into one message.
///
/// # Errors
/// [`WireError`] if the header does not serialize or is over 4 GiB.
pub fn encode<T: Serialize>(header: &T, payload: &[u8]) -> Result<Vec<u8>, WireError> {
    let json = serde_json::to_vec(header).map_err(|err| WireError(err.to_string()))?;
    let len = u32::try_from(json.len()).map_err(|_| WireError("header too large".into()))?;
    let mut out = Vec::with_capacity(4 + json.len() + payload.len());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&json);
    out.extend_from_slice(payload);
    Ok(out)
}

/// Splits a message into its decoded header and its payload.
///
/// # Errors
/// [`WireError`] for a short message or a header that does not parse as `T`.
pub fn decode<T: for<'de> Deserialize<'de>>(message: &[u8]) -> Result<(T, &[u8]), WireError> {
    let (len, rest) = message
        .split_first_chunk::<4>()
        .ok_or_else(|| WireError("message shorter than its length prefix".into()))?;
    let len = usize::try_from(u32::from_le_bytes(*len))
        .map_err(|_| WireError("header length overflows".into()))?;
    if rest.len() < len {
        return Err(WireError("message shorter than its header".into()));
    }
    let (json, payload) = rest.split_at(len);
    let header = serde_json::from_slice(json).map_err(|err| WireError(err.to_string()))?;
    Ok((header, payload))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn calls_round_trip_with_payload() {
        let call = DnCall::Mutate {
            bucket: "b".into(),
            obj: ObjRef::Id("g-1".into()),
            mutation: Mutation::DeleteLinks { titles: vec!["x".into()] },
        };
        let message = encode(&call, b"tail").unwrap();
        let (back, payload): (DnCall, &[u8]) = decode(&message).unwrap();
        assert_eq!(payload, b"tail");
        let DnCall::Mutate { obj, mutation, .. } = back else { panic!("wrong call") };
        assert_eq!(obj, ObjRef::Id("g-1".into()));
        assert_eq!(mutation, Mutation::DeleteLinks { titles: vec!["x".into()] });
    }

    #[test]
    fn layouts_survive_the_trip() {
        let layout = DatasetLayout::from_json(&json!({
            "id": "d-1", "type": {"class": "H5T_INTEGER", "base": "H5T_STD_I32LE"},
            "shape": {"class": "H5S_SIMPLE", "dims": [10, 20]},
            "layout": {"class": "H5D_CHUNKED", "dims": [5, 20]},
            "creationProperties": {"fillValue": 7}
        }))
        .unwrap();
        let back = WireLayout::of(&layout).into_layout().unwrap();
        assert_eq!(back, layout);
    }

    #[test]
    fn short_or_garbled_messages_are_errors() {
        assert!(decode::<DnCall>(b"\x01\x00").is_err());
        assert!(decode::<DnCall>(b"\x09\x00\x00\x00{}").is_err());
        assert!(decode::<DnCall>(&encode(&json!({"op": "nope"}), b"").unwrap()).is_err());
    }
}
