//! `append` on `PUT /datasets/{id}/value` (HSDS 1.0.2 `_getAppendRows`, `_getAppendDim`,
//! `extendShape`): grow the dataset by `append` rows along `append_dim` and write the request's
//! data into the new region, in one request. The extent grows on the owning DN under the
//! object's lock ([`Mutation::ExtendShape`]), so concurrent appends get distinct regions. The
//! data is checked before the extent changes (HSDS extends first).

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::chunking::DimSelection;
use crate::model::{Extent, Shape};
use crate::server::ctx::Ctx;
use crate::server::dn::Mutation;
use crate::server::error::{ApiError, ApiResult};
use crate::server::values::ValueSelection;

use super::Target;

/// A validated append: rows to add along `dim`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Append {
    pub rows: u64,
    pub dim: usize,
}

fn truthy(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(false) => false,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

fn int_of(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|x| x.trunc() as i64)),
        Value::String(s) => s.trim().parse().ok(),
        Value::Bool(b) => Some(i64::from(*b)),
        _ => None,
    }
}

/// Whether the request names a selection (HSDS `isSelect`).
pub(super) fn has_select(ctx: &Ctx<'_>, body: Option<&Map<String, Value>>) -> bool {
    ctx.req.param("select").is_some_and(|s| !s.is_empty())
        || body.is_some_and(|b| {
            ["select", "start", "stop", "step"].iter().any(|k| b.get(*k).is_some_and(truthy))
        })
}

/// The append of the request, validated against the dataset; `None` without `append`.
///
/// # Errors
/// HSDS's 400s ("invalid append query param", "append can't be used in scalar or null space
/// datasets", "select query parameter can not be used with append", "Dataset shape must be
/// extensible for packet updates", "invalid append_dim") and 409 past maxdims.
pub(super) fn append_request(
    ctx: &Ctx<'_>,
    body: Option<&Map<String, Value>>,
    target: &Target,
) -> ApiResult<Option<Append>> {
    let rows = match body.and_then(|b| b.get("append")).filter(|v| truthy(v)) {
        Some(value) => {
            int_of(value).ok_or_else(|| ApiError::bad_request("invalid append value in body"))?
        }
        None => match ctx.req.param("append").filter(|p| !p.is_empty()) {
            Some(text) => text
                .trim()
                .parse::<i64>()
                .map_err(|_| ApiError::bad_request("invalid append query param"))?,
            None => return Ok(None),
        },
    };
    if rows == 0 {
        if has_select(ctx, body) {
            return Err(ApiError::bad_request("append can't be used with selection"));
        }
        return Ok(None);
    }
    let rows =
        u64::try_from(rows).map_err(|_| ApiError::bad_request("invalid append query param"))?;
    if target.layout.scalar {
        return Err(ApiError::bad_request("append can't be used in scalar or null space datasets"));
    }
    if has_select(ctx, body) {
        return Err(ApiError::bad_request("select query parameter can not be used with append"));
    }
    let shape = Shape::from_json(target.stored.get("shape").unwrap_or(&Value::Null))?;
    if !shape.is_extensible() {
        return Err(ApiError::bad_request("Dataset shape must be extensible for packet updates"));
    }
    let dim_value = body
        .and_then(|b| b.get("append_dim"))
        .cloned()
        .or_else(|| ctx.req.param("append_dim").map(|p| Value::String(p.to_string())));
    let dim = match dim_value {
        Some(value) => int_of(&value).ok_or_else(|| ApiError::bad_request("invalid append_dim"))?,
        None => 0,
    };
    let rank = shape.rank();
    let dim = usize::try_from(dim)
        .ok()
        .filter(|&d| d < rank)
        .ok_or_else(|| ApiError::bad_request("invalid append_dim"))?;
    let size = shape.dims().get(dim).copied().unwrap_or(0);
    if let Some(Extent::Fixed(max)) = shape.maxdims().and_then(|m| m.get(dim)).copied() {
        if size.saturating_add(rows) > max {
            return Err(ApiError::conflict("Conflict"));
        }
    }
    Ok(Some(Append { rows, dim }))
}

/// The region an append writes (before the extent changes): `old:old+rows` along the append
/// axis, everything elsewhere.
///
/// # Errors
/// 400 when another axis has zero extent (HSDS's message).
pub(super) fn append_region(target: &Target, append: Append) -> ApiResult<ValueSelection> {
    let dims = &target.layout.dims;
    let mut out = Vec::with_capacity(dims.len());
    for (d, &extent) in dims.iter().enumerate() {
        if d == append.dim {
            out.push(DimSelection::Slice { start: extent, stop: extent + append.rows, step: 1 });
        } else if extent == 0 {
            return Err(ApiError::bad_request(format!(
                "zero-extent datashape in dimension {d} must be extended before appending values"
            )));
        } else {
            out.push(DimSelection::all(extent));
        }
    }
    Ok(ValueSelection { dims: out, paired: vec![] })
}

/// Extends the stored shape by the append on the owning DN (atomically there) and returns
/// the grown target and the region the append owns: the last `rows` along the append axis of
/// the new extents.
///
/// # Errors
/// 409 past maxdims, or when another axis changed since `region` was planned.
pub(super) async fn extend(
    ctx: &Ctx<'_>,
    target: &Target,
    append: Append,
    region: &ValueSelection,
) -> ApiResult<(Target, ValueSelection)> {
    let mutation = Mutation::ExtendShape { dim: append.dim, count: append.rows };
    let (_, stored) = ctx.mutate(&target.id, &mutation).await?;
    let shape = Shape::from_json(stored.get("shape").unwrap_or(&Value::Null))?;
    let dims = shape.dims().to_vec();
    let grown = Target {
        layout: Arc::new(target.layout.with_dims(dims.clone())),
        bucket: target.bucket.clone(),
        id: target.id.clone(),
        stored,
    };
    let end = dims.get(append.dim).copied().unwrap_or(0);
    let mut owned = region.clone();
    if let Some(slot) = owned.dims.get_mut(append.dim) {
        *slot = DimSelection::Slice { start: end.saturating_sub(append.rows), stop: end, step: 1 };
    }
    let planned_other_axes = region.shape();
    if owned.shape() != planned_other_axes {
        return Err(ApiError::conflict("dataset extents changed during the append"));
    }
    Ok((grown, owned))
}
