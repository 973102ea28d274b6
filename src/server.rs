//! The service: service node (SN) and data node (DN) handlers speaking HSDS's REST API,
//! routing, authentication and ACLs, the DN metadata layer with write-back, and the
//! `restvol serve` shell (HTTP over TCP and Unix sockets).
//!
//! Transport-neutral core: [`api::ApiRequest`] → [`service::ServiceNode::handle`] →
//! [`api::ApiResponse`]; [`http`] adapts it to hyper, a Lambda shell can adapt it to events.

pub mod acl;
pub mod api;
pub mod attr_bytes;
pub mod auth;
pub mod body_stream;
pub mod chunks;
pub mod cluster;
pub mod config;
pub mod ctx;
pub mod dn;
pub mod domain_stats;
pub mod error;
pub mod event;
pub mod filters;
pub mod h5path;
pub mod handlers;
pub mod http;
pub mod lambda;
pub mod meta_cache;
pub mod recheck;
pub mod router;
pub mod serve;
pub mod service;
pub mod transport;
pub mod values;

pub use api::{ApiRequest, ApiResponse, Method, ResponseBody};
pub use error::{ApiError, ApiResult};
pub use service::{ServiceNode, Settings};
