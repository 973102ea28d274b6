//! [`RemoteNode`]: the SN's client for a data node in another process (`restvol dn`), over
//! TCP or a Unix socket. Each method is one `POST /dn` ([`super::wire`]); the DN's error
//! status and message come back unchanged, and an unreachable DN is a 503.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::wire::{self, DnAnswer, DnCall, WireLayout, CALL_PATH, INFO_PATH};
use crate::chunking::DimSelection;
use crate::client::config::Target;
use crate::server::chunks::{ChunkError, DatasetLayout, ElementBuf};
use crate::server::dn::{MemberAnswer, Mutation, ObjRef, Outcome, Section};
use crate::server::error::{ApiError, ApiResult};
use crate::storage::backend::Bucket;

/// A data node reached over HTTP.
#[derive(Debug)]
pub struct RemoteNode {
    http: reqwest::Client,
    call_url: String,
    info_url: String,
    endpoint: String,
    node_id: String,
}

/// A failed call: the DN's (or the transport's) status and message.
#[derive(Debug)]
struct Failure {
    status: u16,
    message: String,
}

impl From<Failure> for ApiError {
    fn from(failure: Failure) -> ApiError {
        ApiError::new(failure.status, failure.message)
    }
}

impl From<Failure> for ChunkError {
    fn from(failure: Failure) -> ChunkError {
        ChunkError::Remote { status: failure.status, message: failure.message }
    }
}

fn unreachable(endpoint: &str, err: &reqwest::Error) -> Failure {
    let mut message = format!("data node at {endpoint} unreachable: {err}");
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    Failure { status: 503, message }
}

impl RemoteNode {
    /// A client for the DN at `endpoint` (`http://host:port`, `http+unix://…` or a socket
    /// path) that is node `node_number`.
    ///
    /// # Errors
    /// 500 for an endpoint that does not parse or a client that cannot be built.
    pub fn new(endpoint: &str, node_number: usize) -> ApiResult<RemoteNode> {
        let target = Target::parse(endpoint)
            .map_err(|err| ApiError::internal(format!("data node endpoint: {err}")))?;
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_max_idle_per_host(64)
            .no_proxy();
        if let Target::Unix { socket } = &target {
            builder = builder.unix_socket(socket.clone());
        }
        let http = builder
            .build()
            .map_err(|err| ApiError::internal(format!("cannot build the DN client: {err}")))?;
        Ok(RemoteNode {
            http,
            call_url: format!("{}{CALL_PATH}", target.base_url()),
            info_url: format!("{}{INFO_PATH}", target.base_url()),
            endpoint: endpoint.to_string(),
            node_id: format!("dn-{:03}", node_number + 1),
        })
    }

    /// The node's id (`dn-001`, …).
    #[must_use]
    pub fn node_id(&self) -> String {
        self.node_id.clone()
    }

    /// Asks the DN who it is (`GET /info`): its JSON answer.
    ///
    /// # Errors
    /// 503 when unreachable, or the DN's error.
    pub async fn info(&self) -> ApiResult<Value> {
        let response = self
            .http
            .get(&self.info_url)
            .send()
            .await
            .map_err(|err| unreachable(&self.endpoint, &err))?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(|err| unreachable(&self.endpoint, &err))?;
        if status != 200 {
            return Err(ApiError::new(status, String::from_utf8_lossy(&body).into_owned()));
        }
        serde_json::from_slice(&body)
            .map_err(|err| ApiError::internal(format!("bad DN info answer: {err}")))
    }

    /// Sends `call` with `payload`; the answer's header and payload.
    async fn call(&self, call: &DnCall, payload: &[u8]) -> Result<(DnAnswer, Vec<u8>), Failure> {
        let body = wire::encode(call, payload)
            .map_err(|err| Failure { status: 500, message: err.to_string() })?;
        let response = self
            .http
            .post(&self.call_url)
            .body(body)
            .send()
            .await
            .map_err(|err| unreachable(&self.endpoint, &err))?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await.map_err(|err| unreachable(&self.endpoint, &err))?;
        if status != 200 {
            let message = serde_json::from_slice::<Value>(&bytes)
                .ok()
                .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
                .unwrap_or_else(|| String::from_utf8_lossy(&bytes).into_owned());
            return Err(Failure { status, message });
        }
        let (answer, payload) = wire::decode::<DnAnswer>(&bytes)
            .map_err(|err| Failure { status: 500, message: err.to_string() })?;
        Ok((answer, payload.to_vec()))
    }

