//! Domain statistics for `GET /?verbose=1`, computed as HSDS 1.0.2's root scan
//! (`async_lib.scanRoot` and `updateDatasetInfo`, whose result HSDS keeps in `.info.json`) computes
//! them, from a listing of the domain's keys: group, datatype, dataset and chunk counts,
//! allocated bytes (stored chunk sizes), metadata bytes (stored object JSON sizes), per-dataset
//! chunk counts, allocated and logical bytes, and the latest modification time. Chunks linked
//! inside HDF5 files (`linked_bytes`, `num_linked_chunks`) and the domain checksum (`md5_sum`)
//! are not computed: they stay 0 and `""`.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::model::{Datatype, Shape};
use crate::storage::backend::ObjectInfo;
use crate::storage::keys::{parse_key, KeyTarget};

/// What the scan found for one dataset.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DatasetStats {
    /// Latest modification of the dataset object or one of its chunks (seconds since the epoch).
    pub last_modified: f64,
    /// Stored chunks.
    pub num_chunks: u64,
    /// Their total size in bytes.
    pub allocated_bytes: u64,
    /// Elements × item size; the allocated bytes for variable-length types.
    pub logical_bytes: u64,
}

/// What the scan found for one domain.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DomainStats {
    /// Latest modification of any object or chunk.
    pub last_modified: f64,
    /// Groups (the root included).
    pub num_groups: u64,
    /// Committed datatypes.
    pub num_datatypes: u64,
    /// Datasets (with an object or at least one chunk), by id.
    pub datasets: BTreeMap<String, DatasetStats>,
    /// Stored chunks of all datasets.
    pub num_chunks: u64,
    /// Their total size in bytes.
    pub allocated_bytes: u64,
    /// Total size of the group, dataset and datatype JSON objects.
    pub metadata_bytes: u64,
}

/// The dataset id a chunk id (`c-…_i_j`, or `c<N>-…` when partitioned) belongs to.
fn dataset_of_chunk(chunk_id: &str) -> Option<String> {
    let base = chunk_id.split('_').next()?;
    let dash = base.find('-')?;
    Some(format!("d{}", &base[dash..]))
}

impl DomainStats {
    /// Counts the objects and chunks of a listing of `db/<root>/` (other keys are ignored).
    #[must_use]
    pub fn from_listing(objects: &[ObjectInfo]) -> DomainStats {
        let mut stats = DomainStats::default();
        for info in objects {
            let (dataset, is_chunk) = match parse_key(&info.key) {
                Ok(KeyTarget::Chunk(id)) => match dataset_of_chunk(&id) {
                    Some(dataset) => (Some(dataset), true),
                    None => continue,
                },
                Ok(KeyTarget::Object(id)) => {
                    match id.chars().next() {
                        Some('g') => stats.num_groups += 1,
                        Some('t') => stats.num_datatypes += 1,
                        _ => {}
                    }
                    (id.starts_with('d').then_some(id), false)
                }
                _ => continue,
            };
            stats.last_modified = stats.last_modified.max(info.last_modified);
            if is_chunk {
                stats.num_chunks += 1;
                stats.allocated_bytes += info.size;
            } else {
                stats.metadata_bytes += info.size;
            }
            if let Some(dataset) = dataset {
                let entry = stats.datasets.entry(dataset).or_default();
                entry.last_modified = entry.last_modified.max(info.last_modified);
                if is_chunk {
                    entry.num_chunks += 1;
                    entry.allocated_bytes += info.size;
                }
            }
        }
        stats
    }

    /// Sets a dataset's logical bytes from its stored JSON (type and shape); null dataspaces
    /// and unreadable types leave 0, variable-length types count their allocated bytes.
    pub fn set_logical_bytes(&mut self, dataset_id: &str, dataset_json: &Value) {
        let Some(entry) = self.datasets.get_mut(dataset_id) else { return };
        let shape = dataset_json.get("shape").and_then(|s| Shape::from_json(s).ok());
        let datatype = dataset_json.get("type").and_then(|t| Datatype::from_json(t).ok());
        let (Some(shape), Some(datatype)) = (shape, datatype) else { return };
        if shape == Shape::Null {
            return;
        }
        entry.logical_bytes = match datatype.item_size() {
            Some(size) => shape.num_elements().saturating_mul(size),
            None => entry.allocated_bytes,
        };
    }

    /// Groups, datasets, datatypes and chunks together.
    #[must_use]
    pub fn num_objects(&self) -> u64 {
        self.num_groups + self.num_datatypes + self.datasets.len() as u64 + self.num_chunks
    }

    /// The sum of the datasets' logical bytes.
    #[must_use]
    pub fn logical_bytes(&self) -> u64 {
        self.datasets.values().map(|d| d.logical_bytes).sum()
    }

