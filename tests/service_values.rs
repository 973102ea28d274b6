#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The dataset value path driven in-process through `ServiceNode::handle`: `GET|PUT|POST
//! /datasets/{id}/value` with JSON and binary bodies, selections with steps, coordinate lists
//! and points, `element_count` broadcasting, fill values, compressed datasets that reach storage
//! compressed and read back after a flush, chunk removal on delete and shrink, ACLs, and the
//! HSDS 4xx answers for bad input.

mod common;

use base64::Engine;
use bytes::Bytes;
use common::in_process::*;
use restvol::server::{Method, ResponseBody};
use serde_json::{json, Value};

/// A request (method, url, JSON body) and the expected status and message (`""`: any).
type Case = (Method, String, Option<Value>, (u16, String));

#[tokio::test]
async fn json_values_with_selections_and_fill() {
    let svc = service_with(&[]);
    svc.alice_domain().await;
    let dset = svc
        .dataset(json!({"type": "H5T_STD_I32LE", "shape": [6, 8],
            "creationProperties": {"fillValue": -1, "layout": {"class": "H5D_CHUNKED", "dims": [4, 3]}}}))
        .await;
    // Unwritten: the fill value everywhere.
    let all = svc.ok(ALICE, Method::Get, &value_url(&dset, ""), None).await;
    assert_eq!(all["value"], json!(vec![vec![-1; 8]; 6]));
    // Write rows 1..5 step 2, columns 0..8 step 3 (2 x 3 elements).
    let body = json!({"value": [[1, 2, 3], [4, 5, 6]]});
    svc.ok(ALICE, Method::Put, &value_url(&dset, "&select=[1:5:2,0:8:3]"), Some(body)).await;
    let got = svc.ok(ALICE, Method::Get, &value_url(&dset, "&select=[1:5:2,0:8:3]"), None).await;
    assert_eq!(got["value"], json!([[1, 2, 3], [4, 5, 6]]));
    let row = svc.ok(ALICE, Method::Get, &value_url(&dset, "&select=[3,0:7]"), None).await;
    assert_eq!(row["value"], json!([[4, -1, -1, 5, -1, -1, 6]]));
    let reduced =
        svc.ok(ALICE, Method::Get, &value_url(&dset, "&select=[3,0:4]&reduce_dim=1"), None).await;
    assert_eq!(reduced["value"], json!([4, -1, -1, 5]));
    // start/stop/step in the body.
    let body = json!({"start": [0, 7], "stop": [6, 8], "step": [5, 1], "value": [[70], [71]]});
    svc.ok(ALICE, Method::Put, &value_url(&dset, ""), Some(body)).await;
    let col = svc.ok(ALICE, Method::Get, &value_url(&dset, "&select=[0:6:5,7]"), None).await;
    assert_eq!(col["value"], json!([[70], [71]]));
    // Broadcast one element with element_count.
    let body = json!({"value": 9, "element_count": 1, "select": "[5,0:8]"});
    svc.ok(ALICE, Method::Put, &value_url(&dset, ""), Some(body)).await;
    let last = svc.ok(ALICE, Method::Get, &value_url(&dset, "&select=[5:6,:]"), None).await;
    assert_eq!(last["value"], json!([[9, 9, 9, 9, 9, 9, 9, 9]]));
    // Coordinate lists: one list is an outer product; two lists pair up.
    let fancy = svc.ok(ALICE, Method::Get, &value_url(&dset, "&select=[[1,3],0:4:3]"), None).await;
    assert_eq!(fancy["value"], json!([[1, 2], [4, 5]]));
    let paired = svc.ok(ALICE, Method::Get, &value_url(&dset, "&select=[[1,3],[3,6]]"), None).await;
    assert_eq!(paired["value"], json!([2, 6]));
    // Points: write and read through JSON.
    let body = json!({"points": [[0, 0], [2, 5]], "value": [100, 200]});
    svc.ok(ALICE, Method::Put, &value_url(&dset, ""), Some(body)).await;
    let points = svc
        .ok(
            ALICE,
            Method::Post,
            &value_url(&dset, ""),
            Some(json!({"points": [[2, 5], [0, 0], [1, 1]]})),
        )
        .await;
    assert_eq!(points["value"], json!([200, 100, -1]));
    // POST with a hyperslab in the body.
    let slab = svc
        .ok(ALICE, Method::Post, &value_url(&dset, ""), Some(json!({"select": "[0:1,0:2]"})))
        .await;
    assert_eq!(slab["value"], json!([[100, -1]]));
    // value_base64.
    let b64 = base64::engine::general_purpose::STANDARD.encode(i32_bytes([7, 8]));
    let body = json!({"value_base64": b64, "select": "[4,1:3]"});
    svc.ok(ALICE, Method::Put, &value_url(&dset, ""), Some(body)).await;
    let got = svc.ok(ALICE, Method::Get, &value_url(&dset, "&select=[4,0:4]"), None).await;
    assert_eq!(got["value"], json!([[-1, 7, 8, -1]]));
}

