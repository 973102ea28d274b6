//! Tests of [`ChunkNode`] over an in-memory bucket.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::json;

use super::*;
use crate::storage::backend::{Storage, StorageConfig};
use crate::storage::keys::dataset_prefix;

const DSET: &str = "d-b03b24ef-69f244b6-acd9-4df97b-37122a";

fn bucket() -> Bucket {
    Storage::new(StorageConfig::Memory).unwrap().bucket("hsdstest").unwrap()
}

fn dataset(value: serde_json::Value) -> Arc<DatasetLayout> {
    Arc::new(DatasetLayout::from_json(&value).unwrap())
}

fn i16_dataset(fill: i64) -> Arc<DatasetLayout> {
    dataset(json!({"id": DSET, "type": "H5T_STD_I16LE",
        "shape": {"class": "H5S_SIMPLE", "dims": [10, 7]},
        "creationProperties": {"fillValue": fill},
        "layout": {"class": "H5D_CHUNKED", "dims": [4, 3]}}))
}

fn node() -> Arc<ChunkNode> {
    ChunkNode::new(ChunkNodeConfig::new(0, 1), Arc::new(RawFilters))
}

fn slice(start: u64, stop: u64) -> DimSelection {
    DimSelection::Slice { start, stop, step: 1 }
}

fn i16s(values: &[i16]) -> ElementBuf {
    ElementBuf::Fixed(values.iter().flat_map(|v| v.to_le_bytes()).collect())
}

#[tokio::test]
async fn absent_chunks_read_fill_and_writes_persist_on_flush() {
    let (node, bucket, dset) = (node(), bucket(), i16_dataset(-1));
    let id = dset.chunk_id(&[2, 2]).unwrap();
    let all = [slice(0, 4), slice(0, 3)];
    assert_eq!(node.read(&bucket, &dset, &id, &all).await.unwrap(), i16s(&[-1; 12]));
    node.write(&bucket, &dset, &id, &[slice(1, 2), slice(0, 2)], &i16s(&[5, 6])).await.unwrap();
    assert!(bucket.get(&chunk_key(&id).unwrap()).await.unwrap().is_none());
    node.flush().await.unwrap();
    let stored = bucket.get(&chunk_key(&id).unwrap()).await.unwrap().unwrap();
    let mut expected = [-1_i16; 12];
    expected[3] = 5;
    expected[4] = 6;
    assert_eq!(stored.to_vec(), i16s(&expected).to_bytes());
    // A fresh node reads what was stored.
    let other = node_with_cache(1 << 20);
    assert_eq!(other.read(&bucket, &dset, &id, &all).await.unwrap(), i16s(&expected));
}

fn node_with_cache(cache_bytes: usize) -> Arc<ChunkNode> {
    let mut config = ChunkNodeConfig::new(0, 1);
    config.cache_bytes = cache_bytes;
    ChunkNode::new(config, Arc::new(RawFilters))
}

#[tokio::test]
async fn chunks_that_become_all_fill_are_deleted() {
    let (node, bucket, dset) = (node(), bucket(), i16_dataset(0));
    let id = dset.chunk_id(&[0, 0]).unwrap();
    let key = chunk_key(&id).unwrap();
    node.write_points(&bucket, &dset, &id, &[0, 0], &i16s(&[0])).await.unwrap();
    node.flush().await.unwrap();
    assert!(bucket.get(&key).await.unwrap().is_none(), "all-fill chunks are not written");
    node.write_points(&bucket, &dset, &id, &[3, 2], &i16s(&[7])).await.unwrap();
    node.flush().await.unwrap();
    assert!(bucket.get(&key).await.unwrap().is_some());
    assert_eq!(node.read_points(&bucket, &dset, &id, &[3, 2, 0, 0]).await.unwrap(), i16s(&[7, 0]));
    node.write_points(&bucket, &dset, &id, &[3, 2], &i16s(&[0])).await.unwrap();
    node.flush().await.unwrap();
    assert!(bucket.get(&key).await.unwrap().is_none(), "stale chunk deleted");
}

