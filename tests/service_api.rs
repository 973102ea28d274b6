#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The service node driven in-process through `ServiceNode::handle` (no sockets): HSDS status
//! codes and JSON shapes for domains, groups, links, attributes, datatypes and dataset metadata,
//! and the bad-input cases (malformed JSON, bad or foreign ids, traversal, credentials, sizes).

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

const ADMIN: &str = "admin";
const ALICE: &str = "alice";
const BOB: &str = "bob";

struct Svc {
    sn: Arc<ServiceNode>,
    storage: Storage,
}

fn service_with(args: &[&str], dn_count: usize) -> Svc {
    let args: Vec<String> = args.iter().map(|s| (*s).to_string()).collect();
    let config = Config::from_sources(&args, &Default::default()).unwrap();
    let settings = Settings::from_config(&config).unwrap();
    let storage = Storage::new(StorageConfig::Memory).unwrap();
    let nodes = (0..dn_count)
        .map(|i| Arc::new(DataNode::new(i, dn_count, storage.clone(), 1 << 20)))
        .collect();
    let mut users = Users::new(ADMIN, true);
    users.add_password_lines("admin:admin\nalice:a\nbob:b\n");
    let sn = ServiceNode::new(settings, users, DnTransport::in_process(nodes), storage.clone());
    Svc { sn: Arc::new(sn), storage }
}

fn service() -> Svc {
    service_with(&[], 3)
}

