//! Dataset metadata: building a new dataset's stored JSON (type, shape, maxdims, creation
//! properties, server layout), `GET …/type`, `GET|PUT …/shape`, and verbose stats (reference
//! §1.5, §2.6, §2.8).

use serde_json::{json, Map, Value};

use crate::chunking::{auto_layout, ItemSize};
use crate::model::{Datatype, Extent, ObjClass, ObjId, Shape};
use crate::server::api::ApiResponse;
use crate::server::ctx::Ctx;
use crate::server::dn::Mutation;
use crate::server::error::{ApiError, ApiResult};
use crate::server::filters::normalize_filters;
use crate::server::handlers::objects::resolve_type;
use crate::server::handlers::values;

/// The `creationProperties` key keeping a contiguous or compact layout request that the service
/// stores chunked.
pub const REQUESTED_LAYOUT: &str = "requestedLayout";

/// HDF5's limit for compact datasets.
const MAX_COMPACT_SIZE: u64 = 65536;

fn maxdims_list(shape: &Shape) -> Option<Vec<u64>> {
    shape.maxdims().map(|m| {
        m.iter()
            .map(|e| match e {
                Extent::Fixed(n) => *n,
                Extent::Unlimited => 0,
            })
            .collect()
    })
}

/// Fills `type`, `shape`, `creationProperties` and `layout` of a new dataset from its POST body.
///
/// # Errors
/// 400 for bad types, shapes, layouts or filters.
pub async fn fill_new_dataset(
    ctx: &Ctx<'_>,
    root: &ObjId,
    body: &Map<String, Value>,
    object: &mut Map<String, Value>,
) -> ApiResult<()> {
    let type_json = body
        .get("type")
        .ok_or_else(|| ApiError::bad_request("no type specified for create dataset"))?;
    let type_json = resolve_type(ctx, root, type_json).await?;
    let datatype = Datatype::from_json(&type_json)?;
    let shape = Shape::from_request(body.get("shape"), body.get("maxdims"))?;
    if shape.class_name() == "H5S_NULL" && body.get("maxdims").is_some() {
        return Err(ApiError::bad_request("maxdims is not allowed with a null shape"));
    }
    let mut props = match body.get("creationProperties") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(map)) => map.clone(),
        Some(_) => return Err(ApiError::bad_request("creationProperties must be an object")),
    };
    if let Some(filters) = props.get("filters") {
        let normalized = normalize_filters(filters)?;
        props.insert("filters".into(), normalized);
    }
    let requested = props.get("layout").cloned();
    let item_size = match datatype.item_size() {
        Some(size) => ItemSize::Fixed(size),
        None => ItemSize::Variable,
    };
    let layout = server_layout(ctx, &shape, item_size, requested.as_ref())?;
    if let Some(layout) = &layout {
        // A contiguous or compact request is stored chunked (`creationProperties.layout` is
        // what HSDS chunks by); the request itself is kept beside it so the application gets
        // back the layout it asked for. HSDS ignores keys it does not know here.
        let class = requested.as_ref().and_then(|l| l.get("class")).and_then(Value::as_str);
        if let Some(wanted @ ("H5D_CONTIGUOUS" | "H5D_COMPACT")) = class {
            props.insert(REQUESTED_LAYOUT.into(), json!({ "class": wanted }));
        }
        props.insert("layout".into(), layout.clone());
    }
    object.insert("type".into(), type_json);
    object.insert("shape".into(), shape.to_json());
    object.insert("creationProperties".into(), Value::Object(props));
    if let Some(layout) = layout {
        object.insert("layout".into(), layout);
    }
    Ok(())
}

