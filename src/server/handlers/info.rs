//! `GET /about` and `GET /info`: service identity and node state.

use serde_json::json;

use crate::server::api::{ApiRequest, ApiResponse};
use crate::server::auth::DEFAULT_USER;
use crate::server::error::ApiResult;
use crate::server::service::{ServiceNode, HSDS_VERSION};

/// `GET /about`.
///
/// # Errors
/// None beyond authentication, which already happened.
pub fn about(sn: &ServiceNode, req: &ApiRequest) -> ApiResult<ApiResponse> {
    let user = req.user.clone().unwrap_or_else(|| DEFAULT_USER.to_string());
    let username = if user == DEFAULT_USER { "anonymous".to_string() } else { user.clone() };
    let dn_ids = sn.dn.node_ids();
    Ok(ApiResponse::ok(json!({
        "start_time": sn.start_time,
        "state": "READY",
        "hsds_version": HSDS_VERSION,
        "name": sn.settings.server_name,
        "greeting": sn.settings.greeting,
        "about": sn.settings.about,
        "node_count": sn.dn.node_count(),
        "dn_urls": dn_ids.iter().map(|id| format!("inprocess://{id}")).collect::<Vec<_>>(),
        "dn_ids": dn_ids,
        "username": username,
        "isadmin": sn.users.is_admin(&user),
    })))
}

/// `GET /info`.
///
/// # Errors
/// None.
pub fn info(sn: &ServiceNode) -> ApiResult<ApiResponse> {
    Ok(ApiResponse::ok(json!({
        "node": {
            "id": "sn-001",
            "type": "sn",
            "start_time": sn.start_time,
            "state": "READY",
            "node_count": sn.dn.node_count(),
        },
        "hsds_version": HSDS_VERSION,
    })))
}
