//! Storage-level interoperability of the value path with HSDS 1.0.2 and h5pyd.
//!
//! 1. restvol's chunk store writes a domain (hand-written `.domain.json`, root `.group.json`,
//!    `.dataset.json`) and its chunks into `<root>/hsdstest/…`; HSDS serves that directory and
//!    h5pyd reads the values back, compared with numpy.
//! 2. h5pyd writes datasets through HSDS (flushed), and restvol's chunk store reads the chunks
//!    HSDS wrote.
//!
//! HSDS runs on Unix sockets only (`--socket_dir`): no TCP port at all, so nothing listens on a
//! network interface and its fixed DN port (6101) cannot collide with other servers.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use restvol::model::{new_obj_id, new_root_id, ObjClass};
use restvol::server::chunks::{ChunkNode, ChunkNodeConfig, DatasetLayout, ElementBuf, RawFilters};
use restvol::server::dn::DataNode;
use restvol::server::values::{read_selection, write_selection, NodeLink, ValueSelection};
use restvol::storage::backend::{Bucket, Storage, StorageConfig};
use restvol::storage::keys::{domain_key, object_key};

fn venv_bin(name: &str) -> PathBuf {
    let deps = std::env::var_os("RESTVOL_DEPS").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/restvol/deps")
    });
    let path = deps.join("venv/bin").join(name);
    assert!(path.is_file(), "{} missing: run scripts/install-deps.sh", path.display());
    path
}

/// HSDS on Unix sockets, in a process group of its own; the whole group (the launcher and its
/// SN and DN processes) is stopped (SIGINT, then SIGKILL) when dropped.
struct Hsds {
    child: Child,
    socket_dir: PathBuf,
}

