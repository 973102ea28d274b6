//! `query` on dataset values (HSDS 1.0.2 `GET_Value`/`PUT_Value` with `query`, evaluated
//! here on the SN by [`crate::server::values::query_scan`]): `GET` answers the matching
//! elements (projected on `fields`) as a 1-D `{"value": […]}` or packed binary; `PUT` with a
//! JSON body sets the given members (or the value of a non-compound element) of every match
//! and answers the updated coordinates as `{"indices": [[i…],…]}` or binary int64 rows.

use bytes::Bytes;
use serde_json::{json, Map, Value};

use crate::model::values::json_to_bytes;
use crate::server::api::ApiResponse;
use crate::server::ctx::Ctx;
use crate::server::error::{ApiError, ApiResult};
use crate::server::values::fields::{is_compound, FieldSubset};
use crate::server::values::query::Query;
use crate::server::values::query_scan::{scan, write_matches, QueryMatch};
use crate::server::values::ValueSelection;

use super::{value_error, value_response, Target};

/// Body keys of a query update that are request parameters, not members to set.
const REQUEST_KEYS: [&str; 7] = ["query", "Limit", "select", "fields", "start", "stop", "step"];

/// The query text (`query` in the body, else the parameter); `None` when absent or empty.
pub(super) fn query_text(ctx: &Ctx<'_>, body: Option<&Map<String, Value>>) -> Option<String> {
    let from_body = body.and_then(|b| b.get("query")).and_then(Value::as_str);
    from_body.or_else(|| ctx.req.param("query")).filter(|q| !q.is_empty()).map(str::to_string)
}

/// Parses and checks `text` against the dataset's type (HSDS `validateQuery`).
pub(super) fn parse_query(text: &str, target: &Target) -> ApiResult<Query> {
    let invalid =
        |detail: String| ApiError::bad_request(format!("query: {text} is not valid: {detail}"));
    if target.layout.scalar {
        return Err(invalid("query is not supported for scalar arrays".into()));
    }
    Query::parse(text, &target.layout.datatype).map_err(|err| invalid(err.to_string()))
}

/// `Limit` (body, else parameter); 0 (no limit) when absent or not positive.
pub(super) fn limit(ctx: &Ctx<'_>, body: Option<&Map<String, Value>>) -> ApiResult<usize> {
    let bad = || ApiError::bad_request("Limit param must be positive int");
    let value = match body.and_then(|b| b.get("Limit")) {
        Some(value) => value.as_i64().ok_or_else(bad)?,
        None => match ctx.req.param("Limit") {
            Some(text) => text.trim().parse::<i64>().map_err(|_| bad())?,
            None => 0,
        },
    };
    Ok(usize::try_from(value.max(0)).unwrap_or(usize::MAX))
}

/// `GET …/value?query=…`.
pub(super) async fn get_matches(
    ctx: &Ctx<'_>,
    target: &Target,
    selection: &ValueSelection,
    query: &Query,
    limit: usize,
    fields: Option<&FieldSubset>,
) -> ApiResult<ApiResponse> {
    let nodes = ctx.sn.dn.chunk_nodes();
    let found = scan(nodes, &target.bucket, &target.layout, selection, query, limit)
        .await
        .map_err(value_error)?;
    let count = found.len() as u64;
    let packed: Vec<u8> = found.into_iter().flat_map(|m| m.element).collect();
    let (data, view) = match fields {
        Some(subset) => (subset.project(&packed), subset.view(&target.layout)),
        None => (packed, (*target.layout).clone()),
    };
    if ctx.req.wants_binary() {
        return Ok(ApiResponse::binary(Bytes::from(data)));
    }
    let mut dims = vec![count];
    if ctx.req.flag("reduce_dim") {
        dims.retain(|&n| n != 1);
    }
    value_response(ctx, &view, &dims, &data)
}

