#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Data nodes as processes: `restvol serve --count 3` starts three `restvol dn` children and
//! serves through them; the store they write is the same one in-process DNs read back; a DN
//! refuses malformed calls and foreign ids without going down; SIGTERM flushes and stops
//! every process, SIGKILL of serve leaves no DN behind; `restvol sn --dn_urls` runs over DNs
//! started by hand.

mod common;

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use restvol::client::{BlockingClient, ClientConfig, ClientError, RetryPolicy};
use serde_json::{json, Value};

const USER: &str = "cluster_user";
const PASSWORD: &str = "pw";
const DOMAIN: &str = "/home/cluster_user/c.h5";

/// A started process and the endpoint its READY line named.
struct Proc {
    child: Child,
    endpoint: String,
}

impl Proc {
    fn start(args: &[&str], ready_marker: &str) -> Proc {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_restvol"));
        cmd.args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .process_group(0);
        let mut child = cmd.spawn().expect("start restvol");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let marker = ready_marker.to_string();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.split(marker.as_str()).nth(1) {
                    let _ = tx.send(url.trim().to_string());
                }
            }
        });
        let endpoint = rx.recv_timeout(Duration::from_secs(60)).expect("not ready");
        Proc { child, endpoint }
    }

    fn signal(&self, signal: &str) {
        let _ =
            Command::new("kill").args([format!("-{signal}"), self.child.id().to_string()]).status();
    }

    fn wait(&mut self, limit: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < limit {
            if self.child.try_wait().unwrap().is_some() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rv-cluster-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn serve(root: &Path, extra: &[&str]) -> Proc {
    let root = root.display().to_string();
    let mut args = vec![
        "serve",
        "--port",
        "0",
        "--root_dir",
        &root,
        "--hs_username",
        USER,
        "--hs_password",
        PASSWORD,
        "--auto_folders",
    ];
    args.extend_from_slice(extra);
    Proc::start(&args, "READY! use endpoint: ")
}

fn client(endpoint: &str) -> BlockingClient {
    let config = ClientConfig::new(endpoint)
        .unwrap()
        .with_credentials(USER, PASSWORD)
        .with_retry(RetryPolicy { max_retries: 0, ..RetryPolicy::default() })
        .with_timeout(Duration::from_secs(30));
    BlockingClient::new(config).unwrap()
}

/// `restvol dn` processes whose command line mentions `marker`: (pid, parent pid).
fn data_nodes(marker: &str) -> Vec<(u32, u32)> {
    let out = Command::new("ps").args(["-eo", "pid,ppid,args"]).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("restvol") && l.contains(" dn ") && l.contains(marker))
        .filter_map(|l| {
            let mut fields = l.split_whitespace();
            Some((fields.next()?.parse().ok()?, fields.next()?.parse().ok()?))
        })
        .collect()
}

fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    done()
}

const ROWS: u64 = 60;
const COLS: u64 = 50;

fn cell(i: u64, j: u64) -> i32 {
    i32::try_from(i * 1000 + j).unwrap()
}

/// Makes the domain, a group with an attribute and a link, and a 60x50 int32 dataset in 10x10
/// chunks (30 chunks: every DN owns some) filled with `cell`; returns the dataset id.
fn populate(c: &BlockingClient) -> String {
    let root =
        c.put_json("/", Some(DOMAIN), json!({})).unwrap()["root"].as_str().unwrap().to_string();
    let group =
        c.post_json("/groups", Some(DOMAIN), json!({"link": {"id": root, "name": "g"}})).unwrap();
    let gid = group["id"].as_str().unwrap().to_string();
    c.put_json(
        &format!("/groups/{gid}/attributes/units"),
        Some(DOMAIN),
        json!({"type": "H5T_STD_I32LE", "shape": [3], "value": [1, 2, 3]}),
    )
    .unwrap();
    let body = json!({
        "type": "H5T_STD_I32LE", "shape": [ROWS, COLS],
        "creationProperties": {"fillValue": -7, "layout": {"class": "H5D_CHUNKED", "dims": [10, 10]}},
        "link": {"id": gid, "name": "d"}
    });
    let dset = c.post_json("/datasets", Some(DOMAIN), body).unwrap();
    let did = dset["id"].as_str().unwrap().to_string();
    let data: Vec<u8> =
        (0..ROWS - 5).flat_map(|i| (0..COLS).flat_map(move |j| cell(i, j).to_le_bytes())).collect();
    let select = format!("[0:{},0:{COLS}]", ROWS - 5);
    c.put_binary(
        &format!("/datasets/{did}/value"),
        Some(DOMAIN),
        &[("select", &select)],
        Bytes::from(data),
    )
    .unwrap();
    did
}

