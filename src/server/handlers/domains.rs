//! Domains and folders: `GET|PUT|POST|DELETE /` and `GET /domains` (reference §2.3).

use serde_json::{json, Map, Value};

use crate::model::{new_root_id, ObjClass, ObjId};
use crate::server::acl;
use crate::server::api::ApiResponse;
use crate::server::ctx::{parent_path, Ctx};
use crate::server::dn::mutation::now;
use crate::server::dn::ObjRef;
use crate::server::domain_stats::{python_json_len, DomainStats};
use crate::server::error::{ApiError, ApiResult};
use crate::server::h5path;
use crate::server::handlers::{links, objects, values};
use crate::server::service::{compressors, HSDS_VERSION};
use crate::storage::keys::domain_prefix;

fn hrefs() -> Value {
    json!([])
}

/// The GET form of a domain or folder.
fn domain_response(ctx: &Ctx<'_>, json: &Value) -> Value {
    let mut out = Map::new();
    let is_domain = json.get("root").is_some();
    if let Some(root) = json.get("root") {
        out.insert("root".into(), root.clone());
    }
    out.insert("class".into(), json!(if is_domain { "domain" } else { "folder" }));
    for key in ["owner", "created", "lastModified"] {
        if let Some(value) = json.get(key) {
            out.insert(key.into(), value.clone());
        }
    }
    if is_domain {
        out.insert("limits".into(), ctx.sn.settings.limits_json());
        out.insert("compressors".into(), compressors());
        out.insert("version".into(), json!(HSDS_VERSION));
    }
    out.insert("hrefs".into(), hrefs());
    Value::Object(out)
}

/// `GET /`: the domain or folder, an object by `h5path`, or (without a domain) the top-level
/// domains. With `refresh=1` (restvol's own; HSDS ignores it), first drops the SN's cached
/// metadata and makes every DN compare its clean cached entries with storage, so that what
/// other services wrote is seen at once (`H5*refresh`, `H5Fopen` through restvol's connector).
///
/// # Errors
/// 404 for missing domains or paths, 403 without read permission.
pub async fn get(ctx: &Ctx<'_>) -> ApiResult<ApiResponse> {
    if ctx.domain.is_none() {
        return list_folder(ctx, "/").await;
    }
    if ctx.req.flag("refresh") {
        ctx.sn.dn.recheck_all().await?;
    }
    let json = ctx.domain_json().await?;
    ctx.check_acl(&json, "read")?;
    if let Some(h5path) = ctx.req.param("h5path") {
        let open = ctx.open_domain("read").await?;
        let found = path_lookup(ctx, &open.root, h5path).await?;
        return Ok(ApiResponse::ok(found));
    }
    let mut out = domain_response(ctx, &json);
    if ctx.req.flag("verbose") && json.get("root").is_some() {
        add_verbose(ctx, &json, &mut out).await?;
    }
    if ctx.req.flag("getobjs") {
        if let Some(root) = json.get("root").and_then(Value::as_str) {
            let objs = domain_objs(ctx, &ObjId::parse(root)?).await?;
            if let Some(map) = out.as_object_mut() {
                map.insert("domain_objs".into(), objs);
            }
        }
    }
    if ctx.req.flag("getdnids") {
        if let Some(map) = out.as_object_mut() {
            map.insert("dn_ids".into(), json!(ctx.sn.dn.node_ids()));
        }
    }
    Ok(ApiResponse::ok(out))
}

/// `getobjs=1`: HSDS 1.0.2's consolidated metadata (what its scan writes to `.summary.json`),
/// computed when asked so it is never stale: every object reachable from the root, by id, with
/// its `type`, `shape`, `creationProperties`, `attributes` (stored form) and `links` (response
/// form, as `include_links` gives them). Dataset values are left out (HSDS adds them only for
/// small single-chunk datasets); clients read those as usual.
async fn domain_objs(ctx: &Ctx<'_>, root: &ObjId) -> ApiResult<Value> {
    let mut objs = Map::new();
    for id in h5path::crawl(ctx, root).await? {
        let stored = ctx.object(&id).await?;
        let mut entry = Map::new();
        for key in ["type", "shape", "attributes", "creationProperties"] {
            if let Some(value) = stored.get(key) {
                entry.insert(key.into(), value.clone());
            }
        }
        if id.class() == ObjClass::Group {
            entry.insert("links".into(), links::links_table_response(&stored));
        }
        objs.insert(id.as_str().to_string(), Value::Object(entry));
    }
    Ok(Value::Object(objs))
}