#[tokio::test]
async fn concurrent_writers_to_one_chunk_lose_nothing() {
    let (node, bucket, dset) = (node_with_cache(64), bucket(), i16_dataset(0));
    let id = dset.chunk_id(&[1, 1]).unwrap();
    let mut tasks = Vec::new();
    for k in 0..12_u64 {
        let (node, bucket, dset, id) = (node.clone(), bucket.clone(), dset.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            let value = i16::try_from(k + 1).unwrap();
            node.write_points(&bucket, &dset, &id, &[k / 3, k % 3], &i16s(&[value])).await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    node.flush().await.unwrap();
    let fresh = node_with_cache(1 << 20);
    let got = fresh.read(&bucket, &dset, &id, &[slice(0, 4), slice(0, 3)]).await.unwrap();
    assert_eq!(got, i16s(&(1..=12).collect::<Vec<i16>>()));
}

#[tokio::test]
async fn cache_budget_evicts_clean_chunks() {
    let (node, bucket, dset) = (node_with_cache(50), bucket(), i16_dataset(0));
    for i in 0..3 {
        let id = dset.chunk_id(&[i, 0]).unwrap();
        node.write_points(&bucket, &dset, &id, &[0, 0], &i16s(&[9])).await.unwrap();
    }
    assert_eq!(node.cached_bytes(), 72, "dirty chunks stay until written");
    node.flush().await.unwrap();
    assert!(node.cached_bytes() <= 50);
    let id = dset.chunk_id(&[0, 0]).unwrap();
    assert_eq!(node.read_points(&bucket, &dset, &id, &[0, 0]).await.unwrap(), i16s(&[9]));
}

#[tokio::test]
async fn lazy_write_back_happens_without_flush() {
    let mut config = ChunkNodeConfig::new(0, 1);
    config.sync_interval = Duration::from_millis(20);
    config.dirty_age = Duration::from_millis(10);
    let node = ChunkNode::new(config, Arc::new(RawFilters));
    let (bucket, dset) = (bucket(), i16_dataset(0));
    let id = dset.chunk_id(&[0, 1]).unwrap();
    node.write_points(&bucket, &dset, &id, &[1, 1], &i16s(&[3])).await.unwrap();
    for _ in 0..100 {
        if bucket.get(&chunk_key(&id).unwrap()).await.unwrap().is_some() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("chunk was not written back");
}

#[tokio::test]
async fn foreign_and_misplaced_ids_are_refused() {
    let bucket = bucket();
    let dset = i16_dataset(0);
    let id = dset.chunk_id(&[0, 0]).unwrap();
    let owner = dn_index(&id, 2).unwrap();
    let other = ChunkNode::new(ChunkNodeConfig::new(1 - owner, 2), Arc::new(RawFilters));
    let err = other.read_points(&bucket, &dset, &id, &[0, 0]).await.unwrap_err();
    assert!(matches!(err, ChunkError::NotInPartition { .. }));
    let node = node();
    let outside = format!("c-{}_3_0", &DSET[2..]);
    assert!(node.read_points(&bucket, &dset, &outside, &[0, 0]).await.is_err());
    let foreign = "c-b03b24ef-69f244b6-0000-000000-000000_0_0";
    let err = node.read_points(&bucket, &dset, foreign, &[0, 0]).await.unwrap_err();
    assert!(matches!(err, ChunkError::ForeignChunk(_)));
}

#[tokio::test]
async fn delete_and_trim() {
    let (node, bucket, dset) = (node(), bucket(), i16_dataset(0));
    let all = [slice(0, 4), slice(0, 3)];
    for indices in [[0_u64, 0], [2, 2], [1, 0]] {
        let id = dset.chunk_id(&indices).unwrap();
        node.write(&bucket, &dset, &id, &all, &i16s(&[1; 12])).await.unwrap();
    }
    node.flush().await.unwrap();
    // Shrink to 5 x 7: chunk row 2 (rows 8..) goes, chunk row 1 keeps only row 4.
    let shrunk = Arc::new(dset.with_dims(vec![5, 7]));
    node.trim(&bucket, &shrunk).await.unwrap();
    node.flush().await.unwrap();
    assert!(bucket
        .get(&chunk_key(&dset.chunk_id(&[2, 2]).unwrap()).unwrap())
        .await
        .unwrap()
        .is_none());
    let id = dset.chunk_id(&[1, 0]).unwrap();
    let fresh = node_with_cache(1 << 20);
    let got = fresh.read(&bucket, &shrunk, &id, &all).await.unwrap();
    assert_eq!(got, i16s(&[1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    node.delete_dataset(&bucket, DSET).await.unwrap();
    assert!(bucket.list_all(&dataset_prefix(DSET).unwrap()).await.unwrap().is_empty());
    let got = node.read(&bucket, &shrunk, &id, &all).await.unwrap();
    assert_eq!(got, i16s(&[0; 12]));
}

#[tokio::test]
async fn vlen_strings_round_trip_through_storage() {
    let (node, bucket) = (node(), bucket());
    let dset = dataset(json!({"id": DSET,
        "type": {"class": "H5T_STRING", "charSet": "H5T_CSET_UTF8", "length": "H5T_VARIABLE"},
        "shape": {"class": "H5S_SIMPLE", "dims": [5]},
        "layout": {"class": "H5D_CHUNKED", "dims": [3]}}));
    let id = dset.chunk_id(&[1]).unwrap();
    let item =
        |s: &str| [&i32::try_from(s.len()).unwrap().to_le_bytes()[..], s.as_bytes()].concat();
    let data = ElementBuf::Variable(vec![item("héllo"), item("")]);
    node.write(&bucket, &dset, &id, &[slice(0, 2)], &data).await.unwrap();
    node.flush().await.unwrap();
    let stored = bucket.get(&chunk_key(&id).unwrap()).await.unwrap().unwrap();
    assert_eq!(stored.to_vec(), [item("héllo"), item(""), item("")].concat());
    let fresh = node_with_cache(1 << 20);
    let got = fresh.read(&bucket, &dset, &id, &[DimSelection::Coords(vec![2, 0])]).await.unwrap();
    assert_eq!(got, ElementBuf::Variable(vec![item(""), item("héllo")]));
}

#[tokio::test]
async fn dropping_the_node_writes_dirty_chunks() {
    let mut config = ChunkNodeConfig::new(0, 1);
    config.sync_interval = Duration::from_millis(10);
    config.dirty_age = Duration::from_secs(3600);
    let node = ChunkNode::new(config, Arc::new(RawFilters));
    let (bucket, dset) = (bucket(), i16_dataset(0));
    let id = dset.chunk_id(&[2, 0]).unwrap();
    node.write_points(&bucket, &dset, &id, &[0, 0], &i16s(&[8])).await.unwrap();
    drop(node);
    for _ in 0..100 {
        if bucket.get(&chunk_key(&id).unwrap()).await.unwrap().is_some() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("dirty chunk lost when the node was dropped");
}

#[tokio::test]
async fn memory_pressure_triggers_write_back() {
    let mut config = ChunkNodeConfig::new(0, 1);
    config.cache_bytes = 50;
    config.sync_interval = Duration::from_secs(3600);
    config.dirty_age = Duration::from_secs(3600);
    let node = ChunkNode::new(config, Arc::new(RawFilters));
    let (bucket, dset) = (bucket(), i16_dataset(0));
    for i in 0..3 {
        let id = dset.chunk_id(&[i, 1]).unwrap();
        node.write_points(&bucket, &dset, &id, &[1, 1], &i16s(&[2])).await.unwrap();
    }
    let first = chunk_key(&dset.chunk_id(&[0, 1]).unwrap()).unwrap();
    for _ in 0..100 {
        if bucket.get(&first).await.unwrap().is_some() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("an over-budget cache did not write back");
}

fn node_rechecking_after(interval: Duration) -> Arc<ChunkNode> {
    let mut config = ChunkNodeConfig::new(0, 1);
    config.recheck_interval = interval;
    ChunkNode::new(config, Arc::new(RawFilters))
}

#[tokio::test]
async fn another_writers_chunks_are_seen_once_rechecked() {
    let bucket = bucket();
    let dset = i16_dataset(-1);
    let id = dset.chunk_id(&[0, 0]).unwrap();
    let all = [slice(0, 4), slice(0, 3)];
    let (reader, writer) = (node_rechecking_after(Duration::ZERO), node());
    let never = node_rechecking_after(Duration::from_secs(3600));
    assert_eq!(reader.read(&bucket, &dset, &id, &all).await.unwrap(), i16s(&[-1; 12]));
    assert_eq!(never.read(&bucket, &dset, &id, &all).await.unwrap(), i16s(&[-1; 12]));

    // Another service writes the chunk that both had cached as absent.
    writer.write(&bucket, &dset, &id, &all, &i16s(&[7; 12])).await.unwrap();
    writer.flush().await.unwrap();
    assert_eq!(reader.read(&bucket, &dset, &id, &all).await.unwrap(), i16s(&[7; 12]));
    assert_eq!(never.read(&bucket, &dset, &id, &all).await.unwrap(), i16s(&[-1; 12]));
    never.recheck_all();
    assert_eq!(never.read(&bucket, &dset, &id, &all).await.unwrap(), i16s(&[7; 12]));

    // ... replaces it, then makes it all fill (deleted from storage).
    writer.write(&bucket, &dset, &id, &all, &i16s(&[8; 12])).await.unwrap();
    writer.flush().await.unwrap();
    assert_eq!(reader.read(&bucket, &dset, &id, &all).await.unwrap(), i16s(&[8; 12]));
    writer.write(&bucket, &dset, &id, &all, &i16s(&[-1; 12])).await.unwrap();
    writer.flush().await.unwrap();
    assert_eq!(reader.read(&bucket, &dset, &id, &all).await.unwrap(), i16s(&[-1; 12]));

    // The reader's own writes stay its own until written back, and are not reloaded after.
    reader.write(&bucket, &dset, &id, &[slice(0, 1), slice(0, 1)], &i16s(&[3])).await.unwrap();
    let mine = reader.read(&bucket, &dset, &id, &[slice(0, 1), slice(0, 1)]).await.unwrap();
    assert_eq!(mine, i16s(&[3]));
    reader.flush().await.unwrap();
    let mine = reader.read(&bucket, &dset, &id, &[slice(0, 1), slice(0, 1)]).await.unwrap();
    assert_eq!(mine, i16s(&[3]));
}
