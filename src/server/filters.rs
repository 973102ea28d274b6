//! Dataset filter lists normalized as HSDS 1.0.2 stores them: every item becomes
//! `{"class":"H5Z_FILTER_…","id":N,"name":"…", …options}`; items may arrive as ids, names or
//! dicts (`H5Z_FILTER_USER` looked up by id or name). Unsupported filters are refused.

use serde_json::{json, Value};

use super::error::{ApiError, ApiResult};

/// (class, id, name) of every filter HSDS knows.
const FILTER_DEFS: &[(&str, u64, &str)] = &[
    ("H5Z_FILTER_NONE", 0, "none"),
    ("H5Z_FILTER_DEFLATE", 1, "gzip"),
    ("H5Z_FILTER_SHUFFLE", 2, "shuffle"),
    ("H5Z_FILTER_FLETCHER32", 3, "fletcher32"),
    ("H5Z_FILTER_SZIP", 4, "szip"),
    ("H5Z_FILTER_NBIT", 5, "nbit"),
    ("H5Z_FILTER_SCALEOFFSET", 6, "scaleoffset"),
    ("H5Z_FILTER_LZF", 32000, "lzf"),
    ("H5Z_FILTER_BLOSC", 32001, "blosclz"),
    ("H5Z_FILTER_SNAPPY", 32003, "snappy"),
    ("H5Z_FILTER_LZ4", 32004, "lz4"),
    ("H5Z_FILTER_LZ4HC", 32005, "lz4hc"),
    ("H5Z_FILTER_BITSHUFFLE", 32008, "bitshuffle"),
    ("H5Z_FILTER_ZSTD", 32015, "zstd"),
];

/// Filter names the service can apply.
const SUPPORTED: &[&str] = &[
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
    "bitshuffle",
];

fn by_id(id: u64) -> Option<(&'static str, u64, &'static str)> {
    FILTER_DEFS.iter().copied().find(|d| d.1 == id)
}

fn by_name(name: &str) -> Option<(&'static str, u64, &'static str)> {
    let name = if name == "deflate" || name == "zlib" { "gzip" } else { name };
    FILTER_DEFS.iter().copied().find(|d| d.2 == name || d.0 == name)
}

/// Normalizes one filter item.
///
/// # Errors
/// 400 for unknown or unsupported filters.
pub fn normalize_filter(item: &Value) -> ApiResult<Value> {
    let unknown = || ApiError::bad_request(format!("unsupported filter {item}"));
    let (def, mut out) = match item {
        Value::Number(n) => {
            (n.as_u64().and_then(by_id).ok_or_else(unknown)?, serde_json::Map::new())
        }
        Value::String(s) => (by_name(s).ok_or_else(unknown)?, serde_json::Map::new()),
        Value::Object(map) => {
            let class = map.get("class").and_then(Value::as_str);
            let id = map.get("id").and_then(Value::as_u64);
            let name = map.get("name").and_then(Value::as_str);
            let def = match class {
                Some(class) if class != "H5Z_FILTER_USER" => by_name(class),
                _ => None,
            }
            .or_else(|| id.and_then(by_id))
            .or_else(|| name.and_then(by_name))
            .ok_or_else(unknown)?;
            (def, map.clone())
        }
        _ => return Err(unknown()),
    };
    if !SUPPORTED.contains(&def.2) {
        return Err(unknown());
    }
    out.insert("class".into(), json!(def.0));
    out.entry("id").or_insert_with(|| json!(def.1));
    out.entry("name").or_insert_with(|| json!(def.2));
    Ok(Value::Object(out))
}

/// Normalizes a filter list.
///
/// # Errors
/// 400 for a non-list or any bad item.
pub fn normalize_filters(filters: &Value) -> ApiResult<Value> {
    let items =
        filters.as_array().ok_or_else(|| ApiError::bad_request("filters must be a list"))?;
    Ok(Value::Array(items.iter().map(normalize_filter).collect::<ApiResult<Vec<_>>>()?))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn normalizes_every_form() {
        assert_eq!(
            normalize_filter(&json!(1)).unwrap(),
            json!({"class": "H5Z_FILTER_DEFLATE", "id": 1, "name": "gzip"})
        );
        assert_eq!(normalize_filter(&json!("shuffle")).unwrap()["id"], json!(2));
        let user =
            normalize_filter(&json!({"class": "H5Z_FILTER_USER", "name": "lz4", "level": 5}))
                .unwrap();
        assert_eq!(
            user,
            json!({"class": "H5Z_FILTER_LZ4", "id": 32004, "name": "lz4", "level": 5})
        );
        let deflate =
            normalize_filter(&json!({"class": "H5Z_FILTER_DEFLATE", "id": 1, "level": 9})).unwrap();
        assert_eq!(deflate["name"], json!("gzip"));
        assert_eq!(deflate["level"], json!(9));
        assert_eq!(normalize_filter(&json!(4)).unwrap_err().status, 400);
        assert_eq!(normalize_filter(&json!("nope")).unwrap_err().status, 400);
        assert!(normalize_filters(&json!({})).is_err());
    }
}
