//! Dataset values (reference §2.7): `GET|PUT|POST /datasets/{id}/value` over the chunk stores
//! (`server::values` fan-out), the initial `value` of `POST /datasets`, and chunk removal when
//! datasets or domains are deleted and when a dataset shrinks.
//!
//! Requests follow HSDS 1.0.2 (`chunk_sn`): `GET` takes `select` and answers binary with
//! `Accept: application/octet-stream` (paged by `max_request_size`, assembled) or JSON
//! `{"value": …}` (413 when too large; `reduce_dim` squeezes one-element axes; a scalar gives
//! the bare element); `PUT` takes a binary body with `select` or a JSON body with `value` /
//! `value_base64` and `select`, `start`/`stop`/`step` or `points`, and `element_count` to
//! broadcast; `POST` reads points (JSON `points` or a binary uint64 list) or a hyperslab given
//! in the body.

mod append;
mod query;

use std::collections::BTreeSet;
use std::sync::Arc;

use base64::Engine as _;
use bytes::Bytes;
use serde_json::{Map, Value};

use crate::model::values::{base64_to_bytes, bytes_to_json_text, json_to_bytes};
use crate::model::{ObjClass, ObjId};
use crate::server::api::{ApiResponse, Method, JSON_TYPE};
use crate::server::body_stream::BodyStream;
use crate::server::chunks::{DatasetLayout, ElementBuf, ItemLayout};
use crate::server::ctx::Ctx;
use crate::server::error::{ApiError, ApiResult};
use crate::server::h5path;
use crate::server::transport::chunk_api_error;
use crate::server::values::fields::FieldSubset;
use crate::server::values::paging::VLEN_ITEM_ESTIMATE;
use crate::server::values::request::{
    binary_points, body_selection, element_count, select_param, PointVerb, RequestSelection,
};
use crate::server::values::{
    broadcast, paginate, read_points, read_selection, write_points, write_selection, ValueError,
    ValueSelection,
};
use crate::storage::backend::Bucket;
use crate::storage::keys::{domain_prefix, parse_key, KeyTarget};

/// The HTTP error of a value-path failure (HSDS's status and reason).
fn value_error(err: ValueError) -> ApiError {
    ApiError::new(err.http_status(), err.to_string())
}

/// A dataset resolved for a value request.
struct Target {
    layout: Arc<DatasetLayout>,
    bucket: Bucket,
    /// The dataset id.
    id: ObjId,
    /// The stored `.dataset.json`.
    stored: Value,
}

impl Target {
    /// Bytes per element for size checks (HSDS's guess for variable types).
    fn item_estimate(&self) -> u64 {
        match self.layout.item {
            ItemLayout::Fixed(size) => size as u64,
            ItemLayout::Variable => VLEN_ITEM_ESTIMATE,
        }
    }
}

fn is_null_space(stored: &Value) -> bool {
    stored.get("shape").and_then(|s| s.get("class")).and_then(Value::as_str) == Some("H5S_NULL")
}

/// Loads the dataset `id` after checking `action` on the domain.
async fn target(ctx: &Ctx<'_>, id: &str, action: &str, null_message: &str) -> ApiResult<Target> {
    let open = ctx.open_domain(action).await?;
    let id = ctx.parse_id(id, Some(ObjClass::Dataset), &open.root)?;
    let stored = ctx.dataset_meta(&id).await?;
    if is_null_space(&stored) {
        return Err(ApiError::bad_request(null_message));
    }
    let layout = DatasetLayout::from_json(&stored).map_err(|err| chunk_api_error(&err))?;
    let bucket = ctx.sn.storage.bucket(&ctx.bucket)?;
    Ok(Target { layout: Arc::new(layout), bucket, id, stored })
}

/// `GET|PUT|POST /datasets/{id}/value`.
///
/// # Errors
/// HSDS's statuses: 400 for bad selections, points, bodies or types; 413 for responses larger
/// than `max_request_size` that cannot be paged; 403/401 without permission; 404 if missing.
pub async fn dataset_value(ctx: &Ctx<'_>, id: &str) -> ApiResult<ApiResponse> {
    match ctx.req.method {
        Method::Get => get_value(ctx, id).await,
        Method::Put => put_value(ctx, id).await,
        Method::Post => post_value(ctx, id).await,
        _ => Err(ApiError::new(405, format!("method not allowed on {}", ctx.req.path))),
    }
}

