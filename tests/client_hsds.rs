#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The REST client against real HSDS 1.0.2 (the venv's `hsds-node` and `hsds`), over TCP on
//! 127.0.0.1 and over Unix sockets: folders and domains, 404/409/401/400 mapping, binary dataset
//! values, ordered concurrent sends. Skipped (with a message) when the venv is missing.

mod common;

use std::time::{Duration, Instant};

use bytes::Bytes;
use common::hsds::{free_port, start_hsds, PASSWORD, USER};
use restvol::client::{ClientConfig, ClientError, Request, RestClient, RetryPolicy};
use serde_json::json;

fn client(endpoint: &str, user: &str, password: &str) -> restvol::client::BlockingClient {
    let retry = RetryPolicy { max_retries: 2, ..RetryPolicy::default() };
    let config = ClientConfig::new(endpoint)
        .unwrap()
        .with_credentials(user, password)
        .with_retry(retry)
        .with_timeout(Duration::from_secs(30));
    restvol::client::BlockingClient::new(config).unwrap()
}

/// Creates the folders `/home` and `/home/test_user1` (the user is HSDS's admin here), then a domain.
fn create_domain(c: &restvol::client::BlockingClient, domain: &str) -> String {
    for folder in ["/home", "/home/test_user1"] {
        let made = c.put_json("/", Some(folder), json!({"folder": true}));
        assert!(
            matches!(made, Ok(_) | Err(ClientError::Conflict { .. })),
            "folder {folder}: {made:?}"
        );
    }
    let created = c.put_json("/", Some(domain), json!({})).unwrap();
    created["root"].as_str().expect("root id").to_string()
}

/// Creates a 1-D int32 dataset of `n` elements and returns its id.
fn create_dataset(c: &restvol::client::BlockingClient, domain: &str, n: u64) -> String {
    let body = json!({"type": "H5T_STD_I32LE", "shape": [n]});
    let created = c.post_json("/datasets", Some(domain), body).unwrap();
    created["id"].as_str().expect("dataset id").to_string()
}

fn int32_bytes(values: impl Iterator<Item = i32>) -> Vec<u8> {
    values.flat_map(i32::to_le_bytes).collect()
}

#[test]
fn hsds_over_tcp() {
    let Some(hsds) = start_hsds(false) else { return };
    let c = client(&hsds.endpoint, USER, PASSWORD);
    let domain = "/home/test_user1/client_tcp.h5";

    let about = c.get_json("/about", None).unwrap();
    assert_eq!(about["state"], "READY");

    // Create, read back, create again (409).
    let root = create_domain(&c, domain);
    assert!(root.starts_with("g-"), "{root}");
    let got = c.get_json("/", Some(domain)).unwrap();
    assert_eq!(got["root"], root.as_str());
    let again = c.put_json("/", Some(domain), json!({})).unwrap_err();
    assert!(matches!(again, ClientError::Conflict { .. }), "{again}");
    assert!(again.to_string().starts_with("PUT /: 409 conflict"), "{again}");

    // 404 on a missing domain and on a missing group; the message names the call.
    let missing = c.get_json("/", Some("/home/test_user1/nope.h5")).unwrap_err();
    assert!(missing.is_not_found(), "{missing}");
    assert_eq!(missing.status(), Some(404));
    let bogus = format!("/groups/{}", root.replacen('1', "2", 1).replacen("a", "b", 1));
    let err = c.get_json(&bogus, Some(domain)).unwrap_err();
    assert!(matches!(err.status(), Some(404) | Some(400)), "{err}");
    assert!(err.to_string().starts_with(&format!("GET {bogus}: ")), "{err}");

    // Wrong password: 401.
    let intruder = client(&hsds.endpoint, USER, "wrong");
    let denied = intruder.get_json("/", Some(domain)).unwrap_err();
    assert!(matches!(denied, ClientError::Unauthorized { .. }), "{denied}");

    // Binary values: write all, read all and a selection.
    let dset = create_dataset(&c, domain, 10);
    let path = format!("/datasets/{dset}/value");
    let data = int32_bytes(0..10);
    c.put_binary(&path, Some(domain), &[], Bytes::from(data.clone())).unwrap();
    let back = c.get_binary(&path, Some(domain), &[]).unwrap();
    assert_eq!(back.as_ref(), data.as_slice());
    let part = c.get_binary(&path, Some(domain), &[("select", "[2:5]")]).unwrap();
    assert_eq!(part.as_ref(), int32_bytes(2..5).as_slice());
    // JSON read of the same values.
    let json_value = c.get_json(&path, Some(domain)).unwrap();
    assert_eq!(json_value["value"], json!([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));

    // Concurrent sends come back in request order.
    let requests: Vec<Request> = (0..10)
        .map(|i| {
            Request::get(path.clone())
                .domain(domain)
                .param("select", format!("[{i}:{}]", i + 1))
                .accept_binary()
        })
        .collect();
    let answers = c.send_all(&requests).unwrap();
    for (i, answer) in answers.into_iter().enumerate() {
        let answer = answer.unwrap();
        assert!(answer.is_binary(), "{:?}", answer.content_type);
        assert_eq!(answer.body.as_ref(), (i as i32).to_le_bytes());
    }

    // Selection out of range: 400.
    let bad = c.get_binary(&path, Some(domain), &[("select", "[5:50]")]).unwrap_err();
    assert!(matches!(bad, ClientError::BadRequest { .. }), "{bad}");

    // Delete the domain: it is then gone (410) or missing (404).
    c.delete("/", Some(domain)).unwrap();
    let after = c.get_json("/", Some(domain)).unwrap_err();
    assert!(matches!(after.status(), Some(404) | Some(410)), "{after}");
}

#[test]
fn hsds_over_unix_socket() {
    let Some(hsds) = start_hsds(true) else { return };
    assert!(hsds.endpoint.starts_with("http+unix://%2F"));
    let c = client(&hsds.endpoint, USER, PASSWORD);
    let domain = "/home/test_user1/client_unix.h5";
    let root = create_domain(&c, domain);
    assert_eq!(c.get_json("/", Some(domain)).unwrap()["root"], root.as_str());
    let dset = create_dataset(&c, domain, 1000);
    let path = format!("/datasets/{dset}/value");
    let data = int32_bytes((0..1000).map(|v| v * 7 - 3));
    c.put_binary(&path, Some(domain), &[], Bytes::from(data.clone())).unwrap();
    assert_eq!(c.get_binary(&path, Some(domain), &[]).unwrap().as_ref(), data.as_slice());
    let missing = c.get_json("/", Some("/home/test_user1/none.h5")).unwrap_err();
    assert!(missing.is_not_found(), "{missing}");
}

#[test]
fn async_client_connection_refused_is_bounded() {
    // A port nothing listens on: bounded retries, then a clear error.
    let port = free_port();
    let retry = RetryPolicy {
        max_retries: 3,
        initial_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_secs(1),
        max_total: Duration::from_secs(10),
    };
    let config = ClientConfig::new(&format!("http://127.0.0.1:{port}")).unwrap().with_retry(retry);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let client = RestClient::new(config).unwrap();
    let start = Instant::now();
    let err = rt.block_on(client.get_json("/about", None)).unwrap_err();
    let elapsed = start.elapsed();
    assert!(matches!(err, ClientError::Connect { attempts: 4, .. }), "{err}");
    // Waits of 50 + 100 + 200 ms.
    assert!(elapsed >= Duration::from_millis(350), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    let text = err.to_string();
    assert!(text.contains("GET /about: cannot reach") && text.contains("4 attempt"), "{text}");
    assert!(text.to_lowercase().contains("refused"), "{text}");
}
