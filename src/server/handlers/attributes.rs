//! Attributes of groups, datasets and datatypes: single and bulk GET/PUT/POST/DELETE, JSON,
//! base64 and binary values (reference §2.11).

use base64::Engine;
use bytes::Bytes;
use serde_json::{json, Map, Value};

use crate::model::attributes::ATTR_CREATION_ORDER_KEY;
use crate::model::{validate_attribute_name, AttrValue, Attribute, ObjClass, ObjId};
use crate::server::api::ApiResponse;
use crate::server::attr_bytes::{bytes_to_json, json_to_bytes};
use crate::server::ctx::{Ctx, OpenDomain};
use crate::server::dn::mutation::now;
use crate::server::dn::{Mutation, Outcome, Section};
use crate::server::error::{ApiError, ApiResult};
use crate::server::handlers::domains::glob_match;
use crate::server::handlers::objects::created_time;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The stored form of a request attribute body.
///
/// # Errors
/// 400 for malformed attributes.
pub fn stored_attribute(body: &Value, default_created: f64) -> ApiResult<Value> {
    let created = body.as_object().map_or(default_created, created_time);
    let mut attr = Attribute::from_request(body, created)?;
    attr.value = decoded_value(&attr);
    Ok(attr.to_json())
}

/// A base64 value decoded to JSON when the type allows it (as HSDS stores it); otherwise as is.
fn decoded_value(attr: &Attribute) -> AttrValue {
    if let AttrValue::Base64(text) = &attr.value {
        let json = B64
            .decode(text)
            .ok()
            .and_then(|bytes| bytes_to_json(&attr.datatype, &bytes, attr.shape.dims()));
        if let Some(json) = json {
            return AttrValue::Json(json);
        }
    }
    attr.value.clone()
}

async fn target(
    ctx: &Ctx<'_>,
    open: &OpenDomain,
    class: ObjClass,
    id: &str,
) -> ApiResult<(ObjId, Value)> {
    let id = ctx.parse_id(id, Some(class), &open.root)?;
    let stored = ctx.object(&id).await?;
    Ok((id, stored))
}

/// The response form of one attribute, honouring `encoding=base64`.
fn attr_response(
    ctx: &Ctx<'_>,
    name: &str,
    stored: &Value,
    include_data: bool,
) -> ApiResult<Value> {
    let attr = Attribute::from_json(stored)?;
    let mut out = attr.to_response_json(name, include_data);
    if include_data && ctx.req.param("encoding") == Some("base64") {
        if let AttrValue::Json(value) = &attr.value {
            if !value.is_null() {
                let bytes = json_to_bytes(&attr.datatype, value).ok_or_else(|| {
                    ApiError::bad_request("base64 encoding is not available for this type")
                })?;
                if let Some(map) = out.as_object_mut() {
                    map.insert("value".into(), json!(B64.encode(bytes)));
                    map.insert("encoding".into(), json!("base64"));
                }
            }
        }
    }
    Ok(out)
}

fn listed(
    ctx: &Ctx<'_>,
    stored: &Value,
    names: Option<&[String]>,
    default_data: bool,
) -> ApiResult<Vec<Value>> {
    let include_data = match ctx.req.param("IncludeData") {
        None => default_data,
        Some(_) => ctx.req.flag("IncludeData"),
    };
    let table = stored.get("attributes").and_then(Value::as_object).cloned().unwrap_or_default();
    let mut items: Vec<(String, Value)> = table.into_iter().collect();
    if let Some(names) = names {
        items.retain(|(name, _)| names.contains(name));
    }
    if let Some(pattern) = ctx.req.param("pattern") {
        items.retain(|(name, _)| glob_match(pattern, name));
    }
    if ctx.req.flag("CreateOrder") {
        // By creation order value where the owner tracks it (restvol), else by creation time.
        let order = |v: &Value| v.get(ATTR_CREATION_ORDER_KEY).and_then(Value::as_u64);
        let created = |v: &Value| v.get("created").and_then(Value::as_f64).unwrap_or(0.0);
        items.sort_by(|a, b| {
            order(&a.1)
                .cmp(&order(&b.1))
                .then_with(|| created(&a.1).total_cmp(&created(&b.1)))
                .then_with(|| a.0.cmp(&b.0))
        });
    } else {
        items.sort_by(|a, b| a.0.cmp(&b.0));
    }
    if let Some(marker) = ctx.req.param("Marker") {
        let index = items
            .iter()
            .position(|(name, _)| name == marker)
            .ok_or_else(|| ApiError::not_found(format!("marker {marker} not found")))?;
        items.drain(..=index);
    }
    if let Some(limit) = ctx.req.param("Limit").and_then(|l| l.parse::<usize>().ok()) {
        items.truncate(limit);
    }
    items.iter().map(|(name, value)| attr_response(ctx, name, value, include_data)).collect()
}

