//! Fan-out tests: three in-process data nodes over one in-memory bucket.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use serde_json::json;

use super::request::{select_param, PointVerb};
use super::*;
use crate::chunking::DimSelection;
use crate::server::chunks::{ChunkNode, ChunkNodeConfig, DatasetLayout, ElementBuf, RawFilters};
use crate::server::dn::DataNode;
use crate::storage::backend::{Bucket, Storage, StorageConfig};

const DSET: &str = "d-b03b24ef-69f244b6-acd9-4df97b-37122a";

fn setup(dset: serde_json::Value) -> (Vec<NodeLink>, Bucket, Arc<DatasetLayout>) {
    let storage = Storage::new(StorageConfig::Memory).unwrap();
    let nodes = (0..3)
        .map(|i| {
            NodeLink::local(
                Arc::new(DataNode::new(i, 3, storage.clone(), 1 << 20)),
                ChunkNode::new(ChunkNodeConfig::new(i, 3), Arc::new(RawFilters)),
            )
        })
        .collect();
    let bucket = storage.bucket("hsdstest").unwrap();
    (nodes, bucket, Arc::new(DatasetLayout::from_json(&dset).unwrap()))
}

fn grid_dataset() -> serde_json::Value {
    json!({"id": DSET, "type": "H5T_STD_I32LE",
        "shape": {"class": "H5S_SIMPLE", "dims": [10, 7]},
        "creationProperties": {"fillValue": -1},
        "layout": {"class": "H5D_CHUNKED", "dims": [4, 3]}})
}

fn value(i: u64, j: u64) -> i32 {
    i32::try_from(i * 100 + j).unwrap()
}

fn i32s(values: &[i32]) -> ElementBuf {
    ElementBuf::Fixed(values.iter().flat_map(|v| v.to_le_bytes()).collect())
}

/// The expected packed result of an unpaired selection over `value`.
fn expected(selection: &ValueSelection) -> Vec<i32> {
    let coords = |dim: &DimSelection| -> Vec<u64> {
        match dim {
            DimSelection::Slice { start, stop, step } => {
                (*start..*stop).step_by(usize::try_from(*step).unwrap()).collect()
            }
            DimSelection::Coords(list) => list.clone(),
        }
    };
    let (rows, cols) = (coords(&selection.dims[0]), coords(&selection.dims[1]));
    rows.iter().flat_map(|&i| cols.iter().map(move |&j| value(i, j))).collect()
}

async fn filled_grid() -> (Vec<NodeLink>, Bucket, Arc<DatasetLayout>) {
    let (nodes, bucket, dset) = setup(grid_dataset());
    let all = ValueSelection::all(&[10, 7]);
    let data: Vec<i32> = (0..10).flat_map(|i| (0..7).map(move |j| value(i, j))).collect();
    write_selection(&nodes, &bucket, &dset, &all, i32s(&data)).await.unwrap();
    (nodes, bucket, dset)
}

#[tokio::test]
async fn selections_with_steps_edges_and_lists() {
    let (nodes, bucket, dset) = filled_grid().await;
    for text in [
        "[:, :]",
        "[1:10:3, 2:7:2]",
        "[9, :]",
        "[7:10, 5:7]",
        "[[9,0,4,4], 1:6:4]",
        "[0:10:9, [6,0,3]]",
    ] {
        let sel = select_param(Some(text), &dset).unwrap();
        let got = read_selection(&nodes, &bucket, &dset, &sel).await.unwrap();
        assert_eq!(got, i32s(&expected(&sel)), "{text}");
    }
    // Data reached all three nodes.
    for node in &nodes {
        node.flush().await.unwrap();
    }
    let stored = bucket.list_all("db/").await.unwrap().len();
    assert_eq!(stored, 9, "3 x 3 chunks");
}

#[tokio::test]
async fn paired_lists_and_points() {
    let (nodes, bucket, dset) = filled_grid().await;
    let sel = select_param(Some("[[9,0,5],[6,1,3]]"), &dset).unwrap();
    assert!(sel.is_points());
    let got = read_selection(&nodes, &bucket, &dset, &sel).await.unwrap();
    assert_eq!(got, i32s(&[value(9, 6), value(0, 1), value(5, 3)]));
    let points = read_points(&nodes, &bucket, &dset, &[3, 3, 3, 3, 8, 0]).await.unwrap();
    assert_eq!(points, i32s(&[value(3, 3), value(3, 3), value(8, 0)]));
    write_points(&nodes, &bucket, &dset, &[0, 0, 9, 6], &i32s(&[-5, -6])).await.unwrap();
    let corners = read_points(&nodes, &bucket, &dset, &[9, 6, 0, 0]).await.unwrap();
    assert_eq!(corners, i32s(&[-6, -5]));
    assert!(read_points(&nodes, &bucket, &dset, &[10, 0]).await.is_err());
    assert!(write_points(&nodes, &bucket, &dset, &[1, 1], &i32s(&[1, 2])).await.is_err());
}

