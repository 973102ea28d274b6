//! `restvol dn`: one data node in its own process. [`DnService`] answers the SN's
//! [`super::wire`] calls (`POST /dn`) and `GET /info` on a Unix socket (`--dn_socket`) or on
//! TCP (`--host`, `--dn_port`, 0 = ephemeral), prints `READY! dn endpoint: <url>`, and on
//! SIGINT/SIGTERM or end of stdin (`--watch_stdin`, how `restvol serve` ties its DNs' lives
//! to its own) stops accepting, flushes, and exits.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::link::LocalNode;
use super::wire::{self, DnAnswer, DnCall, CALL_PATH, INFO_PATH};
use crate::server::api::{ApiRequest, ApiResponse, Method};
use crate::server::chunks::{ChunkError, DatasetLayout, ElementBuf};
use crate::server::config::Config;
use crate::server::error::{ApiError, ApiResult};
use crate::server::http::{bind_unix, serve_tcp, serve_unix, unix_url, HttpHandler};
use crate::server::serve::{io_error, local_nodes, storage_config, wait_for_stop, ServeError};
use crate::storage::backend::Bucket;
use crate::storage::Storage;

/// The largest call a DN accepts: one chunk's worth of elements plus its header, far above
/// any chunk HSDS's limits allow.
const MAX_CALL_BYTES: u64 = 4 << 30;

/// A data node's HTTP face.
#[derive(Debug)]
pub struct DnService {
    node: Arc<LocalNode>,
    storage: Storage,
    node_number: usize,
    node_count: usize,
}

fn chunk_error(err: &ChunkError) -> ApiError {
    ApiError::new(err.http_status(), err.to_string())
}

impl DnService {
    /// Serves `node` (node `node_number` of `node_count`) over `storage`.
    #[must_use]
    pub fn new(
        node: Arc<LocalNode>,
        storage: Storage,
        node_number: usize,
        node_count: usize,
    ) -> DnService {
        DnService { node, storage, node_number, node_count }
    }

    fn bucket(&self, name: &str) -> ApiResult<Bucket> {
        Ok(self.storage.bucket(name)?)
    }

    fn layout(dataset: wire::WireLayout) -> ApiResult<Arc<DatasetLayout>> {
        dataset.into_layout().map(Arc::new).map_err(|err| chunk_error(&err))
    }

    fn elements(dataset: &DatasetLayout, payload: &[u8], count: usize) -> ApiResult<ElementBuf> {
        ElementBuf::from_bytes(&dataset.datatype, dataset.item, payload, count)
            .map_err(|err| chunk_error(&err))
    }

    fn read_answer(dataset: &DatasetLayout, elements: &ElementBuf) -> (DnAnswer, Vec<u8>) {
        let answer = DnAnswer { count: Some(elements.len(dataset.item)), ..DnAnswer::default() };
        (answer, elements.to_bytes())
    }

    /// Runs one call; the answer header and payload.
    ///
    /// # Errors
    /// The node's error, with its HTTP status.
    pub async fn execute(&self, call: DnCall, payload: &[u8]) -> ApiResult<(DnAnswer, Vec<u8>)> {
        let chunks = &self.node.chunks;
        let meta = &self.node.meta;
        let done = || Ok((DnAnswer::default(), Vec::new()));
        match call {
            DnCall::Get { bucket, obj } => {
                let value = meta.get(&bucket, &obj).await?.unwrap_or_default();
                Ok((DnAnswer { value: Some(value), ..DnAnswer::default() }, Vec::new()))
            }
            DnCall::GetMember { bucket, obj, section, name } => {
                let answer = meta.get_member(&bucket, &obj, section, &name).await?;
                let value = answer.map_or(Value::Null, |answer| answer.to_wire());
                Ok((DnAnswer { value: Some(value), ..DnAnswer::default() }, Vec::new()))
            }
            DnCall::GetOutline { bucket, obj } => {
                let value = meta.get_outline(&bucket, &obj).await?.unwrap_or_default();
                Ok((DnAnswer { value: Some(value), ..DnAnswer::default() }, Vec::new()))
            }
            DnCall::Create { bucket, obj, value } => {
                meta.create(&bucket, &obj, value).await?;
                done()
            }
            DnCall::Mutate { bucket, obj, mutation } => {
                let (outcome, value) = meta.mutate(&bucket, &obj, &mutation).await?;
                let answer = DnAnswer { value: Some(value), outcome: Some(outcome), count: None };
                Ok((answer, Vec::new()))
            }
            DnCall::Delete { bucket, obj } => {
                meta.delete(&bucket, &obj).await?;
                done()
            }
            DnCall::Flush => {
                self.node.flush().await?;
                done()
            }
            DnCall::Recheck => {
                self.node.recheck_all();
                done()
            }
            DnCall::Read { bucket, dataset, chunk_id, selection } => {
                let dataset = Self::layout(dataset)?;
                let elements = chunks
                    .read(&self.bucket(&bucket)?, &dataset, &chunk_id, &selection)
                    .await
                    .map_err(|err| chunk_error(&err))?;
                Ok(Self::read_answer(&dataset, &elements))
            }
            DnCall::Write { bucket, dataset, chunk_id, selection, count } => {
                let dataset = Self::layout(dataset)?;
                let data = Self::elements(&dataset, payload, count)?;
                chunks
                    .write(&self.bucket(&bucket)?, &dataset, &chunk_id, &selection, &data)
                    .await
                    .map_err(|err| chunk_error(&err))?;
                done()
            }
            DnCall::ReadPoints { bucket, dataset, chunk_id, points } => {
                let dataset = Self::layout(dataset)?;
                let elements = chunks
                    .read_points(&self.bucket(&bucket)?, &dataset, &chunk_id, &points)
                    .await
                    .map_err(|err| chunk_error(&err))?;
                Ok(Self::read_answer(&dataset, &elements))
            }
            DnCall::WritePoints { bucket, dataset, chunk_id, points, count } => {
                let dataset = Self::layout(dataset)?;
                let data = Self::elements(&dataset, payload, count)?;
                chunks
                    .write_points(&self.bucket(&bucket)?, &dataset, &chunk_id, &points, &data)
                    .await
                    .map_err(|err| chunk_error(&err))?;
                done()
            }
            DnCall::DeleteDataset { bucket, dataset_id } => {
                chunks
                    .delete_dataset(&self.bucket(&bucket)?, &dataset_id)
                    .await
                    .map_err(|err| chunk_error(&err))?;
                done()
            }
            DnCall::Trim { bucket, dataset } => {
                let dataset = Self::layout(dataset)?;
                chunks
                    .trim(&self.bucket(&bucket)?, &dataset)
                    .await
                    .map_err(|err| chunk_error(&err))?;
                done()
            }
        }
    }

