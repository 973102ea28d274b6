//! Groups, datasets and committed datatypes as objects: `POST /{collection}` (single or a list,
//! linked by `link` or `h5path`), `GET /{collection}/{id}` (or `?h5path=`), `DELETE`, and the
//! collection listings `GET /groups|/datasets|/datatypes` (reference §2.5, §2.6, §2.10).

use serde_json::{json, Map, Value};

use crate::model::{new_obj_id, Datatype, Link, ObjClass, ObjId};
use crate::server::api::ApiResponse;
use crate::server::ctx::{Ctx, OpenDomain};
use crate::server::dn::member::table_size;
use crate::server::dn::mutation::{now, REF_COUNT};
use crate::server::dn::{Mutation, ObjRef, Section};
use crate::server::error::{ApiError, ApiResult};
use crate::server::h5path;
use crate::server::handlers::{attributes, datasets, links, values};

/// Where a new object is linked: parent group and title.
struct Placement {
    parent: ObjId,
    title: String,
}

/// What [`object_response`] needs of object `id`: the whole object when the request asks for
/// its links or attributes, else its outline (constant size, however many it has).
///
/// # Errors
/// 404 when it does not exist.
pub async fn stored_for_response(ctx: &Ctx<'_>, id: &ObjId) -> ApiResult<Value> {
    if ctx.req.flag("include_links") || ctx.req.flag("include_attrs") {
        ctx.object(id).await
    } else {
        ctx.outline(id).await
    }
}

/// Client timestamps are accepted when at most 10 s old (HSDS `predate_max_time`).
pub fn created_time(body: &Map<String, Value>) -> f64 {
    let now = now();
    match body.get("created").and_then(Value::as_f64) {
        Some(t) if t <= now && now - t < 10.0 => t,
        _ => now,
    }
}

/// The stored JSON of a new object of `class` from a POST body.
async fn build_object(
    ctx: &Ctx<'_>,
    class: ObjClass,
    id: &ObjId,
    root: &ObjId,
    body: &Map<String, Value>,
) -> ApiResult<Value> {
    let now = now();
    let mut object = Map::new();
    object.insert("id".into(), json!(id.as_str()));
    object.insert("root".into(), json!(root.as_str()));
    object.insert("created".into(), json!(now));
    object.insert("lastModified".into(), json!(now));
    match class {
        ObjClass::Group => {
            if body.contains_key("type") {
                return Err(ApiError::bad_request("type key is not allowed for group creation"));
            }
            let mut stored_links = Map::new();
            if let Some(given) = body.get("links").and_then(Value::as_object) {
                for (title, link) in given {
                    crate::model::validate_link_name(title)?;
                    let link = Link::from_request(link, now)?;
                    link.target.check_in_domain(root)?;
                    stored_links.insert(title.clone(), link.to_json());
                }
            }
            object.insert("links".into(), Value::Object(stored_links));
            if let Some(props) = body.get("creationProperties") {
                object.insert("creationProperties".into(), props.clone());
            }
        }
        ObjClass::Datatype => {
            let type_json =
                body.get("type").ok_or_else(|| ApiError::bad_request("datatype needs a 'type'"))?;
            let datatype = resolve_type(ctx, root, type_json).await?;
            object.insert("type".into(), datatype);
            if let Some(props) = body.get("creationProperties") {
                object.insert("creationProperties".into(), props.clone());
            }
        }
        ObjClass::Dataset => {
            datasets::fill_new_dataset(ctx, root, body, &mut object).await?;
        }
    }
    let mut stored_attrs = Map::new();
    if let Some(given) = body.get("attributes").and_then(Value::as_object) {
        for (name, attr) in given {
            stored_attrs.insert(name.clone(), attributes::stored_attribute(attr, now)?);
        }
    }
    object.insert("attributes".into(), Value::Object(stored_attrs));
    Ok(Value::Object(object))
}