    /// Reads an object.
    ///
    /// # Errors
    /// The DN's error, or 503.
    pub async fn get(&self, bucket: &str, obj: &ObjRef) -> ApiResult<Option<Value>> {
        let call = DnCall::Get { bucket: bucket.to_string(), obj: obj.clone() };
        let (answer, _) = self.call(&call, &[]).await?;
        Ok(answer.value.filter(|value| !value.is_null()))
    }

    /// One attribute or link of an object (see [`crate::server::dn::DataNode::get_member`]).
    ///
    /// # Errors
    /// The DN's error, or 503.
    pub async fn get_member(
        &self,
        bucket: &str,
        obj: &ObjRef,
        section: Section,
        name: &str,
    ) -> ApiResult<Option<MemberAnswer>> {
        let call = DnCall::GetMember {
            bucket: bucket.to_string(),
            obj: obj.clone(),
            section,
            name: name.to_string(),
        };
        let (answer, _) = self.call(&call, &[]).await?;
        match answer.value {
            None | Some(Value::Null) => Ok(None),
            Some(value) => MemberAnswer::from_wire(value).map(Some),
        }
    }

    /// An object without its attribute and link tables.
    ///
    /// # Errors
    /// The DN's error, or 503.
    pub async fn get_outline(&self, bucket: &str, obj: &ObjRef) -> ApiResult<Option<Value>> {
        let call = DnCall::GetOutline { bucket: bucket.to_string(), obj: obj.clone() };
        let (answer, _) = self.call(&call, &[]).await?;
        Ok(answer.value.filter(|value| !value.is_null()))
    }

    /// Creates an object.
    ///
    /// # Errors
    /// The DN's error (409 when it exists), or 503.
    pub async fn create(&self, bucket: &str, obj: &ObjRef, value: Value) -> ApiResult<()> {
        let call = DnCall::Create { bucket: bucket.to_string(), obj: obj.clone(), value };
        self.call(&call, &[]).await?;
        Ok(())
    }

    /// Applies a mutation.
    ///
    /// # Errors
    /// The DN's error, or 503.
    pub async fn mutate(
        &self,
        bucket: &str,
        obj: &ObjRef,
        mutation: &Mutation,
    ) -> ApiResult<(Outcome, Value)> {
        let call = DnCall::Mutate {
            bucket: bucket.to_string(),
            obj: obj.clone(),
            mutation: mutation.clone(),
        };
        let (answer, _) = self.call(&call, &[]).await?;
        let outcome =
            answer.outcome.ok_or_else(|| ApiError::internal("DN answer without outcome"))?;
        Ok((outcome, answer.value.unwrap_or(Value::Null)))
    }

    /// Deletes an object.
    ///
    /// # Errors
    /// The DN's error, or 503.
    pub async fn delete(&self, bucket: &str, obj: &ObjRef) -> ApiResult<()> {
        let call = DnCall::Delete { bucket: bucket.to_string(), obj: obj.clone() };
        self.call(&call, &[]).await?;
        Ok(())
    }

    /// Makes everything the DN holds durable.
    ///
    /// # Errors
    /// The DN's error, or 503.
    pub async fn flush(&self) -> ApiResult<()> {
        self.call(&DnCall::Flush, &[]).await?;
        Ok(())
    }

    /// Asks the node to compare its clean cached entries with storage on next use.
    ///
    /// # Errors
    /// The node cannot be reached or refuses.
    pub async fn recheck_all(&self) -> ApiResult<()> {
        self.call(&DnCall::Recheck, &[]).await?;
        Ok(())
    }

