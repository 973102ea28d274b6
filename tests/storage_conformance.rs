//! Storage conformance: one set of checks on `storage::backend` (get/put/head/range/list/
//! delimited list/delete/delete_prefix/put_if_absent/JSON corruption/odd keys/large objects/
//! bad keys) run against every backend: a local directory, memory, and a real S3-compatible
//! server (s3s-fs 0.14.1, started here on 127.0.0.1 with an ephemeral port and a temp root;
//! installed by `scripts/install-deps.sh` under `$RESTVOL_DEPS/s3s-fs/bin/s3s-fs`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::collections::BTreeSet;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use restvol::storage::{Bucket, Storage, StorageConfig, StorageError};
use serde_json::json;

const BUCKET: &str = "conformance";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

fn temp_root(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("restvol-storage-conformance-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Removes a directory tree when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An s3s-fs server on 127.0.0.1, killed when dropped.
struct S3Server {
    child: Child,
    endpoint: String,
    _root: TempDir,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn s3s_fs_binary() -> PathBuf {
    let deps = std::env::var_os("RESTVOL_DEPS").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/restvol/deps")
    });
    let bin = deps.join("s3s-fs/bin/s3s-fs");
    assert!(
        bin.is_file(),
        "{} is missing: run scripts/install-deps.sh (it installs s3s-fs 0.14.1) or set RESTVOL_DEPS",
        bin.display()
    );
    bin
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start_s3s_fs() -> S3Server {
    let bin = s3s_fs_binary();
    let root = temp_root("s3");
    std::fs::create_dir_all(root.join(BUCKET)).unwrap();
    let port = free_port();
    let child = Command::new(bin)
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .args(["--access-key", "restvol", "--secret-key", "restvol-secret"])
        .arg(&root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start s3s-fs");
    let server =
        S3Server { child, endpoint: format!("http://127.0.0.1:{port}"), _root: TempDir(root) };
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        assert!(Instant::now() < deadline, "s3s-fs did not listen on {addr}");
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

fn keys(infos: &[restvol::storage::ObjectInfo]) -> BTreeSet<String> {
    infos.iter().map(|i| i.key.clone()).collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

async fn get_put_head(b: &Bucket, folder_is_missing: bool) {
    assert_eq!(b.get("gph/missing").await.unwrap(), None);
    assert_eq!(b.head("gph/missing").await.unwrap(), None);
    b.put("gph/obj", Bytes::from_static(b"hello")).await.unwrap();
    assert_eq!(&b.get("gph/obj").await.unwrap().unwrap()[..], b"hello");
    let info = b.head("gph/obj").await.unwrap().unwrap();
    assert_eq!((info.key.as_str(), info.size), ("gph/obj", 5));
    assert!(
        info.last_modified > 1.6e9,
        "last_modified {} is not epoch seconds",
        info.last_modified
    );
    b.put("gph/obj", Bytes::from_static(b"replaced!")).await.unwrap();
    assert_eq!(&b.get("gph/obj").await.unwrap().unwrap()[..], b"replaced!");
    assert_eq!(b.head("gph/obj").await.unwrap().unwrap().size, 9);
    b.put("gph/empty", Bytes::new()).await.unwrap();
    assert_eq!(b.get("gph/empty").await.unwrap().unwrap().len(), 0);
    if folder_is_missing {
        // a folder is not an object (s3s-fs answers 500 here, as the folder is a directory)
        assert_eq!(b.get("gph").await.unwrap(), None);
    }
}

async fn ranges(b: &Bucket) {
    b.put("rng/obj", Bytes::from_static(b"0123456789")).await.unwrap();
    assert_eq!(&b.get_range("rng/obj", 2..5).await.unwrap().unwrap()[..], b"234");
    assert_eq!(&b.get_range("rng/obj", 0..10).await.unwrap().unwrap()[..], b"0123456789");
    assert_eq!(&b.get_range("rng/obj", 8..100).await.unwrap().unwrap()[..], b"89", "past the end");
    assert_eq!(b.get_range("rng/missing", 0..4).await.unwrap(), None);
}

async fn listings(b: &Bucket) {
    for key in ["lst/a/x", "lst/a/y", "lst/a/sub/z", "lst/a/sub/deeper/w", "lst/ab/q", "lst/top"] {
        b.put(key, Bytes::from_static(b"1")).await.unwrap();
    }
    let level = b.list("lst/a/").await.unwrap();
    assert_eq!(keys(&level.objects), set(&["lst/a/x", "lst/a/y"]));
    assert_eq!(level.prefixes.iter().cloned().collect::<BTreeSet<_>>(), set(&["lst/a/sub/"]));
    let level = b.list("lst/a").await.unwrap();
    assert_eq!(keys(&level.objects), set(&["lst/a/x", "lst/a/y"]), "prefix without slash");
    let top = b.list("lst/").await.unwrap();
    assert_eq!(keys(&top.objects), set(&["lst/top"]));
    assert_eq!(top.prefixes.iter().cloned().collect::<BTreeSet<_>>(), set(&["lst/a/", "lst/ab/"]));
    let root = b.list("").await.unwrap();
    assert!(root.prefixes.contains(&"lst/".to_string()), "{:?}", root.prefixes);
    let all = b.list_all("lst/a/").await.unwrap();
    assert_eq!(
        keys(&all),
        set(&["lst/a/x", "lst/a/y", "lst/a/sub/z", "lst/a/sub/deeper/w"]),
        "recursive listing stays inside the folder (lst/ab is not under lst/a)"
    );
    assert!(all.iter().all(|i| i.size == 1));
    assert!(b.list("lst/nothing/").await.unwrap().objects.is_empty());
    assert!(b.list_all("lst/nothing/").await.unwrap().is_empty());
}

async fn deletes(b: &Bucket) {
    for key in ["del/a/x", "del/a/sub/y", "del/ab/z", "del/keep"] {
        b.put(key, Bytes::from_static(b"1")).await.unwrap();
    }
    b.delete("del/keep").await.unwrap();
    assert_eq!(b.get("del/keep").await.unwrap(), None);
    b.delete("del/keep").await.unwrap(); // missing: not an error
    assert_eq!(b.delete_prefix("del/a/").await.unwrap(), 2);
    assert!(b.list_all("del/a/").await.unwrap().is_empty());
    assert_eq!(keys(&b.list_all("del/").await.unwrap()), set(&["del/ab/z"]));
    assert_eq!(b.delete_prefix("del/a/").await.unwrap(), 0);
    let level = b.list("del/").await.unwrap();
    assert!(!level.prefixes.contains(&"del/a/".to_string()), "{:?}", level.prefixes);
}

async fn conditional_puts(b: &Bucket, atomic_create: bool) {
    assert!(b.put_if_absent("cas/obj", Bytes::from_static(b"first")).await.unwrap());
    assert!(!b.put_if_absent("cas/obj", Bytes::from_static(b"second")).await.unwrap());
    assert_eq!(&b.get("cas/obj").await.unwrap().unwrap()[..], b"first");
    let mut racers = Vec::new();
    for i in 0..8 {
        let b = b.clone();
        racers.push(tokio::spawn(async move {
            b.put_if_absent("cas/race", Bytes::from(format!("writer {i}"))).await.unwrap()
        }));
    }
    let mut winners = 0;
    for r in racers {
        winners += usize::from(r.await.unwrap());
    }
    if atomic_create {
        assert_eq!(winners, 1, "exactly one racing put_if_absent wins");
    } else {
        assert!(winners >= 1, "some racing put_if_absent wins");
    }
    let stored = b.get("cas/race").await.unwrap().unwrap();
    assert!(stored.starts_with(b"writer "), "race left {stored:?}");
    assert!(b.put_json_if_absent("cas/j", &json!({"v": 1})).await.unwrap());
    assert!(!b.put_json_if_absent("cas/j", &json!({"v": 2})).await.unwrap());
    assert_eq!(b.get_json("cas/j").await.unwrap().unwrap(), json!({"v": 1}));
}

async fn json_objects(b: &Bucket) {
    let doc = json!({"id": "g-1", "links": {"é x": {"class": "H5L_TYPE_SOFT"}}, "n": [1.5, null]});
    b.put_json("js/.group.json", &doc).await.unwrap();
    assert_eq!(b.get_json("js/.group.json").await.unwrap().unwrap(), doc);
    let text = b.get("js/.group.json").await.unwrap().unwrap();
    assert!(!text.contains(&b'\n'), "JSON is stored compact");
    assert_eq!(b.get_json("js/missing.json").await.unwrap(), None);
    for bad in [&b"{not json"[..], b"", b"{\"a\": 1", b"\xff\xfe"] {
        b.put("js/bad.json", Bytes::copy_from_slice(bad)).await.unwrap();
        match b.get_json("js/bad.json").await {
            Err(StorageError::Corrupt { key, .. }) => assert_eq!(key, "js/bad.json"),
            other => panic!("corrupt JSON {bad:?} gave {other:?}"),
        }
    }
}

/// Keys HSDS makes from domain and link names: spaces, UTF-8, URL-special characters.
const ODD_KEYS: &[&str] = &[
    "odd/home/u/my file.h5/.domain.json",
    "odd/home/u/é ü 中文.h5/.domain.json",
    "odd/a+b=c&d/x",
    "odd/100%/x%20y",
    "odd/q?uery#frag/x",
    "odd/semi;colon,comma:colon@at!/x",
    "odd/(paren)'quote'~tilde$/x",
    "odd/.hidden/.x",
];

async fn odd_keys(b: &Bucket, fs_root: Option<&Path>) {
    for (i, key) in ODD_KEYS.iter().enumerate() {
        b.put(key, Bytes::from(format!("value {i}"))).await.unwrap();
    }
    for (i, key) in ODD_KEYS.iter().enumerate() {
        let got = b.get(key).await.unwrap().unwrap_or_else(|| panic!("{key} not found"));
        assert_eq!(&got[..], format!("value {i}").as_bytes(), "{key}");
        assert_eq!(b.head(key).await.unwrap().unwrap().key, *key);
    }
    assert_eq!(keys(&b.list_all("odd/").await.unwrap()), set(ODD_KEYS), "listed keys are the keys");
    let level = b.list("odd/home/u/").await.unwrap();
    assert_eq!(
        level.prefixes.iter().cloned().collect::<BTreeSet<_>>(),
        set(&["odd/home/u/my file.h5/", "odd/home/u/é ü 中文.h5/"])
    );
    if let Some(root) = fs_root {
        // HSDS's POSIX driver keeps keys as literal paths: the stores must be interchangeable.
        for key in ODD_KEYS {
            assert!(root.join(BUCKET).join(key).is_file(), "{key} is not a literal file path");
        }
    }
    assert_eq!(b.delete_prefix("odd/").await.unwrap(), ODD_KEYS.len());
}

async fn bad_keys(b: &Bucket) {
    for key in ["", "/abs", "a/../b", "a/./b", "a//b"] {
        match b.get(key).await {
            Err(StorageError::InvalidKey { .. }) => {}
            other => panic!("key {key:?} gave {other:?}"),
        }
        assert!(b.put(key, Bytes::from_static(b"x")).await.is_err(), "put {key:?}");
    }
}

async fn large_objects(b: &Bucket) {
    let big: Vec<u8> =
        (0..24u32 << 20).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let big = Bytes::from(big);
    b.put("big/chunk", big.clone()).await.unwrap();
    assert_eq!(b.head("big/chunk").await.unwrap().unwrap().size, big.len() as u64);
    let back = b.get("big/chunk").await.unwrap().unwrap();
    assert!(back == big, "24 MiB object differs after a round trip");
    let n = big.len() as u64;
    let tail = b.get_range("big/chunk", n - 1000..n).await.unwrap().unwrap();
    assert_eq!(&tail[..], &big[big.len() - 1000..]);
    b.delete("big/chunk").await.unwrap();
}

/// Where a backend legitimately differs from the others.
#[derive(Clone, Copy)]
struct Quirks {
    /// GET of a key that is only a folder answers "missing" (not s3s-fs: 500).
    folder_is_missing: bool,
    /// Racing create-only puts have exactly one winner (s3s-fs checks, then writes: several
    /// racers can win; sequential create-only puts are still refused).
    atomic_create: bool,
}

fn run_suite(storage: &Storage, fs_root: Option<&Path>, quirks: Quirks) {
    let bucket = storage.bucket(BUCKET).unwrap();
    runtime().block_on(async {
        get_put_head(&bucket, quirks.folder_is_missing).await;
        ranges(&bucket).await;
        listings(&bucket).await;
        deletes(&bucket).await;
        conditional_puts(&bucket, quirks.atomic_create).await;
        json_objects(&bucket).await;
        odd_keys(&bucket, fs_root).await;
        bad_keys(&bucket).await;
        large_objects(&bucket).await;
    });
}

#[test]
fn directory_backend_conforms() {
    let root = TempDir(temp_root("dir"));
    let storage = Storage::new(StorageConfig::Directory { root: root.0.clone() }).unwrap();
    run_suite(&storage, Some(&root.0), Quirks { folder_is_missing: true, atomic_create: true });
}

#[test]
fn memory_backend_conforms() {
    let storage = Storage::new(StorageConfig::Memory).unwrap();
    run_suite(&storage, None, Quirks { folder_is_missing: true, atomic_create: true });
}

#[test]
fn s3_backend_conforms_on_s3s_fs() {
    let server = start_s3s_fs();
    let storage = Storage::new(StorageConfig::S3 {
        endpoint: Some(server.endpoint.clone()),
        region: "us-east-1".into(),
        access_key_id: Some("restvol".into()),
        secret_access_key: Some("restvol-secret".into()),
    })
    .unwrap();
    run_suite(&storage, None, Quirks { folder_is_missing: false, atomic_create: false });
    drop(server);
}

#[test]
fn configuration_errors_are_reported() {
    let missing = std::env::temp_dir().join("restvol-storage-conformance-no-such-root");
    assert!(matches!(
        Storage::new(StorageConfig::Directory { root: missing }),
        Err(StorageError::Config(_))
    ));
    let storage = Storage::new(StorageConfig::Memory).unwrap();
    for name in ["", ".", "..", "a/b", "white space"] {
        assert!(
            matches!(storage.bucket(name), Err(StorageError::InvalidBucket(_))),
            "bucket name {name:?}"
        );
    }
}
