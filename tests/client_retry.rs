#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Retry, timeout and connection-reuse behaviour of the REST client against scripted stand-in
//! servers on 127.0.0.1: 503s then success, persistent 500s, a server that never answers, a
//! keep-alive server that counts connections.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use restvol::client::{ClientConfig, ClientError, RestClient, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Serves every connection with `answer(n)` (n = 0-based request count), or never answers
/// when it returns `None`. Returns the endpoint and the request counter.
async fn scripted_server(
    answer: fn(u32) -> Option<(u16, &'static str)>,
) -> (String, Arc<AtomicU32>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicU32::new(0));
    let counter = Arc::clone(&count);
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            let counter = Arc::clone(&counter);
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let n = counter.fetch_add(1, Ordering::SeqCst);
                let Some((status, body)) = answer(n) else {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    return;
                };
                let reply = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(reply.as_bytes()).await;
            });
        }
    });
    (endpoint, count)
}

fn policy(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        initial_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(200),
        max_total: Duration::from_secs(10),
    }
}

#[tokio::test]
async fn retries_503_then_succeeds() {
    let (endpoint, count) =
        scripted_server(|n| Some(if n < 2 { (503, "busy") } else { (200, r#"{"ok": 1}"#) })).await;
    let client =
        RestClient::new(ClientConfig::new(&endpoint).unwrap().with_retry(policy(5))).unwrap();
    let value = client.post_json("/datasets", Some("/d.h5"), serde_json::json!({})).await.unwrap();
    assert_eq!(value["ok"], 1);
    assert_eq!(count.load(Ordering::SeqCst), 3, "two 503s, then 200");
}

#[tokio::test]
async fn persistent_500_gives_up_with_the_server_message() {
    let (endpoint, count) =
        scripted_server(|_| Some((500, r#"{"message": "disk on fire"}"#))).await;
    let client =
        RestClient::new(ClientConfig::new(&endpoint).unwrap().with_retry(policy(3))).unwrap();
    let err = client.get_json("/groups/g-1", None).await.unwrap_err();
    assert!(matches!(err, ClientError::Server { status: 500, attempts: 4, .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "GET /groups/g-1: 500 server error after 4 attempt(s): disk on fire"
    );
    assert_eq!(count.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let (endpoint, count) = scripted_server(|_| Some((404, "404: Not Found"))).await;
    let client =
        RestClient::new(ClientConfig::new(&endpoint).unwrap().with_retry(policy(3))).unwrap();
    let err = client.get_json("/", Some("/x.h5")).await.unwrap_err();
    assert_eq!(err.to_string(), "GET /: 404 not found: 404: Not Found");
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn total_time_bounds_the_retries() {
    let (endpoint, count) = scripted_server(|_| Some((503, "busy"))).await;
    let retry = RetryPolicy {
        max_retries: 100,
        initial_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(50),
        max_total: Duration::from_millis(300),
    };
    let client = RestClient::new(ClientConfig::new(&endpoint).unwrap().with_retry(retry)).unwrap();
    let start = Instant::now();
    let err = client.get_json("/", None).await.unwrap_err();
    assert!(matches!(err, ClientError::Server { status: 503, .. }), "{err}");
    assert!(start.elapsed() < Duration::from_secs(2), "{:?}", start.elapsed());
    let n = count.load(Ordering::SeqCst);
    assert!((2..=8).contains(&n), "{n} attempts");
}

#[tokio::test]
async fn timeout_is_reported_and_not_retried() {
    let (endpoint, count) = scripted_server(|_| None).await;
    let config = ClientConfig::new(&endpoint)
        .unwrap()
        .with_retry(policy(3))
        .with_timeout(Duration::from_millis(300));
    let client = RestClient::new(config).unwrap();
    let start = Instant::now();
    let err = client.get_json("/about", None).await.unwrap_err();
    assert!(matches!(err, ClientError::Timeout { .. }), "{err}");
    assert!(err.to_string().starts_with("GET /about: timed out after"), "{err}");
    assert!(start.elapsed() < Duration::from_secs(2));
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn per_request_timeout_overrides_the_client_setting() {
    let (endpoint, _count) = scripted_server(|_| None).await;
    let config = ClientConfig::new(&endpoint).unwrap().with_timeout(Duration::from_secs(30));
    let client = RestClient::new(config).unwrap();
    let request = restvol::client::Request::get("/about").timeout(Duration::from_millis(200));
    let start = Instant::now();
    let err = client.send(&request).await.unwrap_err();
    assert!(
        matches!(err, ClientError::Timeout { timeout, .. } if timeout == Duration::from_millis(200)),
        "{err}"
    );
    assert!(start.elapsed() < Duration::from_secs(2));
}

/// A keep-alive server: answers every request on a connection with 200 `{}`; counts accepts.
async fn keep_alive_server() -> (String, Arc<AtomicU32>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let accepts = Arc::new(AtomicU32::new(0));
    let counter = Arc::clone(&accepts);
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                loop {
                    while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        buf.drain(..end + 4);
                        let reply = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                                     content-length: 2\r\n\r\n{}";
                        if socket.write_all(reply.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
            });
        }
    });
    (endpoint, accepts)
}

#[tokio::test]
async fn connections_are_reused() {
    let (endpoint, accepts) = keep_alive_server().await;
    let client = RestClient::new(ClientConfig::new(&endpoint).unwrap()).unwrap();
    for _ in 0..10 {
        client.get_json("/about", None).await.unwrap();
    }
    assert_eq!(accepts.load(Ordering::SeqCst), 1, "one connection for ten sequential requests");
}
