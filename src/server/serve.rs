//! `restvol serve` (and `restvol sn`): builds the configuration, storage, users, data nodes
//! (`restvol dn` children, in-process, or external — see [`DnMode`]) and service node from the
//! `hsds` command's flags, serves TCP and/or a Unix socket, prints `READY! use endpoint:
//! <url>`, and on SIGINT/SIGTERM (or end of stdin with `--watch_stdin`) stops accepting,
//! flushes every DN (metadata and chunks), stops the DN children and exits.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;

use super::auth::Users;
use super::chunks::{ChunkNode, ChunkNodeConfig, CodecFilters};
use super::cluster::spawn::DnProcesses;
use super::cluster::{LocalNode, NodeLink, RemoteNode};
use super::config::Config;
use super::dn::DataNode;
use super::http::{bind_unix, serve_tcp, serve_unix, unix_url};
use super::service::{ServiceNode, Settings};
use super::transport::DnTransport;
use crate::storage::{Storage, StorageConfig};

/// Errors starting the service.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Bad configuration.
    #[error(transparent)]
    Config(#[from] super::config::ConfigError),
    /// Storage could not be set up.
    #[error(transparent)]
    Storage(#[from] crate::storage::StorageError),
    /// Binding or I/O failed.
    #[error("{0}")]
    Io(String),
}

/// Maps an I/O error to [`ServeError::Io`] with `context`.
pub fn io_error(context: &str) -> impl Fn(std::io::Error) -> ServeError + '_ {
    move |err| ServeError::Io(format!("{context}: {err}"))
}

/// The storage configuration: `root_dir` (its bucket directory is created), else S3 when
/// `aws_s3_gateway` is set, else memory.
///
/// # Errors
/// [`ServeError::Io`] if the root directory cannot be created.
pub fn storage_config(config: &Config) -> Result<StorageConfig, ServeError> {
    if let Some(root) = config.get("root_dir") {
        let root = PathBuf::from(root);
        let bucket = config.string("bucket_name", "hsdstest");
        std::fs::create_dir_all(root.join(&bucket))
            .map_err(io_error("cannot create the bucket directory"))?;
        return Ok(StorageConfig::Directory { root });
    }
    if let Some(gateway) = config.get("aws_s3_gateway") {
        return Ok(StorageConfig::S3 {
            endpoint: Some(gateway),
            region: config.string("aws_region", "us-east-1"),
            access_key_id: config.get("aws_access_key_id"),
            secret_access_key: config.get("aws_secret_access_key"),
        });
    }
    Ok(StorageConfig::Memory)
}

/// The user table: the password file and/or `hs_username`/`hs_password`; the admin user.
///
/// # Errors
/// [`ServeError::Io`] for an unreadable password file given on the command line.
pub fn users(config: &Config) -> Result<Users, ServeError> {
    let allow_noauth = config.boolean("allow_noauth", true)?;
    let mut users = Users::new(&config.string("admin_user", "admin"), allow_noauth);
    let explicit_file = config
        .get("password_file")
        .filter(|f| f != "/config/passwd.txt" || PathBuf::from(f).exists());
    let hs_user = config.get("hs_username");
    if let Some(file) = &explicit_file {
        if !file.is_empty() {
            let text =
                std::fs::read_to_string(file).map_err(io_error("cannot read the password file"))?;
            users.add_password_lines(&text);
        }
    }
    if let Some(user) = &hs_user {
        users.add(user, &config.string("hs_password", ""));
        if explicit_file.is_none() && config.get("admin_user").is_none_or(|a| a == "admin") {
            users.set_admin(user);
        }
    }
    Ok(users)
}