/// Checks every value, the fill in the unwritten rows, a strided read, points, and metadata.
fn verify(c: &BlockingClient, did: &str) {
    let bytes = c.get_binary(&format!("/datasets/{did}/value"), Some(DOMAIN), &[]).unwrap();
    let values: Vec<i32> =
        bytes.chunks_exact(4).map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
    assert_eq!(values.len() as u64, ROWS * COLS);
    for i in 0..ROWS {
        for j in 0..COLS {
            let expected = if i < ROWS - 5 { cell(i, j) } else { -7 };
            assert_eq!(values[usize::try_from(i * COLS + j).unwrap()], expected, "({i},{j})");
        }
    }
    let strided =
        c.get_json(&format!("/datasets/{did}/value?select=[3:50:7,49]"), Some(DOMAIN)).unwrap();
    let expected: Vec<Value> = (3..50).step_by(7).map(|i| json!([cell(i, 49)])).collect();
    assert_eq!(strided["value"], Value::Array(expected));
    let points = c
        .post_json(
            &format!("/datasets/{did}/value"),
            Some(DOMAIN),
            json!({"points": [[0, 0], [54, 49], [59, 0]]}),
        )
        .unwrap();
    assert_eq!(points["value"], json!([cell(0, 0), cell(54, 49), -7]));
    let found = c.get_json("/", Some(DOMAIN)).unwrap();
    let root = found["root"].as_str().unwrap();
    let link = c.get_json(&format!("/groups/{root}/links/g"), Some(DOMAIN)).unwrap();
    let gid = link["link"]["id"].as_str().unwrap();
    let attr = c.get_json(&format!("/groups/{gid}/attributes/units"), Some(DOMAIN)).unwrap();
    assert_eq!(attr["value"], json!([1, 2, 3]));
}

#[test]
fn serve_runs_its_data_nodes_as_processes_and_stops_them() {
    let dir = scratch("procs");
    let root = dir.join("root");
    let marker = root.display().to_string();
    let mut sn = serve(&root, &["--count", "3"]);
    let dns = data_nodes(&marker);
    assert_eq!(dns.len(), 3, "three restvol dn processes: {dns:?}");
    assert!(dns.iter().all(|(_, parent)| *parent == sn.child.id()), "children of serve: {dns:?}");
    let c = client(&sn.endpoint);
    let about = c.get_json("/about", None).unwrap();
    assert_eq!(about["node_count"], json!(3), "{about}");
    let did = populate(&c);
    verify(&c, &did);
    // A bad write is refused by the owning DN and everything keeps working.
    let bad = c.put_binary(
        &format!("/datasets/{did}/value"),
        Some(DOMAIN),
        &[("select", "[0:1,0:3]")],
        Bytes::from_static(b"12345"),
    );
    assert!(
        matches!(bad, Err(ClientError::BadRequest { .. }) | Err(ClientError::Status { .. })),
        "{bad:?}"
    );
    verify(&c, &did);
    drop(c);
    sn.signal("TERM");
    assert!(sn.wait(Duration::from_secs(30)), "serve exits on SIGTERM");
    assert!(wait_until(Duration::from_secs(10), || data_nodes(&marker).is_empty()), "DNs stopped");
    // Everything was flushed: one in-process DN reads the same store back.
    let sn = serve(&root, &["--count", "1", "--dn_mode", "in_process"]);
    assert!(data_nodes(&marker).is_empty(), "in_process starts no DN process");
    verify(&client(&sn.endpoint), &did);
    drop(sn);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn killing_serve_leaves_no_data_node_behind() {
    let dir = scratch("kill");
    let root = dir.join("root");
    let marker = root.display().to_string();
    // A socket directory that does not exist yet is made (DN sockets go there too).
    let sockets = dir.join("sockets");
    let sockets_text = sockets.display().to_string();
    let mut sn = serve(&root, &["--count", "2", "--socket_dir", &sockets_text]);
    assert_eq!(data_nodes(&marker).len(), 2);
    assert!(sockets.join("dn_1.sock").exists() && sockets.join("dn_2.sock").exists());
    sn.signal("KILL");
    assert!(sn.wait(Duration::from_secs(10)));
    assert!(
        wait_until(Duration::from_secs(10), || data_nodes(&marker).is_empty()),
        "orphaned DNs: {:?}",
        data_nodes(&marker)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Posts `body` to a DN's call endpoint over its TCP port; (status, body).
fn post_to_dn(endpoint: &str, body: Vec<u8>) -> (u16, Value) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let response =
            reqwest::Client::new().post(format!("{endpoint}/dn")).body(body).send().await.unwrap();
        let status = response.status().as_u16();
        let bytes = response.bytes().await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    })
}