/// A type given as a name, a committed id (`t-…`, copied in with its `id`) or an object.
///
/// # Errors
/// 400 for an invalid type or a committed type of another domain; 404 if it does not exist.
pub async fn resolve_type(ctx: &Ctx<'_>, root: &ObjId, type_json: &Value) -> ApiResult<Value> {
    let datatype = Datatype::from_json(type_json)?;
    if let Datatype::Committed(id) = &datatype {
        if !id.same_domain(root) {
            return Err(ApiError::bad_request(format!(
                "committed type {id} is not in this domain"
            )));
        }
        let stored = ctx.object(id).await?;
        let mut copied = stored.get("type").cloned().unwrap_or(Value::Null);
        if let Some(map) = copied.as_object_mut() {
            map.insert("id".into(), json!(id.as_str()));
        }
        return Ok(copied);
    }
    Ok(datatype.to_json())
}

/// Works out where a new object goes (`link` or `h5path` + `parent_id`); creates intermediate
/// groups when `implicit`.
async fn placement(
    ctx: &Ctx<'_>,
    open: &OpenDomain,
    body: &Map<String, Value>,
    implicit: bool,
) -> ApiResult<Option<Placement>> {
    let root = &open.root;
    if let Some(link) = body.get("link") {
        if body.contains_key("h5path") {
            return Err(ApiError::bad_request("'link' can't be used with h5path"));
        }
        let parent = link
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::bad_request("link needs an 'id'"))?;
        let title = link
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::bad_request("link needs a 'name'"))?;
        crate::model::validate_link_name(title)?;
        let parent = ctx.parse_id(parent, Some(ObjClass::Group), root)?;
        return Ok(Some(Placement { parent, title: title.to_string() }));
    }
    let Some(path) = body.get("h5path").and_then(Value::as_str) else { return Ok(None) };
    let mut parent = match body.get("parent_id").and_then(Value::as_str) {
        Some(id) => ctx.parse_id(id, Some(ObjClass::Group), root)?,
        None => root.clone(),
    };
    if path.starts_with('/') && &parent != root {
        return Err(ApiError::bad_request("expected a relative h5path with parent_id"));
    }
    let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let Some((title, dirs)) = parts.split_last() else {
        return Err(ApiError::bad_request("h5path names no object"));
    };
    for dir in dirs {
        match h5path::resolve(ctx, root, &parent, dir, true).await {
            Ok(next) if next.class() == ObjClass::Group => parent = next,
            Ok(_) => return Err(ApiError::bad_request(format!("'{dir}' is not a group"))),
            Err(err) if err.status == 404 && implicit => {
                let id = new_obj_id(ObjClass::Group, root)?;
                let group = build_object(ctx, ObjClass::Group, &id, root, &Map::new()).await?;
                ctx.create_object(&id, group).await?;
                link_object(ctx, &parent, dir, &id).await?;
                parent = id;
            }
            Err(err) if err.status == 404 => {
                return Err(ApiError::not_found(format!("intermediate group '{dir}' not found")));
            }
            Err(err) => return Err(err),
        }
    }
    Ok(Some(Placement { parent, title: (*title).to_string() }))
}

async fn link_object(ctx: &Ctx<'_>, parent: &ObjId, title: &str, id: &ObjId) -> ApiResult<()> {
    let link = json!({"class": "H5L_TYPE_HARD", "id": id.as_str(), "created": now()});
    let mut table = Map::new();
    table.insert(title.to_string(), link);
    ctx.mutate(parent, &Mutation::PutLinks { links: table, replace: false }).await?;
    Ok(())
}

/// The creation response of each class.
fn created_response(class: ObjClass, stored: &Value) -> Value {
    let mut out = Map::new();
    let mut keys = vec!["id", "root", "created", "lastModified"];
    match class {
        ObjClass::Group => {}
        ObjClass::Dataset => keys.extend(["type", "shape"]),
        ObjClass::Datatype => keys.push("type"),
    }
    for key in keys {
        if let Some(value) = stored.get(key) {
            out.insert(key.into(), value.clone());
        }
    }
    if class == ObjClass::Group {
        out.insert("linkCount".into(), json!(table_size(stored, Section::Links)));
    }
    out.insert("attributeCount".into(), json!(table_size(stored, Section::Attributes)));
    Value::Object(out)
}