#[tokio::test]
async fn binary_values_points_and_scalars() {
    let svc = service_with(&[]);
    svc.alice_domain().await;
    let dset = svc
        .dataset(json!({"type": "H5T_STD_I32LE", "shape": [10, 10],
            "creationProperties": {"layout": {"class": "H5D_CHUNKED", "dims": [3, 4]}}}))
        .await;
    let rsp = svc.put_bin(&value_url(&dset, ""), i32_bytes(0..100)).await;
    assert_eq!(rsp.status, 200);
    assert_eq!(svc.get_bin(&value_url(&dset, "")).await, i32_bytes(0..100));
    let strided = svc.get_bin(&value_url(&dset, "&select=[1:10:4,2:9:3]")).await;
    assert_eq!(strided, i32_bytes([12, 15, 18, 52, 55, 58, 92, 95, 98]));
    // Binary point read: uint64 coordinates in, packed values out.
    let coords: Vec<u8> = [9_u64, 9, 0, 1, 5, 5].iter().flat_map(|v| v.to_le_bytes()).collect();
    let rsp = svc
        .raw(
            ALICE,
            Method::Post,
            &value_url(&dset, ""),
            Some(Bytes::from(coords)),
            &[("content-type", BIN), ("accept", BIN)],
        )
        .await;
    assert_eq!(rsp.status, 200);
    assert_eq!(rsp.body_bytes().to_vec(), i32_bytes([99, 1, 55]));
    // Binary broadcast with element_count: one row repeated.
    let rsp = svc
        .put_bin(&value_url(&dset, "&select=[0:2,0:10]&element_count=10"), i32_bytes(0..10))
        .await;
    assert_eq!(rsp.status, 200);
    assert_eq!(svc.get_bin(&value_url(&dset, "&select=[1,0:10]")).await, i32_bytes(0..10));

    let scalar = svc.dataset(json!({"type": "H5T_IEEE_F64LE", "shape": []})).await;
    svc.ok(ALICE, Method::Put, &value_url(&scalar, ""), Some(json!({"value": 2.5}))).await;
    let got = svc.ok(ALICE, Method::Get, &value_url(&scalar, ""), None).await;
    assert_eq!(got["value"], json!(2.5));
    assert_eq!(svc.get_bin(&value_url(&scalar, "")).await, 2.5_f64.to_le_bytes());
    let (status, _) =
        svc.call(ALICE, Method::Post, &value_url(&scalar, ""), Some(json!({"points": [0]}))).await;
    assert_eq!(status, 400);

    // An initial value given at creation.
    let init = svc
        .dataset(json!({"type": "H5T_STD_U8LE", "shape": [2, 3], "value": [[1, 2, 3], [4, 5, 6]]}))
        .await;
    assert_eq!(svc.get_bin(&value_url(&init, "")).await, [1, 2, 3, 4, 5, 6]);
    let strings = svc
        .dataset(json!({"type": {"class": "H5T_STRING", "charSet": "H5T_CSET_UTF8",
            "strPad": "H5T_STR_NULLTERM", "length": "H5T_VARIABLE"}, "shape": [3],
            "value": ["a", "bc", "def"]}))
        .await;
    let got = svc.ok(ALICE, Method::Get, &value_url(&strings, "&select=[1:3]"), None).await;
    assert_eq!(got["value"], json!(["bc", "def"]));
}