/// The data nodes this process hosts: node `only` of `count` (a `restvol dn` process), or all
/// `count` of them (in-process DNs). Each has its metadata and chunk caches
/// (`metadata_mem_cache_size`, `chunk_mem_cache_size`), its write-back every
/// `s3_sync_interval` seconds and its dirty-chunk age `s3_age_time`.
///
/// # Errors
/// Malformed sizes in the configuration.
pub fn local_nodes(
    config: &Config,
    storage: &Storage,
    count: usize,
    only: Option<usize>,
) -> Result<Vec<Arc<LocalNode>>, ServeError> {
    let meta_cache =
        usize::try_from(config.size("metadata_mem_cache_size", 128 << 20)?).unwrap_or(usize::MAX);
    let chunk_cache =
        usize::try_from(config.size("chunk_mem_cache_size", 128 << 20)?).unwrap_or(usize::MAX);
    let one_second = Duration::from_secs(1);
    let sync = config.seconds("s3_sync_interval", one_second)?;
    let age = config.seconds("s3_age_time", one_second)?;
    let recheck = config.seconds("storage_recheck_interval", one_second)?;
    let filters = Arc::new(CodecFilters::new());
    let numbers: Vec<usize> = match only {
        Some(number) => vec![number],
        None => (0..count).collect(),
    };
    Ok(numbers
        .into_iter()
        .map(|i| {
            let meta = Arc::new(
                DataNode::new(i, count, storage.clone(), meta_cache).with_recheck_interval(recheck),
            );
            meta.spawn_write_back(sync);
            let mut tunables = ChunkNodeConfig::new(i, count);
            tunables.cache_bytes = chunk_cache;
            tunables.sync_interval = sync;
            tunables.dirty_age = age;
            tunables.recheck_interval = recheck;
            let chunks = ChunkNode::new(tunables, filters.clone());
            Arc::new(LocalNode { meta, chunks })
        })
        .collect())
}

/// The number of DNs (`--count`, at least 1).
///
/// # Errors
/// A malformed count.
pub fn dn_count(config: &Config) -> Result<usize, ServeError> {
    Ok(usize::try_from(config.size("count", 1)?.max(1)).unwrap_or(1))
}

/// Builds the service node with `--count` in-process DNs and their write-back tasks.
///
/// # Errors
/// Configuration and storage errors.
pub fn build_service(config: &Config) -> Result<Arc<ServiceNode>, ServeError> {
    let storage = Storage::new(storage_config(config)?)?;
    let nodes = local_nodes(config, &storage, dn_count(config)?, None)?;
    let links = nodes.into_iter().map(NodeLink::Local).collect();
    service_over(config, storage, links)
}

fn service_over(
    config: &Config,
    storage: Storage,
    links: Vec<NodeLink>,
) -> Result<Arc<ServiceNode>, ServeError> {
    let settings = Settings::from_config(config)?;
    let expire = config.seconds("domain_cache_expire", Duration::from_secs(1))?;
    let dataset_expire = config.seconds("metadata_cache_expire", Duration::from_secs(1))?;
    let transport = DnTransport::new(links)
        .with_domain_cache_ttl(expire)
        .with_dataset_cache_ttl(dataset_expire);
    Ok(Arc::new(ServiceNode::new(settings, users(config)?, transport, storage)))
}

/// Where the DNs run (`--dn_mode`): `process` (default: one `restvol dn` child per node, as
/// HSDS runs them) or `in_process` (threads of this process). `--dn_urls` (comma-separated
/// endpoints) names DNs started elsewhere instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnMode {
    /// `restvol dn` children.
    Process,
    /// In this process.
    InProcess,
    /// Already running, at these endpoints (node `i` at entry `i`).
    External(Vec<String>),
}

impl DnMode {
    /// The mode the configuration asks for.
    ///
    /// # Errors
    /// [`ServeError::Io`] for an unknown `dn_mode`.
    pub fn from_config(config: &Config) -> Result<DnMode, ServeError> {
        if let Some(urls) = config.get("dn_urls") {
            let urls: Vec<String> = urls
                .split(',')
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(String::from)
                .collect();
            return Ok(DnMode::External(urls));
        }
        match config.string("dn_mode", "process").as_str() {
            "process" => Ok(DnMode::Process),
            "in_process" | "thread" => Ok(DnMode::InProcess),
            other => Err(ServeError::Io(format!(
                "unknown dn_mode '{other}' (expected 'process' or 'in_process')"
            ))),
        }
    }
}

/// Builds the service node and its DNs as `--dn_mode` says; the DN children to stop at exit.
///
/// # Errors
/// Configuration, storage and DN start-up errors.
pub async fn build_cluster(
    config: &Config,
) -> Result<(Arc<ServiceNode>, Option<DnProcesses>), ServeError> {
    let storage = Storage::new(storage_config(config)?)?;
    let remote = |endpoints: &[String]| -> Result<Vec<NodeLink>, ServeError> {
        endpoints
            .iter()
            .enumerate()
            .map(|(i, url)| {
                RemoteNode::new(url, i)
                    .map(|node| NodeLink::Remote(Arc::new(node)))
                    .map_err(|err| ServeError::Io(err.message))
            })
            .collect()
    };
    match DnMode::from_config(config)? {
        DnMode::InProcess => Ok((build_service(config)?, None)),
        DnMode::External(urls) => {
            if urls.is_empty() {
                return Err(ServeError::Io("--dn_urls names no data node".into()));
            }
            let links = remote(&urls)?;
            for link in &links {
                if let NodeLink::Remote(node) = link {
                    node.info().await.map_err(|err| ServeError::Io(err.message))?;
                }
            }
            Ok((service_over(config, storage, links)?, None))
        }
        DnMode::Process => {
            let socket_dir = config.get("socket_dir").map(PathBuf::from);
            let processes =
                DnProcesses::start(config, dn_count(config)?, socket_dir.as_deref()).await?;
            let links = remote(processes.endpoints())?;
            Ok((service_over(config, storage, links)?, Some(processes)))
        }
    }
}

