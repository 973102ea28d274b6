#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The value endpoints' `append`, `fields` and `query` parameters driven in-process through
//! `ServiceNode::handle`, with HSDS 1.0.2's answers and error statuses.

mod common;

use common::in_process::*;
use restvol::server::Method;
use serde_json::{json, Value};

fn compound_dataset(shape: Value, maxdims: Value, chunk: u64) -> Value {
    json!({"type": {"class": "H5T_COMPOUND", "fields": [
            {"name": "temp", "type": "H5T_STD_I32LE"},
            {"name": "name", "type": {"class": "H5T_STRING", "charSet": "H5T_CSET_ASCII",
                "strPad": "H5T_STR_NULLPAD", "length": 4}},
            {"name": "w", "type": "H5T_IEEE_F64LE"}]},
        "shape": shape, "maxdims": maxdims,
        "creationProperties": {"layout": {"class": "H5D_CHUNKED", "dims": [chunk]}}})
}

async fn expect_err(
    svc: &Svc,
    method: Method,
    pq: &str,
    body: Option<Value>,
    status: u16,
    msg: &str,
) {
    let (got, json) = svc.call(ALICE, method, pq, body).await;
    assert_eq!(got, status, "{method:?} {pq}: {json}");
    if !msg.is_empty() {
        assert!(json.to_string().contains(msg), "{pq}: expected {msg:?} in {json}");
    }
}

#[tokio::test]
async fn append_extends_and_writes() {
    let svc = service_with(&[]);
    svc.alice_domain().await;
    let dset = svc
        .dataset(json!({"type": "H5T_STD_I32LE", "shape": [2, 3], "maxdims": [0, 3],
            "creationProperties": {"layout": {"class": "H5D_CHUNKED", "dims": [2, 3]}}}))
        .await;
    let body = json!({"value": [[1, 2, 3], [4, 5, 6]]});
    svc.ok(ALICE, Method::Put, &value_url(&dset, ""), Some(body)).await;
    // Param form: two rows along axis 0.
    let body = json!({"value": [[7, 8, 9], [10, 11, 12]]});
    svc.ok(ALICE, Method::Put, &value_url(&dset, "&append=2"), Some(body)).await;
    let shape = svc.ok(ALICE, Method::Get, &format!("/datasets/{dset}/shape?{D}"), None).await;
    assert_eq!(shape["shape"]["dims"], json!([4, 3]));
    // Body form, binary, and append_dim.
    let body = json!({"value": [[13, 14, 15]], "append": 1, "append_dim": 0});
    svc.ok(ALICE, Method::Put, &value_url(&dset, ""), Some(body)).await;
    let rsp = svc.put_bin(&value_url(&dset, "&append=1"), i32_bytes([16, 17, 18])).await;
    assert_eq!(rsp.status, 200);
    let all = svc.ok(ALICE, Method::Get, &value_url(&dset, ""), None).await;
    assert_eq!(
        all["value"],
        json!([[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12], [13, 14, 15], [16, 17, 18]])
    );
    // Errors.
    let one = Some(json!({"value": [[0, 0, 0]]}));
    expect_err(
        &svc,
        Method::Put,
        &value_url(&dset, "&append=1&append_dim=1"),
        one.clone(),
        409,
        "",
    )
    .await;
    expect_err(
        &svc,
        Method::Put,
        &value_url(&dset, "&append=1&append_dim=2"),
        one.clone(),
        400,
        "invalid append_dim",
    )
    .await;
    expect_err(
        &svc,
        Method::Put,
        &value_url(&dset, "&append=1&append_dim=x"),
        one.clone(),
        400,
        "invalid append_dim",
    )
    .await;
    expect_err(
        &svc,
        Method::Put,
        &value_url(&dset, "&append=x"),
        one.clone(),
        400,
        "invalid append query param",
    )
    .await;
    expect_err(
        &svc,
        Method::Put,
        &value_url(&dset, "&append=1&select=[0:1,:]"),
        one.clone(),
        400,
        "select query parameter can not be used with append",
    )
    .await;
    expect_err(
        &svc,
        Method::Put,
        &value_url(&dset, "&append=1&query=_>1"),
        one.clone(),
        400,
        "Query string can not be used with append parameter",
    )
    .await;
    expect_err(&svc, Method::Put, &value_url(&dset, "&append=2"), one.clone(), 400, "").await;
    let shape = svc.ok(ALICE, Method::Get, &format!("/datasets/{dset}/shape?{D}"), None).await;
    assert_eq!(shape["shape"]["dims"], json!([6, 3]), "failed appends leave the shape alone");
    let fixed = svc.dataset(json!({"type": "H5T_STD_I32LE", "shape": [2]})).await;
    expect_err(
        &svc,
        Method::Put,
        &value_url(&fixed, "&append=1"),
        Some(json!({"value": [1]})),
        400,
        "Dataset shape must be extensible for packet updates",
    )
    .await;
    let bounded = svc.dataset(json!({"type": "H5T_STD_I32LE", "shape": [2], "maxdims": [3]})).await;
    expect_err(
        &svc,
        Method::Put,
        &value_url(&bounded, "&append=2"),
        Some(json!({"value": [1, 2]})),
        409,
        "",
    )
    .await;
    svc.ok(ALICE, Method::Put, &value_url(&bounded, "&append=1"), Some(json!({"value": [5]})))
        .await;
    let got = svc.ok(ALICE, Method::Get, &value_url(&bounded, ""), None).await;
    assert_eq!(got["value"], json!([0, 0, 5]));
}