#[tokio::test]
async fn paired_lists_mixed_with_slices() {
    let (nodes, bucket, dset3) = setup(json!({"id": DSET, "type": "H5T_STD_I32LE",
        "shape": {"class": "H5S_SIMPLE", "dims": [4, 5, 6]},
        "layout": {"class": "H5D_CHUNKED", "dims": [2, 2, 4]}}));
    let v3 = |i: u64, j: u64, k: u64| i32::try_from(i * 100 + j * 10 + k).unwrap();
    let all = ValueSelection::all(&[4, 5, 6]);
    let data: Vec<i32> =
        (0..4).flat_map(|i| (0..5).flat_map(move |j| (0..6).map(move |k| v3(i, j, k)))).collect();
    write_selection(&nodes, &bucket, &dset3, &all, i32s(&data)).await.unwrap();
    // Lists in dims 0 and 2 pair up; the pair axis comes first: shape [2, 3].
    let sel = select_param(Some("[[3,0], 1:4, [5,2]]"), &dset3).unwrap();
    assert_eq!(sel.shape(), [2, 3]);
    let got = read_selection(&nodes, &bucket, &dset3, &sel).await.unwrap();
    let want: Vec<i32> =
        [(3, 5), (0, 2)].iter().flat_map(|&(i, k)| (1..4).map(move |j| v3(i, j, k))).collect();
    assert_eq!(got, i32s(&want));
    write_selection(&nodes, &bucket, &dset3, &sel, i32s(&[7; 6])).await.unwrap();
    let again = read_selection(&nodes, &bucket, &dset3, &sel).await.unwrap();
    assert_eq!(again, i32s(&[7; 6]));
}

#[tokio::test]
async fn fill_values_and_broadcast() {
    let (nodes, bucket, dset) = setup(grid_dataset());
    let sel = select_param(Some("[3:6, 1:5]"), &dset).unwrap();
    let fresh = read_selection(&nodes, &bucket, &dset, &sel).await.unwrap();
    assert_eq!(fresh, i32s(&[-1; 12]));
    write_selection(&nodes, &bucket, &dset, &sel, i32s(&[4])).await.unwrap();
    assert_eq!(read_selection(&nodes, &bucket, &dset, &sel).await.unwrap(), i32s(&[4; 12]));
    write_selection(&nodes, &bucket, &dset, &sel, i32s(&[1, 2, 3, 4])).await.unwrap();
    let rows = read_selection(&nodes, &bucket, &dset, &sel).await.unwrap();
    assert_eq!(rows, i32s(&[1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]));
    let err = write_selection(&nodes, &bucket, &dset, &sel, i32s(&[1, 2, 3])).await.unwrap_err();
    assert_eq!(err.to_string(), "element_count 3 not compatible with selection shape: (3, 4)");
    let ragged = ElementBuf::Fixed(vec![0; 5]);
    assert!(write_selection(&nodes, &bucket, &dset, &sel, ragged).await.is_err());
    // Outside the written block, still fill.
    let edge = select_param(Some("[9, 6]"), &dset).unwrap();
    assert_eq!(read_selection(&nodes, &bucket, &dset, &edge).await.unwrap(), i32s(&[-1]));
    let b64 = json!({"id": DSET, "type": "H5T_IEEE_F32LE",
        "shape": {"class": "H5S_SIMPLE", "dims": [5]},
        "creationProperties": {"fillValue": "AADAPw==", "fillValue_encoding": "base64"},
        "layout": {"class": "H5D_CHUNKED", "dims": [2]}});
    let (nodes, bucket, dset) = setup(b64);
    let got = read_selection(&nodes, &bucket, &dset, &ValueSelection::all(&[5])).await.unwrap();
    assert_eq!(got, ElementBuf::Fixed(1.5_f32.to_le_bytes().repeat(5)));
}