    fn elements(
        dataset: &DatasetLayout,
        answer: &DnAnswer,
        payload: &[u8],
    ) -> Result<ElementBuf, ChunkError> {
        let count = answer
            .count
            .ok_or_else(|| ChunkError::BadData("DN read answer without a count".into()))?;
        ElementBuf::from_bytes(&dataset.datatype, dataset.item, payload, count)
    }

    /// Reads a chunk-local selection.
    ///
    /// # Errors
    /// The DN's error as [`ChunkError::Remote`].
    pub async fn read(
        &self,
        bucket: &Bucket,
        dataset: &Arc<DatasetLayout>,
        chunk_id: &str,
        selection: &[DimSelection],
    ) -> Result<ElementBuf, ChunkError> {
        let call = DnCall::Read {
            bucket: bucket.name().to_string(),
            dataset: WireLayout::of(dataset),
            chunk_id: chunk_id.to_string(),
            selection: selection.to_vec(),
        };
        let (answer, payload) = self.call(&call, &[]).await?;
        Self::elements(dataset, &answer, &payload)
    }

    /// Writes a chunk-local selection.
    ///
    /// # Errors
    /// The DN's error as [`ChunkError::Remote`].
    pub async fn write(
        &self,
        bucket: &Bucket,
        dataset: &Arc<DatasetLayout>,
        chunk_id: &str,
        selection: &[DimSelection],
        data: &ElementBuf,
    ) -> Result<(), ChunkError> {
        let call = DnCall::Write {
            bucket: bucket.name().to_string(),
            dataset: WireLayout::of(dataset),
            chunk_id: chunk_id.to_string(),
            selection: selection.to_vec(),
            count: data.len(dataset.item),
        };
        self.call(&call, &data.to_bytes()).await?;
        Ok(())
    }

    /// Reads chunk-local points.
    ///
    /// # Errors
    /// The DN's error as [`ChunkError::Remote`].
    pub async fn read_points(
        &self,
        bucket: &Bucket,
        dataset: &Arc<DatasetLayout>,
        chunk_id: &str,
        points: &[u64],
    ) -> Result<ElementBuf, ChunkError> {
        let call = DnCall::ReadPoints {
            bucket: bucket.name().to_string(),
            dataset: WireLayout::of(dataset),
            chunk_id: chunk_id.to_string(),
            points: points.to_vec(),
        };
        let (answer, payload) = self.call(&call, &[]).await?;
        Self::elements(dataset, &answer, &payload)
    }

    /// Writes chunk-local points.
    ///
    /// # Errors
    /// The DN's error as [`ChunkError::Remote`].
    pub async fn write_points(
        &self,
        bucket: &Bucket,
        dataset: &Arc<DatasetLayout>,
        chunk_id: &str,
        points: &[u64],
        data: &ElementBuf,
    ) -> Result<(), ChunkError> {
        let call = DnCall::WritePoints {
            bucket: bucket.name().to_string(),
            dataset: WireLayout::of(dataset),
            chunk_id: chunk_id.to_string(),
            points: points.to_vec(),
            count: data.len(dataset.item),
        };
        self.call(&call, &data.to_bytes()).await?;
        Ok(())
    }

    /// Removes every chunk of `dataset_id` the DN owns.
    ///
    /// # Errors
    /// The DN's error as [`ChunkError::Remote`].
    pub async fn delete_dataset(
        &self,
        bucket: &Bucket,
        dataset_id: &str,
    ) -> Result<(), ChunkError> {
        let call = DnCall::DeleteDataset {
            bucket: bucket.name().to_string(),
            dataset_id: dataset_id.to_string(),
        };
        self.call(&call, &[]).await?;
        Ok(())
    }

    /// Drops chunks outside `dataset`'s extents.
    ///
    /// # Errors
    /// The DN's error as [`ChunkError::Remote`].
    pub async fn trim(
        &self,
        bucket: &Bucket,
        dataset: &Arc<DatasetLayout>,
    ) -> Result<(), ChunkError> {
        let call =
            DnCall::Trim { bucket: bucket.name().to_string(), dataset: WireLayout::of(dataset) };
        self.call(&call, &[]).await?;
        Ok(())
    }
}