/// `GET /datasets/{id}/query` (HSDS 1.0.2 `GET_Query`): the coordinates of the elements of
/// `select` matching `query` (required), at most `Limit`; JSON `{"indices": [[i…],…]}` or
/// int64 rows in binary.
///
/// # Errors
/// 400 without or with a malformed query or selection; 413 when the searched region is larger
/// than `max_request_size`.
pub async fn dataset_query(ctx: &Ctx<'_>, id: &str) -> ApiResult<ApiResponse> {
    let null = "Null space datasets can not be used as target for GET query";
    let target = target(ctx, id, "read", null).await?;
    let selection = select_param(ctx.req.param("select"), &target.layout).map_err(value_error)?;
    let Some(text) = query::query_text(ctx, None) else {
        return Err(ApiError::bad_request("query parameter is required for GET_Query"));
    };
    let parsed = query::parse_query(&text, &target)?;
    let limit = query::limit(ctx, None)?;
    let size = selection.element_count().saturating_mul(u128::from(target.item_estimate()));
    if size >= u128::from(ctx.sn.settings.max_request_size) {
        return Err(too_large("GET query"));
    }
    query::get_indices(ctx, &target, &selection, &parsed, limit).await
}

/// A 200 response whose body is JSON text (kept as text so HSDS's `NaN`/`Infinity` survive).
fn json_text_response(text: String) -> ApiResponse {
    let mut response = ApiResponse::binary(Bytes::from(text));
    response.headers.push(("Content-Type".into(), JSON_TYPE.into()));
    response
}

/// `{"value": …, "hrefs": []}` for packed `data` of `dims` (`[]` gives a bare element).
fn value_response(
    ctx: &Ctx<'_>,
    layout: &DatasetLayout,
    dims: &[u64],
    data: &[u8],
) -> ApiResult<ApiResponse> {
    let ignore_nan = ctx.req.flag("ignore_nan");
    let text = bytes_to_json_text(&layout.datatype, dims, data, ignore_nan)?;
    Ok(json_text_response(format!("{{\"value\": {text}, \"hrefs\": []}}")))
}

fn too_large(what: &str) -> ApiError {
    ApiError::too_large(format!("{what} request too large"))
}

/// Pages read ahead of the client: the next page is read while the previous one is sent.
const PAGES_IN_FLIGHT: usize = 1;

/// A binary answer for several pages, streamed: each page is read (fanned out over the DNs)
/// and sent in turn, so memory holds about one page rather than the whole selection.
fn stream_pages(
    ctx: &Ctx<'_>,
    target: &Target,
    pages: Vec<ValueSelection>,
    fields: Option<FieldSubset>,
) -> ApiResponse {
    let item = match (&fields, target.layout.item) {
        (Some(subset), _) => Some(subset.item_size()),
        (None, ItemLayout::Fixed(size)) => Some(size),
        (None, ItemLayout::Variable) => None,
    };
    let length = match item {
        Some(size) => pages
            .iter()
            .map(|page| page.element_count().saturating_mul(size as u128))
            .sum::<u128>()
            .try_into()
            .ok(),
        None => None,
    };
    let (sender, stream) = BodyStream::channel(length, PAGES_IN_FLIGHT);
    let dn = ctx.sn.dn.clone();
    let (bucket, layout) = (target.bucket.clone(), Arc::clone(&target.layout));
    tokio::spawn(async move {
        for page in pages {
            let piece = read_selection(dn.chunk_nodes(), &bucket, &layout, &page)
                .await
                .map(|data| Bytes::from(project(fields.as_ref(), data.to_bytes())))
                .map_err(value_error);
            let failed = piece.is_err();
            if sender.send(piece).await.is_err() || failed {
                return;
            }
        }
    });
    ApiResponse::streamed(stream)
}

/// Packed full elements projected on `fields` (unchanged without).
fn project(fields: Option<&FieldSubset>, data: Vec<u8>) -> Vec<u8> {
    match fields {
        Some(subset) => subset.project(&data),
        None => data,
    }
}

