//! Links of a group: single `GET|PUT|DELETE /groups/{id}/links/{title}`, the listing, and the
//! bulk forms (`PUT`, `POST`, `DELETE /groups/{id}/links`) (reference §2.5).

use serde_json::{json, Map, Value};

use crate::model::{validate_link_name, Link, ObjClass, ObjId};
use crate::server::api::ApiResponse;
use crate::server::ctx::{Ctx, OpenDomain};
use crate::server::dn::{Mutation, Outcome, Section};
use crate::server::error::{ApiError, ApiResult};
use crate::server::h5path::links_of;
use crate::server::handlers::domains::glob_match;
use crate::server::handlers::objects::created_time;

/// The `links` table of a group in response form (external domains under `file`), keyed by
/// title; used by `include_links`.
pub fn links_table_response(stored: &Value) -> Value {
    let mut out = Map::new();
    for (title, link) in links_of(stored) {
        let mut entry = link.to_response_json(&title);
        if let Some(map) = entry.as_object_mut() {
            map.remove("title");
            map.remove("collection");
        }
        out.insert(title, entry);
    }
    Value::Object(out)
}

/// The listing of one group's links after `pattern`, `CreateOrder`, `Marker` and `Limit`.
fn listed_links(ctx: &Ctx<'_>, stored: &Value, titles: Option<&[String]>) -> ApiResult<Vec<Value>> {
    let mut links = links_of(stored);
    if let Some(titles) = titles {
        links.retain(|(title, _)| titles.contains(title));
    }
    if let Some(pattern) = ctx.req.param("pattern") {
        links.retain(|(title, _)| glob_match(pattern, title));
    }
    if ctx.req.flag("CreateOrder") {
        // By the stored creation order values when every link has one, else by time.
        if links.iter().all(|(_, link)| link.creation_order.is_some()) {
            links.sort_by_key(|(_, link)| link.creation_order);
        } else {
            links.sort_by(|a, b| a.1.created.total_cmp(&b.1.created).then_with(|| a.0.cmp(&b.0)));
        }
    } else {
        links.sort_by(|a, b| a.0.cmp(&b.0));
    }
    if let Some(marker) = ctx.req.param("Marker") {
        let index = links
            .iter()
            .position(|(title, _)| title == marker)
            .ok_or_else(|| ApiError::not_found(format!("marker {marker} not found")))?;
        links.drain(..=index);
    }
    if let Some(limit) = ctx.req.param("Limit").and_then(|l| l.parse::<usize>().ok()) {
        links.truncate(limit);
    }
    Ok(links.iter().map(|(title, link)| link.to_response_json(title)).collect())
}

/// A group for reading its links (shared, from the SN's group cache while fresh).
async fn group(
    ctx: &Ctx<'_>,
    open: &OpenDomain,
    id: &str,
) -> ApiResult<(ObjId, std::sync::Arc<Value>)> {
    let id = ctx.parse_id(id, Some(ObjClass::Group), &open.root)?;
    let stored = ctx.group_for_links(&id).await?;
    Ok((id, stored))
}

/// `GET /groups/{id}/links`.
///
/// # Errors
/// 404 for a missing group or marker.
pub async fn get_all(ctx: &Ctx<'_>, id: &str) -> ApiResult<ApiResponse> {
    let open = ctx.open_domain("read").await?;
    let (gid, stored) = group(ctx, &open, id).await?;
    if ctx.req.flag("follow_links") {
        let mut out = Map::new();
        for member in crate::server::h5path::crawl(ctx, &gid).await? {
            if member.class() != ObjClass::Group {
                continue;
            }
            let json = ctx.object(&member).await?;
            out.insert(member.as_str().to_string(), json!(listed_links(ctx, &json, None)?));
        }
        return Ok(ApiResponse::ok(json!({ "links": out, "hrefs": [] })));
    }
    Ok(ApiResponse::ok(json!({ "links": listed_links(ctx, &stored, None)?, "hrefs": [] })))
}