async fn create_one(
    ctx: &Ctx<'_>,
    open: &OpenDomain,
    class: ObjClass,
    body: &Map<String, Value>,
    implicit: bool,
    with_link: bool,
) -> ApiResult<(Value, Option<Placement>)> {
    let root = &open.root;
    let id = match body.get("id").and_then(Value::as_str) {
        Some(id) => ctx.parse_id(id, Some(class), root)?,
        None => new_obj_id(class, root)?,
    };
    let place = if with_link { placement(ctx, open, body, implicit).await? } else { None };
    let stored = build_object(ctx, class, &id, root, body).await?;
    let initial = match body.get("value") {
        Some(value) if class == ObjClass::Dataset && !value.is_null() => {
            Some(values::initial_value(&stored, value)?)
        }
        _ => None,
    };
    ctx.create_object(&id, stored.clone()).await?;
    if let Some((layout, data)) = initial {
        values::write_initial_value(ctx, &layout, data).await?;
    }
    if let Some(place) = &place {
        // The link goes last, so nobody sees a link to an object that is not there yet; a
        // title already taken (409 from the DN) takes the new, never linked object back.
        if let Err(err) = link_object(ctx, &place.parent, &place.title, &id).await {
            discard_new_object(ctx, class, &id).await;
            if err.status == 409 {
                return Err(ApiError::conflict(format!("link '{}' already exists", place.title)));
            }
            return Err(err);
        }
    }
    Ok((created_response(class, &stored), place))
}

/// Removes an object just created whose link could not be made (best effort: an object left
/// behind is unlinked, as HSDS leaves unlinked objects).
async fn discard_new_object(ctx: &Ctx<'_>, class: ObjClass, id: &ObjId) {
    if class == ObjClass::Dataset {
        let _ = values::remove_dataset_chunks(ctx, id).await;
    }
    let _ = ctx.sn.dn.delete(&ctx.bucket, &ObjRef::Id(id.as_str().to_string())).await;
}

/// `POST /groups|/datasets|/datatypes`: one object (body object) or several (body list).
///
/// # Errors
/// 400 for malformed bodies, 409 for an existing link or id, 403 without `create`.
pub async fn post(ctx: &Ctx<'_>, class: ObjClass) -> ApiResult<ApiResponse> {
    let open = ctx.open_domain("create").await?;
    let implicit = ctx.req.flag("implicit");
    match ctx.req.json()? {
        Value::Null => {
            if class != ObjClass::Group {
                return Err(ApiError::bad_request(format!(
                    "POST /{} needs a body",
                    class.collection()
                )));
            }
            let (rsp, _) = create_one(ctx, &open, class, &Map::new(), implicit, true).await?;
            Ok(ApiResponse::created(rsp))
        }
        Value::Object(body) => {
            let (rsp, _) = create_one(ctx, &open, class, &body, implicit, true).await?;
            Ok(ApiResponse::created(rsp))
        }
        Value::Array(items) => {
            if items.len() == 1 {
                let body = items[0]
                    .as_object()
                    .ok_or_else(|| ApiError::bad_request("list items must be objects"))?;
                let (rsp, _) = create_one(ctx, &open, class, body, implicit, true).await?;
                return Ok(ApiResponse::created(rsp));
            }
            let mut objects = Vec::new();
            for item in &items {
                let body = item
                    .as_object()
                    .ok_or_else(|| ApiError::bad_request("list items must be objects"))?;
                let (rsp, _) = create_one(ctx, &open, class, body, false, false).await?;
                if let Some(link) = body.get("link") {
                    let parent = link.get("id").and_then(Value::as_str);
                    let title = link.get("name").and_then(Value::as_str);
                    if let (Some(parent), Some(title), Some(id)) =
                        (parent, title, rsp.get("id").and_then(Value::as_str))
                    {
                        let parent = ctx.parse_id(parent, Some(ObjClass::Group), &open.root)?;
                        let id = ObjId::parse(id)?;
                        let link =
                            json!({"class": "H5L_TYPE_HARD", "id": id.as_str(), "created": now()});
                        let mut table = Map::new();
                        table.insert(title.to_string(), link);
                        ctx.mutate(&parent, &Mutation::PutLinks { links: table, replace: true })
                            .await?;
                    }
                }
                objects.push(rsp);
            }
            Ok(ApiResponse::created(json!({ "objects": objects })))
        }
        other => Err(ApiError::bad_request(format!("unexpected body {other}"))),
    }
}