fn framed(header: &Value) -> Vec<u8> {
    let json = serde_json::to_vec(header).unwrap();
    let mut out = u32::try_from(json.len()).unwrap().to_le_bytes().to_vec();
    out.extend(json);
    out
}

#[test]
fn sn_over_data_nodes_started_by_hand() {
    let dir = scratch("sn");
    let root = dir.join("root");
    let root_text = root.display().to_string();
    std::fs::create_dir_all(root.join("hsdstest")).unwrap();
    let dn = |number: &str| {
        Proc::start(
            &[
                "dn",
                "--root_dir",
                &root_text,
                "--count",
                "2",
                "--dn_number",
                number,
                "--dn_port",
                "0",
            ],
            "READY! dn endpoint: ",
        )
    };
    let (dn0, dn1) = (dn("0"), dn("1"));
    assert!(dn0.endpoint.starts_with("http://127.0.0.1:"), "{}", dn0.endpoint);
    // Malformed and foreign calls get 4xx/5xx JSON answers; the DN keeps serving.
    let (status, body) = post_to_dn(&dn0.endpoint, b"\x02".to_vec());
    assert_eq!(status, 400, "{body}");
    assert!(body["message"].as_str().unwrap().contains("malformed"), "{body}");
    let (status, body) = post_to_dn(&dn0.endpoint, framed(&json!({"op": "explode"})));
    assert_eq!(status, 400, "{body}");
    let foreign = (0..64)
        .map(|n| format!("g-00000000-00000000-0000-000000-{n:06x}"))
        .map(|id| {
            post_to_dn(
                &dn0.endpoint,
                framed(&json!({"op": "get", "bucket": "hsdstest", "obj": {"id": id}})),
            )
        })
        .find(|(status, _)| *status != 200)
        .expect("some id belongs to the other DN");
    assert!(foreign.0 >= 400, "{foreign:?}");
    let urls = format!("{},{}", dn0.endpoint, dn1.endpoint);
    let sn = Proc::start(
        &[
            "sn",
            "--port",
            "0",
            "--root_dir",
            &root_text,
            "--hs_username",
            USER,
            "--hs_password",
            PASSWORD,
            "--auto_folders",
            "--dn_urls",
            &urls,
        ],
        "READY! use endpoint: ",
    );
    let c = client(&sn.endpoint);
    let did = populate(&c);
    verify(&c, &did);
    drop(c);
    drop(sn);
    let missing =
        Command::new(env!("CARGO_BIN_EXE_restvol")).args(["sn", "--port", "0"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("--dn_urls"));
    drop((dn0, dn1));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn large_binary_reads_stream_over_http_with_their_length() {
    let dir = scratch("stream");
    let root = dir.join("root");
    let sn = serve(&root, &["--count", "2", "--max_request_size", "2000"]);
    let c = client(&sn.endpoint);
    c.put_json("/", Some(DOMAIN), json!({})).unwrap();
    let body = json!({"type": "H5T_STD_I32LE", "shape": [100, 100],
        "creationProperties": {"layout": {"class": "H5D_CHUNKED", "dims": [10, 100]}}});
    let did =
        c.post_json("/datasets", Some(DOMAIN), body).unwrap()["id"].as_str().unwrap().to_string();
    let value = |i: i32, j: i32| i * 100 + j;
    for start in (0..100).step_by(4) {
        let rows: Vec<u8> = (start..start + 4)
            .flat_map(|i| (0..100).flat_map(move |j| value(i, j).to_le_bytes()))
            .collect();
        let select = format!("[{start}:{},0:100]", start + 4);
        c.put_binary(
            &format!("/datasets/{did}/value"),
            Some(DOMAIN),
            &[("select", &select)],
            Bytes::from(rows),
        )
        .unwrap();
    }
    // 40000 bytes against a 2000-byte limit: paged on the server, streamed to the client.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (length, bytes) = runtime.block_on(async {
        let response = reqwest::Client::new()
            .get(format!("{}/datasets/{did}/value?domain={DOMAIN}", sn.endpoint))
            .basic_auth(USER, Some(PASSWORD))
            .header("Accept", "application/octet-stream")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let length =
            response.headers().get("content-length").map(|v| v.to_str().unwrap().to_string());
        (length, response.bytes().await.unwrap())
    });
    assert_eq!(length.as_deref(), Some("40000"));
    let expected: Vec<u8> =
        (0..100).flat_map(|i| (0..100).flat_map(move |j| value(i, j).to_le_bytes())).collect();
    assert!(bytes[..] == expected[..], "streamed values differ");
    drop(c);
    drop(sn);
    let _ = std::fs::remove_dir_all(&dir);
}