/// `GET /{col}/{id}/attributes`.
///
/// # Errors
/// 404 for missing objects or markers.
pub async fn get_all(ctx: &Ctx<'_>, class: ObjClass, id: &str) -> ApiResult<ApiResponse> {
    let open = ctx.open_domain("read").await?;
    let (_, stored) = target(ctx, &open, class, id).await?;
    Ok(ApiResponse::ok(json!({ "attributes": listed(ctx, &stored, None, false)?, "hrefs": [] })))
}

/// `GET /{col}/{id}/attributes/{name}`.
///
/// # Errors
/// 404 for a missing attribute.
pub async fn get_one(
    ctx: &Ctx<'_>,
    class: ObjClass,
    id: &str,
    name: &str,
) -> ApiResult<ApiResponse> {
    let open = ctx.open_domain("read").await?;
    let (_, attr) = attribute_json(ctx, &open, class, id, name).await?;
    let include_data = ctx.req.param("IncludeData").is_none() || ctx.req.flag("IncludeData");
    let mut out = attr_response(ctx, name, &attr, include_data)?;
    if let Some(map) = out.as_object_mut() {
        map.insert("hrefs".into(), json!([]));
    }
    Ok(ApiResponse::ok(out))
}

fn attr_table(body: &Value) -> ApiResult<Map<String, Value>> {
    let attrs =
        body.as_object().ok_or_else(|| ApiError::bad_request("'attributes' must be an object"))?;
    let mut table = Map::new();
    for (name, attr) in attrs {
        validate_attribute_name(name)?;
        table.insert(name.clone(), stored_attribute(attr, now())?);
    }
    Ok(table)
}

fn status_of(outcome: Outcome) -> u16 {
    if outcome == Outcome::Created {
        201
    } else {
        200
    }
}

/// `PUT /{col}/{id}/attributes/{name}` (`?replace=1` overwrites).
///
/// # Errors
/// 400 for malformed attributes, 409 if a different one exists.
pub async fn put_one(
    ctx: &Ctx<'_>,
    class: ObjClass,
    id: &str,
    name: &str,
) -> ApiResult<ApiResponse> {
    let open = ctx.open_domain("create").await?;
    let oid = ctx.parse_id(id, Some(class), &open.root)?;
    validate_attribute_name(name)?;
    let body = ctx.req.json()?;
    let mut table = Map::new();
    table.insert(name.to_string(), stored_attribute(&body, now())?);
    let replace = ctx.req.flag("replace");
    let (outcome, _) =
        ctx.mutate(&oid, &Mutation::PutAttributes { attributes: table, replace }).await?;
    Ok(ApiResponse::json(status_of(outcome), json!({})))
}

/// `PUT /{col}/{id}/attributes`: `{"attributes":{…}}`, `+"obj_ids":[…]`, or
/// `{"obj_ids":{oid:{"attributes":{…}}}}`.
///
/// # Errors
/// 400 for malformed bodies, 409 for differing existing attributes (unless `replace`).
pub async fn put_many(ctx: &Ctx<'_>, class: ObjClass, id: &str) -> ApiResult<ApiResponse> {
    let open = ctx.open_domain("create").await?;
    let oid = ctx.parse_id(id, Some(class), &open.root)?;
    let body = ctx.req.json_object()?;
    let replace = ctx.req.flag("replace");
    let mut plan: Vec<(ObjId, Map<String, Value>)> = Vec::new();
    match body.get("obj_ids") {
        None => {
            let attrs = body
                .get("attributes")
                .ok_or_else(|| ApiError::bad_request("no 'attributes' in body"))?;
            plan.push((oid, attr_table(attrs)?));
        }
        Some(Value::Array(ids)) => {
            let attrs = body
                .get("attributes")
                .ok_or_else(|| ApiError::bad_request("no 'attributes' in body"))?;
            let table = attr_table(attrs)?;
            for target in ids {
                let target = target
                    .as_str()
                    .ok_or_else(|| ApiError::bad_request("obj_ids must be strings"))?;
                plan.push((ctx.parse_id(target, None, &open.root)?, table.clone()));
            }
        }
        Some(Value::Object(per_object)) => {
            for (target, item) in per_object {
                let attrs = item
                    .get("attributes")
                    .ok_or_else(|| ApiError::bad_request("no 'attributes' for an object"))?;
                plan.push((ctx.parse_id(target, None, &open.root)?, attr_table(attrs)?));
            }
        }
        Some(_) => return Err(ApiError::bad_request("'obj_ids' must be a list or an object")),
    }
    for (target, _) in &plan {
        ctx.object(target).await?;
    }
    let mut status = 200;
    for (target, attributes) in plan {
        let (outcome, _) =
            ctx.mutate(&target, &Mutation::PutAttributes { attributes, replace }).await?;
        if outcome == Outcome::Created {
            status = 201;
        }
    }
    Ok(ApiResponse::json(status, json!({})))
}

