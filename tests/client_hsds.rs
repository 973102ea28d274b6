#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The REST client against real HSDS 1.0.2 (the venv's `hsds-node` and `hsds`), over TCP on
//! 127.0.0.1 and over Unix sockets: folders and domains, 404/409/401/400 mapping, binary dataset
//! values, ordered concurrent sends. Skipped (with a message) when the venv is missing.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use restvol::client::{ClientConfig, ClientError, Request, RestClient, RetryPolicy};
use serde_json::json;

const USER: &str = "test_user1";
const PASSWORD: &str = "test";
const BUCKET: &str = "hsdstest";

fn venv_bin() -> Option<PathBuf> {
    let home = std::env::var_os("HOME")?;
    let bin = Path::new(&home).join(".cache/restvol/deps/venv/bin");
    bin.join("hsds").is_file().then_some(bin)
}

/// A running HSDS, stopped (SIGINT to its process group, then SIGKILL) on drop.
struct Hsds {
    children: Vec<Child>,
    endpoint: String,
    log: PathBuf,
    dirs: Vec<PathBuf>,
}

impl Drop for Hsds {
    fn drop(&mut self) {
        let Some(leader) = self.children.first() else { return };
        let group = format!("-{}", leader.id());
        let _ = Command::new("kill").args(["-INT", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline
            && !self.children.iter_mut().all(|c| matches!(c.try_wait(), Ok(Some(_))))
        {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        for child in &mut self.children {
            let _ = child.wait();
        }
        for dir in &self.dirs {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("client-hsds-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A command for a venv script, in process group `group` (0: a new group), output to `log`.
fn venv_command(bin: &Path, script: &str, log: &Path, group: u32) -> Command {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hsds_localhost");
    let out = std::fs::OpenOptions::new().create(true).append(true).open(log).unwrap();
    let mut cmd = Command::new(bin.join("python3"));
    cmd.arg(bin.join(script))
        .env("PYTHONPATH", &fixture)
        .env("PYTHONUNBUFFERED", "1")
        .env("BUCKET_NAME", BUCKET)
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out);
    std::os::unix::process::CommandExt::process_group(&mut cmd, i32::try_from(group).unwrap());
    cmd
}

/// Starts HSDS with one DN and waits until `/about` says READY. TCP: the SN and DN node
/// processes are started directly, each on a free port (HSDS's own launcher fixes the DN port
/// at 6101, which another HSDS on the machine may hold). Unix sockets: the `hsds` launcher
/// with `--socket_dir`.
fn start_hsds(unix: bool) -> Option<Hsds> {
    let Some(bin) = venv_bin() else {
        eprintln!("skipping: no HSDS venv in ~/.cache/restvol/deps/venv");
        return None;
    };
    let tag = if unix { "unix" } else { "tcp" };
    let root = scratch(&format!("{tag}-root"));
    std::fs::create_dir_all(root.join(BUCKET)).unwrap();
    let log = root.join("hs.log");
    let root_arg = format!("--root_dir={}", root.display());
    let mut dirs = vec![root.clone()];
    let mut children = Vec::new();
    let endpoint = if unix {
        // Short: HSDS allows at most 63 characters for the socket directory.
        let sockets = PathBuf::from(format!("/tmp/rvc-{}-hs", std::process::id()));
        let _ = std::fs::remove_dir_all(&sockets);
        std::fs::create_dir_all(&sockets).unwrap();
        let mut cmd = venv_command(&bin, "hsds", &log, 0);
        cmd.args(["--root_dir", root.to_str().unwrap(), "--bucket_name", BUCKET])
            .args(["--hs_username", USER, "--hs_password", PASSWORD, "--count", "1"])
            .args(["--logfile", log.to_str().unwrap()])
            .args(["--socket_dir", sockets.to_str().unwrap()]);
        children.push(cmd.spawn().expect("spawn hsds"));
        let encoded = sockets.join("sn_1.sock").to_str().unwrap().replace('/', "%2F");
        dirs.push(sockets);
        format!("http+unix://{encoded}")
    } else {
        let sn_url = format!("http://127.0.0.1:{}", free_port());
        let dn_urls = format!("--dn_urls=http://127.0.0.1:{}", free_port());
        let common = [
            "--standalone".to_string(),
            dn_urls.clone(),
            format!("--hsds_endpoint={sn_url}"),
            root_arg,
        ];
        let mut dn = venv_command(&bin, "hsds-node", &log, 0);
        dn.current_dir(&root).args(["--node_type=dn", "--node_number=0"]).args(&common);
        let dn = dn.spawn().expect("spawn hsds dn");
        let group = dn.id();
        children.push(dn);
        let mut sn = venv_command(&bin, "hsds-node", &log, group);
        sn.current_dir(&root)
            .args(["--node_type=sn", "--password_file=", "--logfile=sn1.log"])
            .arg(format!("--hs_username={USER}"))
            .arg(format!("--admin_user={USER}"))
            .arg(format!("--hs_password={PASSWORD}"))
            .arg(format!("--sn_url={sn_url}"))
            .args(&common);
        children.push(sn.spawn().expect("spawn hsds sn"));
        sn_url
    };
    let hsds = Hsds { children, endpoint, log, dirs };
    let client = client(&hsds.endpoint, USER, PASSWORD);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let about = client.get_json("/about", None);
        if let Ok(about) = &about {
            if about["state"] == "READY" {
                break;
            }
        }
        assert!(
            Instant::now() < deadline,
            "HSDS not ready: {about:?}; log:\n{}",
            std::fs::read_to_string(&hsds.log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    Some(hsds)
}

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