async fn get_value(ctx: &Ctx<'_>, id: &str) -> ApiResult<ApiResponse> {
    let null = "Null space datasets can not be used as target for GET value";
    let target = target(ctx, id, "read", null).await?;
    let layout = &target.layout;
    let nodes = ctx.sn.dn.chunk_nodes();
    let selection = select_param(ctx.req.param("select"), layout).map_err(value_error)?;
    let fields =
        FieldSubset::parse(ctx.req.param("fields"), &layout.datatype).map_err(value_error)?;
    let limit = query::limit(ctx, None)?;
    let parsed_query = match query::query_text(ctx, None) {
        Some(text) => Some(query::parse_query(&text, &target)?),
        None => None,
    };
    let max = ctx.sn.settings.max_request_size;
    let item = fields.as_ref().map_or_else(|| target.item_estimate(), |f| f.item_size() as u64);
    let size = selection.element_count().saturating_mul(u128::from(item));
    let streamed = ctx.req.wants_binary() && !layout.scalar;
    if !streamed && size >= u128::from(max) {
        return Err(too_large("GET value"));
    }
    if let Some(parsed) = &parsed_query {
        return query::get_matches(ctx, &target, &selection, parsed, limit, fields.as_ref()).await;
    }
    if streamed {
        let mut pages = paginate(&selection, target.item_estimate(), max).map_err(value_error)?;
        if pages.len() > 1 {
            return Ok(stream_pages(ctx, &target, pages, fields));
        }
        let page = pages.pop().unwrap_or(selection);
        let data =
            read_selection(nodes, &target.bucket, layout, &page).await.map_err(value_error)?;
        return Ok(ApiResponse::binary(Bytes::from(project(fields.as_ref(), data.to_bytes()))));
    }
    let data = read_selection(nodes, &target.bucket, layout, &selection)
        .await
        .map_err(value_error)?
        .to_bytes();
    let data = project(fields.as_ref(), data);
    if ctx.req.wants_binary() {
        return Ok(ApiResponse::binary(Bytes::from(data)));
    }
    let mut dims = selection.shape();
    if ctx.req.flag("reduce_dim") {
        dims.retain(|&n| n != 1);
    }
    if layout.scalar {
        dims.clear();
    }
    match &fields {
        Some(subset) => value_response(ctx, &subset.view(layout), &dims, &data),
        None => value_response(ctx, layout, &dims, &data),
    }
}

/// The broadcast shape HSDS accepts for `element_count` (`getBroadcastShape`): one element,
/// or the trailing axes of `shape` holding exactly `count` elements.
fn broadcast_shape(shape: &[u64], count: u64) -> ApiResult<Vec<u64>> {
    let total: u128 = shape.iter().map(|&n| u128::from(n)).product();
    if u128::from(count) == total {
        return Ok(shape.to_vec());
    }
    if count == 1 {
        return Ok(vec![1]);
    }
    let mut trailing = 1_u128;
    for start in (1..shape.len()).rev() {
        trailing *= u128::from(shape[start]);
        if trailing == u128::from(count) {
            return Ok(shape[start..].to_vec());
        }
    }
    let dims: Vec<String> = shape.iter().map(u64::to_string).collect();
    let tuple =
        if dims.len() == 1 { format!("({},)", dims[0]) } else { format!("({})", dims.join(", ")) };
    Err(ApiError::bad_request(format!(
        "element_count {count} not compatible with selection shape: {tuple}"
    )))
}

fn count_of(dims: &[u64]) -> ApiResult<usize> {
    dims.iter()
        .try_fold(1_usize, |acc, &d| acc.checked_mul(usize::try_from(d).ok()?))
        .ok_or_else(|| ApiError::too_large("selection too large"))
}

/// Element buffer from packed wire bytes holding `count` elements.
fn elements(layout: &DatasetLayout, bytes: &[u8], count: usize) -> ApiResult<ElementBuf> {
    ElementBuf::from_bytes(&layout.datatype, layout.item, bytes, count)
        .map_err(|err| ApiError::bad_request(err.to_string()))
}

/// The packed data of a JSON PUT body (`value` or `value_base64`) for a selection of `shape`.
fn json_data(
    layout: &DatasetLayout,
    body: &Map<String, Value>,
    shape: &[u64],
    element_count: Option<u64>,
) -> ApiResult<ElementBuf> {
    let dims = match element_count {
        Some(count) => broadcast_shape(shape, count)?,
        None => shape.to_vec(),
    };
    let count = count_of(&dims)?;
    let bytes = if let Some(value) = body.get("value") {
        json_to_bytes(&layout.datatype, &dims, value).map_err(|err| {
            ApiError::bad_request(format!("input data doesn't match selection: {err}"))
        })?
    } else if let Some(text) = body.get("value_base64") {
        let text =
            text.as_str().ok_or_else(|| ApiError::bad_request("value_base64 must be a string"))?;
        if layout.item == ItemLayout::Variable {
            // HSDS takes variable-length elements in their binary wire form here too.
            base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .map_err(|err| ApiError::bad_request(format!("value is not valid base64: {err}")))?
        } else {
            base64_to_bytes(&layout.datatype, count as u64, text)
                .map_err(|err| ApiError::bad_request(err.to_string()))?
        }
    } else {
        return Err(ApiError::bad_request("request has no value or value_base64 key"));
    };
    elements(layout, &bytes, count)
}