fn auth(user: &str) -> String {
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

impl Svc {
    async fn call(
        &self,
        user: Option<&str>,
        method: Method,
        path_query: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let response =
            self.raw(user, method, path_query, body.map(|b| Bytes::from(b.to_string())), &[]).await;
        let json = match &response.body {
            ResponseBody::Json(v) => v.clone(),
            ResponseBody::Empty => Value::Null,
            // JSON written as text (so NaN and Infinity survive) comes back as bytes.
            ResponseBody::Binary(b)
                if response
                    .headers
                    .iter()
                    .any(|(k, v)| k.eq_ignore_ascii_case("content-type") && v.contains("json")) =>
            {
                serde_json::from_slice(b).unwrap_or_else(|_| json!({ "text": b.len() }))
            }
            ResponseBody::Binary(b) => json!({ "binary": b.len() }),
            ResponseBody::Stream(stream) => json!({ "stream": stream.length() }),
        };
        (response.status, json)
    }

    async fn raw(
        &self,
        user: Option<&str>,
        method: Method,
        path_query: &str,
        body: Option<Bytes>,
        headers: &[(&str, &str)],
    ) -> ApiResponse {
        let (path, query) = path_query.split_once('?').unwrap_or((path_query, ""));
        let mut req = ApiRequest::new(method, path);
        req.params = restvol::server::http::parse_query(query);
        if let Some(user) = user {
            req.headers.insert("authorization".into(), auth(user));
        }
        for (name, value) in headers {
            req.headers.insert((*name).to_string(), (*value).to_string());
        }
        req.body = body.unwrap_or_default();
        self.sn.handle(req).await
    }

    async fn ok(&self, user: &str, method: Method, path_query: &str, body: Option<Value>) -> Value {
        let (status, json) = self.call(Some(user), method, path_query, body).await;
        assert!(status < 300, "{method:?} {path_query}: {status} {json}");
        json
    }

    /// Creates /home, /home/alice (owned by alice) and /home/alice/f.h5; returns the root id.
    async fn alice_domain(&self) -> String {
        self.ok(ADMIN, Method::Put, "/?domain=/home", Some(json!({"folder": true}))).await;
        self.ok(
            ADMIN,
            Method::Put,
            "/?domain=/home/alice",
            Some(json!({"folder": true, "owner": ALICE})),
        )
        .await;
        let rsp = self.ok(ALICE, Method::Put, "/?domain=/home/alice/f.h5", None).await;
        rsp["root"].as_str().unwrap().to_string()
    }
}

const D: &str = "domain=/home/alice/f.h5";

#[tokio::test]
async fn domains_and_folders() {
    let svc = service();
    assert_eq!(
        svc.call(Some(ALICE), Method::Put, "/?domain=/home", Some(json!({"folder": true}))).await.0,
        403
    );
    let root = svc.alice_domain().await;
    assert!(root.starts_with("g-"));
    let (status, _) = svc.call(Some(ALICE), Method::Put, &format!("/?{D}"), None).await;
    assert_eq!(status, 409);
    let info = svc.ok(ALICE, Method::Get, &format!("/?{D}"), None).await;
    assert_eq!(info["class"], "domain");
    assert_eq!(info["owner"], ALICE);
    assert_eq!(info["root"], root.as_str());
    assert_eq!(info["limits"]["max_request_size"], 100 * 1024 * 1024);
    assert_eq!(info["version"], "1.0.2");
    let folder = svc.ok(ALICE, Method::Get, "/?domain=/home/alice", None).await;
    assert_eq!(folder["class"], "folder");
    assert!(folder.get("root").is_none());
    // parent must exist and be a folder
    assert_eq!(
        svc.call(Some(ALICE), Method::Put, "/?domain=/home/alice/missing/x.h5", None).await.0,
        404
    );
    assert_eq!(
        svc.call(Some(ALICE), Method::Put, "/?domain=/home/alice/f.h5/x.h5", None).await.0,
        400
    );
    // listing
    let list = svc.ok(ALICE, Method::Get, "/domains?domain=/home/alice/", None).await;
    assert_eq!(list["domains"][0]["name"], "/home/alice/f.h5");
    assert_eq!(list["domains"][0]["class"], "domain");
    let list = svc.ok(ALICE, Method::Get, "/domains?domain=/home/alice/&pattern=*.nc", None).await;
    assert_eq!(list["domains"].as_array().unwrap().len(), 0);
    // non-empty folder can't be deleted; domain can
    assert_eq!(svc.call(Some(ALICE), Method::Delete, "/?domain=/home/alice", None).await.0, 409);
    svc.ok(ALICE, Method::Delete, &format!("/?{D}"), None).await;
    assert_eq!(svc.call(Some(ALICE), Method::Get, &format!("/?{D}"), None).await.0, 404);
    svc.ok(ALICE, Method::Delete, "/?domain=/home/alice", None).await;
    // flush
    let (status, _) = svc.call(Some(ADMIN), Method::Put, "/?domain=/home&flush=1", None).await;
    assert_eq!(status, 204);
    let top = svc.ok(ALICE, Method::Get, "/", None).await;
    assert_eq!(top["domains"][0]["name"], "/home");
    let about = svc.ok(ALICE, Method::Get, "/about", None).await;
    assert_eq!(about["username"], ALICE);
    assert_eq!(about["node_count"], 3);
}

#[tokio::test]
async fn auto_folders_create_parents() {
    let svc = service_with(&["--auto_folders"], 1);
    let rsp = svc.ok(ADMIN, Method::Put, "/?domain=/any/deep/path/run.h5", None).await;
    assert!(rsp["root"].is_string());
    let folder = svc.ok(ADMIN, Method::Get, "/?domain=/any/deep", None).await;
    assert_eq!(folder["class"], "folder");
    assert_eq!(folder["owner"], ADMIN);
}

#[tokio::test]
async fn acls_and_credentials() {
    let svc = service();
    svc.alice_domain().await;
    assert_eq!(svc.call(Some(BOB), Method::Get, &format!("/?{D}"), None).await.0, 403);
    assert_eq!(svc.call(None, Method::Get, &format!("/?{D}"), None).await.0, 403);
    assert_eq!(
        svc.call(None, Method::Get, "/?domain=/home/alice", None).await.0,
        200,
        "folders are public-read"
    );
    assert_eq!(svc.call(None, Method::Post, &format!("/groups?{D}"), None).await.0, 401);
    let mut req = ApiRequest::new(Method::Get, "/");
    req.params.insert("domain".into(), "/home/alice/f.h5".into());
    req.headers.insert("authorization".into(), "Basic YWxpY2U6d3Jvbmc=".into());
    assert_eq!(svc.sn.handle(req).await.status, 401);
    svc.ok(ALICE, Method::Put, &format!("/acls/{BOB}?{D}"), Some(json!({"read": true}))).await;
    assert_eq!(svc.call(Some(BOB), Method::Get, &format!("/?{D}"), None).await.0, 200);
    assert_eq!(svc.call(Some(BOB), Method::Post, &format!("/groups?{D}"), None).await.0, 403);
    let acls = svc.ok(ALICE, Method::Get, &format!("/acls?{D}"), None).await;
    assert_eq!(acls["acls"].as_array().unwrap().len(), 2);
    let mine = svc.ok(BOB, Method::Get, &format!("/acls/{BOB}?{D}"), None).await;
    assert_eq!(mine["acl"]["read"], true);
    assert_eq!(mine["acl"]["update"], false);
    assert_eq!(svc.call(Some(BOB), Method::Get, &format!("/acls?{D}"), None).await.0, 403);
    assert_eq!(
        svc.call(Some(ALICE), Method::Put, &format!("/acls/{BOB}?{D}"), Some(json!({"fly": true})))
            .await
            .0,
        400
    );
    // admin can do anything
    assert_eq!(svc.call(Some(ADMIN), Method::Get, &format!("/?{D}"), None).await.0, 200);
}

#[tokio::test]
async fn groups_links_and_paths() {
    let svc = service();
    let root = svc.alice_domain().await;
    let g1 = svc
        .ok(
            ALICE,
            Method::Post,
            &format!("/groups?{D}"),
            Some(json!({"link": {"id": root, "name": "g1"}})),
        )
        .await;
    assert_eq!(g1["linkCount"], 0);
    let g1 = g1["id"].as_str().unwrap().to_string();
    let (status, _) = svc
        .call(
            Some(ALICE),
            Method::Post,
            &format!("/groups?{D}"),
            Some(json!({"link": {"id": root, "name": "g1"}})),
        )
        .await;
    assert_eq!(status, 409);
    // implicit intermediate groups
    let (status, _) = svc
        .call(Some(ALICE), Method::Post, &format!("/groups?{D}"), Some(json!({"h5path": "/a/b/c"})))
        .await;
    assert_eq!(status, 404);
    let c = svc
        .ok(
            ALICE,
            Method::Post,
            &format!("/groups?{D}&implicit=1"),
            Some(json!({"h5path": "/a/b/c"})),
        )
        .await;
    let found = svc.ok(ALICE, Method::Get, &format!("/?{D}&h5path=/a/b/c"), None).await;
    assert_eq!(found["id"], c["id"]);
    assert_eq!(found["class"], "group");
    let by_path = svc
        .ok(
            ALICE,
            Method::Get,
            &format!("/groups/?{D}&h5path=/a/b&getalias=1&include_links=1"),
            None,
        )
        .await;
    assert_eq!(by_path["alias"], json!(["/a/b"]));
    assert_eq!(by_path["links"]["c"]["id"], c["id"]);
    // links: soft, external, hard; status codes
    let link_url = format!("/groups/{g1}/links/soft?{D}");
    assert_eq!(
        svc.call(Some(ALICE), Method::Put, &link_url, Some(json!({"h5path": "/a/b"}))).await.0,
        201
    );
    assert_eq!(
        svc.call(Some(ALICE), Method::Put, &link_url, Some(json!({"h5path": "/a/b"}))).await.0,
        200
    );
    assert_eq!(
        svc.call(Some(ALICE), Method::Put, &link_url, Some(json!({"h5path": "/zz"}))).await.0,
        409
    );
    let ext = format!("/groups/{g1}/links/ext?{D}");
    svc.ok(ALICE, Method::Put, &ext, Some(json!({"h5path": "/x", "h5domain": "/home/alice/o.h5"})))
        .await;
    let got = svc.ok(ALICE, Method::Get, &ext, None).await;
    assert_eq!(got["link"]["file"], "/home/alice/o.h5");
    assert_eq!(got["link"]["class"], "H5L_TYPE_EXTERNAL");
    let via_soft = svc.ok(ALICE, Method::Get, &format!("/?{D}&h5path=/g1/soft/c"), None).await;
    assert_eq!(via_soft["id"], c["id"]);
    // bulk put across groups, listing with paging and create order
    let body =
        json!({"grp_ids": {g1.clone(): {"links": {"z": {"id": c["id"]}, "y": {"h5path": "/"}}}}});
    assert_eq!(
        svc.call(Some(ALICE), Method::Put, &format!("/groups/{root}/links?{D}"), Some(body))
            .await
            .0,
        201
    );
    let all = svc.ok(ALICE, Method::Get, &format!("/groups/{g1}/links?{D}"), None).await;
    let titles: Vec<&str> =
        all["links"].as_array().unwrap().iter().map(|l| l["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["ext", "soft", "y", "z"]);
    let page = svc
        .ok(ALICE, Method::Get, &format!("/groups/{g1}/links?{D}&Marker=ext&Limit=2"), None)
        .await;
    assert_eq!(page["links"].as_array().unwrap().len(), 2);
    assert_eq!(page["links"][0]["title"], "soft");
    let ordered =
        svc.ok(ALICE, Method::Get, &format!("/groups/{g1}/links?{D}&CreateOrder=1"), None).await;
    assert_eq!(ordered["links"][0]["title"], "soft");
    let some = svc
        .ok(
            ALICE,
            Method::Post,
            &format!("/groups/{g1}/links?{D}"),
            Some(json!({"titles": ["z", "y"]})),
        )
        .await;
    assert_eq!(some["links"].as_array().unwrap().len(), 2);
    assert_eq!(
        svc.call(
            Some(ALICE),
            Method::Delete,
            &format!("/groups/{g1}/links?{D}&titles=z/nope"),
            None
        )
        .await
        .0,
        404
    );
    svc.ok(ALICE, Method::Delete, &format!("/groups/{g1}/links?{D}&titles=z/y"), None).await;
    svc.ok(ALICE, Method::Delete, &link_url, None).await;
    assert_eq!(svc.call(Some(ALICE), Method::Get, &link_url, None).await.0, 404);
    // collection listing and deletes
    let groups = svc.ok(ALICE, Method::Get, &format!("/groups?{D}"), None).await;
    assert_eq!(groups["groups"].as_array().unwrap().len(), 4);
    assert_eq!(
        svc.call(Some(ALICE), Method::Delete, &format!("/groups/{root}?{D}"), None).await.0,
        403
    );
    svc.ok(ALICE, Method::Delete, &format!("/groups/{g1}?{D}"), None).await;
    assert_eq!(svc.call(Some(ALICE), Method::Get, &format!("/groups/{g1}?{D}"), None).await.0, 404);
}

#[tokio::test]
async fn attributes_json_base64_binary() {
    let svc = service();
    let root = svc.alice_domain().await;
    let url = |name: &str| format!("/groups/{root}/attributes/{name}?{D}");
    let attr = json!({"type": "H5T_STD_I16LE", "shape": [2, 2], "value": [[1, 2], [3, -4]]});
    assert_eq!(svc.call(Some(ALICE), Method::Put, &url("m"), Some(attr.clone())).await.0, 201);
    assert_eq!(svc.call(Some(ALICE), Method::Put, &url("m"), Some(attr)).await.0, 200);
    let other = json!({"type": "H5T_STD_I16LE", "value": 5});
    assert_eq!(svc.call(Some(ALICE), Method::Put, &url("m"), Some(other.clone())).await.0, 409);
    assert_eq!(
        svc.call(Some(ALICE), Method::Put, &format!("{}&replace=1", url("m")), Some(other)).await.0,
        200
    );
    let got = svc.ok(ALICE, Method::Get, &url("m"), None).await;
    assert_eq!(got["value"], 5);
    assert_eq!(got["shape"]["class"], "H5S_SCALAR");
    let b64 = json!({"type": "H5T_IEEE_F64LE", "shape": [2], "value": base64::engine::general_purpose::STANDARD.encode([1.5f64.to_le_bytes(), 2.5f64.to_le_bytes()].concat()), "encoding": "base64"});
    svc.ok(ALICE, Method::Put, &url("f"), Some(b64)).await;
    let value =
        svc.ok(ALICE, Method::Get, &format!("/groups/{root}/attributes/f/value?{D}"), None).await;
    assert_eq!(value["value"], json!([1.5, 2.5]));
    let as_b64 = svc.ok(ALICE, Method::Get, &format!("{}&encoding=base64", url("m")), None).await;
    assert_eq!(as_b64["encoding"], "base64");
    assert_eq!(
        as_b64["value"],
        base64::engine::general_purpose::STANDARD.encode(5i16.to_le_bytes())
    );
    let binary = svc
        .raw(
            Some(ALICE),
            Method::Get,
            &format!("/groups/{root}/attributes/m/value?{D}"),
            None,
            &[("accept", "application/octet-stream")],
        )
        .await;
    assert_eq!(binary.body, ResponseBody::Binary(Bytes::from(5i16.to_le_bytes().to_vec())));
    let put = svc
        .raw(
            Some(ALICE),
            Method::Put,
            &format!("/groups/{root}/attributes/m/value?{D}"),
            Some(Bytes::from(9i16.to_le_bytes().to_vec())),
            &[("content-type", "application/octet-stream")],
        )
        .await;
    assert_eq!(put.status, 200);
    assert_eq!(svc.ok(ALICE, Method::Get, &url("m"), None).await["value"], 9);
    // bulk: put on several objects, list, post, delete
    let g = svc
        .ok(
            ALICE,
            Method::Post,
            &format!("/groups?{D}"),
            Some(json!({"link": {"id": root, "name": "g"}})),
        )
        .await;
    let gid = g["id"].as_str().unwrap();
    let body = json!({"obj_ids": {gid: {"attributes": {"s": {"type": {"class": "H5T_STRING", "charSet": "H5T_CSET_UTF8", "strPad": "H5T_STR_NULLTERM", "length": "H5T_VARIABLE"}, "value": "hi"}}}}});
    assert_eq!(
        svc.call(Some(ALICE), Method::Put, &format!("/groups/{root}/attributes?{D}"), Some(body))
            .await
            .0,
        201
    );
    let list = svc.ok(ALICE, Method::Get, &format!("/groups/{root}/attributes?{D}"), None).await;
    assert_eq!(list["attributes"].as_array().unwrap().len(), 2);
    assert!(
        list["attributes"][0].get("value").is_none(),
        "IncludeData defaults to false in listings"
    );
    let bulk = svc
        .ok(
            ALICE,
            Method::Post,
            &format!("/groups/{root}/attributes?{D}"),
            Some(json!({"obj_ids": [gid]})),
        )
        .await;
    assert_eq!(bulk["attributes"][gid][0]["value"], "hi");
    assert_eq!(
        svc.call(
            Some(ALICE),
            Method::Delete,
            &format!("/groups/{root}/attributes?{D}&attr_names=m|x&separator=|"),
            None
        )
        .await
        .0,
        404
    );
    svc.ok(
        ALICE,
        Method::Delete,
        &format!("/groups/{root}/attributes?{D}&attr_names=m|f&separator=|"),
        None,
    )
    .await;
    assert_eq!(svc.call(Some(ALICE), Method::Get, &url("m"), None).await.0, 404);
    assert_eq!(
        svc.call(Some(ALICE), Method::Put, &url("bad"), Some(json!({"shape": [2]}))).await.0,
        400
    );
}

#[tokio::test]
async fn datasets_and_datatypes() {
    let svc = service();
    let root = svc.alice_domain().await;
    let t = svc
        .ok(
            ALICE,
            Method::Post,
            &format!("/datatypes?{D}"),
            Some(json!({"type": "H5T_STD_U16BE", "link": {"id": root, "name": "t"}})),
        )
        .await;
    let tid = t["id"].as_str().unwrap().to_string();
    assert_eq!(t["type"]["base"], "H5T_STD_U16BE");
    let d = svc
        .ok(ALICE, Method::Post, &format!("/datasets?{D}"), Some(json!({"type": tid, "shape": [10], "maxdims": [0], "link": {"id": root, "name": "d"}})))
        .await;
    let did = d["id"].as_str().unwrap().to_string();
    let got = svc.ok(ALICE, Method::Get, &format!("/datasets/{did}?{D}"), None).await;
    assert_eq!(got["type"]["id"], tid.as_str());
    assert_eq!(got["shape"]["maxdims"], json!(["H5S_UNLIMITED"])); // HSDS 1.0.2's form
    assert_eq!(got["layout"], json!({"class": "H5D_CHUNKED", "dims": [524288]}));
    assert_eq!(got["creationProperties"]["layout"]["class"], "H5D_CHUNKED");
    // shape: extend, resize, past maxdims
    let ext = svc
        .ok(
            ALICE,
            Method::Put,
            &format!("/datasets/{did}/shape?{D}"),
            Some(json!({"extend": 5, "extend_dim": 0})),
        )
        .await;
    assert_eq!(ext["selection"], "[10:15]");
    svc.ok(ALICE, Method::Put, &format!("/datasets/{did}/shape?{D}"), Some(json!({"shape": [3]})))
        .await;
    let shape = svc.ok(ALICE, Method::Get, &format!("/datasets/{did}/shape?{D}"), None).await;
    assert_eq!(shape["shape"]["dims"], json!([3]));
    let fixed = svc
        .ok(
            ALICE,
            Method::Post,
            &format!("/datasets?{D}"),
            Some(json!({"type": "H5T_IEEE_F64LE", "shape": [1000, 1000], "maxdims": [1000, 2000]})),
        )
        .await;
    let fid = fixed["id"].as_str().unwrap();
    assert_eq!(
        svc.call(
            Some(ALICE),
            Method::Put,
            &format!("/datasets/{fid}/shape?{D}"),
            Some(json!({"shape": [1000, 3000]}))
        )
        .await
        .0,
        409
    );
    let plain = svc
        .ok(
            ALICE,
            Method::Post,
            &format!("/datasets?{D}"),
            Some(json!({"type": "H5T_IEEE_F64LE", "shape": [1000, 1000]})),
        )
        .await;
    let pid = plain["id"].as_str().unwrap();
    let got = svc.ok(ALICE, Method::Get, &format!("/datasets/{pid}?{D}"), None).await;
    assert_eq!(got["layout"]["dims"], json!([500, 1000]));
    assert_eq!(
        svc.call(
            Some(ALICE),
            Method::Put,
            &format!("/datasets/{pid}/shape?{D}"),
            Some(json!({"shape": [5, 5]}))
        )
        .await
        .0,
        400
    );
    // contiguous is stored chunked; with maxdims it is refused
    let contiguous = json!({"type": "H5T_STD_I32LE", "shape": [10], "creationProperties": {"layout": {"class": "H5D_CONTIGUOUS"}, "filters": [1, "shuffle"]}});
    let c = svc.ok(ALICE, Method::Post, &format!("/datasets?{D}"), Some(contiguous)).await;
    let got = svc
        .ok(ALICE, Method::Get, &format!("/datasets/{}?{D}", c["id"].as_str().unwrap()), None)
        .await;
    assert_eq!(got["layout"]["class"], "H5D_CHUNKED");
    assert_eq!(
        got["creationProperties"]["filters"][0],
        json!({"class": "H5Z_FILTER_DEFLATE", "id": 1, "name": "gzip"})
    );
    let bad = json!({"type": "H5T_STD_I32LE", "shape": [10], "maxdims": [0], "creationProperties": {"layout": {"class": "H5D_CONTIGUOUS"}}});
    assert_eq!(
        svc.call(Some(ALICE), Method::Post, &format!("/datasets?{D}"), Some(bad)).await.0,
        400
    );
    let bad = json!({"type": "H5T_STD_I32LE", "shape": [10], "creationProperties": {"filters": ["szip"]}});
    assert_eq!(
        svc.call(Some(ALICE), Method::Post, &format!("/datasets?{D}"), Some(bad)).await.0,
        400
    );
    let scalar = svc
        .ok(ALICE, Method::Post, &format!("/datasets?{D}"), Some(json!({"type": "H5T_STD_I8LE"})))
        .await;
    assert_eq!(scalar["shape"]["class"], "H5S_SCALAR");
    let ty = svc.ok(ALICE, Method::Get, &format!("/datasets/{did}/type?{D}"), None).await;
    assert_eq!(ty["type"]["base"], "H5T_STD_U16BE");
    let by_path = svc.ok(ALICE, Method::Get, &format!("/datasets/?{D}&h5path=/d"), None).await;
    assert_eq!(by_path["id"], did.as_str());
    let datasets = svc.ok(ALICE, Method::Get, &format!("/datasets?{D}"), None).await;
    assert_eq!(datasets["datasets"], json!([did]));
    let (status, body) =
        svc.call(Some(ALICE), Method::Get, &format!("/datasets/{did}/value?{D}"), None).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["value"].is_array(), "{body}");
    let with_value = json!({"type": "H5T_STD_I8LE", "shape": [2], "value": [1, 2], "link": {"id": root, "name": "v"}});
    assert_eq!(
        svc.call(Some(ALICE), Method::Post, &format!("/datasets?{D}"), Some(with_value)).await.0,
        201
    );
    let v = svc.ok(ALICE, Method::Get, &format!("/datasets/?{D}&h5path=/v"), None).await;
    let vid = v["id"].as_str().unwrap().to_string();
    let read = svc.ok(ALICE, Method::Get, &format!("/datasets/{vid}/value?{D}"), None).await;
    assert_eq!(read["value"], json!([1, 2]));
    svc.ok(ALICE, Method::Delete, &format!("/datasets/{did}?{D}"), None).await;
    svc.ok(ALICE, Method::Delete, &format!("/datatypes/{tid}?{D}"), None).await;
    assert_eq!(
        svc.call(Some(ALICE), Method::Get, &format!("/datatypes/{tid}?{D}"), None).await.0,
        404
    );
}

#[tokio::test]
async fn bad_input_gets_4xx_and_the_service_keeps_serving() {
    let svc = service_with(&["--max_request_size", "1k"], 2);
    let root = svc.alice_domain().await;
    let cases: Vec<(Method, String, Option<Bytes>, u16)> = vec![
        (Method::Post, format!("/groups?{D}"), Some(Bytes::from_static(b"{not json")), 400),
        (Method::Get, format!("/groups/not-an-id?{D}"), None, 400),
        (Method::Get, format!("/groups/d-{}?{D}", &root[2..]), None, 400),
        (Method::Get, format!("/groups/g-00000000-00000000-acd9-4df97b-37122a?{D}"), None, 400),
        (Method::Get, format!("/widgets?{D}"), None, 404),
        (Method::Get, "/?domain=/home/../etc/passwd".to_string(), None, 400),
        (Method::Get, "/?domain=/home/alice/f.h5&host=x".to_string(), None, 400),
        (Method::Get, "/domains?domain=/home/../".to_string(), None, 400),
        (Method::Get, "/?domain=/home/alice/f.h5&bucket=../x".to_string(), None, 400),
        (Method::Post, format!("/groups?{D}"), Some(Bytes::from(vec![b' '; 2048])), 413),
        (
            Method::Put,
            format!("/groups/{root}/links/a%2Fb?{D}"),
            Some(Bytes::from(r#"{"h5path":"/"}"#)),
            400,
        ),
        (
            Method::Put,
            format!("/groups/{root}/links/x?{D}"),
            Some(Bytes::from(r#"{"id":"g-00000000-00000000-acd9-4df97b-37122a"}"#)),
            400,
        ),
        (Method::Post, format!("/datasets?{D}"), Some(Bytes::from(r#"{"type":"H5T_NOPE"}"#)), 400),
        (
            Method::Post,
            format!("/datasets?{D}"),
            Some(Bytes::from(r#"{"type":"H5T_STD_I8LE","shape":[-1]}"#)),
            400,
        ),
        (Method::Get, "/?domain=/home/alice".to_string(), None, 200),
        (Method::Post, "/groups?domain=/home/alice".to_string(), None, 400),
    ];
    for (method, url, body, expected) in cases {
        let response =
            svc.raw(Some(ALICE), method, &url, body, &[("content-type", "application/json")]).await;
        assert_eq!(response.status, expected, "{method:?} {url}: {:?}", response.body);
        if expected >= 400 {
            let ResponseBody::Json(json) = &response.body else {
                panic!("{url}: no JSON error body")
            };
            assert!(json["message"].is_string(), "{url}: {json}");
        }
    }
    let (status, _) =
        svc.call(Some(ALICE), Method::Get, &format!("/groups/{root}?{D}"), None).await;
    assert_eq!(status, 200);
    let image = svc
        .raw(
            Some(ALICE),
            Method::Put,
            &format!("/groups/{root}/links/x?{D}"),
            None,
            &[("content-type", "image/png")],
        )
        .await;
    assert_eq!(image.status, 400);
}

#[tokio::test]
async fn concurrent_link_writes_through_the_service_keep_every_link() {
    let svc = service();
    let root = svc.alice_domain().await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let sn = svc.sn.clone();
        let root = root.clone();
        tasks.push(tokio::spawn(async move {
            let mut req = ApiRequest::new(Method::Put, &format!("/groups/{root}/links/l{i}"));
            req.params.insert("domain".into(), "/home/alice/f.h5".into());
            req.headers.insert("authorization".into(), auth(ALICE));
            req.body = Bytes::from(r#"{"h5path":"/"}"#);
            sn.handle(req).await.status
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 201);
    }
    let links = svc.ok(ALICE, Method::Get, &format!("/groups/{root}/links?{D}"), None).await;
    assert_eq!(links["links"].as_array().unwrap().len(), 40);
    // everything is durable after a flush
    svc.ok(ALICE, Method::Put, &format!("/?{D}&flush=1"), None).await;
    let bucket = svc.storage.bucket("hsdstest").unwrap();
    let key = restvol::storage::keys::object_key(&root).unwrap();
    let stored = bucket.get_json(&key).await.unwrap().unwrap();
    assert_eq!(stored["links"].as_object().unwrap().len(), 40);
}

#[tokio::test]
async fn domain_verbose_statistics_as_hsds_scans_them() {
    let svc = service();
    let root = svc.alice_domain().await;
    svc.ok(
        ALICE,
        Method::Post,
        &format!("/groups?{D}"),
        Some(json!({"link": {"id": root, "name": "g"}})),
    )
    .await;
    svc.ok(ALICE, Method::Post, &format!("/datatypes?{D}"), Some(json!({"type": "H5T_STD_I8LE"})))
        .await;
    let body = json!({"type": "H5T_STD_I32LE", "shape": [10, 10],
        "creationProperties": {"layout": {"class": "H5D_CHUNKED", "dims": [5, 5]}},
        "link": {"id": root, "name": "d"}});
    let d = svc.ok(ALICE, Method::Post, &format!("/datasets?{D}"), Some(body)).await;
    let did = d["id"].as_str().unwrap().to_string();
    // three of the four chunks written
    let value = json!([[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]]);
    svc.ok(
        ALICE,
        Method::Put,
        &format!("/datasets/{did}/value?{D}&select=[0:2,0:6]"),
        Some(json!({"value": value})),
    )
    .await;
    svc.ok(
        ALICE,
        Method::Put,
        &format!("/datasets/{did}/value?{D}&select=[9:10,9:10]"),
        Some(json!({"value": [[1]]})),
    )
    .await;
    let plain = svc.ok(ALICE, Method::Get, &format!("/?{D}"), None).await;
    assert!(plain.get("num_objects").is_none());
    let v = svc.ok(ALICE, Method::Get, &format!("/?{D}&verbose=1"), None).await;
    assert_eq!(v["num_groups"], 2, "{v}");
    assert_eq!(v["num_datasets"], 1);
    assert_eq!(v["num_datatypes"], 1);
    assert_eq!(v["num_chunks"], 3);
    assert_eq!(v["num_objects"], 7, "groups + datasets + datatypes + chunks");
    let allocated = v["allocated_bytes"].as_u64().unwrap();
    assert_eq!(allocated, 3 * 25 * 4, "uncompressed chunks");
    let metadata = v["metadata_bytes"].as_u64().unwrap();
    assert!(metadata > 0);
    assert!(v["total_size"].as_u64().unwrap() > allocated + metadata, "plus the domain JSON");
    assert_eq!((v["linked_bytes"].clone(), v["num_linked_chunks"].clone()), (json!(0), json!(0)));
    let info = &v["scan_info"];
    assert_eq!(info["datasets"][&did]["num_chunks"], 3);
    assert_eq!(info["datasets"][&did]["logical_bytes"], 400);
    assert_eq!(info["logical_bytes"], 400);
    assert!(v["lastModified"].as_f64().unwrap() >= plain["lastModified"].as_f64().unwrap());
}

#[tokio::test]
async fn domain_getobjs_consolidated_metadata() {
    let svc = service();
    let root = svc.alice_domain().await;
    let g = svc
        .ok(
            ALICE,
            Method::Post,
            &format!("/groups?{D}"),
            Some(json!({"link": {"id": root, "name": "g"}})),
        )
        .await;
    let gid = g["id"].as_str().unwrap().to_string();
    let attr = json!({"type": "H5T_STD_I16LE", "shape": [2], "value": [7, 8]});
    svc.ok(ALICE, Method::Put, &format!("/groups/{gid}/attributes/a?{D}"), Some(attr)).await;
    let body = json!({"type": "H5T_IEEE_F32LE", "shape": [3], "link": {"id": gid, "name": "d"}});
    let d = svc.ok(ALICE, Method::Post, &format!("/datasets?{D}"), Some(body)).await;
    let did = d["id"].as_str().unwrap().to_string();
    let soft = json!({"h5path": "/g/d"});
    svc.ok(ALICE, Method::Put, &format!("/groups/{root}/links/s?{D}"), Some(soft)).await;

    let plain = svc.ok(ALICE, Method::Get, &format!("/?{D}"), None).await;
    assert!(plain.get("domain_objs").is_none());
    let got = svc.ok(ALICE, Method::Get, &format!("/?{D}&getobjs=1"), None).await;
    let objs = got["domain_objs"].as_object().unwrap();
    assert_eq!(objs.len(), 3, "{got}");
    assert_eq!(objs[&root]["links"]["g"]["id"], gid.as_str());
    assert_eq!(objs[&root]["links"]["s"]["h5path"], "/g/d");
    assert_eq!(objs[&gid]["links"]["d"]["id"], did.as_str());
    assert_eq!(objs[&gid]["attributes"]["a"]["value"], json!([7, 8]));
    assert_eq!(objs[&did]["type"]["base"], "H5T_IEEE_F32LE");
    assert_eq!(objs[&did]["shape"]["dims"], json!([3]));
    assert!(objs[&did].get("creationProperties").is_some());
    assert!(objs[&did].get("links").is_none());
}