/// `verbose=1`: the domain statistics HSDS 1.0.2 reports (see [`DomainStats`]), from the stored
/// keys after a flush of the write-back caches.
async fn add_verbose(ctx: &Ctx<'_>, json: &Value, out: &mut Value) -> ApiResult<()> {
    let root = json.get("root").and_then(Value::as_str).unwrap_or_default();
    let root = ObjId::parse(root)?;
    ctx.sn.dn.flush().await?;
    let scan_start = now();
    let bucket = ctx.sn.storage.bucket(&ctx.bucket)?;
    let listing = bucket.list_all(&domain_prefix(root.as_str())?).await?;
    let mut stats = DomainStats::from_listing(&listing);
    let ids: Vec<String> = stats.datasets.keys().cloned().collect();
    for id in ids {
        let Ok(dataset) = ObjId::parse(&id) else { continue };
        if let Ok(stored) = ctx.object(&dataset).await {
            stats.set_logical_bytes(&id, &stored);
        }
    }
    let domain_modified = json.get("lastModified").and_then(Value::as_f64).unwrap_or(0.0);
    let total = python_json_len(json) as u64 + stats.allocated_bytes + stats.metadata_bytes;
    if let Some(map) = out.as_object_mut() {
        map.insert("num_groups".into(), json!(stats.num_groups));
        map.insert("num_datasets".into(), json!(stats.datasets.len()));
        map.insert("num_datatypes".into(), json!(stats.num_datatypes));
        map.insert("num_objects".into(), json!(stats.num_objects()));
        map.insert("total_size".into(), json!(total));
        map.insert("allocated_bytes".into(), json!(stats.allocated_bytes));
        map.insert("metadata_bytes".into(), json!(stats.metadata_bytes));
        map.insert("linked_bytes".into(), json!(0));
        map.insert("num_chunks".into(), json!(stats.num_chunks));
        map.insert("num_linked_chunks".into(), json!(0));
        map.insert("md5_sum".into(), json!(""));
        map.insert("scan_info".into(), stats.scan_info(&ctx.bucket, scan_start, now()));
        if stats.last_modified > domain_modified {
            map.insert("lastModified".into(), json!(stats.last_modified));
        }
    }
    Ok(())
}

/// Resolves an `h5path` (with `parent_id`) and returns the object's JSON plus `class` and
/// `domain`.
async fn path_lookup(ctx: &Ctx<'_>, root: &ObjId, h5path: &str) -> ApiResult<Value> {
    let start = match ctx.req.param("parent_id") {
        Some(parent) => ctx.parse_id(parent, Some(ObjClass::Group), root)?,
        None => root.clone(),
    };
    let follow_soft =
        ctx.req.param("follow_soft_links").is_none() || ctx.req.flag("follow_soft_links");
    let id = h5path::resolve(ctx, root, &start, h5path, follow_soft).await?;
    let stored = objects::stored_for_response(ctx, &id).await?;
    let mut out = objects::object_response(ctx, &id, &stored, root).await?;
    if let Some(map) = out.as_object_mut() {
        map.insert("class".into(), json!(id.class().name()));
    }
    Ok(out)
}