    async fn answer(&self, req: ApiRequest) -> ApiResult<ApiResponse> {
        match (req.method, req.path.as_str()) {
            (Method::Get, INFO_PATH) => Ok(ApiResponse::ok(json!({
                "id": format!("dn-{:03}", self.node_number + 1),
                "node_number": self.node_number,
                "node_count": self.node_count,
                "node_state": "READY",
            }))),
            (Method::Post, CALL_PATH) => {
                let (call, payload) = wire::decode::<DnCall>(&req.body)
                    .map_err(|err| ApiError::bad_request(err.to_string()))?;
                let (answer, payload) = self.execute(call, payload).await?;
                let message = wire::encode(&answer, &payload)
                    .map_err(|err| ApiError::internal(err.to_string()))?;
                Ok(ApiResponse::binary(Bytes::from(message)))
            }
            (_, path) => Err(ApiError::not_found(format!("no data node route {path}"))),
        }
    }
}

impl HttpHandler for DnService {
    fn max_request_size(&self) -> u64 {
        MAX_CALL_BYTES
    }

    async fn handle(&self, req: ApiRequest) -> ApiResponse {
        match self.answer(req).await {
            Ok(response) => response,
            Err(err) => err.into(),
        }
    }
}

/// Runs `restvol dn` with the arguments after `dn`.
///
/// # Errors
/// Configuration, storage and binding errors.
pub async fn run(args: &[String]) -> Result<(), ServeError> {
    let config = Config::load(args)?;
    let count = usize::try_from(config.size("count", 1)?.max(1)).unwrap_or(1);
    let number = usize::try_from(config.size("dn_number", 0)?).unwrap_or(usize::MAX);
    if number >= count {
        return Err(ServeError::Io(format!("--dn_number {number} is not below --count {count}")));
    }
    let storage = Storage::new(storage_config(&config)?)?;
    let node = local_nodes(&config, &storage, count, Some(number))?
        .pop()
        .ok_or_else(|| ServeError::Io("no data node built".into()))?;
    let service = Arc::new(DnService::new(node, storage, number, count));
    let (stop_tx, stop_rx) = watch::channel(false);
    let (endpoint, task, socket) = match config.get("dn_socket") {
        Some(path) => {
            let path = PathBuf::from(path);
            let listener = bind_unix(&path).map_err(io_error("cannot bind the DN socket"))?;
            let task = tokio::spawn(serve_unix(service.clone(), listener, stop_rx));
            (unix_url(&path), task, Some(path))
        }
        None => {
            let host = config.string("host", "127.0.0.1");
            let port = u16::try_from(config.size("dn_port", 0)?).unwrap_or(0);
            let listener = TcpListener::bind((host.as_str(), port))
                .await
                .map_err(io_error("cannot bind the DN port"))?;
            let addr = listener.local_addr().map_err(io_error("cannot read the DN address"))?;
            let task = tokio::spawn(serve_tcp(service.clone(), listener, stop_rx));
            (format!("http://{addr}"), task, None)
        }
    };
    println!("READY! dn endpoint: {endpoint}");
    let _ = std::io::stdout().flush();
    wait_for_stop(config.boolean("watch_stdin", false)?).await;
    let _ = stop_tx.send(true);
    let _ = task.await;
    if let Err(err) = service.node.flush().await {
        eprintln!("restvol dn {number}: flush on shutdown failed: {err}");
    }
    if let Some(path) = socket {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}