/// The element buffer of a binary PUT body for a selection of `count` elements.
fn binary_data(
    layout: &DatasetLayout,
    body: &[u8],
    count: usize,
    element_count: Option<u64>,
) -> ApiResult<ElementBuf> {
    if let (ItemLayout::Fixed(size), None) = (layout.item, element_count) {
        if !body.len().is_multiple_of(size) {
            return Err(ApiError::bad_request(format!(
                "Expected request size to be a multiple of {size}, but {} bytes received",
                body.len()
            )));
        }
        if body.len() / size != count {
            return Err(ApiError::bad_request(format!(
                "expected {} bytes but got {}",
                size.saturating_mul(count),
                body.len()
            )));
        }
    }
    let given = match element_count {
        Some(n) => {
            usize::try_from(n).map_err(|_| ApiError::too_large("element_count too large"))?
        }
        None => count,
    };
    if let ItemLayout::Fixed(size) = layout.item {
        if body.len() != size.saturating_mul(given) {
            return Err(ApiError::bad_request(format!(
                "expected {} bytes but got {}",
                size.saturating_mul(given),
                body.len()
            )));
        }
    }
    elements(layout, body, given)
}

/// Writes `data` (subset elements when `fields` is given) into `selection` of `target`; with
/// `fields`, the current elements are read and only the chosen members replaced.
async fn write_data(
    ctx: &Ctx<'_>,
    target: &Target,
    selection: RequestSelection,
    data: ElementBuf,
    fields: Option<&FieldSubset>,
) -> ApiResult<()> {
    let layout = &target.layout;
    let nodes = ctx.sn.dn.chunk_nodes();
    let (data, selection) = match fields {
        None => (data, selection),
        Some(subset) => {
            let shape = match &selection {
                RequestSelection::Hyperslab(sel) => sel.shape(),
                RequestSelection::Points(flat) => {
                    vec![(flat.len() / layout.dims.len().max(1)) as u64]
                }
            };
            let view = subset.view(layout);
            let sub = broadcast(view.item, data, &shape).map_err(value_error)?.to_bytes();
            let current = match &selection {
                RequestSelection::Hyperslab(sel) => {
                    read_selection(nodes, &target.bucket, layout, sel).await
                }
                RequestSelection::Points(flat) => {
                    read_points(nodes, &target.bucket, layout, flat).await
                }
            };
            let mut full = current.map_err(value_error)?.to_bytes();
            subset.merge(&mut full, &sub).map_err(value_error)?;
            (ElementBuf::Fixed(full), selection)
        }
    };
    match selection {
        RequestSelection::Hyperslab(sel) => {
            write_selection(nodes, &target.bucket, layout, &sel, data).await.map_err(value_error)
        }
        RequestSelection::Points(flat) => {
            let npoints = (flat.len() / layout.dims.len().max(1)) as u64;
            let data = broadcast(layout.item, data, &[npoints]).map_err(value_error)?;
            write_points(nodes, &target.bucket, layout, &flat, &data).await.map_err(value_error)
        }
    }
}

