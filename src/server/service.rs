//! [`ServiceNode`]: the service node's state (settings, users, DN transport, storage) and
//! [`ServiceNode::handle`], which turns any [`ApiRequest`] into an [`ApiResponse`]: size limit,
//! authentication, routing, and error bodies.

use serde_json::{json, Value};

use super::api::{ApiRequest, ApiResponse, Method};
use super::auth::Users;
use super::config::{Config, ConfigError};
use super::error::{ApiError, ApiResult};
use super::handlers;
use super::router::Route;
use super::transport::DnTransport;
use crate::chunking::ChunkSizeLimits;
use crate::storage::Storage;

/// The service version reported in `version` and `hsds_version` (the HSDS release matched).
pub const HSDS_VERSION: &str = "1.0.2";

/// Settings the handlers need, resolved from the [`Config`].
#[derive(Debug, Clone)]
pub struct Settings {
    /// The default bucket.
    pub bucket_name: String,
    /// Largest request or non-streamed response body.
    pub max_request_size: u64,
    /// Auto-chunking bounds.
    pub chunk_limits: ChunkSizeLimits,
    /// Chunk partitioning threshold (0 = off).
    pub max_chunks_per_folder: u64,
    /// Create missing parent folders on `PUT /`.
    pub auto_folders: bool,
    /// New domains are readable by `default`.
    pub default_public: bool,
    /// Non-default buckets may be read.
    pub allow_any_bucket_read: bool,
    /// Non-default buckets may be written.
    pub allow_any_bucket_write: bool,
    /// Cap for `getobjs`.
    pub max_objects_limit: u64,
    /// `/about` fields.
    pub server_name: String,
    /// `/about` greeting.
    pub greeting: String,
    /// `/about` text.
    pub about: String,
}

impl Settings {
    /// Reads the settings from `config`.
    ///
    /// # Errors
    /// [`ConfigError`] for values of the wrong kind.
    pub fn from_config(config: &Config) -> Result<Settings, ConfigError> {
        Ok(Settings {
            bucket_name: config.string("bucket_name", "hsdstest"),
            max_request_size: config.size("max_request_size", 100 << 20)?,
            chunk_limits: ChunkSizeLimits {
                min: config.size("min_chunk_size", 1 << 20)?,
                max: config.size("max_chunk_size", 4 << 20)?,
            },
            max_chunks_per_folder: config.size("max_chunks_per_folder", 0)?,
            auto_folders: config.boolean("auto_folders", false)?,
            default_public: config.boolean("default_public", false)?,
            allow_any_bucket_read: config.boolean("allow_any_bucket_read", true)?,
            allow_any_bucket_write: config.boolean("allow_any_bucket_write", true)?,
            max_objects_limit: config.size("domain_req_max_objects_limit", 500)?,
            server_name: config.string("server_name", "restvol"),
            greeting: config.string("greeting", ""),
            about: config.string("about", ""),
        })
    }

    /// The `limits` object of domain responses.
    pub fn limits_json(&self) -> Value {
        json!({
            "min_chunk_size": self.chunk_limits.min,
            "max_chunk_size": self.chunk_limits.max,
            "max_request_size": self.max_request_size,
        })
    }
}

/// The compressors HSDS 1.0.2 reports (Blosc's list with `zlib` named `gzip`, plus `deflate`).
pub fn compressors() -> Value {
    json!(["blosclz", "lz4", "lz4hc", "gzip", "zstd", "deflate"])
}

/// The service node.
#[derive(Debug)]
pub struct ServiceNode {
    /// Resolved settings.
    pub settings: Settings,
    /// Users and the admin.
    pub users: Users,
    /// The data nodes.
    pub dn: DnTransport,
    /// Storage (for folder listings).
    pub storage: Storage,
    /// Start time, epoch seconds.
    pub start_time: f64,
}

impl ServiceNode {
    /// A service node over the given parts.
    pub fn new(settings: Settings, users: Users, dn: DnTransport, storage: Storage) -> ServiceNode {
        ServiceNode { settings, users, dn, storage, start_time: super::dn::mutation::now() }
    }

    /// Serves one request; every failure becomes its JSON error response.
    pub async fn handle(&self, mut req: ApiRequest) -> ApiResponse {
        match self.dispatch(&mut req).await {
            Ok(response) => response,
            Err(error) => error.into(),
        }
    }

    async fn dispatch(&self, req: &mut ApiRequest) -> ApiResult<ApiResponse> {
        if req.body.len() as u64 > self.settings.max_request_size {
            return Err(ApiError::too_large(format!(
                "request body of {} bytes exceeds max_request_size {}",
                req.body.len(),
                self.settings.max_request_size
            )));
        }
        if req.method == Method::Options {
            return Ok(ApiResponse::empty(200));
        }
        if !req.body.is_empty() {
            req.body_is_binary()?;
        }
        let user = self.users.authenticate(req.header("authorization"))?;
        req.user = Some(user);
        let route = Route::parse(req.method, &req.path)?;
        handlers::dispatch(self, req, route).await
    }
}