    /// The scan result as HSDS returns it under `scan_info`.
    #[must_use]
    pub fn scan_info(&self, bucket: &str, scan_start: f64, scan_complete: f64) -> Value {
        let datasets: Map<String, Value> = self
            .datasets
            .iter()
            .map(|(id, d)| {
                let info = json!({
                    "lastModified": d.last_modified,
                    "num_chunks": d.num_chunks,
                    "allocated_bytes": d.allocated_bytes,
                    "logical_bytes": d.logical_bytes,
                    "linked_bytes": 0,
                    "num_linked_chunks": 0,
                });
                (id.clone(), info)
            })
            .collect();
        json!({
            "lastModified": self.last_modified,
            "num_groups": self.num_groups,
            "num_datatypes": self.num_datatypes,
            "datasets": datasets,
            "num_chunks": self.num_chunks,
            "allocated_bytes": self.allocated_bytes,
            "metadata_bytes": self.metadata_bytes,
            "num_linked_chunks": 0,
            "linked_bytes": 0,
            "logical_bytes": self.logical_bytes(),
            "bucket": bucket,
            "scan_start": scan_start,
            "scan_complete": scan_complete,
        })
    }
}

/// The length of Python's `json.dumps(value)` (separators `", "` and `": "`, non-ASCII escaped
/// as `\uXXXX`), which HSDS counts as a domain's own size in `total_size`.
#[must_use]
pub fn python_json_len(value: &Value) -> usize {
    match value {
        Value::Null => 4,
        Value::Bool(true) => 4,
        Value::Bool(false) => 5,
        Value::Number(n) => n.to_string().len(),
        Value::String(s) => python_string_len(s),
        Value::Array(items) => {
            2 + items.iter().map(python_json_len).sum::<usize>() + 2 * items.len().saturating_sub(1)
        }
        Value::Object(map) => {
            2 + map
                .iter()
                .map(|(k, v)| python_string_len(k) + 2 + python_json_len(v))
                .sum::<usize>()
                + 2 * map.len().saturating_sub(1)
        }
    }
}

fn python_string_len(s: &str) -> usize {
    // serde_json escapes the same ASCII characters as Python (quote, backslash, controls), only
    // sometimes with a shorter form (`\n` both ways); non-ASCII is 6 bytes per UTF-16 unit.
    let ascii: String = s.chars().filter(char::is_ascii).collect();
    let escaped_ascii = Value::String(ascii).to_string().len();
    let wide: usize = s.chars().filter(|c| !c.is_ascii()).map(|c| 6 * c.len_utf16()).sum();
    escaped_ascii + wide
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const ROOT: &str = "db/4c13bb29-2f7a44a4";

    fn info(key: &str, size: u64, last_modified: f64) -> ObjectInfo {
        ObjectInfo { key: format!("{ROOT}/{key}"), size, last_modified }
    }

    #[test]
    fn counts_objects_chunks_and_bytes_as_the_hsds_scan() {
        let listing = [
            info(".group.json", 300, 10.0),
            info(".info.json", 999, 99.0),
            info("g/5a63-0d5e3f-3d8b6e/.group.json", 200, 11.0),
            info("t/2b1e-6a4d2c-1d0e7f/.datatype.json", 100, 12.0),
            info("d/8d35-6a3b5c-3f6f2e/.dataset.json", 400, 13.0),
            info("d/8d35-6a3b5c-3f6f2e/0_0", 1000, 20.0),
            info("d/8d35-6a3b5c-3f6f2e/0_1", 500, 15.0),
            info("d/9e46-7b4c6d-4a7a3f/1", 64, 14.0),
        ];
        let mut stats = DomainStats::from_listing(&listing);
        assert_eq!((stats.num_groups, stats.num_datatypes, stats.num_chunks), (2, 1, 3));
        assert_eq!(stats.datasets.len(), 2, "a dataset with only chunks counts too");
        assert_eq!(stats.num_objects(), 8);
        assert_eq!(stats.allocated_bytes, 1564);
        assert_eq!(stats.metadata_bytes, 1000, ".info.json is not an object");
        assert_eq!(stats.last_modified, 20.0);
        let d = "d-4c13bb29-2f7a44a4-8d35-6a3b5c-3f6f2e";
        assert_eq!(stats.datasets[d].num_chunks, 2);
        assert_eq!(stats.datasets[d].allocated_bytes, 1500);
        let dset =
            json!({"type": "H5T_STD_I32LE", "shape": {"class": "H5S_SIMPLE", "dims": [10, 30]}});
        stats.set_logical_bytes(d, &dset);
        assert_eq!(stats.datasets[d].logical_bytes, 1200);
        let vlen = json!({"type": {"class": "H5T_VLEN", "base": "H5T_STD_I8LE"},
                          "shape": {"class": "H5S_SIMPLE", "dims": [4]}});
        stats.set_logical_bytes(d, &vlen);
        assert_eq!(stats.datasets[d].logical_bytes, 1500, "variable: the allocated bytes");
        let info = stats.scan_info("b", 1.0, 2.0);
        assert_eq!(info["datasets"][d]["num_chunks"], 2);
        assert_eq!(info["logical_bytes"], 1500);
        assert_eq!(info["bucket"], "b");
    }

    #[test]
    fn python_json_lengths() {
        // len(json.dumps(...)) in Python
        assert_eq!(python_json_len(&json!({"a": 1, "b": [1, 2], "c": null})), 32);
        assert_eq!(python_json_len(&json!("grüße\n")), 19);
        assert_eq!(python_json_len(&json!("🙂")), 14);
        assert_eq!(python_json_len(&json!([true, false, 1.5])), 18);
        assert_eq!(python_json_len(&json!({})), 2);
    }
}