async fn put_value(ctx: &Ctx<'_>, id: &str) -> ApiResult<ApiResponse> {
    if ctx.req.body.is_empty() {
        return Err(ApiError::bad_request("PUT Value with no body"));
    }
    let null = "Null space datasets can not be used as target for PUT value";
    let mut target = target(ctx, id, "update", null).await?;
    let binary = ctx.req.body_is_binary()?;
    let json_body = if binary { None } else { Some(ctx.req.json()?) };
    let body_map = json_body.as_ref().and_then(Value::as_object);
    let fields_spec = body_map
        .and_then(|b| b.get("fields"))
        .and_then(Value::as_str)
        .or_else(|| ctx.req.param("fields"));
    let fields = FieldSubset::parse(fields_spec, &target.layout.datatype).map_err(value_error)?;
    let append = append::append_request(ctx, body_map, &target)?;
    if append.is_some() && body_map.is_some_and(|b| b.contains_key("points")) {
        return Err(ApiError::bad_request("points not valid with append update"));
    }
    if let Some(text) = query::query_text(ctx, body_map) {
        if append.is_some() {
            return Err(ApiError::bad_request(
                "Query string can not be used with append parameter",
            ));
        }
        let parsed = query::parse_query(&text, &target)?;
        let Some(update) = json_body.as_ref() else {
            return Err(ApiError::bad_request("a query update needs a JSON body"));
        };
        let empty = Map::new();
        let selection = match body_selection(
            ctx.req.param("select"),
            body_map.unwrap_or(&empty),
            &target.layout,
            PointVerb::Put,
        )
        .map_err(value_error)?
        {
            RequestSelection::Hyperslab(sel) => sel,
            RequestSelection::Points(_) => {
                return Err(ApiError::bad_request("points can not be used with query"))
            }
        };
        let limit = query::limit(ctx, body_map)?;
        return query::put_matches(
            ctx,
            &target,
            &selection,
            &parsed,
            limit,
            update,
            fields.as_ref(),
        )
        .await;
    }
    let view = match &fields {
        Some(subset) => subset.view(&target.layout),
        None => (*target.layout).clone(),
    };
    let select = ctx.req.param("select");
    let region = match append {
        Some(append) => Some(append::append_region(&target, append)?),
        None => None,
    };
    let (mut selection, data) = if binary {
        let selection = match &region {
            Some(region) => region.clone(),
            None => select_param(select, &target.layout).map_err(value_error)?,
        };
        let ec = element_count(ctx.req.param("element_count"), None).map_err(value_error)?;
        let count = count_of(&selection.shape())?;
        if count == 0 {
            return Err(ApiError::bad_request("Selection is empty"));
        }
        let data = binary_data(&view, &ctx.req.body, count, ec)?;
        (RequestSelection::Hyperslab(selection), data)
    } else {
        let body = ctx.req.json_object()?;
        let selection = match &region {
            Some(region) => RequestSelection::Hyperslab(region.clone()),
            None => body_selection(select, &body, &target.layout, PointVerb::Put)
                .map_err(value_error)?,
        };
        let ec = element_count(ctx.req.param("element_count"), Some(&body)).map_err(value_error)?;
        let shape = match &selection {
            RequestSelection::Hyperslab(sel) => sel.shape(),
            RequestSelection::Points(flat) => {
                vec![(flat.len() / target.layout.dims.len().max(1)) as u64]
            }
        };
        if count_of(&shape)? == 0 {
            return Err(ApiError::bad_request("Selection is empty"));
        }
        let data = json_data(&view, &body, &shape, ec)?;
        (selection, data)
    };
    if let (Some(append), Some(region)) = (append, &region) {
        let (grown, owned) = append::extend(ctx, &target, append, region).await?;
        target = grown;
        selection = RequestSelection::Hyperslab(owned);
    }
    write_data(ctx, &target, selection, data, fields.as_ref()).await?;
    Ok(ApiResponse::ok(Value::Object(Map::new())))
}

fn has_select(select: Option<&str>, body: &Map<String, Value>) -> bool {
    select.is_some_and(|s| !s.is_empty())
        || body.get("select").is_some_and(|v| !v.is_null())
        || (body.contains_key("start") && body.contains_key("stop"))
}

async fn post_value(ctx: &Ctx<'_>, id: &str) -> ApiResult<ApiResponse> {
    let null = "POST value not supported for datasets with NULL shape";
    let target = target(ctx, id, "read", null).await?;
    let layout = &target.layout;
    if layout.scalar {
        return Err(ApiError::bad_request(
            "POST value not supported for datasets with SCALAR shape",
        ));
    }
    if ctx.req.body.is_empty() {
        return Err(ApiError::bad_request("POST Value with no body"));
    }
    let nodes = ctx.sn.dn.chunk_nodes();
    let select = ctx.req.param("select");
    let selection = if ctx.req.body_is_binary()? {
        RequestSelection::Points(
            binary_points(&ctx.req.body, layout, PointVerb::Post).map_err(value_error)?,
        )
    } else {
        let body = ctx.req.json_object()?;
        if !body.contains_key("points") && !has_select(select, &body) {
            return Err(ApiError::bad_request("Expected points or select key in request body"));
        }
        body_selection(select, &body, layout, PointVerb::Post).map_err(value_error)?
    };
    let shape = match &selection {
        RequestSelection::Hyperslab(sel) => sel.shape(),
        RequestSelection::Points(flat) => vec![(flat.len() / layout.dims.len().max(1)) as u64],
    };
    let size = shape
        .iter()
        .fold(u128::from(target.item_estimate()), |acc, &n| acc.saturating_mul(u128::from(n)));
    if size >= u128::from(ctx.sn.settings.max_request_size) {
        return Err(too_large("POST value"));
    }
    let data = match &selection {
        RequestSelection::Hyperslab(sel) => {
            read_selection(nodes, &target.bucket, layout, sel).await
        }
        RequestSelection::Points(flat) => read_points(nodes, &target.bucket, layout, flat).await,
    }
    .map_err(value_error)?
    .to_bytes();
    if ctx.req.wants_binary() {
        return Ok(ApiResponse::binary(Bytes::from(data)));
    }
    value_response(ctx, layout, &shape, &data)
}