/// The layout the service stores chunks by: always `H5D_CHUNKED` with dims for simple shapes
/// (a requested `H5D_CONTIGUOUS`/`H5D_COMPACT` is stored chunked), `[1]` for scalars, none for
/// null spaces. Reference layouts (`H5D_*_REF`) are kept as given.
fn server_layout(
    ctx: &Ctx<'_>,
    shape: &Shape,
    item_size: ItemSize,
    requested: Option<&Value>,
) -> ApiResult<Option<Value>> {
    match shape.class_name() {
        "H5S_NULL" => return Ok(None),
        "H5S_SCALAR" => return Ok(Some(json!({"class": "H5D_CHUNKED", "dims": [1]}))),
        _ => {}
    }
    let dims = shape.dims().to_vec();
    let maxdims = maxdims_list(shape);
    let class = requested.and_then(|l| l.get("class")).and_then(Value::as_str);
    let mut chunk_dims: Option<Vec<u64>> = None;
    match class {
        None | Some("H5D_CHUNKED") => {
            if let Some(given) = requested.and_then(|l| l.get("dims")) {
                let given: Vec<u64> = given
                    .as_array()
                    .ok_or_else(|| ApiError::bad_request("layout dims must be a list"))?
                    .iter()
                    .map(|d| {
                        d.as_u64().filter(|d| *d > 0).ok_or_else(|| {
                            ApiError::bad_request("layout dims must be positive integers")
                        })
                    })
                    .collect::<ApiResult<_>>()?;
                if given.len() != dims.len() {
                    return Err(ApiError::bad_request("layout dims do not match the dataset rank"));
                }
                for (dim, chunk) in given.iter().enumerate() {
                    let limit = match &maxdims {
                        Some(m) if m[dim] == 0 => None,
                        Some(m) => Some(m[dim]),
                        None => Some(dims[dim]),
                    };
                    if limit.is_some_and(|limit| *chunk > limit && limit > 0) {
                        return Err(ApiError::bad_request(format!(
                            "chunk dimension {dim} is larger than the dataset extent"
                        )));
                    }
                }
                chunk_dims = Some(given);
            }
        }
        Some("H5D_CONTIGUOUS") | Some("H5D_COMPACT") => {
            if shape.maxdims().is_some() {
                return Err(ApiError::bad_request(format!(
                    "{} layout can not be used with maxdims",
                    class.unwrap_or_default()
                )));
            }
            if class == Some("H5D_COMPACT") {
                let size = dims.iter().product::<u64>().saturating_mul(item_size.bytes());
                if size > MAX_COMPACT_SIZE {
                    return Err(ApiError::bad_request(
                        "compact dataset is larger than 64 KiB; use a contiguous or chunked layout",
                    ));
                }
            }
        }
        Some(other) if other.ends_with("_REF") || other == "H5D_CHUNKED_REF_INDIRECT" => {
            if item_size == ItemSize::Variable {
                return Err(ApiError::bad_request(
                    "variable-length types can not use reference layouts",
                ));
            }
            return Ok(requested.cloned());
        }
        Some(other) => return Err(ApiError::bad_request(format!("unknown layout class {other}"))),
    }
    let chunk = match chunk_dims {
        Some(given) => given,
        None => {
            auto_layout(&dims, maxdims.as_deref(), item_size, None, ctx.sn.settings.chunk_limits)
                .map_err(|e| ApiError::bad_request(e.to_string()))?
        }
    };
    let mut layout = json!({"class": "H5D_CHUNKED", "dims": chunk});
    if ctx.sn.settings.max_chunks_per_folder > 0 {
        let count = crate::chunking::partition_count(
            &dims,
            maxdims.as_deref(),
            &chunk,
            ctx.sn.settings.max_chunks_per_folder,
        );
        if let (Ok(Some(count)), Some(map)) = (count, layout.as_object_mut()) {
            map.insert("partition_count".into(), json!(count));
        }
    }
    Ok(Some(layout))
}

async fn dataset(ctx: &Ctx<'_>, id: &str, action: &str) -> ApiResult<(ObjId, Value)> {
    let open = ctx.open_domain(action).await?;
    let id = ctx.parse_id(id, Some(ObjClass::Dataset), &open.root)?;
    let stored = ctx.object(&id).await?;
    Ok((id, stored))
}

/// `GET /datasets/{id}/type`.
///
/// # Errors
/// 404 for a missing dataset.
pub async fn get_type(ctx: &Ctx<'_>, id: &str) -> ApiResult<ApiResponse> {
    let (_, stored) = dataset(ctx, id, "read").await?;
    Ok(ApiResponse::ok(
        json!({"type": stored.get("type").cloned().unwrap_or(Value::Null), "hrefs": []}),
    ))
}