/// Waits for SIGINT, SIGTERM or (with `watch_stdin`) the end of stdin.
pub async fn wait_for_stop(watch_stdin: bool) {
    let stdin_eof = async {
        if !watch_stdin {
            return std::future::pending::<()>().await;
        }
        let (eof_tx, eof_rx) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            let mut stdin = std::io::stdin();
            let mut buf = [0u8; 256];
            loop {
                match std::io::Read::read(&mut stdin, &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
            }
            let _ = eof_tx.send(());
        });
        let _ = eof_rx.await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
        _ = stdin_eof => {}
    }
}

/// Runs `restvol serve` with the arguments after `serve`.
///
/// # Errors
/// Configuration, storage and binding errors.
pub async fn run(args: &[String]) -> Result<(), ServeError> {
    let config = Config::load(args)?;
    let (sn, mut processes) = build_cluster(&config).await?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut endpoints = Vec::new();
    let mut tasks = Vec::new();
    let socket_dir = config.get("socket_dir");
    let port_given = config.get("port").is_some();
    if socket_dir.is_none() || port_given {
        let host = config.string("host", "127.0.0.1");
        let port = config.size("port", 5101)?;
        let listener = TcpListener::bind((host.as_str(), u16::try_from(port).unwrap_or(5101)))
            .await
            .map_err(io_error("cannot bind the TCP port"))?;
        let addr = listener.local_addr().map_err(io_error("cannot read the bound address"))?;
        endpoints.push(format!("http://{addr}"));
        tasks.push(tokio::spawn(serve_tcp(sn.clone(), listener, stop_rx.clone())));
    }
    let mut socket_path = None;
    if let Some(dir) = socket_dir {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).map_err(io_error("cannot create the socket directory"))?;
        let path = dir.join("sn_1.sock");
        let listener = bind_unix(&path).map_err(io_error("cannot bind the Unix socket"))?;
        endpoints.push(unix_url(&path));
        tasks.push(tokio::spawn(serve_unix(sn.clone(), listener, stop_rx.clone())));
        socket_path = Some(path);
    }
    for endpoint in &endpoints {
        println!("READY! use endpoint: {endpoint}");
    }
    wait_for_stop(config.boolean("watch_stdin", false)?).await;
    let _ = stop_tx.send(true);
    for task in tasks {
        let _ = task.await;
    }
    if let Err(err) = sn.dn.flush().await {
        eprintln!("restvol: flush on shutdown failed: {err}");
    }
    if let Some(processes) = processes.as_mut() {
        processes.stop().await;
    }
    if let Some(path) = socket_path {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

/// Runs `task` (a command's main future) on a fresh multi-threaded runtime; the exit code,
/// with the error printed as `restvol <command>: …`.
pub fn run_command<F>(command: &str, task: F) -> i32
where
    F: std::future::Future<Output = Result<(), ServeError>>,
{
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("restvol {command}: cannot start the runtime: {err}");
            return 1;
        }
    };
    match runtime.block_on(task) {
        Ok(()) => 0,
        Err(err) => {
            eprintln!("restvol {command}: {err}");
            1
        }
    }
}

/// Entry point for `restvol serve`; returns the exit code.
pub fn main_serve(args: &[String]) -> i32 {
    run_command("serve", run(args))
}

/// Entry point for `restvol sn`: a service node alone, over the DNs named by `--dn_urls`.
pub fn main_sn(args: &[String]) -> i32 {
    if !args.iter().any(|arg| arg.trim_start_matches('-').starts_with("dn_urls")) {
        eprintln!("restvol sn: --dn_urls <endpoint,endpoint,…> is required");
        return 2;
    }
    run_command("sn", run(args))
}

/// Entry point for `restvol dn`: one data node (see [`super::cluster::dn_service`]).
pub fn main_dn(args: &[String]) -> i32 {
    run_command("dn", super::cluster::dn_service::run(args))
}