/// Checks a new dataset's initial `value` (the `value` key of `POST /datasets`) against its
/// stored JSON and returns the data to write once it exists.
///
/// # Errors
/// 400 when the value does not fit the type or shape, or the dataset has a null space.
pub fn initial_value(stored: &Value, value: &Value) -> ApiResult<(Arc<DatasetLayout>, ElementBuf)> {
    if is_null_space(stored) {
        return Err(ApiError::bad_request("null space datasets can not have a value"));
    }
    let layout = DatasetLayout::from_json(stored).map_err(|err| chunk_api_error(&err))?;
    let dims = if layout.scalar { vec![1] } else { layout.dims.clone() };
    let count = count_of(&dims)?;
    let bytes = json_to_bytes(&layout.datatype, &dims, value).map_err(|err| {
        ApiError::bad_request(format!("input data doesn't match selection: {err}"))
    })?;
    let data = elements(&layout, &bytes, count)?;
    Ok((Arc::new(layout), data))
}

/// Writes a new dataset's initial value (from [`initial_value`]) over its whole extent.
///
/// # Errors
/// Chunk store failures.
pub async fn write_initial_value(
    ctx: &Ctx<'_>,
    layout: &Arc<DatasetLayout>,
    data: ElementBuf,
) -> ApiResult<()> {
    if count_of(&layout.dims)? == 0 {
        return Ok(());
    }
    let bucket = ctx.sn.storage.bucket(&ctx.bucket)?;
    let selection = ValueSelection::all(&layout.dims);
    write_selection(ctx.sn.dn.chunk_nodes(), &bucket, layout, &selection, data)
        .await
        .map_err(value_error)
}

/// Removes every chunk of dataset `id` (cached and stored) after the dataset was deleted.
///
/// # Errors
/// Storage failures.
pub async fn remove_dataset_chunks(ctx: &Ctx<'_>, id: &ObjId) -> ApiResult<()> {
    let bucket = ctx.sn.storage.bucket(&ctx.bucket)?;
    ctx.sn.dn.delete_dataset_chunks(&bucket, id.as_str()).await
}

/// Removes the chunks of every dataset of the domain with root `root` (reachable from the root
/// or stored under the domain's prefix), before the domain is deleted.
///
/// # Errors
/// Storage failures.
pub async fn remove_domain_chunks(ctx: &Ctx<'_>, root: &ObjId) -> ApiResult<()> {
    let mut datasets: BTreeSet<String> = h5path::crawl(ctx, root)
        .await?
        .into_iter()
        .filter(|id| id.class() == ObjClass::Dataset)
        .map(|id| id.as_str().to_string())
        .collect();
    let bucket = ctx.sn.storage.bucket(&ctx.bucket)?;
    for info in bucket.list_all(&domain_prefix(root.as_str())?).await? {
        if let Ok(KeyTarget::Object(id)) = parse_key(&info.key) {
            if id.starts_with("d-") {
                datasets.insert(id);
            }
        }
    }
    for id in datasets {
        ctx.sn.dn.delete_dataset_chunks(&bucket, &id).await?;
    }
    Ok(())
}

/// After `PUT …/shape` changed the extents from `old` to `stored`'s: trims the chunks left
/// outside when any dimension shrank.
///
/// # Errors
/// Chunk store failures.
pub async fn trim_after_resize(
    ctx: &Ctx<'_>,
    stored: &Value,
    old: &[u64],
    new: &[u64],
) -> ApiResult<()> {
    if !old.iter().zip(new).any(|(o, n)| n < o) {
        return Ok(());
    }
    let layout = DatasetLayout::from_json(stored).map_err(|err| chunk_api_error(&err))?;
    let layout = Arc::new(layout.with_dims(new.to_vec()));
    let bucket = ctx.sn.storage.bucket(&ctx.bucket)?;
    ctx.sn.dn.trim_chunks(&bucket, &layout).await
}