/// The packed bytes of the update: the members named by `body` (an object for compounds,
/// `{"value": v}` or `v` otherwise) and the subset they form (`None`: the whole element).
fn update_bytes(
    target: &Target,
    body: &Value,
    fields: Option<&FieldSubset>,
) -> ApiResult<(Option<FieldSubset>, Vec<u8>)> {
    let datatype = &target.layout.datatype;
    let mismatch = |err: crate::model::ModelError| {
        ApiError::bad_request(format!("input data doesn't match selection: {err}"))
    };
    if !is_compound(datatype) {
        let value = body.get("value").unwrap_or(body);
        return Ok((None, json_to_bytes(datatype, &[], value).map_err(mismatch)?));
    }
    let Some(map) = body.as_object() else {
        return Err(ApiError::bad_request("expected a JSON object for compound type query update"));
    };
    let allowed = fields.map(|f| &f.datatype);
    let mut names = Vec::new();
    let mut values = Vec::new();
    for (name, value) in map {
        if REQUEST_KEYS.contains(&name.as_str()) {
            continue;
        }
        let known = match allowed {
            Some(crate::model::Datatype::Compound(members)) => {
                members.iter().any(|m| &m.name == name)
            }
            _ => true,
        };
        if !known {
            return Err(ApiError::bad_request(format!("field: {name} not found in dataset type")));
        }
        names.push(name.clone());
        values.push(value);
    }
    if names.is_empty() {
        return Err(ApiError::bad_request("query update names no fields to set"));
    }
    let unknown =
        || ApiError::bad_request(format!("field: {} not found in dataset type", names.join(", ")));
    let subset = FieldSubset::parse(Some(&names.join(":")), datatype)
        .map_err(|_| unknown())?
        .ok_or_else(unknown)?;
    let crate::model::Datatype::Compound(members) = &subset.datatype else {
        return Err(ApiError::internal("field subset is not a compound"));
    };
    let mut bytes = Vec::new();
    for (member, value) in members.iter().zip(values) {
        bytes.extend(json_to_bytes(&member.datatype, &[], value).map_err(mismatch)?);
    }
    Ok((Some(subset), bytes))
}

/// `PUT …/value?query=…` with a JSON body.
pub(super) async fn put_matches(
    ctx: &Ctx<'_>,
    target: &Target,
    selection: &ValueSelection,
    query: &Query,
    limit: usize,
    body: &Value,
    fields: Option<&FieldSubset>,
) -> ApiResult<ApiResponse> {
    let (subset, update) = update_bytes(target, body, fields)?;
    let nodes = ctx.sn.dn.chunk_nodes();
    let mut found = scan(nodes, &target.bucket, &target.layout, selection, query, limit)
        .await
        .map_err(value_error)?;
    for hit in &mut found {
        match &subset {
            Some(subset) => subset.merge(&mut hit.element, &update).map_err(value_error)?,
            None => hit.element.clone_from(&update),
        }
    }
    write_matches(nodes, &target.bucket, &target.layout, &found).await.map_err(value_error)?;
    Ok(indices_response(ctx, &found))
}

/// `GET /datasets/{id}/query`: the coordinates of the matches.
pub(super) async fn get_indices(
    ctx: &Ctx<'_>,
    target: &Target,
    selection: &ValueSelection,
    query: &Query,
    limit: usize,
) -> ApiResult<ApiResponse> {
    let nodes = ctx.sn.dn.chunk_nodes();
    let found = scan(nodes, &target.bucket, &target.layout, selection, query, limit)
        .await
        .map_err(value_error)?;
    Ok(indices_response(ctx, &found))
}

/// `{"indices": [[i, …], …]}`, or int64 rows in binary.
fn indices_response(ctx: &Ctx<'_>, found: &[QueryMatch]) -> ApiResponse {
    if ctx.req.wants_binary() {
        let bytes: Vec<u8> = found
            .iter()
            .flat_map(|m| {
                m.coords.iter().flat_map(|&c| i64::try_from(c).unwrap_or(i64::MAX).to_le_bytes())
            })
            .collect();
        return ApiResponse::binary(Bytes::from(bytes));
    }
    let indices: Vec<Value> = found.iter().map(|m| json!(m.coords)).collect();
    ApiResponse::ok(json!({"indices": indices, "hrefs": []}))
}
