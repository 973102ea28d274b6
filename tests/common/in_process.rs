//! An in-process service (`ServiceNode::handle`, no sockets) for the value tests: three DNs
//! over an in-memory store, users admin/alice/bob, request helpers that send as a user and
//! read JSON, binary or streamed answers.

use std::sync::Arc;

use base64::Engine;
use bytes::Bytes;
use restvol::server::auth::Users;
use restvol::server::config::Config;
use restvol::server::dn::DataNode;
use restvol::server::transport::DnTransport;
use restvol::server::{ApiRequest, ApiResponse, Method, ResponseBody, ServiceNode, Settings};
use restvol::storage::{Storage, StorageConfig};
use serde_json::{json, Value};

pub const ADMIN: &str = "admin";
pub const ALICE: &str = "alice";
pub const BOB: &str = "bob";
pub const D: &str = "domain=/home/alice/f.h5";
pub const BIN: &str = "application/octet-stream";

/// An in-process service node over three DNs and an in-memory store.
pub struct Svc {
    /// The service node.
    pub sn: Arc<ServiceNode>,
    /// Its storage.
    pub storage: Storage,
}

pub fn service_with(args: &[&str]) -> Svc {
    let args: Vec<String> = args.iter().map(|s| (*s).to_string()).collect();
    let config = Config::from_sources(&args, &Default::default()).unwrap();
    let settings = Settings::from_config(&config).unwrap();
    let storage = Storage::new(StorageConfig::Memory).unwrap();
    let nodes = (0..3).map(|i| Arc::new(DataNode::new(i, 3, storage.clone(), 1 << 20))).collect();
    let mut users = Users::new(ADMIN, true);
    users.add_password_lines("admin:admin\nalice:a\nbob:b\n");
    let sn = ServiceNode::new(settings, users, DnTransport::in_process(nodes), storage.clone());
    Svc { sn: Arc::new(sn), storage }
}

pub fn auth(user: &str) -> String {
    let password = match user {
        ADMIN => "admin",
        ALICE => "a",
        _ => "b",
    };
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// A response body as JSON (JSON text kept in a binary body is parsed too).
pub fn body_json(response: &ApiResponse) -> Value {
    match &response.body {
        ResponseBody::Json(v) => v.clone(),
        ResponseBody::Empty => Value::Null,
        ResponseBody::Binary(b) => {
            let json_typed = response
                .headers
                .iter()
                .any(|(n, v)| n.eq_ignore_ascii_case("content-type") && v.contains("json"));
            if json_typed {
                serde_json::from_slice(b).unwrap()
            } else {
                json!({ "binary": b.len() })
            }
        }
        ResponseBody::Stream(stream) => json!({ "stream": stream.length() }),
    }
}

impl Svc {
    pub async fn raw(
        &self,
        user: &str,
        method: Method,
        path_query: &str,
        body: Option<Bytes>,
        headers: &[(&str, &str)],
    ) -> ApiResponse {
        let (path, query) = path_query.split_once('?').unwrap_or((path_query, ""));
        let mut req = ApiRequest::new(method, path);
        req.params = restvol::server::http::parse_query(query);
        req.headers.insert("authorization".into(), auth(user));
        for (name, value) in headers {
            req.headers.insert((*name).to_string(), (*value).to_string());
        }
        req.body = body.unwrap_or_default();
        self.sn.handle(req).await
    }

    pub async fn call(
        &self,
        user: &str,
        method: Method,
        pq: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let rsp = self.raw(user, method, pq, body.map(|b| Bytes::from(b.to_string())), &[]).await;
        (rsp.status, body_json(&rsp))
    }

    pub async fn ok(&self, user: &str, method: Method, pq: &str, body: Option<Value>) -> Value {
        let (status, json) = self.call(user, method, pq, body).await;
        assert!(status < 300, "{method:?} {pq}: {status} {json}");
        json
    }

    pub async fn get_bin(&self, pq: &str) -> Vec<u8> {
        let rsp = self.raw(ALICE, Method::Get, pq, None, &[("accept", BIN)]).await;
        assert_eq!(rsp.status, 200, "{pq}: {:?}", body_json(&rsp));
        match rsp.body {
            ResponseBody::Binary(b) => b.to_vec(),
            ResponseBody::Stream(stream) => stream.collect().await.unwrap().to_vec(),
            other => panic!("expected binary, got {other:?}"),
        }
    }

    pub async fn put_bin(&self, pq: &str, bytes: Vec<u8>) -> ApiResponse {
        self.raw(ALICE, Method::Put, pq, Some(Bytes::from(bytes)), &[("content-type", BIN)]).await
    }

    /// Creates /home, /home/alice (owned by alice) and /home/alice/f.h5; returns the root id.
    pub async fn alice_domain(&self) -> String {
        self.ok(ADMIN, Method::Put, "/?domain=/home", Some(json!({"folder": true}))).await;
        let body = json!({"folder": true, "owner": ALICE});
        self.ok(ADMIN, Method::Put, "/?domain=/home/alice", Some(body)).await;
        let rsp = self.ok(ALICE, Method::Put, &format!("/?{D}"), None).await;
        rsp["root"].as_str().unwrap().to_string()
    }

    pub async fn dataset(&self, body: Value) -> String {
        let rsp = self.ok(ALICE, Method::Post, &format!("/datasets?{D}"), Some(body)).await;
        rsp["id"].as_str().unwrap().to_string()
    }

    pub async fn chunk_keys(&self, dset: &str) -> Vec<String> {
        let prefix = restvol::storage::keys::dataset_prefix(dset).unwrap();
        let bucket = self.storage.bucket("hsdstest").unwrap();
        let mut keys: Vec<String> = bucket
            .list_all(&prefix)
            .await
            .unwrap()
            .into_iter()
            .map(|info| info.key)
            .filter(|key| !key.ends_with(".json"))
            .collect();
        keys.sort();
        keys
    }

    pub async fn flush(&self) {
        self.ok(ALICE, Method::Put, &format!("/?{D}&flush=1"), None).await;
    }
}

pub fn value_url(dset: &str, query: &str) -> String {
    format!("/datasets/{dset}/value?{D}{query}")
}

pub fn i32_bytes(values: impl IntoIterator<Item = i32>) -> Vec<u8> {
    values.into_iter().flat_map(i32::to_le_bytes).collect()
}
