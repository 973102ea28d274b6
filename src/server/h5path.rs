//! HDF5 paths inside a domain: resolving `/a/b/c` (absolute, from the root) or `b/c` (relative,
//! from a group) to an object id by walking links, and finding an object's path (`getalias`).

use std::collections::{HashSet, VecDeque};

use serde_json::Value;

use super::ctx::Ctx;
use super::dn::Section;
use super::error::{ApiError, ApiResult};
use crate::model::{Link, LinkTarget, ObjClass, ObjId};

/// How many soft links one lookup may follow.
const MAX_SOFT_LINKS: usize = 16;

/// The links of a stored group object.
pub fn links_of(group: &Value) -> Vec<(String, Link)> {
    let Some(links) = group.get("links").and_then(Value::as_object) else { return Vec::new() };
    links
        .iter()
        .filter_map(|(title, stored)| {
            Link::from_json(stored).ok().map(|link| (title.clone(), link))
        })
        .collect()
}

/// Resolves `path` from `start` (or from `root` when it starts with `/`), following soft links
/// when `follow_soft` is set.
///
/// # Errors
/// 404 when a component is missing or not a group, or a soft link is not followed; 400 for
/// external links.
pub async fn resolve(
    ctx: &Ctx<'_>,
    root: &ObjId,
    start: &ObjId,
    path: &str,
    follow_soft: bool,
) -> ApiResult<ObjId> {
    let mut budget = MAX_SOFT_LINKS;
    resolve_inner(ctx, root, start, path, follow_soft, &mut budget).await
}

async fn resolve_inner(
    ctx: &Ctx<'_>,
    root: &ObjId,
    start: &ObjId,
    path: &str,
    follow_soft: bool,
    budget: &mut usize,
) -> ApiResult<ObjId> {
    let mut current = if path.starts_with('/') { root.clone() } else { start.clone() };
    for segment in path.split('/').filter(|s| !s.is_empty() && *s != ".") {
        if current.class() != ObjClass::Group {
            return Err(ApiError::not_found(format!("{path}: '{segment}' is under a non-group")));
        }
        let link = ctx
            .member(&current, Section::Links, segment)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("{path}: link '{segment}' not found")))?;
        let link = Link::from_json(&link)?;
        current = match link.target {
            LinkTarget::Hard(id) => id,
            LinkTarget::Soft { h5path } => {
                if !follow_soft || *budget == 0 {
                    return Err(ApiError::not_found(format!("{path}: '{segment}' is a soft link")));
                }
                *budget -= 1;
                let base = current.clone();
                Box::pin(resolve_inner(ctx, root, &base, &h5path, follow_soft, budget)).await?
            }
            LinkTarget::External { .. } => {
                return Err(ApiError::bad_request(format!(
                    "{path}: '{segment}' is an external link"
                )));
            }
        };
    }
    Ok(current)
}

/// The first path (breadth-first over hard links) from the root to `target`.
///
/// # Errors
/// Storage failures.
pub async fn alias(ctx: &Ctx<'_>, root: &ObjId, target: &ObjId) -> ApiResult<Option<String>> {
    if root == target {
        return Ok(Some("/".to_string()));
    }
    let mut seen = HashSet::new();
    let mut queue = VecDeque::from([(root.clone(), String::new())]);
    while let Some((group, prefix)) = queue.pop_front() {
        if !seen.insert(group.clone()) {
            continue;
        }
        let Ok(json) = ctx.object(&group).await else { continue };
        for (title, link) in links_of(&json) {
            if let LinkTarget::Hard(id) = link.target {
                let path = format!("{prefix}/{title}");
                if &id == target {
                    return Ok(Some(path));
                }
                if id.class() == ObjClass::Group {
                    queue.push_back((id, path));
                }
            }
        }
    }
    Ok(None)
}

/// Every object reachable from the root by hard links (the root first).
///
/// # Errors
/// Storage failures.
pub async fn crawl(ctx: &Ctx<'_>, root: &ObjId) -> ApiResult<Vec<ObjId>> {
    let mut seen = HashSet::new();
    let mut order = Vec::new();
    let mut queue = VecDeque::from([root.clone()]);
    while let Some(id) = queue.pop_front() {
        if !seen.insert(id.clone()) {
            continue;
        }
        order.push(id.clone());
        if id.class() != ObjClass::Group {
            continue;
        }
        let Ok(json) = ctx.object(&id).await else { continue };
        for (_, link) in links_of(&json) {
            if let LinkTarget::Hard(target) = link.target {
                if target.same_domain(root) {
                    queue.push_back(target);
                }
            }
        }
    }
    Ok(order)
}