#[tokio::test]
async fn fields_read_and_write_members() {
    let svc = service_with(&[]);
    svc.alice_domain().await;
    let dset = svc.dataset(compound_dataset(json!([4]), json!([4]), 2)).await;
    let body = json!({"value": [[1, "a", 0.5], [2, "bb", 1.5], [3, "ccc", 2.5], [4, "d", 3.5]]});
    svc.ok(ALICE, Method::Put, &value_url(&dset, ""), Some(body)).await;
    let got =
        svc.ok(ALICE, Method::Get, &value_url(&dset, "&fields=w:temp&select=[1:3]"), None).await;
    assert_eq!(got["value"], json!([[1.5, 2], [2.5, 3]]));
    let bin = svc.get_bin(&value_url(&dset, "&fields=temp")).await;
    assert_eq!(bin, i32_bytes([1, 2, 3, 4]));
    // Write one member; the others stay.
    let body = json!({"value": [[10], [20]]});
    svc.ok(ALICE, Method::Put, &value_url(&dset, "&fields=temp&select=[0:2]"), Some(body)).await;
    let rsp = svc.put_bin(&value_url(&dset, "&fields=temp&select=[3:4]"), i32_bytes([40])).await;
    assert_eq!(rsp.status, 200);
    let body = json!({"fields": "name", "points": [2], "value": [["zz"]]});
    svc.ok(ALICE, Method::Put, &value_url(&dset, ""), Some(body)).await;
    let all = svc.ok(ALICE, Method::Get, &value_url(&dset, ""), None).await;
    assert_eq!(
        all["value"],
        json!([[10, "a", 0.5], [20, "bb", 1.5], [3, "zz", 2.5], [40, "d", 3.5]])
    );
    expect_err(
        &svc,
        Method::Get,
        &value_url(&dset, "&fields=nope"),
        None,
        400,
        "invalid fields selection: field: nope is not defined in parent type",
    )
    .await;
    let rsp = svc.put_bin(&value_url(&dset, "&fields=temp&select=[3:4]"), i32_bytes([1, 2])).await;
    assert_eq!(rsp.status, 400);
    let ints = svc.dataset(json!({"type": "H5T_STD_I32LE", "shape": [2]})).await;
    expect_err(
        &svc,
        Method::Get,
        &value_url(&ints, "&fields=a"),
        None,
        400,
        "invalid fields selection",
    )
    .await;
}