/// `GET /groups/{id}/links/{title}`.
///
/// # Errors
/// 404 for a missing group or link.
pub async fn get_one(ctx: &Ctx<'_>, id: &str, title: &str) -> ApiResult<ApiResponse> {
    let open = ctx.open_domain("read").await?;
    let gid = ctx.parse_id(id, Some(ObjClass::Group), &open.root)?;
    let link = ctx
        .member(&gid, Section::Links, title)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("link '{title}' not found")))?;
    let link = Link::from_json(&link)?;
    Ok(ApiResponse::ok(json!({
        "link": link.to_response_json(title),
        "created": link.created,
        "lastModified": link.created,
        "hrefs": [],
    })))
}

/// Reads one request link, checking the title and that hard links stay in the domain.
fn request_link(open: &OpenDomain, title: &str, body: &Value) -> ApiResult<Value> {
    validate_link_name(title)?;
    let created = body.as_object().map_or_else(crate::server::dn::mutation::now, created_time);
    let link = Link::from_request(body, created)?;
    link.target.check_in_domain(&open.root)?;
    Ok(link.to_json())
}

fn status_of(outcome: Outcome) -> u16 {
    if outcome == Outcome::Created {
        201
    } else {
        200
    }
}

/// `PUT /groups/{id}/links/{title}`: 201 new, 200 identical, 409 different.
///
/// # Errors
/// 400 for malformed links, 409 for a differing existing link.
pub async fn put_one(ctx: &Ctx<'_>, id: &str, title: &str) -> ApiResult<ApiResponse> {
    let open = ctx.open_domain("create").await?;
    let gid = ctx.parse_id(id, Some(ObjClass::Group), &open.root)?;
    let body = ctx.req.json()?;
    let mut table = Map::new();
    table.insert(title.to_string(), request_link(&open, title, &body)?);
    let replace = ctx.req.flag("replace");
    let (outcome, _) = ctx.mutate(&gid, &Mutation::PutLinks { links: table, replace }).await?;
    Ok(ApiResponse::json(status_of(outcome), json!({})))
}

fn link_table(open: &OpenDomain, links: &Value) -> ApiResult<Map<String, Value>> {
    let links =
        links.as_object().ok_or_else(|| ApiError::bad_request("'links' must be an object"))?;
    let mut table = Map::new();
    for (title, body) in links {
        table.insert(title.clone(), request_link(open, title, body)?);
    }
    Ok(table)
}

/// `PUT /groups/{id}/links`: `{"links":{…}}`, `{"grp_ids":[…],"links":{…}}` or
/// `{"grp_ids":{gid:{"links":{…}}}}`.
///
/// # Errors
/// 400 for malformed bodies, 409 for differing existing links (unless `replace`).
pub async fn put_many(ctx: &Ctx<'_>, id: &str) -> ApiResult<ApiResponse> {
    let open = ctx.open_domain("create").await?;
    let gid = ctx.parse_id(id, Some(ObjClass::Group), &open.root)?;
    let body = ctx.req.json_object()?;
    let replace =
        ctx.req.flag("replace") || body.get("replace").and_then(Value::as_bool).unwrap_or(false);
    let mut plan: Vec<(ObjId, Map<String, Value>)> = Vec::new();
    match body.get("grp_ids") {
        None => {
            let links =
                body.get("links").ok_or_else(|| ApiError::bad_request("no 'links' in body"))?;
            plan.push((gid, link_table(&open, links)?));
        }
        Some(Value::Array(ids)) => {
            let links =
                body.get("links").ok_or_else(|| ApiError::bad_request("no 'links' in body"))?;
            let table = link_table(&open, links)?;
            for target in ids {
                let target = target
                    .as_str()
                    .ok_or_else(|| ApiError::bad_request("grp_ids must be strings"))?;
                plan.push((
                    ctx.parse_id(target, Some(ObjClass::Group), &open.root)?,
                    table.clone(),
                ));
            }
        }
        Some(Value::Object(per_group)) => {
            for (target, item) in per_group {
                let links = item
                    .get("links")
                    .ok_or_else(|| ApiError::bad_request("no 'links' for a group"))?;
                plan.push((
                    ctx.parse_id(target, Some(ObjClass::Group), &open.root)?,
                    link_table(&open, links)?,
                ));
            }
        }
        Some(_) => return Err(ApiError::bad_request("'grp_ids' must be a list or an object")),
    }
    for (target, _) in &plan {
        ctx.object(target).await?;
    }
    let mut status = 200;
    for (target, links) in plan {
        let (outcome, _) = ctx.mutate(&target, &Mutation::PutLinks { links, replace }).await?;
        if outcome == Outcome::Created {
            status = 201;
        }
    }
    Ok(ApiResponse::json(status, json!({})))
}