impl Hsds {
    fn start(root: &Path, log: &Path, tag: &str) -> Hsds {
        let socket_dir = PathBuf::from(format!("/tmp/rvv-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&socket_dir);
        std::fs::create_dir_all(&socket_dir).expect("socket dir");
        let child = Command::new(venv_bin("hsds"))
            .arg("--root_dir")
            .arg(root)
            .args(["--bucket_name", "hsdstest", "--hs_username", "test_user1"])
            .args(["--hs_password", "test", "--count", "1", "--socket_dir"])
            .arg(&socket_dir)
            .arg("--logfile")
            .arg(log)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start hsds");
        let hsds = Hsds { child, socket_dir };
        hsds.wait_ready(log);
        hsds
    }

    fn endpoint(&self) -> String {
        let dir = self.socket_dir.display().to_string().replace('/', "%2F");
        format!("http+unix://{dir}%2Fsn_1.sock")
    }

    /// One HTTP/1.1 request on the SN socket; the raw answer.
    fn request(&self, head: &str) -> String {
        let mut stream = UnixStream::connect(self.socket_dir.join("sn_1.sock")).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
        stream.write_all(head.as_bytes()).expect("send");
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer
    }

    /// `PUT /?flush=1` on `domain`: returns when HSDS has written everything.
    fn flush(&self, domain: &str) {
        use base64::Engine;
        let auth = base64::engine::general_purpose::STANDARD.encode("test_user1:test");
        let answer = self.request(&format!(
            "PUT /?domain={domain}&flush=1 HTTP/1.1\r\nHost: localhost\r\n\
             Authorization: Basic {auth}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ));
        assert!(answer.starts_with("HTTP/1.1 20"), "flush failed: {answer}");
    }

    fn wait_ready(&self, log: &Path) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let sock = self.socket_dir.join("sn_1.sock");
        while Instant::now() < deadline {
            if let Ok(mut stream) = UnixStream::connect(&sock) {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let request =
                    b"GET /about HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
                let mut answer = String::new();
                if stream.write_all(request).is_ok()
                    && stream.read_to_string(&mut answer).is_ok()
                    && answer.starts_with("HTTP/1.1 200")
                    && answer.contains("READY")
                {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let log = std::fs::read_to_string(log).unwrap_or_default();
        panic!("HSDS did not become ready:\n{log}");
    }
}

impl Drop for Hsds {
    fn drop(&mut self) {
        // The launcher does not pass SIGINT on to its nodes: signal the group.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-INT", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            let _ = self.child.try_wait(); // reap the launcher so it stops counting
            let alive =
                Command::new("kill").args(["-0", "--", &group]).stderr(Stdio::null()).status();
            if !alive.is_ok_and(|status| status.success()) {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.socket_dir);
    }
}

fn run_python(hsds: &Hsds, script: &str, args: &[&str]) -> String {
    let out = Command::new(venv_bin("python"))
        .arg("-c")
        .arg(script)
        .args(args)
        .env("HS_ENDPOINT", hsds.endpoint())
        .env("HS_USERNAME", "test_user1")
        .env("HS_PASSWORD", "test")
        .output()
        .expect("run python");
    let stdout = common::text(&out.stdout);
    assert!(out.status.success(), "python failed:\n{stdout}\n{}", common::text(&out.stderr));
    stdout
}

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn full_acl() -> Value {
    json!({"create": true, "read": true, "update": true, "delete": true,
           "readACL": true, "updateACL": true})
}

fn read_only_acl() -> Value {
    json!({"create": false, "read": true, "update": false, "delete": false,
           "readACL": false, "updateACL": false})
}

/// Folders `/home/` and `/home/test_user1/` (owned by test_user1), as HSDS stores them.
async fn write_folders(bucket: &Bucket) {
    for folder in ["/home/", "/home/test_user1/"] {
        let body = json!({"owner": "test_user1",
            "acls": {"test_user1": full_acl(), "default": read_only_acl()},
            "created": now(), "lastModified": now()});
        bucket.put_json(&domain_key(folder).unwrap(), &body).await.unwrap();
    }
}

/// One in-process DN; only its chunk store is used (metadata is written directly).
fn nodes() -> Vec<NodeLink> {
    let unused = restvol::storage::Storage::new(restvol::storage::StorageConfig::Memory).unwrap();
    vec![NodeLink::local(
        Arc::new(DataNode::new(0, 1, unused, 1 << 20)),
        ChunkNode::new(ChunkNodeConfig::new(0, 1), Arc::new(RawFilters)),
    )]
}

const READ_BACK: &str = r#"
import sys, h5pyd, numpy as np
f = h5pyd.File(sys.argv[1], "r")
grid = f["grid"]
assert grid.shape == (10, 7), grid.shape
assert grid.chunks == (4, 3), grid.chunks
expected = np.full((10, 7), -1, dtype=np.int32)
i, j = np.meshgrid(np.arange(9), np.arange(5), indexing="ij")
expected[0:9, 0:5] = i * 100 + j
expected[1:9:3, 2:7:2] = -7
got = grid[...]
assert (got == expected).all(), (got, expected)
assert (grid[1:10:3, 2:7:2] == expected[1:10:3, 2:7:2]).all()
names = f["names"][...]
names = [n.decode() if isinstance(n, bytes) else n for n in names]
assert names == ["", "héllo", "", "xyz", "a longer string"], names
print("OK")
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hsds_and_h5pyd_read_chunks_written_by_restvol() {
    let root = common::scratch("values_interop_forward");
    let storage = Storage::new(StorageConfig::Directory { root: root.clone() }).unwrap();
    let bucket = storage.bucket("hsdstest").unwrap();
    write_folders(&bucket).await;
    let root_id = new_root_id().unwrap();
    let grid_id = new_obj_id(ObjClass::Dataset, &root_id).unwrap().to_string();
    let names_id = new_obj_id(ObjClass::Dataset, &root_id).unwrap().to_string();
    let root_id = root_id.to_string();
    let domain = "/home/test_user1/forward.h5";
    let stamp = now();
    bucket
        .put_json(
            &domain_key(domain).unwrap(),
            &json!({"root": root_id, "owner": "test_user1",
                "acls": {"test_user1": full_acl()}, "created": stamp, "lastModified": stamp}),
        )
        .await
        .unwrap();
    let link = |id: &str| json!({"class": "H5L_TYPE_HARD", "id": id, "created": stamp});
    bucket
        .put_json(
            &object_key(&root_id).unwrap(),
            &json!({"id": root_id, "root": root_id, "created": stamp, "lastModified": stamp,
                "links": {"grid": link(&grid_id), "names": link(&names_id)}, "attributes": {}}),
        )
        .await
        .unwrap();
    let grid_json = json!({"id": grid_id, "root": root_id, "created": stamp,
        "lastModified": stamp, "type": {"class": "H5T_INTEGER", "base": "H5T_STD_I32LE"},
        "shape": {"class": "H5S_SIMPLE", "dims": [10, 7], "maxdims": [10, 7]},
        "attributes": {},
        "creationProperties": {"fillValue": -1,
            "layout": {"class": "H5D_CHUNKED", "dims": [4, 3]}},
        "layout": {"class": "H5D_CHUNKED", "dims": [4, 3]}});
    let names_json = json!({"id": names_id, "root": root_id, "created": stamp,
        "lastModified": stamp,
        "type": {"class": "H5T_STRING", "charSet": "H5T_CSET_UTF8",
                 "strPad": "H5T_STR_NULLTERM", "length": "H5T_VARIABLE"},
        "shape": {"class": "H5S_SIMPLE", "dims": [5], "maxdims": [5]},
        "attributes": {}, "creationProperties": {},
        "layout": {"class": "H5D_CHUNKED", "dims": [2]}});
    bucket.put_json(&object_key(&grid_id).unwrap(), &grid_json).await.unwrap();
    bucket.put_json(&object_key(&names_id).unwrap(), &names_json).await.unwrap();

    let nodes = nodes();
    let grid = Arc::new(DatasetLayout::from_json(&grid_json).unwrap());
    let block = ValueSelection::from_model(
        &restvol::model::Selection::parse(
            "[0:9, 0:5]",
            &restvol::model::Shape::simple(vec![10, 7]).unwrap(),
        )
        .unwrap(),
    );
    let values: Vec<u8> = (0..9_i32)
        .flat_map(|i| (0..5_i32).map(move |j| i * 100 + j))
        .flat_map(i32::to_le_bytes)
        .collect();
    write_selection(&nodes, &bucket, &grid, &block, ElementBuf::Fixed(values)).await.unwrap();
    let steps =
        restvol::server::values::request::select_param(Some("[1:9:3, 2:7:2]"), &grid).unwrap();
    write_selection(
        &nodes,
        &bucket,
        &grid,
        &steps,
        ElementBuf::Fixed((-7_i32).to_le_bytes().to_vec()),
    )
    .await
    .unwrap();
    let names = Arc::new(DatasetLayout::from_json(&names_json).unwrap());
    let item =
        |s: &str| [&i32::try_from(s.len()).unwrap().to_le_bytes()[..], s.as_bytes()].concat();
    let texts =
        ElementBuf::Variable(vec![item("héllo"), item(""), item("xyz"), item("a longer string")]);
    let tail = restvol::server::values::request::select_param(Some("[1:5]"), &names).unwrap();
    write_selection(&nodes, &bucket, &names, &tail, texts).await.unwrap();
    for node in &nodes {
        node.flush().await.unwrap();
    }
    // Column chunk 2 was only partly written; chunk (2, 2) never: it must be absent.
    let chunk_keys = bucket.list_all(&format!("db/{}/", &root_id[2..19])).await.unwrap();
    assert!(chunk_keys.iter().any(|o| o.key.ends_with("/2_1")));
    assert!(!chunk_keys.iter().any(|o| o.key.ends_with("/2_2")));

    let hsds = Hsds::start(&root, &root.join("hsds.log"), "fwd");
    let out = run_python(&hsds, READ_BACK, &[domain]);
    assert!(out.contains("OK"), "{out}");
    // HSDS pairs several coordinate lists (see `server::values::target`): two points, not a
    // 2 x 2 block.
    use base64::Engine;
    let auth = base64::engine::general_purpose::STANDARD.encode("test_user1:test");
    let answer = hsds.request(&format!(
        "GET /datasets/{grid_id}/value?domain={domain}&select=%5B%5B1,2%5D,%5B3,4%5D%5D \
         HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic {auth}\r\n\
         Accept: application/json\r\nConnection: close\r\n\r\n"
    ));
    let compact: String = answer.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(compact.contains("\"value\":[103,204]"), "{answer}");
}

const WRITE_THROUGH_HSDS: &str = r#"
import sys, json, h5pyd, numpy as np
f = h5pyd.File(sys.argv[1], "w")
x = f.create_dataset("x", (9, 11), dtype="i2", chunks=(4, 5), fillvalue=7)
x[1:9:2, 3:11] = (np.arange(4 * 8).reshape(4, 8) - 5).astype("i2")
s = f.create_dataset("s", (6,), dtype=h5pyd.special_dtype(vlen=str), chunks=(4,))
s[1:5] = ["one", "", "thrée", "four!"]
c = f.create_dataset("c", (5,), dtype=np.dtype([("a", "<i4"), ("b", "<f8")]), chunks=(2,))
c[1:4] = np.array([(1, 1.5), (2, 2.5), (3, -3.0)], dtype=c.dtype)
v = f.create_dataset("v", (4,), dtype=h5pyd.special_dtype(vlen=np.dtype("int16")), chunks=(3,))
items = np.empty((4,), dtype=object)
for k, item in enumerate([[1, 2, 3], [], [5], [-1]]):
    items[k] = np.array(item, dtype="int16")
v[0:4] = items
f.flush()
print(json.dumps({"x": x.id.id, "s": s.id.id, "c": c.id.id, "v": v.id.id}))
f.close()
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restvol_reads_chunks_written_by_hsds() {
    let root = common::scratch("values_interop_reverse");
    let storage = Storage::new(StorageConfig::Directory { root: root.clone() }).unwrap();
    let bucket = storage.bucket("hsdstest").unwrap();
    write_folders(&bucket).await;
    let ids: Value = {
        let hsds = Hsds::start(&root, &root.join("hsds.log"), "rev");
        let out = run_python(&hsds, WRITE_THROUGH_HSDS, &["/home/test_user1/reverse.h5"]);
        hsds.flush("/home/test_user1/reverse.h5");
        serde_json::from_str(out.lines().last().unwrap_or_default()).unwrap()
    }; // HSDS stops here, after its flush.
    let nodes = nodes();
    let load = |id: &str| {
        let bucket = bucket.clone();
        let key = object_key(id).unwrap();
        async move {
            Arc::new(
                DatasetLayout::from_json(&bucket.get_json(&key).await.unwrap().unwrap()).unwrap(),
            )
        }
    };

    let x = load(ids["x"].as_str().unwrap()).await;
    assert_eq!((x.dims.as_slice(), x.chunk_dims.as_slice()), (&[9_u64, 11][..], &[4_u64, 5][..]));
    let got = read_selection(&nodes, &bucket, &x, &ValueSelection::all(&[9, 11])).await.unwrap();
    let mut expected = [7_i16; 99];
    for (k, i) in (1..9).step_by(2).enumerate() {
        for j in 3..11 {
            expected[i * 11 + j] = i16::try_from(k * 8 + (j - 3)).unwrap() - 5;
        }
    }
    let expected: Vec<u8> = expected.iter().flat_map(|v| v.to_le_bytes()).collect();
    assert_eq!(got, ElementBuf::Fixed(expected));

    let s = load(ids["s"].as_str().unwrap()).await;
    let got = read_selection(&nodes, &bucket, &s, &ValueSelection::all(&[6])).await.unwrap();
    let item =
        |t: &str| [&i32::try_from(t.len()).unwrap().to_le_bytes()[..], t.as_bytes()].concat();
    let want: Vec<Vec<u8>> =
        ["", "one", "", "thrée", "four!", ""].iter().map(|t| item(t)).collect();
    assert_eq!(got, ElementBuf::Variable(want));

    let c = load(ids["c"].as_str().unwrap()).await;
    let got = read_selection(&nodes, &bucket, &c, &ValueSelection::all(&[5])).await.unwrap();
    let row = |a: i32, b: f64| [a.to_le_bytes().to_vec(), b.to_le_bytes().to_vec()].concat();
    let rows = [row(0, 0.0), row(1, 1.5), row(2, 2.5), row(3, -3.0), row(0, 0.0)].concat();
    assert_eq!(got, ElementBuf::Fixed(rows));

    let v = load(ids["v"].as_str().unwrap()).await;
    let got = read_selection(&nodes, &bucket, &v, &ValueSelection::all(&[4])).await.unwrap();
    let seq = |items: &[i16]| {
        let body: Vec<u8> = items.iter().flat_map(|x| x.to_le_bytes()).collect();
        [&i32::try_from(body.len()).unwrap().to_le_bytes()[..], &body].concat()
    };
    let want = vec![seq(&[1, 2, 3]), seq(&[]), seq(&[5]), seq(&[-1])];
    assert_eq!(got, ElementBuf::Variable(want));
}