#[tokio::test]
async fn query_reads_and_updates_matching_rows() {
    let svc = service_with(&[]);
    svc.alice_domain().await;
    let dset = svc.dataset(compound_dataset(json!([10]), json!([10]), 3)).await;
    // Rows 0..6 written (chunks 0 and 1); chunks 2 and 3 never written.
    let rows: Vec<Value> =
        (0..6).map(|i| json!([i * 10, if i % 2 == 0 { "x" } else { "y" }, i])).collect();
    svc.ok(ALICE, Method::Put, &value_url(&dset, "&select=[0:6]"), Some(json!({"value": rows})))
        .await;
    let q = |text: &str| {
        value_url(&dset, &format!("&query={}", text.replace('&', "%26").replace(' ', "%20")))
    };
    let got = svc.ok(ALICE, Method::Get, &q("temp > 15 & name == b'x'"), None).await;
    assert_eq!(got["value"], json!([[20, "x", 2.0], [40, "x", 4.0]]));
    // Unwritten chunks never match (HSDS skips chunks that do not exist).
    let got = svc.ok(ALICE, Method::Get, &q("temp == 0"), None).await;
    assert_eq!(got["value"], json!([[0, "x", 0.0]]));
    let got = svc
        .ok(
            ALICE,
            Method::Get,
            &format!("{}&Limit=2&fields=temp", q("(name == y) | (w < 1)")),
            None,
        )
        .await;
    assert_eq!(got["value"], json!([[0], [10]]));
    let got = svc.ok(ALICE, Method::Get, &format!("{}&select=[2:6]", q("temp >= 0")), None).await;
    assert_eq!(got["value"].as_array().unwrap().len(), 4);
    let bin = svc.get_bin(&format!("{}&fields=temp", q("name.isin('y')"))).await;
    assert_eq!(bin, i32_bytes([10, 30, 50]));
    // Update: set w of matching rows, answer their indices.
    let upd = svc
        .ok(ALICE, Method::Put, &format!("{}&Limit=2", q("name == y")), Some(json!({"w": 99})))
        .await;
    assert_eq!(upd["indices"], json!([[1], [3]]));
    let got = svc.ok(ALICE, Method::Get, &q("w == 99"), None).await;
    assert_eq!(got["value"], json!([[10, "y", 99.0], [30, "y", 99.0]]));
    expect_err(
        &svc,
        Method::Put,
        &q("temp > 0"),
        Some(json!({"nope": 1})),
        400,
        "field: nope not found",
    )
    .await;
    // Malformed queries are 400 with HSDS's wording.
    for bad in [
        "temp >",
        "temp == 1 &",
        "bogus == 1",
        "__import__('os').system('x')",
        "temp < b'x'",
        "(temp == 1",
    ] {
        expect_err(&svc, Method::Get, &q(bad), None, 400, "is not valid").await;
    }
    expect_err(
        &svc,
        Method::Get,
        &format!("{}&Limit=x", q("temp > 1")),
        None,
        400,
        "Limit param must be positive int",
    )
    .await;
    // A non-compound dataset is queried as '_'.
    let ints = svc.dataset(json!({"type": "H5T_STD_I32LE", "shape": [5]})).await;
    svc.ok(ALICE, Method::Put, &value_url(&ints, ""), Some(json!({"value": [5, 1, 7, 2, 9]})))
        .await;
    let got = svc.ok(ALICE, Method::Get, &value_url(&ints, "&query=_%20%3E%204"), None).await;
    assert_eq!(got["value"], json!([5, 7, 9]));
}

#[tokio::test]
async fn concurrent_appends_get_distinct_rows() {
    let svc = service_with(&[]);
    svc.alice_domain().await;
    let dset = svc
        .dataset(json!({"type": "H5T_STD_I32LE", "shape": [0], "maxdims": [0],
            "creationProperties": {"layout": {"class": "H5D_CHUNKED", "dims": [4]}}}))
        .await;
    let url = value_url(&dset, "&append=1");
    let appends = (0..12).map(|i| svc.ok(ALICE, Method::Put, &url, Some(json!({"value": [i]}))));
    futures_util::future::join_all(appends).await;
    let all = svc.ok(ALICE, Method::Get, &value_url(&dset, ""), None).await;
    let mut got: Vec<i64> =
        all["value"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
    got.sort_unstable();
    assert_eq!(got, (0..12).collect::<Vec<i64>>());
}
