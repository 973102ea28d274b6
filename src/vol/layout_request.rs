//! How a contiguous dataset is asked of the service: the `layout` part of a POST /datasets
//! body's `creationProperties` for an `H5D_CONTIGUOUS` dataset creation plist.
//!
//! HSDS stores an `H5D_CONTIGUOUS` dataset as one single chunk, so it refuses one larger than
//! a data node's chunk cache (`400 contiguous dataset of N bytes is larger than the server's
//! chunk_mem_cache_size`, 128 MiB by default) and advises against any larger than its
//! `max_chunk_size` (4 MiB by default). A large contiguous dataset is therefore sent without a
//! `layout` (the service chunks it as it likes) and with the request kept under
//! `requestedLayout`, which both HSDS and restvol's service store unchanged and the connector
//! reads back as the dataset's layout. restvol's own service stores every dataset chunked and
//! keeps a contiguous request under `requestedLayout` itself, so it answers both forms alike.

use serde_json::{json, Value};

use crate::model::types::Datatype;
use crate::model::Shape;

/// Datasets up to this many bytes are sent as `H5D_CONTIGUOUS` (HSDS's default
/// `max_chunk_size`: the largest single chunk HSDS recommends).
pub const SINGLE_CHUNK_LIMIT: u64 = 4 * 1024 * 1024;

/// Bytes HSDS assumes for one element of a variable-length type (its
/// `default_vlen_type_size`).
const VARIABLE_ITEM_SIZE: u64 = 128;

/// The `creationProperties` key holding the layout the application asked for when the
/// service is left to choose the stored one.
pub const REQUESTED_LAYOUT: &str = "requestedLayout";

/// Rewrites `props` (a dataset's `creationProperties`) so a contiguous dataset of `shape` and
/// `datatype` larger than [`SINGLE_CHUNK_LIMIT`] is sent without a `layout` and with
/// `requestedLayout: {"class": "H5D_CONTIGUOUS"}`. Other layouts, small datasets, and shapes
/// with maxdims or filters (which the service must still refuse for a contiguous layout) are
/// left as they are. Returns whether `props` changed.
pub fn fit_contiguous_request(props: &mut Value, shape: &Shape, datatype: &Datatype) -> bool {
    // With filters the service must still refuse the contiguous layout, as HDF5 does.
    let filtered = props.get("filters").is_some();
    let contiguous = props["layout"]["class"].as_str() == Some("H5D_CONTIGUOUS") && !filtered;
    let dims = match shape {
        Shape::Simple { dims, maxdims: None } => dims,
        _ => return false,
    };
    if !contiguous || data_size(dims, datatype) <= SINGLE_CHUNK_LIMIT {
        return false;
    }
    let Some(map) = props.as_object_mut() else { return false };
    map.remove("layout");
    map.insert(REQUESTED_LAYOUT.into(), json!({"class": "H5D_CONTIGUOUS"}));
    true
}

/// The dataset's size in bytes as HSDS counts it (saturating).
fn data_size(dims: &[u64], datatype: &Datatype) -> u64 {
    let item = datatype.item_size().unwrap_or(VARIABLE_ITEM_SIZE);
    dims.iter().fold(item, |size, dim| size.saturating_mul(*dim))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Extent;

    fn u8_type() -> Datatype {
        Datatype::from_json(&json!("H5T_STD_U8LE")).unwrap()
    }

    fn simple(dims: &[u64]) -> Shape {
        Shape::Simple { dims: dims.to_vec(), maxdims: None }
    }

    fn contiguous() -> Value {
        json!({"layout": {"class": "H5D_CONTIGUOUS"}, "fillTime": "H5D_FILL_TIME_IFSET"})
    }

    #[test]
    fn large_contiguous_leaves_the_layout_to_the_service() {
        let mut props = contiguous();
        assert!(fit_contiguous_request(&mut props, &simple(&[1024, 4097]), &u8_type()));
        assert_eq!(
            props,
            json!({"requestedLayout": {"class": "H5D_CONTIGUOUS"},
                   "fillTime": "H5D_FILL_TIME_IFSET"})
        );
    }

    #[test]
    fn small_contiguous_is_sent_as_is() {
        let mut props = contiguous();
        assert!(!fit_contiguous_request(&mut props, &simple(&[1024, 4096]), &u8_type()));
        assert_eq!(props, contiguous());
    }

    #[test]
    fn other_layouts_maxdims_and_scalars_are_sent_as_is() {
        let big = simple(&[1 << 30]);
        let mut chunked = json!({"layout": {"class": "H5D_CHUNKED", "dims": [1024]}});
        let before = chunked.clone();
        assert!(!fit_contiguous_request(&mut chunked, &big, &u8_type()));
        assert_eq!(chunked, before);
        let extendible =
            Shape::Simple { dims: vec![1 << 30], maxdims: Some(vec![Extent::Unlimited]) };
        let mut props = contiguous();
        assert!(!fit_contiguous_request(&mut props, &extendible, &u8_type()));
        assert!(!fit_contiguous_request(&mut props, &Shape::Scalar, &u8_type()));
        assert_eq!(props, contiguous());
        let mut filtered = contiguous();
        filtered["filters"] = json!([{"class": "H5Z_FILTER_DEFLATE", "id": 1, "name": "gzip"}]);
        let before = filtered.clone();
        assert!(!fit_contiguous_request(&mut filtered, &big, &u8_type()));
        assert_eq!(filtered, before);
    }

    #[test]
    fn variable_length_elements_count_as_hsds_counts_them() {
        let vlen = Datatype::from_json(&json!({"class": "H5T_STRING", "charSet": "H5T_CSET_ASCII",
            "strPad": "H5T_STR_NULLTERM", "length": "H5T_VARIABLE"}))
        .unwrap();
        let mut props = contiguous();
        assert!(!fit_contiguous_request(&mut props, &simple(&[32768]), &vlen));
        assert!(fit_contiguous_request(&mut props, &simple(&[32769]), &vlen));
    }
}