#[tokio::test]
async fn compressed_chunks_reach_storage_and_read_back() {
    let svc = service_with(&[]);
    svc.alice_domain().await;
    let dset = svc
        .dataset(json!({"type": "H5T_STD_I32LE", "shape": [64, 64], "maxdims": [128, 64],
            "creationProperties": {"layout": {"class": "H5D_CHUNKED", "dims": [32, 32]},
                "filters": [{"class": "H5Z_FILTER_SHUFFLE", "id": 2, "name": "shuffle"},
                            {"class": "H5Z_FILTER_DEFLATE", "id": 1, "level": 6}]}}))
        .await;
    let values: Vec<i32> = (0..64 * 64).map(|i| i % 100).collect();
    assert_eq!(svc.put_bin(&value_url(&dset, ""), i32_bytes(values.clone())).await.status, 200);
    svc.flush().await;
    let keys = svc.chunk_keys(&dset).await;
    assert_eq!(keys.len(), 4);
    let bucket = svc.storage.bucket("hsdstest").unwrap();
    let stored = bucket.get(&keys[0]).await.unwrap().unwrap();
    assert!(stored.len() < 32 * 32 * 4, "chunk stored uncompressed ({} bytes)", stored.len());
    assert_eq!(svc.get_bin(&value_url(&dset, "")).await, i32_bytes(values.clone()));
    // Shrink: chunks outside the new extents go away.
    let body = json!({"shape": [20, 64]});
    svc.ok(ALICE, Method::Put, &format!("/datasets/{dset}/shape?{D}"), Some(body)).await;
    svc.flush().await;
    assert_eq!(svc.chunk_keys(&dset).await.len(), 2);
    // Delete: every chunk goes away, even after a flush.
    svc.ok(ALICE, Method::Delete, &format!("/datasets/{dset}?{D}"), None).await;
    svc.flush().await;
    assert!(svc.chunk_keys(&dset).await.is_empty());
}

#[tokio::test]
async fn domain_delete_removes_chunks() {
    let svc = service_with(&[]);
    svc.alice_domain().await;
    let dset =
        svc.dataset(json!({"type": "H5T_STD_I8LE", "shape": [4], "value": [1, 2, 3, 4]})).await;
    svc.flush().await;
    assert_eq!(svc.chunk_keys(&dset).await.len(), 1);
    svc.ok(ALICE, Method::Delete, &format!("/?{D}"), None).await;
    assert!(svc.chunk_keys(&dset).await.is_empty());
}