/// The id named by the route, or found by `?h5path=` (relative to `grpid`/`parent_id` or the
/// root).
async fn target_id(
    ctx: &Ctx<'_>,
    open: &OpenDomain,
    class: ObjClass,
    id: &str,
) -> ApiResult<ObjId> {
    let root = &open.root;
    let h5path = ctx.req.param("h5path");
    if !id.is_empty() {
        let id = ctx.parse_id(id, Some(class), root)?;
        return match h5path {
            Some(path) if class == ObjClass::Group => {
                let found = h5path::resolve(ctx, root, &id, path, true).await?;
                if found.class() != class {
                    return Err(ApiError::not_found(format!("{path} is not a {}", class.name())));
                }
                Ok(found)
            }
            _ => Ok(id),
        };
    }
    let path = h5path.ok_or_else(|| ApiError::bad_request("missing id or h5path"))?;
    let start = match ctx.req.param("grpid").or_else(|| ctx.req.param("parent_id")) {
        Some(gid) => ctx.parse_id(gid, Some(ObjClass::Group), root)?,
        None => root.clone(),
    };
    let found = h5path::resolve(ctx, root, &start, path, true).await?;
    if found.class() != class {
        return Err(ApiError::not_found(format!("{path} is not a {}", class.name())));
    }
    Ok(found)
}

/// The GET form of an object: stored fields plus counts, `domain`, `hrefs`, and on request
/// `links`, `attributes`, `alias`.
///
/// # Errors
/// Storage failures while computing an alias.
pub async fn object_response(
    ctx: &Ctx<'_>,
    id: &ObjId,
    stored: &Value,
    root: &ObjId,
) -> ApiResult<Value> {
    let mut out = Map::new();
    let class = id.class();
    let keys: &[&str] = match class {
        ObjClass::Group => &[
            "id",
            "root",
            "created",
            "lastModified",
            "creationProperties",
            crate::server::dn::mutation::MAX_LINK_CREATION_ORDER,
            REF_COUNT,
        ],
        ObjClass::Dataset => &[
            "id",
            "root",
            "shape",
            "type",
            "creationProperties",
            "layout",
            "created",
            "lastModified",
            REF_COUNT,
        ],
        ObjClass::Datatype => {
            &["id", "root", "type", "creationProperties", "created", "lastModified", REF_COUNT]
        }
    };
    for key in keys {
        if let Some(value) = stored.get(*key) {
            out.insert((*key).into(), value.clone());
        }
    }
    if class == ObjClass::Dataset && !out.contains_key("creationProperties") {
        out.insert("creationProperties".into(), json!({}));
    }
    if class == ObjClass::Group {
        out.insert("linkCount".into(), json!(table_size(stored, Section::Links)));
        if ctx.req.flag("include_links") {
            out.insert("links".into(), links::links_table_response(stored));
        }
    }
    out.insert("attributeCount".into(), json!(table_size(stored, Section::Attributes)));
    if ctx.req.flag("include_attrs") {
        out.insert(
            "attributes".into(),
            stored.get("attributes").cloned().unwrap_or_else(|| json!({})),
        );
    }
    if ctx.req.flag("getalias") {
        let alias = h5path::alias(ctx, root, id).await?;
        out.insert("alias".into(), json!(alias.into_iter().collect::<Vec<_>>()));
    }
    if let Some(domain) = &ctx.domain {
        out.insert("domain".into(), json!(domain));
    }
    if ctx.req.param("bucket").is_some() {
        out.insert("bucket".into(), json!(ctx.bucket));
    }
    out.insert("hrefs".into(), json!([]));
    Ok(Value::Object(out))
}