/// `POST /` with `{"h5paths": [...]}`.
///
/// # Errors
/// 400 for a malformed body; 404 when no path resolves.
pub async fn post(ctx: &Ctx<'_>) -> ApiResult<ApiResponse> {
    let open = ctx.open_domain("read").await?;
    let body = ctx.req.json_object()?;
    let paths = body
        .get("h5paths")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::bad_request("expected a list of h5paths"))?;
    let mut found = Map::new();
    for path in paths {
        let path = path.as_str().ok_or_else(|| ApiError::bad_request("h5paths must be strings"))?;
        match path_lookup(ctx, &open.root, path).await {
            Ok(json) => {
                found.insert(path.to_string(), json);
            }
            Err(err) if err.status == 404 => {}
            Err(err) => return Err(err),
        }
    }
    if found.is_empty() && !paths.is_empty() {
        return Err(ApiError::not_found("none of the h5paths were found"));
    }
    Ok(ApiResponse::ok(json!({ "h5paths": found })))
}

/// `PUT /`: create a domain or folder, or `flush=1` / `rescan=1`.
///
/// # Errors
/// 409 if it exists, 404/400 for a missing or non-folder parent, 403 for top-level domains by
/// non-admins or without `create` on the parent.
pub async fn put(ctx: &Ctx<'_>) -> ApiResult<ApiResponse> {
    let body = ctx.req.json_object()?;
    let body_flag = |key: &str| {
        body.get(key).is_some_and(|v| v.as_bool().unwrap_or(v.as_i64().unwrap_or(0) != 0))
    };
    if ctx.req.flag("flush") || body_flag("flush") || ctx.req.flag("rescan") || body_flag("rescan")
    {
        let json = ctx.domain_json().await?;
        ctx.check_acl(&json, "update")?;
        ctx.sn.dn.flush().await?;
        if ctx.req.flag("getdnids") {
            return Ok(ApiResponse::ok(json!({ "dn_ids": ctx.sn.dn.node_ids() })));
        }
        return Ok(ApiResponse::empty(204));
    }
    if ctx.user == crate::server::auth::DEFAULT_USER {
        return Err(ApiError::unauthorized("creating a domain needs credentials"));
    }
    let path = ctx.domain_path()?.to_string();
    let is_folder = body_flag("folder");
    let owner = match body.get("owner").and_then(Value::as_str) {
        Some(owner) if owner != ctx.user => {
            if !ctx.is_admin() {
                return Err(ApiError::forbidden("only the admin may set another owner"));
            }
            owner.to_string()
        }
        _ => ctx.user.clone(),
    };
    if ctx.lookup_domain(&path).await?.is_some() {
        return Err(ApiError::conflict(format!("domain {path} already exists")));
    }
    let parent_json = match parent_path(&path) {
        None => {
            if !ctx.is_admin() {
                return Err(ApiError::forbidden("only the admin may create top-level domains"));
            }
            None
        }
        Some(parent) => Some(ensure_parent(ctx, &parent).await?),
    };
    let mut acls = Map::new();
    if let Some(parent_acls) =
        parent_json.as_ref().and_then(|p| p.get("acls")).and_then(Value::as_object)
    {
        for (name, entry) in parent_acls {
            let grants_any = acl::ACTIONS
                .iter()
                .any(|a| entry.get(*a).and_then(Value::as_bool).unwrap_or(false));
            if name != "default" && name != &owner && !ctx.sn.users.is_admin(name) && grants_any {
                acls.insert(name.clone(), entry.clone());
            }
        }
    }
    acls.insert(owner.clone(), acl::full_acl());
    if ctx.sn.settings.default_public || is_folder {
        acls.insert("default".into(), acl::read_only_acl());
    }
    let now = now();
    let mut domain = json!({"owner": owner, "acls": acls, "created": now, "lastModified": now});
    if !is_folder {
        let root = create_root_group(ctx, &body, now).await?;
        if let Some(map) = domain.as_object_mut() {
            map.insert("root".into(), json!(root.as_str()));
        }
    }
    ctx.sn.dn.create(&ctx.bucket, &ObjRef::Domain(path.clone()), domain.clone()).await?;
    if let Some(map) = domain.as_object_mut() {
        map.insert("limits".into(), ctx.sn.settings.limits_json());
        map.insert("compressors".into(), compressors());
        map.insert("version".into(), json!(HSDS_VERSION));
        if ctx.req.flag("getdnids") {
            map.insert("dn_ids".into(), json!(ctx.sn.dn.node_ids()));
        }
    }
    Ok(ApiResponse::created(domain))
}