fn title_list(value: &Value) -> ApiResult<Vec<String>> {
    value
        .as_array()
        .ok_or_else(|| ApiError::bad_request("titles must be a list"))?
        .iter()
        .map(|t| {
            t.as_str()
                .map(str::to_string)
                .ok_or_else(|| ApiError::bad_request("titles must be strings"))
        })
        .collect()
}

/// `POST /groups/{id}/links`: bulk get by `titles` or `grp_ids`.
///
/// # Errors
/// 400 for malformed bodies; 404 when asked titles are missing.
pub async fn post_many(ctx: &Ctx<'_>, id: &str) -> ApiResult<ApiResponse> {
    let open = ctx.open_domain("read").await?;
    let (_, stored) = group(ctx, &open, id).await?;
    let body = ctx.req.json_object()?;
    match body.get("grp_ids") {
        None => {
            let titles = body.get("titles").map(title_list).transpose()?;
            let links = listed_links(ctx, &stored, titles.as_deref())?;
            if titles.as_ref().is_some_and(|t| !t.is_empty()) && links.is_empty() {
                return Err(ApiError::not_found("none of the links were found"));
            }
            Ok(ApiResponse::ok(json!({ "links": links })))
        }
        Some(ids) => {
            let mut requests: Vec<(String, Option<Vec<String>>)> = Vec::new();
            match ids {
                Value::Array(list) => {
                    for gid in list {
                        let gid = gid
                            .as_str()
                            .ok_or_else(|| ApiError::bad_request("grp_ids must be strings"))?;
                        requests.push((gid.to_string(), None));
                    }
                }
                Value::Object(map) => {
                    for (gid, titles) in map {
                        requests.push((gid.clone(), Some(title_list(titles)?)));
                    }
                }
                _ => return Err(ApiError::bad_request("'grp_ids' must be a list or an object")),
            }
            let mut out = Map::new();
            for (gid, titles) in requests {
                let (gid, json) = group(ctx, &open, &gid).await?;
                out.insert(
                    gid.as_str().to_string(),
                    json!(listed_links(ctx, &json, titles.as_deref())?),
                );
            }
            Ok(ApiResponse::ok(json!({ "links": out })))
        }
    }
}

/// `DELETE /groups/{id}/links/{title}`.
///
/// # Errors
/// 404 for a missing link.
pub async fn delete_one(ctx: &Ctx<'_>, id: &str, title: &str) -> ApiResult<ApiResponse> {
    let open = ctx.open_domain("delete").await?;
    let gid = ctx.parse_id(id, Some(ObjClass::Group), &open.root)?;
    ctx.mutate(&gid, &Mutation::DeleteLinks { titles: vec![title.to_string()] }).await?;
    Ok(ApiResponse::ok(json!({})))
}

/// `DELETE /groups/{id}/links?titles=a/b[&separator=/]`.
///
/// # Errors
/// 400 without titles, 404 for a missing link (nothing is deleted then).
pub async fn delete_many(ctx: &Ctx<'_>, id: &str) -> ApiResult<ApiResponse> {
    let open = ctx.open_domain("delete").await?;
    let gid = ctx.parse_id(id, Some(ObjClass::Group), &open.root)?;
    let titles = ctx.req.param("titles").ok_or_else(|| ApiError::bad_request("no titles given"))?;
    let separator = ctx.req.param("separator").filter(|s| !s.is_empty()).unwrap_or("/");
    let titles: Vec<String> =
        titles.split(separator).filter(|t| !t.is_empty()).map(str::to_string).collect();
    ctx.mutate(&gid, &Mutation::DeleteLinks { titles }).await?;
    Ok(ApiResponse::ok(json!({})))
}
