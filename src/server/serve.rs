//! `restvol serve`: builds the configuration, storage, users, data nodes and service node from
//! the `hsds` command's flags, serves TCP and/or a Unix socket, prints `READY! use endpoint:
//! <url>`, and on SIGINT/SIGTERM (or end of stdin with `--watch_stdin`) stops accepting,
//! flushes every DN (metadata and chunks) and exits.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;

use super::auth::Users;
use super::chunks::{ChunkNode, ChunkNodeConfig, CodecFilters};
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

fn io_error(context: &str) -> impl Fn(std::io::Error) -> ServeError + '_ {
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

/// Builds the service node with `count` in-process DNs and their write-back tasks.
///
/// # Errors
/// Configuration and storage errors.
pub fn build_service(
    config: &Config,
) -> Result<(Arc<ServiceNode>, Vec<Arc<DataNode>>), ServeError> {
    let settings = Settings::from_config(config)?;
    let storage = Storage::new(storage_config(config)?)?;
    let count = usize::try_from(config.size("count", 1)?.max(1)).unwrap_or(1);
    let cache =
        usize::try_from(config.size("metadata_mem_cache_size", 128 << 20)?).unwrap_or(usize::MAX);
    let sync = Duration::from_secs_f64(
        config.get("s3_sync_interval").and_then(|s| s.parse().ok()).unwrap_or(1.0),
    );
    let nodes: Vec<Arc<DataNode>> =
        (0..count).map(|i| Arc::new(DataNode::new(i, count, storage.clone(), cache))).collect();
    for node in &nodes {
        node.spawn_write_back(sync);
    }
    let chunks = chunk_nodes(config, count, sync)?;
    let dn = DnTransport::in_process_with_chunks(nodes.clone(), chunks);
    let sn = ServiceNode::new(settings, users(config)?, dn, storage);
    Ok((Arc::new(sn), nodes))
}

/// The chunk stores of `count` DNs (`chunk_mem_cache_size`, `s3_age_time`, and the
/// write-back period `sync`), with the HSDS filter pipeline.
fn chunk_nodes(
    config: &Config,
    count: usize,
    sync: Duration,
) -> Result<Vec<Arc<ChunkNode>>, ServeError> {
    let cache =
        usize::try_from(config.size("chunk_mem_cache_size", 128 << 20)?).unwrap_or(usize::MAX);
    let age = Duration::from_secs_f64(
        config.get("s3_age_time").and_then(|s| s.parse().ok()).unwrap_or(1.0),
    );
    let filters = Arc::new(CodecFilters::new());
    Ok((0..count)
        .map(|i| {
            let mut tunables = ChunkNodeConfig::new(i, count);
            tunables.cache_bytes = cache;
            tunables.sync_interval = sync;
            tunables.dirty_age = age;
            ChunkNode::new(tunables, filters.clone())
        })
        .collect())
}

async fn wait_for_stop(watch_stdin: bool) {
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
    let (sn, nodes) = build_service(&config)?;
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
    drop(nodes);
    if let Err(err) = sn.dn.flush().await {
        eprintln!("restvol: flush on shutdown failed: {err}");
    }
    if let Some(path) = socket_path {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

/// Entry point for the binary: builds a runtime and runs [`run`]; returns the exit code.
pub fn main_serve(args: &[String]) -> i32 {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("restvol serve: cannot start the runtime: {err}");
            return 1;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => 0,
        Err(err) => {
            eprintln!("restvol serve: {err}");
            1
        }
    }
}
