//! Domain ACLs: `GET /acls`, `GET /acls/{user}`, `PUT /acls/{user}` (reference §2.4).

use serde_json::{json, Value};

use crate::server::acl;
use crate::server::api::ApiResponse;
use crate::server::ctx::Ctx;
use crate::server::dn::{Mutation, ObjRef};
use crate::server::error::{ApiError, ApiResult};

/// `GET /acls` (needs `readACL`).
///
/// # Errors
/// 403 without `readACL`, 404 for a missing domain.
pub async fn get_all(ctx: &Ctx<'_>) -> ApiResult<ApiResponse> {
    let json = ctx.domain_json().await?;
    ctx.check_acl(&json, "readACL")?;
    let acls = json.get("acls").and_then(Value::as_object).cloned().unwrap_or_default();
    let list: Vec<Value> =
        acls.iter().map(|(user, entry)| acl::response_entry(user, entry)).collect();
    Ok(ApiResponse::ok(json!({ "acls": list, "hrefs": [] })))
}

/// `GET /acls/{user}`: your own entry or `default` needs `read`, others `readACL`.
///
/// # Errors
/// 403 when not permitted, 404 when there is no entry.
pub async fn get_one(ctx: &Ctx<'_>, user: &str) -> ApiResult<ApiResponse> {
    let json = ctx.domain_json().await?;
    let action = if user == ctx.user || user == "default" { "read" } else { "readACL" };
    ctx.check_acl(&json, action)?;
    let entry = json
        .get("acls")
        .and_then(|a| a.get(user))
        .ok_or_else(|| ApiError::not_found(format!("no ACL for user '{user}'")))?;
    Ok(ApiResponse::ok(json!({ "acl": acl::response_entry(user, entry), "hrefs": [] })))
}

/// `PUT /acls/{user}` (needs `updateACL`); 201.
///
/// # Errors
/// 400 for bad bodies, 403 without `updateACL`.
pub async fn put(ctx: &Ctx<'_>, user: &str) -> ApiResult<ApiResponse> {
    let json = ctx.domain_json().await?;
    ctx.check_acl(&json, "updateACL")?;
    let entry = acl::entry_from_request(&ctx.req.json_object()?)?;
    let path = ctx.domain_path()?.to_string();
    let mutation = Mutation::PutAcl { user: user.to_string(), acl: entry };
    ctx.sn.dn.mutate(&ctx.bucket, &ObjRef::Domain(path), &mutation).await?;
    Ok(ApiResponse::created(json!({})))
}