#[tokio::test]
async fn bad_requests_and_permissions() {
    let svc = service_with(&["--max_request_size=1000"]);
    svc.alice_domain().await;
    let dset = svc.dataset(json!({"type": "H5T_STD_I32LE", "shape": [10, 20]})).await;
    let big = svc.dataset(json!({"type": "H5T_STD_I32LE", "shape": [100, 100]})).await;
    let bad = |status: u16, message: &str| (status, message.to_string());
    let message = |(status, body): (u16, Value)| {
        (status, body["message"].as_str().unwrap_or_default().to_string())
    };
    let cases: Vec<Case> = vec![
        (Method::Get, value_url(&dset, "&select=[0:11,:]"), None, bad(400, "Invalid selection")),
        (Method::Get, value_url(&dset, "&select=[0:2:0,:]"), None, bad(400, "Invalid selection")),
        (Method::Get, value_url(&dset, "&select=[0:2]"), None, bad(400, "Invalid selection")),
        (
            Method::Post,
            value_url(&dset, ""),
            Some(json!({"points": [[1, 20]]})),
            bad(400, "POST Value point: [ 1 20] is not within the bounds of the dataset"),
        ),
        (
            Method::Post,
            value_url(&dset, ""),
            Some(json!({"nothing": 1})),
            bad(400, "Expected points or select key in request body"),
        ),
        (
            Method::Put,
            value_url(&dset, "&select=[0:2,0:2]"),
            Some(json!({"value": [1, 2, 3]})),
            (400, String::new()),
        ),
        (
            Method::Put,
            value_url(&dset, ""),
            Some(json!({"value": [1], "element_count": 3, "select": "[0:2,0:2]"})),
            bad(400, "element_count 3 not compatible with selection shape: (2, 2)"),
        ),
        (
            Method::Put,
            value_url(&dset, ""),
            Some(json!({"value": "text", "select": "[0,0]"})),
            (400, String::new()),
        ),
        (Method::Get, value_url(&big, ""), None, bad(413, "GET value request too large")),
        (
            Method::Get,
            value_url("d-00000000-00000000-0000-000000-000000", ""),
            None,
            (400, String::new()),
        ),
    ];
    for (method, url, body, (status, text)) in cases {
        let got = message(svc.call(ALICE, method, &url, body).await);
        assert_eq!(got.0, status, "{method:?} {url}: {got:?}");
        if !text.is_empty() {
            assert_eq!(got.1, text, "{method:?} {url}");
        }
    }
    // Binary bodies of the wrong size.
    let rsp = svc.put_bin(&value_url(&dset, "&select=[0,0:2]"), vec![0; 7]).await;
    assert_eq!(rsp.status, 400);
    assert_eq!(
        body_json(&rsp)["message"],
        "Expected request size to be a multiple of 4, but 7 bytes received"
    );
    let rsp = svc.put_bin(&value_url(&dset, "&select=[0,0:2]"), vec![0; 12]).await;
    assert_eq!(body_json(&rsp)["message"], "expected 8 bytes but got 12");
    // Large binary reads are paged, not refused, and streamed page by page (40000 bytes in
    // pages under 1000 bytes) with their length known up front.
    let row: Vec<u8> = (0..100_i32).flat_map(i32::to_le_bytes).collect();
    assert_eq!(svc.put_bin(&value_url(&big, "&select=[37,0:100]"), row.clone()).await.status, 200);
    let rsp = svc.raw(ALICE, Method::Get, &value_url(&big, ""), None, &[("accept", BIN)]).await;
    let ResponseBody::Stream(stream) = &rsp.body else { panic!("not streamed: {rsp:?}") };
    assert_eq!(stream.length(), Some(40000));
    let mut receiver = stream.take().unwrap();
    let mut pieces = Vec::new();
    while let Some(piece) = receiver.recv().await {
        pieces.push(piece.unwrap());
    }
    assert!(pieces.len() >= 40 && pieces.iter().all(|p| p.len() <= 1000), "{}", pieces.len());
    let whole = pieces.concat();
    assert_eq!(whole.len(), 40000);
    assert_eq!(&whole[37 * 400..38 * 400], &row[..]);
    assert!(whole[..37 * 400].iter().chain(&whole[38 * 400..]).all(|&b| b == 0));
    // Bob may not read alice's domain; anonymous users may not write.
    let (status, _) = svc.call(BOB, Method::Get, &value_url(&dset, ""), None).await;
    assert_eq!(status, 403);
    let (status, _) = svc
        .call(BOB, Method::Put, &value_url(&dset, "&select=[0,0]"), Some(json!({"value": 1})))
        .await;
    assert_eq!(status, 403);
}