async fn create_root_group(ctx: &Ctx<'_>, body: &Map<String, Value>, now: f64) -> ApiResult<ObjId> {
    let root = match body.get("root_id").and_then(Value::as_str) {
        Some(id) => {
            let id = ObjId::parse_class(id, ObjClass::Group)?;
            if !id.is_root() {
                return Err(ApiError::bad_request(format!(
                    "invalid client provided root id: {id}"
                )));
            }
            id
        }
        None => new_root_id()?,
    };
    let mut group = json!({
        "id": root.as_str(), "root": root.as_str(), "created": now, "lastModified": now,
        "links": {}, "attributes": {},
    });
    if let Some(props) = body.get("group").and_then(|g| g.get("creationProperties")) {
        if let Some(map) = group.as_object_mut() {
            map.insert("creationProperties".into(), props.clone());
        }
    }
    ctx.create_object(&root, group).await.map_err(|err| {
        if err.status == 409 {
            ApiError::conflict("client specified root_id already exists")
        } else {
            err
        }
    })?;
    Ok(root)
}

/// The parent folder's JSON, creating missing folders with `auto_folders`; checks `create`.
async fn ensure_parent(ctx: &Ctx<'_>, parent: &str) -> ApiResult<Value> {
    let json = match ctx.lookup_domain(parent).await? {
        Some(json) => json,
        None if ctx.sn.settings.auto_folders => {
            let grand = match parent_path(parent) {
                Some(grand) => Some(Box::pin(ensure_parent(ctx, &grand)).await?),
                None => None,
            };
            let mut acls = Map::new();
            if let Some(grand_acls) =
                grand.as_ref().and_then(|g| g.get("acls")).and_then(Value::as_object)
            {
                acls = grand_acls.clone();
            }
            acls.insert(ctx.user.clone(), acl::full_acl());
            acls.insert("default".into(), acl::read_only_acl());
            let now = now();
            let folder =
                json!({"owner": ctx.user, "acls": acls, "created": now, "lastModified": now});
            match ctx
                .sn
                .dn
                .create(&ctx.bucket, &ObjRef::Domain(parent.to_string()), folder.clone())
                .await
            {
                Ok(()) => folder,
                Err(err) if err.status == 409 => ctx
                    .lookup_domain(parent)
                    .await?
                    .ok_or_else(|| ApiError::internal("folder vanished"))?,
                Err(err) => return Err(err),
            }
        }
        None => return Err(ApiError::not_found(format!("parent folder {parent} not found"))),
    };
    if json.get("root").is_some() {
        return Err(ApiError::bad_request(format!("parent {parent} is a domain, not a folder")));
    }
    if ctx.user != crate::server::auth::DEFAULT_USER {
        ctx.check_acl(&json, "create")?;
    }
    Ok(json)
}

/// `DELETE /`.
///
/// # Errors
/// 404 if missing, 403 without `delete` (or for top-level by non-admins), 409 for a folder with
/// children.
pub async fn delete(ctx: &Ctx<'_>) -> ApiResult<ApiResponse> {
    let path = ctx.domain_path()?.to_string();
    let json = ctx.domain_json().await?;
    ctx.check_acl(&json, "delete")?;
    if parent_path(&path).is_none() && !ctx.is_admin() {
        return Err(ApiError::forbidden("only the admin may delete top-level domains"));
    }
    if json.get("root").is_none() && !children(ctx, &path).await?.is_empty() {
        return Err(ApiError::conflict("folder has sub-items"));
    }
    if ctx.req.flag("meta_only") {
        return Ok(ApiResponse::ok(json!({ "domain": path })));
    }
    let root_id = match json.get("root").and_then(Value::as_str) {
        Some(root) if !ctx.req.flag("keep_root") => Some(ObjId::parse(root)?),
        _ => None,
    };
    if let Some(root) = &root_id {
        values::remove_domain_chunks(ctx, root).await?;
    }
    ctx.sn.dn.delete(&ctx.bucket, &ObjRef::Domain(path.clone())).await?;
    if let Some(root) = json.get("root").and_then(Value::as_str) {
        if !ctx.req.flag("keep_root") {
            let root = ObjRef::Id(root.to_string());
            match ctx.sn.dn.delete(&ctx.bucket, &root).await {
                Ok(()) => {}
                Err(err) if err.status == 404 => {}
                Err(err) => return Err(err),
            }
        }
    }
    Ok(ApiResponse::ok(json!({ "domain": path })))
}