/// `GET /{collection}/{id}` or `GET /{collection}/?h5path=…`.
///
/// # Errors
/// 400 for bad ids, 404 for missing objects.
pub async fn get(ctx: &Ctx<'_>, class: ObjClass, id: &str) -> ApiResult<ApiResponse> {
    let open = ctx.open_domain("read").await?;
    let id = target_id(ctx, &open, class, id).await?;
    let stored = stored_for_response(ctx, &id).await?;
    let mut out = object_response(ctx, &id, &stored, &open.root).await?;
    if class == ObjClass::Dataset && ctx.req.flag("verbose") {
        datasets::add_verbose(ctx, &id, &mut out).await?;
    }
    Ok(ApiResponse::ok(out))
}

/// `PUT /{collection}/{id}` with `{"refCountChange": n}`: adds `n` to the object's stored
/// reference count (`H5Oincr_refcount`/`H5Odecr_refcount`; a restvol extension, HSDS has no
/// such request) and answers `{"refCount": …}`.
///
/// # Errors
/// 400 without an integer `refCountChange`; 403 without `update`; 404 if missing.
pub async fn put_refcount(ctx: &Ctx<'_>, class: ObjClass, id: &str) -> ApiResult<ApiResponse> {
    let open = ctx.open_domain("update").await?;
    let id = ctx.parse_id(id, Some(class), &open.root)?;
    let change = ctx
        .req
        .json_object()?
        .get("refCountChange")
        .and_then(Value::as_i64)
        .ok_or_else(|| ApiError::bad_request("refCountChange must be an integer"))?;
    let (_, stored) = ctx.mutate(&id, &Mutation::ChangeRefCount { change }).await?;
    let count = stored.get(REF_COUNT).cloned().unwrap_or(json!(0));
    Ok(ApiResponse::ok(json!({ "refCount": count })))
}

/// `DELETE /{collection}/{id}`.
///
/// # Errors
/// 403 for the root group or without `delete`; 404 if missing.
pub async fn delete(ctx: &Ctx<'_>, class: ObjClass, id: &str) -> ApiResult<ApiResponse> {
    let open = ctx.open_domain("delete").await?;
    let id = ctx.parse_id(id, Some(class), &open.root)?;
    if id == open.root {
        return Err(ApiError::forbidden(
            "deletion of the root group is not allowed; delete the domain",
        ));
    }
    ctx.sn.dn.delete(&ctx.bucket, &ObjRef::Id(id.as_str().to_string())).await?;
    if class == ObjClass::Dataset {
        values::remove_dataset_chunks(ctx, &id).await?;
    }
    Ok(ApiResponse::ok(json!({})))
}

/// `GET /groups|/datasets|/datatypes`: ids reachable from the root (root excluded), sorted.
///
/// # Errors
/// 403 without read permission; 404 for a bad `Marker`.
pub async fn list(ctx: &Ctx<'_>, class: ObjClass) -> ApiResult<ApiResponse> {
    let open = ctx.open_domain("read").await?;
    let mut ids: Vec<String> = h5path::crawl(ctx, &open.root)
        .await?
        .into_iter()
        .filter(|id| id.class() == class && *id != open.root)
        .map(|id| id.as_str().to_string())
        .collect();
    ids.sort();
    if let Some(marker) = ctx.req.param("Marker") {
        let index = ids
            .iter()
            .position(|id| id == marker)
            .ok_or_else(|| ApiError::not_found("marker not found"))?;
        ids.drain(..=index);
    }
    if let Some(limit) = ctx.req.param("Limit").and_then(|l| l.parse::<usize>().ok()) {
        ids.truncate(limit);
    }
    Ok(ApiResponse::ok(json!({ class.collection(): ids, "hrefs": [] })))
}
