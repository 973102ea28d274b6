//! A real HSDS 1.0.2 (from the project's venv) for tests: started on 127.0.0.1 (TCP, each node
//! on a free port) or on Unix sockets, waited for until READY, stopped on drop.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use restvol::client::{BlockingClient, ClientConfig, RetryPolicy};

/// The user HSDS is started with (its admin).
pub const USER: &str = "test_user1";
/// That user's password.
pub const PASSWORD: &str = "test";
/// The bucket HSDS serves.
pub const BUCKET: &str = "hsdstest";

pub fn venv_bin() -> Option<PathBuf> {
    let home = std::env::var_os("HOME")?;
    let bin = Path::new(&home).join(".cache/restvol/deps/venv/bin");
    bin.join("hsds").is_file().then_some(bin)
}

/// A running HSDS, stopped (SIGINT to its process group, then SIGKILL) on drop.
pub struct Hsds {
    children: Vec<Child>,
    /// The endpoint (`http://127.0.0.1:port` or `http+unix://…`).
    pub endpoint: String,
    /// The log of all nodes.
    pub log: PathBuf,
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

/// A number unique to each HSDS started by this test process: tests of one binary run in
/// parallel, and two instances must not share (or wipe) each other's store or sockets.
fn instance_tag() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!("{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("hsds-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A TCP port free on 127.0.0.1 right now.
pub fn free_port() -> u16 {
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
pub fn start_hsds(unix: bool) -> Option<Hsds> {
    let Some(bin) = venv_bin() else {
        eprintln!("skipping: no HSDS venv in ~/.cache/restvol/deps/venv");
        return None;
    };
    let tag = if unix { "unix" } else { "tcp" };
    let instance = instance_tag();
    let root = scratch(&format!("{instance}-{tag}-root"));
    std::fs::create_dir_all(root.join(BUCKET)).unwrap();
    let log = root.join("hs.log");
    let root_arg = format!("--root_dir={}", root.display());
    let mut dirs = vec![root.clone()];
    let mut children = Vec::new();
    let endpoint = if unix {
        // Short: HSDS allows at most 63 characters for the socket directory.
        let sockets = PathBuf::from(format!("/tmp/rvc-{instance}-hs"));
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
    let client = client(&hsds.endpoint);
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

/// A blocking client for `endpoint` as [`USER`]. It retries 5xx answers generously: right
/// after start-up on a loaded machine HSDS's SN can answer 500 while its DN is still slow.
pub fn client(endpoint: &str) -> BlockingClient {
    let retry = RetryPolicy { max_retries: 8, ..RetryPolicy::default() };
    let config = ClientConfig::new(endpoint)
        .expect("endpoint")
        .with_credentials(USER, PASSWORD)
        .with_retry(retry);
    BlockingClient::new(config).expect("client")
}

impl Hsds {
    /// The root directory of the store HSDS serves (bucket [`BUCKET`] inside it).
    pub fn root(&self) -> &Path {
        &self.dirs[0]
    }
}

impl Hsds {
    /// A command running `program` through the connector against this HSDS, after creating
    /// `folder` (HSDS makes no parent folders for a new domain); add the program's arguments.
    pub fn connector_command(&self, program: &Path, folder: &str) -> Command {
        let request = restvol::client::Request::put("/")
            .domain(folder)
            .json(serde_json::json!({"folder": true}));
        client(&self.endpoint).send(&request).unwrap();
        let mut cmd = super::with_connector(program, None);
        cmd.env("HSDS_ENDPOINT", &self.endpoint)
            .env("HSDS_USERNAME", USER)
            .env("HSDS_PASSWORD", PASSWORD);
        cmd
    }
}