/// Paths of the domains and folders directly inside folder `path` (`/` for the bucket root).
async fn children(ctx: &Ctx<'_>, path: &str) -> ApiResult<Vec<String>> {
    let prefix = path.trim_matches('/');
    let prefix = if prefix.is_empty() { String::new() } else { format!("{prefix}/") };
    let bucket = ctx.sn.storage.bucket(&ctx.bucket)?;
    let listing = bucket.list(&prefix).await?;
    let mut out = Vec::new();
    for sub in listing.prefixes {
        let key = format!("{sub}.domain.json");
        if bucket.head(&key).await?.is_some() {
            out.push(format!("/{}", sub.trim_end_matches('/')));
        }
    }
    out.sort();
    Ok(out)
}

/// Shell-style match with `*` and `?`.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

async fn list_folder(ctx: &Ctx<'_>, folder: &str) -> ApiResult<ApiResponse> {
    if folder != "/" {
        let json = ctx
            .lookup_domain(folder.trim_end_matches('/'))
            .await?
            .ok_or_else(|| ApiError::not_found(format!("folder {folder} not found")))?;
        ctx.check_acl(&json, "read")?;
        if json.get("root").is_some() {
            return Err(ApiError::bad_request(format!("{folder} is a domain, not a folder")));
        }
    }
    let pattern = ctx.req.param("pattern");
    let marker = ctx.req.param("Marker");
    let limit = ctx.req.param("Limit").and_then(|l| l.parse::<usize>().ok());
    let mut names = children(ctx, folder).await?;
    if let Some(pattern) = pattern {
        names.retain(|name| glob_match(pattern, name.rsplit('/').next().unwrap_or_default()));
    }
    if let Some(marker) = marker {
        match names
            .iter()
            .position(|name| name == marker || name.rsplit('/').next() == Some(marker))
        {
            Some(index) => {
                names.drain(..=index);
            }
            None => return Err(ApiError::not_found(format!("marker {marker} not found"))),
        }
    }
    if let Some(limit) = limit {
        names.truncate(limit);
    }
    let mut domains = Vec::new();
    for name in names {
        let Some(json) = ctx.lookup_domain(&name).await? else { continue };
        let mut entry = domain_response(ctx, &json);
        if let Some(map) = entry.as_object_mut() {
            map.insert("name".into(), json!(name));
            map.remove("limits");
            map.remove("compressors");
            map.remove("version");
        }
        domains.push(entry);
    }
    Ok(ApiResponse::ok(json!({ "domains": domains, "hrefs": [] })))
}

/// `GET /domains?domain=/folder/`.
///
/// # Errors
/// 404 for a missing folder, 400 for a domain given as folder.
pub async fn list(ctx: &Ctx<'_>) -> ApiResult<ApiResponse> {
    let raw = ctx.req.param("domain").or_else(|| ctx.req.header("x-hdf-domain")).unwrap_or("/");
    let folder = if raw.is_empty() { "/" } else { raw };
    if folder.split('/').any(|s| s == ".." || s == ".") {
        return Err(ApiError::bad_request("'.' and '..' are not allowed in domain paths"));
    }
    let folder = if folder.starts_with('/') { folder.to_string() } else { format!("/{folder}") };
    list_folder(ctx, &folder).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("*.h5", "run1.h5"));
        assert!(glob_match("r?n*", "run1.h5"));
        assert!(!glob_match("*.nc", "run1.h5"));
        assert!(glob_match("*", ""));
    }
}