#[tokio::test]
async fn vlen_values_across_chunks() {
    let (nodes, bucket, dset) = setup(json!({"id": DSET,
        "type": {"class": "H5T_VLEN", "base": "H5T_STD_I16LE"},
        "shape": {"class": "H5S_SIMPLE", "dims": [7]},
        "layout": {"class": "H5D_CHUNKED", "dims": [3]}}));
    let item = |n: usize| {
        let body: Vec<u8> = (0..n).flat_map(|k| i16::try_from(k).unwrap().to_le_bytes()).collect();
        [&i32::try_from(body.len()).unwrap().to_le_bytes()[..], &body].concat()
    };
    let sel = select_param(Some("[1:7:2]"), &dset).unwrap();
    let data = ElementBuf::Variable(vec![item(1), item(2), item(3)]);
    write_selection(&nodes, &bucket, &dset, &sel, data.clone()).await.unwrap();
    assert_eq!(read_selection(&nodes, &bucket, &dset, &sel).await.unwrap(), data);
    let all = read_selection(&nodes, &bucket, &dset, &ValueSelection::all(&[7])).await.unwrap();
    let empty = item(0);
    assert_eq!(
        all,
        ElementBuf::Variable(vec![
            empty.clone(),
            item(1),
            empty.clone(),
            item(2),
            empty.clone(),
            item(3),
            empty
        ])
    );
    let points = read_points(&nodes, &bucket, &dset, &[5, 1]).await.unwrap();
    assert_eq!(points, ElementBuf::Variable(vec![item(3), item(1)]));
}

#[tokio::test]
async fn pages_concatenate_to_the_whole_read() {
    let (nodes, bucket, dset) = filled_grid().await;
    let sel = select_param(Some("[1:10, 0:7:2]"), &dset).unwrap();
    let whole = read_selection(&nodes, &bucket, &dset, &sel).await.unwrap().to_bytes();
    let pages = paginate(&sel, 4, 40).unwrap();
    assert!(pages.len() > 2);
    let mut joined = Vec::new();
    for page in &pages {
        joined.extend(read_selection(&nodes, &bucket, &dset, page).await.unwrap().to_bytes());
    }
    assert_eq!(joined, whole);
    let _ = PointVerb::Post;
}

#[tokio::test]
async fn scalar_dataset() {
    let (nodes, bucket, dset) = setup(json!({"id": DSET, "type": "H5T_STD_U8LE",
        "shape": {"class": "H5S_SCALAR"}, "layout": {"class": "H5D_CHUNKED", "dims": [1]}}));
    let sel = select_param(None, &dset).unwrap();
    write_selection(&nodes, &bucket, &dset, &sel, ElementBuf::Fixed(vec![42])).await.unwrap();
    assert_eq!(
        read_selection(&nodes, &bucket, &dset, &sel).await.unwrap(),
        ElementBuf::Fixed(vec![42])
    );
}

#[tokio::test]
async fn region_references_are_variable_length_byte_strings() {
    // HSDS 1.0.2 (h5json) sends and stores each region reference as `<int32 count><bytes>`.
    let (nodes, bucket, dset) = setup(json!({"id": DSET,
        "type": {"class": "H5T_REFERENCE", "base": "H5T_STD_REF_DSETREG"},
        "shape": {"class": "H5S_SIMPLE", "dims": [5]},
        "layout": {"class": "H5D_CHUNKED", "dims": [2]}}));
    let item = |text: &str| {
        [&i32::try_from(text.len()).unwrap().to_le_bytes()[..], text.as_bytes()].concat()
    };
    let one = item("HRRF\u{1}&\0d-06804dfe-e27f6b1c-4891-b07137-cbb765\0\0\0\0\u{ff}");
    let two = item("HRRF\u{1}&\0d-06804dfe-e27f6b1c-4891-b07137-cbb765\u{3}\0\0\0HSE\u{ff}");
    let wire = [one.clone(), two.clone()].concat();
    let sel = select_param(Some("[1:4:2]"), &dset).unwrap();
    let items = crate::server::chunks::elements::split_elements(&dset.datatype, &wire, 2).unwrap();
    write_selection(&nodes, &bucket, &dset, &sel, ElementBuf::Variable(items)).await.unwrap();
    let all = read_selection(&nodes, &bucket, &dset, &ValueSelection::all(&[5])).await.unwrap();
    let empty = item("");
    assert_eq!(all, ElementBuf::Variable(vec![empty.clone(), one, empty.clone(), two, empty]));
}