/// `GET /datasets/{id}/shape`.
///
/// # Errors
/// 404 for a missing dataset.
pub async fn get_shape(ctx: &Ctx<'_>, id: &str) -> ApiResult<ApiResponse> {
    let (_, stored) = dataset(ctx, id, "read").await?;
    Ok(ApiResponse::ok(json!({
        "shape": stored.get("shape").cloned().unwrap_or(Value::Null),
        "created": stored.get("created").cloned().unwrap_or(Value::Null),
        "lastModified": stored.get("lastModified").cloned().unwrap_or(Value::Null),
        "hrefs": [],
    })))
}

/// `PUT /datasets/{id}/shape`: `{"shape":[…]}` or `{"extend":n,"extend_dim":d}`. Extending
/// answers 201 with the new region's `selection`.
///
/// # Errors
/// 400 for non-extensible datasets or bad bodies, 409 past maxdims.
pub async fn put_shape(ctx: &Ctx<'_>, id: &str) -> ApiResult<ApiResponse> {
    let (oid, stored) = dataset(ctx, id, "update").await?;
    let body = ctx.req.json_object()?;
    let shape = Shape::from_json(stored.get("shape").unwrap_or(&Value::Null))?;
    let old = shape.dims().to_vec();
    let (new_shape, region) = if let Some(extend) = body.get("extend") {
        let count = extend
            .as_u64()
            .ok_or_else(|| ApiError::bad_request("extend must be a non-negative integer"))?;
        let dim = body
            .get("extend_dim")
            .map_or(Some(0), Value::as_u64)
            .ok_or_else(|| ApiError::bad_request("extend_dim must be an integer"))?;
        let dim =
            usize::try_from(dim).map_err(|_| ApiError::bad_request("extend_dim out of range"))?;
        let new_shape = shape.extended(dim, count)?;
        let region: Vec<String> = new_shape
            .dims()
            .iter()
            .enumerate()
            .map(
                |(d, size)| {
                    if d == dim {
                        format!("{}:{}", old[d], size)
                    } else {
                        format!("0:{size}")
                    }
                },
            )
            .collect();
        (new_shape, Some(format!("[{}]", region.join(","))))
    } else {
        let dims = match body.get("shape") {
            Some(Value::Number(n)) => vec![n
                .as_u64()
                .ok_or_else(|| ApiError::bad_request("shape must be non-negative"))?],
            Some(Value::Array(list)) => list
                .iter()
                .map(|d| {
                    d.as_u64()
                        .ok_or_else(|| ApiError::bad_request("shape must be non-negative integers"))
                })
                .collect::<ApiResult<_>>()?,
            _ => return Err(ApiError::bad_request("body needs 'shape' or 'extend'")),
        };
        (shape.resized(&dims)?, None)
    };
    ctx.mutate(&oid, &Mutation::SetShape { shape: new_shape.to_json() }).await?;
    values::trim_after_resize(ctx, &stored, &old, new_shape.dims()).await?;
    match region {
        Some(selection) => Ok(ApiResponse::created(json!({ "selection": selection }))),
        None => Ok(ApiResponse::created(json!({}))),
    }
}

/// `verbose=1` stats of a dataset: chunk count and allocated bytes from storage.
///
/// # Errors
/// Storage failures.
pub async fn add_verbose(ctx: &Ctx<'_>, id: &ObjId, out: &mut Value) -> ApiResult<()> {
    let prefix = crate::storage::keys::dataset_prefix(id.as_str())?;
    let objects = ctx.sn.storage.bucket(&ctx.bucket)?.list_all(&prefix).await?;
    let chunks: Vec<_> = objects.iter().filter(|o| !o.key.ends_with(".json")).collect();
    if let Some(map) = out.as_object_mut() {
        map.insert("num_chunks".into(), json!(chunks.len()));
        map.insert("allocated_size".into(), json!(chunks.iter().map(|o| o.size).sum::<u64>()));
    }
    Ok(())
}