fn name_list(value: &Value) -> ApiResult<Vec<String>> {
    value
        .as_array()
        .ok_or_else(|| ApiError::bad_request("attr_names must be a list"))?
        .iter()
        .map(|t| {
            t.as_str()
                .map(str::to_string)
                .ok_or_else(|| ApiError::bad_request("attr_names must be strings"))
        })
        .collect()
}

/// `POST /{col}/{id}/attributes`: bulk get by `attr_names` and/or `obj_ids`.
///
/// # Errors
/// 400 for malformed bodies, 404 when nothing asked for exists.
pub async fn post_many(ctx: &Ctx<'_>, class: ObjClass, id: &str) -> ApiResult<ApiResponse> {
    let open = ctx.open_domain("read").await?;
    let (_, stored) = target(ctx, &open, class, id).await?;
    let body = ctx.req.json_object()?;
    let names = body.get("attr_names").map(name_list).transpose()?;
    match body.get("obj_ids") {
        None => {
            let attrs = listed(ctx, &stored, names.as_deref(), true)?;
            if names.as_ref().is_some_and(|n| !n.is_empty()) && attrs.is_empty() {
                return Err(ApiError::not_found("none of the attributes were found"));
            }
            Ok(ApiResponse::ok(json!({ "attributes": attrs })))
        }
        Some(ids) => {
            let mut requests: Vec<(String, Option<Vec<String>>)> = Vec::new();
            match ids {
                Value::Array(list) => {
                    for oid in list {
                        let oid = oid
                            .as_str()
                            .ok_or_else(|| ApiError::bad_request("obj_ids must be strings"))?;
                        requests.push((oid.to_string(), names.clone()));
                    }
                }
                Value::Object(map) => {
                    for (oid, wanted) in map {
                        requests.push((oid.clone(), Some(name_list(wanted)?)));
                    }
                }
                _ => return Err(ApiError::bad_request("'obj_ids' must be a list or an object")),
            }
            let mut out = Map::new();
            for (oid, wanted) in requests {
                let oid = ctx.parse_id(&oid, None, &open.root)?;
                let json = ctx.object(&oid).await?;
                out.insert(
                    oid.as_str().to_string(),
                    json!(listed(ctx, &json, wanted.as_deref(), true)?),
                );
            }
            Ok(ApiResponse::ok(json!({ "attributes": out })))
        }
    }
}

/// `DELETE /{col}/{id}/attributes/{name}`.
///
/// # Errors
/// 404 for a missing attribute.
pub async fn delete_one(
    ctx: &Ctx<'_>,
    class: ObjClass,
    id: &str,
    name: &str,
) -> ApiResult<ApiResponse> {
    let open = ctx.open_domain("delete").await?;
    let oid = ctx.parse_id(id, Some(class), &open.root)?;
    ctx.mutate(&oid, &Mutation::DeleteAttributes { names: vec![name.to_string()] }).await?;
    Ok(ApiResponse::ok(json!({})))
}

/// `DELETE /{col}/{id}/attributes?attr_names=a/b[&separator=/][&encoding=base64]`.
///
/// # Errors
/// 400 without names, 404 for a missing attribute (nothing is deleted then).
pub async fn delete_many(ctx: &Ctx<'_>, class: ObjClass, id: &str) -> ApiResult<ApiResponse> {
    let open = ctx.open_domain("delete").await?;
    let oid = ctx.parse_id(id, Some(class), &open.root)?;
    let raw =
        ctx.req.param("attr_names").ok_or_else(|| ApiError::bad_request("no attr_names given"))?;
    let joined = if ctx.req.param("encoding") == Some("base64") {
        let bytes =
            B64.decode(raw).map_err(|_| ApiError::bad_request("attr_names is not valid base64"))?;
        String::from_utf8(bytes).map_err(|_| ApiError::bad_request("attr_names is not UTF-8"))?
    } else {
        raw.to_string()
    };
    let separator = ctx.req.param("separator").filter(|s| !s.is_empty()).unwrap_or("/");
    let names: Vec<String> =
        joined.split(separator).filter(|n| !n.is_empty()).map(str::to_string).collect();
    ctx.mutate(&oid, &Mutation::DeleteAttributes { names }).await?;
    Ok(ApiResponse::ok(json!({})))
}

/// The stored JSON of attribute `name` of object `id` (only that attribute is fetched).
///
/// # Errors
/// 400 for a bad id; 404 for a missing object or attribute.
async fn attribute_json(
    ctx: &Ctx<'_>,
    open: &OpenDomain,
    class: ObjClass,
    id: &str,
    name: &str,
) -> ApiResult<(ObjId, Value)> {
    let oid = ctx.parse_id(id, Some(class), &open.root)?;
    let attr = ctx
        .member(&oid, Section::Attributes, name)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("attribute '{name}' not found")))?;
    Ok((oid, attr))
}

async fn stored_attr(
    ctx: &Ctx<'_>,
    open: &OpenDomain,
    class: ObjClass,
    id: &str,
    name: &str,
) -> ApiResult<(ObjId, Attribute)> {
    let (oid, attr) = attribute_json(ctx, open, class, id, name).await?;
    let attr = Attribute::from_json(&attr)?;
    if attr.shape.class_name() == "H5S_NULL" {
        return Err(ApiError::bad_request("a null-space attribute has no value"));
    }
    Ok((oid, attr))
}

/// `GET /{col}/{id}/attributes/{name}/value`: JSON, or binary with
/// `Accept: application/octet-stream`.
///
/// # Errors
/// 404 for a missing attribute; 400 for null spaces or binary on unsupported types.
pub async fn get_value(
    ctx: &Ctx<'_>,
    class: ObjClass,
    id: &str,
    name: &str,
) -> ApiResult<ApiResponse> {
    let open = ctx.open_domain("read").await?;
    let (_, attr) = stored_attr(ctx, &open, class, id, name).await?;
    if ctx.req.wants_binary() {
        let bytes = match &attr.value {
            AttrValue::Base64(text) => {
                B64.decode(text).map_err(|_| ApiError::internal("stored base64 is corrupt"))?
            }
            AttrValue::Json(value) => json_to_bytes(&attr.datatype, value).ok_or_else(|| {
                ApiError::bad_request("binary values are not available for this type")
            })?,
        };
        return Ok(ApiResponse::binary(Bytes::from(bytes)));
    }
    let value = match &attr.value {
        AttrValue::Json(value) => value.clone(),
        AttrValue::Base64(text) => {
            let bytes =
                B64.decode(text).map_err(|_| ApiError::internal("stored base64 is corrupt"))?;
            match bytes_to_json(&attr.datatype, &bytes, attr.shape.dims()) {
                Some(value) => value,
                None => {
                    return Ok(ApiResponse::ok(
                        json!({"value": text, "encoding": "base64", "hrefs": []}),
                    ))
                }
            }
        }
    };
    Ok(ApiResponse::ok(json!({ "value": value, "hrefs": [] })))
}

/// `PUT /{col}/{id}/attributes/{name}/value`: `{"value": …}`, `{"value": b64, "encoding":
/// "base64"}`, or a binary body.
///
/// # Errors
/// 404 for a missing attribute; 400 for values that do not fit.
pub async fn put_value(
    ctx: &Ctx<'_>,
    class: ObjClass,
    id: &str,
    name: &str,
) -> ApiResult<ApiResponse> {
    let open = ctx.open_domain("update").await?;
    let (oid, attr) = stored_attr(ctx, &open, class, id, name).await?;
    let request = if ctx.req.body_is_binary()? {
        if attr.datatype.is_variable() {
            return Err(ApiError::bad_request(
                "binary values are not supported for variable-length types",
            ));
        }
        json!({"type": attr.datatype.to_json(), "shape": attr.shape.to_json(), "value": B64.encode(&ctx.req.body), "encoding": "base64"})
    } else {
        let body = ctx.req.json_object()?;
        let mut request = json!({"type": attr.datatype.to_json(), "shape": attr.shape.to_json()});
        if let Some(map) = request.as_object_mut() {
            map.insert("value".into(), body.get("value").cloned().unwrap_or(Value::Null));
            if let Some(encoding) = body.get("encoding") {
                map.insert("encoding".into(), encoding.clone());
            }
        }
        request
    };
    let checked = Attribute::from_request(&request, attr.created)?;
    let (value, base64) = match decoded_value(&checked) {
        AttrValue::Json(value) => (value, false),
        AttrValue::Base64(text) => (json!(text), true),
    };
    ctx.mutate(&oid, &Mutation::SetAttributeValue { name: name.to_string(), value, base64 })
        .await?;
    Ok(ApiResponse::ok(json!({})))
}
