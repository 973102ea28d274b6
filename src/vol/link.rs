//! Links: hard, soft and external links in groups — create, query, delete, list — over the
//! `/groups/{id}/links` endpoints, one request per operation.

use serde_json::{json, Value};

use super::error::VolError;
use super::file::OpenFile;
use super::object::resolve;
use crate::client::Request;
use crate::model::ObjId;

/// Where a link points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// A hard link to an object of the same file.
    Hard(ObjId),
    /// A soft link: a path in the same file.
    Soft(String),
    /// An external link: a path in another file (domain).
    External {
        /// The other file's name.
        file: String,
        /// The object path inside it.
        path: String,
    },
}

/// One link as the service reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkInfo {
    /// The link's name in its group.
    pub name: String,
    /// Where it points.
    pub target: LinkTarget,
    /// Creation time, seconds since the epoch.
    pub created: f64,
    /// The link's creation order value: the one the service stored (`creationOrder`), else
    /// its position in the group's creation order when listed (0 when unknown).
    pub corder: i64,
    /// Whether `corder` is known: stored by the service, or the link's position when listed
    /// from a service that stores none (HDF5's `corder_valid`).
    pub corder_known: bool,
}

impl LinkInfo {
    /// Reads a link from its JSON (`GET …/links` item or `…/links/{name}`'s `link`).
    pub fn from_json(json: &Value) -> Result<LinkInfo, VolError> {
        let name = json.get("title").and_then(Value::as_str).unwrap_or_default().to_string();
        let class = json.get("class").and_then(Value::as_str).unwrap_or_default();
        let text = |key: &str| json.get(key).and_then(Value::as_str).map(str::to_string);
        let target = match class {
            "H5L_TYPE_HARD" => LinkTarget::Hard(ObjId::parse(&text("id").unwrap_or_default())?),
            "H5L_TYPE_SOFT" => LinkTarget::Soft(text("h5path").unwrap_or_default()),
            "H5L_TYPE_EXTERNAL" => LinkTarget::External {
                file: text("file").or_else(|| text("h5domain")).unwrap_or_default(),
                path: text("h5path").unwrap_or_default(),
            },
            other => {
                return Err(VolError::InvalidArgument(format!("unknown link class '{other}'")))
            }
        };
        let created = json.get("created").and_then(Value::as_f64).unwrap_or(0.0);
        let stored = json.get("creationOrder").and_then(Value::as_i64);
        Ok(LinkInfo {
            name,
            target,
            created,
            corder: stored.unwrap_or(0),
            corder_known: stored.is_some(),
        })
    }

    fn body(&self) -> Value {
        match &self.target {
            LinkTarget::Hard(id) => json!({"id": id.as_str()}),
            LinkTarget::Soft(path) => json!({"h5path": path}),
            LinkTarget::External { file, path } => json!({"h5path": path, "h5domain": file}),
        }
    }
}

/// Splits `path` into its parent group (resolved from `anchor`) and the link name.
pub fn parent_and_name(
    file: &OpenFile,
    anchor: &ObjId,
    path: &str,
) -> Result<(ObjId, String), VolError> {
    let trimmed = path.trim_end_matches('/');
    let (parent_path, name) = match trimmed.rfind('/') {
        Some(at) => (&trimmed[..at], &trimmed[at + 1..]),
        None => ("", trimmed),
    };
    if name.is_empty() || name == "." {
        return Err(VolError::InvalidArgument(format!("invalid link name '{path}'")));
    }
    let parent = if parent_path.is_empty() {
        if trimmed.starts_with('/') {
            file.root().clone()
        } else {
            anchor.clone()
        }
    } else {
        resolve(file, anchor, parent_path)?.id
    };
    Ok((parent, name.to_string()))
}

/// Names longer than this (in bytes) are sent in request bodies rather than URLs.
const LONG_NAME: usize = 256;

fn link_path(group: &ObjId, name: &str) -> String {
    format!("/groups/{}/links/{}", group.as_str(), percent_encode(name))
}

/// Percent-encodes a path segment (everything but unreserved characters).
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Creates the link `path` (relative to `anchor`) pointing at `target`.
pub fn create(
    file: &OpenFile,
    anchor: &ObjId,
    path: &str,
    target: LinkTarget,
) -> Result<(), VolError> {
    file.check_writable("link create")?;
    let (group, name) = parent_and_name(file, anchor, path)?;
    let link =
        LinkInfo { name: name.clone(), target, created: 0.0, corder: 0, corder_known: false };
    // Long names go in the body of the bulk form, so no URL grows past a server's limit.
    let request = if name.len() > LONG_NAME {
        Request::put(format!("/groups/{}/links", group.as_str()))
            .json(serde_json::json!({ "links": { name.clone(): link.body() } }))
    } else {
        Request::put(link_path(&group, &name)).json(link.body())
    };
    match file.send(request) {
        Ok(_) => Ok(()),
        Err(err) if err.is_conflict() => {
            Err(VolError::InvalidArgument(format!("link '{path}' already exists")))
        }
        Err(err) => Err(err),
    }
}

/// The link at `path` relative to `anchor`.
pub fn get(file: &OpenFile, anchor: &ObjId, path: &str) -> Result<LinkInfo, VolError> {
    let (group, name) = parent_and_name(file, anchor, path)?;
    if name.len() > LONG_NAME {
        let request = Request::post(format!("/groups/{}/links", group.as_str()))
            .json(serde_json::json!({ "titles": [name.clone()] }));
        let reply = file.send_json(request)?;
        let found = reply
            .get("links")
            .and_then(Value::as_array)
            .and_then(|links| links.first())
            .ok_or_else(|| VolError::InvalidArgument(format!("no link '{path}'")))?;
        return LinkInfo::from_json(found);
    }
    let reply = file.send_json(Request::get(link_path(&group, &name)))?;
    let mut link = LinkInfo::from_json(reply.get("link").unwrap_or(&reply))?;
    if link.name.is_empty() {
        link.name = name;
    }
    if link.created == 0.0 {
        link.created = reply.get("created").and_then(Value::as_f64).unwrap_or(0.0);
    }
    Ok(link)
}

/// `H5Lcopy` (`remove_source == false`) and `H5Lmove` (`true`): makes `dst_path` (relative
/// to `dst_anchor` in `dst`) point where `src_path` points; a move then deletes the source.
/// `intermediate` creates the groups missing on the way to `dst_path` first.
#[allow(clippy::too_many_arguments)]
pub fn copy_or_move(
    src: &OpenFile,
    src_anchor: &ObjId,
    src_path: &str,
    dst: &OpenFile,
    dst_anchor: &ObjId,
    dst_path: &str,
    remove_source: bool,
    intermediate: bool,
) -> Result<(), VolError> {
    dst.check_writable("link copy")?;
    let link = get(src, src_anchor, src_path)?;
    if let LinkTarget::Hard(id) = &link.target {
        if !id.same_domain(dst.root()) {
            return Err(VolError::InvalidArgument(
                "a hard link cannot be copied or moved to another file".into(),
            ));
        }
    }
    let copied = match (&link.target, remove_source) {
        (LinkTarget::Hard(id), false) => Some(id.clone()),
        _ => None,
    };
    if intermediate {
        super::group::create_missing_parents(dst, dst_anchor, dst_path, None)?;
    }
    create(dst, dst_anchor, dst_path, link.target)?;
    if remove_source {
        delete(src, src_anchor, src_path)?;
    }
    if let Some(id) = copied {
        count_hard_link(dst, &id, 1);
    }
    Ok(())
}

/// Counts a hard link made (`change` 1) or deleted (-1) beyond an object's first in the
/// reference count the service stores, so `H5Oget_info` reports HDF5's `rc` (h5dump's
/// `HARDLINK`, h5ls's `Links:`). Best effort: HSDS stores no count and refuses the request,
/// which leaves `rc` at 1 as before.
pub fn count_hard_link(file: &OpenFile, id: &ObjId, change: i64) {
    let _ = super::object::change_ref_count(file, id, change);
}

/// Whether the link at `path` exists; a missing parent group means `false`.
pub fn exists(file: &OpenFile, anchor: &ObjId, path: &str) -> Result<bool, VolError> {
    match get(file, anchor, path) {
        Ok(_) => Ok(true),
        Err(err) if err.is_not_found() => Ok(false),
        Err(err) => Err(err),
    }
}

/// Deletes the link at `path`.
pub fn delete(file: &OpenFile, anchor: &ObjId, path: &str) -> Result<(), VolError> {
    file.check_writable("link delete")?;
    let (group, name) = parent_and_name(file, anchor, path)?;
    file.send(Request::delete(link_path(&group, &name)))?;
    Ok(())
}

/// Every link of `group`, by name or by creation order.
pub fn list(
    file: &OpenFile,
    group: &ObjId,
    by_creation_order: bool,
) -> Result<Vec<LinkInfo>, VolError> {
    let mut request = Request::get(format!("/groups/{}/links", group.as_str()));
    if by_creation_order {
        request = request.param("CreateOrder", "1");
    }
    let reply = file.send_json(request)?;
    let items = reply.get("links").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut links = items.iter().map(LinkInfo::from_json).collect::<Result<Vec<_>, _>>()?;
    if links.iter().all(|link| link.corder_known) {
        links.sort_by_key(|link| link.corder);
    } else {
        // Links stored without values (HSDS): their positions in creation time order.
        links.sort_by(|a, b| a.created.total_cmp(&b.created).then_with(|| a.name.cmp(&b.name)));
        for (position, link) in links.iter_mut().enumerate() {
            link.corder = position as i64;
            link.corder_known = true;
        }
    }
    if !by_creation_order {
        links.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(links)
}

/// One link met while iterating: its path relative to the starting group, and the link.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitEntry {
    /// `name`, or `a/b/name` when visiting recursively.
    pub path: String,
    /// The link.
    pub link: LinkInfo,
}

/// The links `H5Literate` (`recursive == false`) or `H5Lvisit` (`true`) reports for `group`, in
/// index order; a visit descends depth-first into each group the first time it is reached.
pub fn visit(
    file: &OpenFile,
    group: &ObjId,
    recursive: bool,
    by_creation_order: bool,
    decreasing: bool,
) -> Result<Vec<VisitEntry>, VolError> {
    let mut out = Vec::new();
    let mut seen = vec![group.clone()];
    visit_into(file, group, "", recursive, by_creation_order, decreasing, &mut seen, &mut out)?;
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn visit_into(
    file: &OpenFile,
    group: &ObjId,
    prefix: &str,
    recursive: bool,
    by_creation_order: bool,
    decreasing: bool,
    seen: &mut Vec<ObjId>,
    out: &mut Vec<VisitEntry>,
) -> Result<(), VolError> {
    let mut links = list(file, group, by_creation_order)?;
    if decreasing {
        links.reverse();
    }
    for link in links {
        let path = format!("{prefix}{}", link.name);
        let descend = match &link.target {
            LinkTarget::Hard(id) if recursive && id.class() == crate::model::ObjClass::Group => {
                if seen.contains(id) {
                    None
                } else {
                    seen.push(id.clone());
                    Some(id.clone())
                }
            }
            _ => None,
        };
        out.push(VisitEntry { path: path.clone(), link });
        if let Some(child) = descend {
            let prefix = format!("{path}/");
            visit_into(file, &child, &prefix, recursive, by_creation_order, decreasing, seen, out)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_link_class_in_both_external_spellings() {
        let hard = LinkInfo::from_json(&json!({"title":"a","class":"H5L_TYPE_HARD",
            "id":"g-b03b24ef-69f244b6-38b3-ac67e1-7acc3e","created":1.5}))
        .unwrap();
        assert!(matches!(hard.target, LinkTarget::Hard(_)));
        assert_eq!(hard.created, 1.5);
        let soft = LinkInfo::from_json(&json!({"title":"s","class":"H5L_TYPE_SOFT","h5path":"/x"}))
            .unwrap();
        assert_eq!(soft.target, LinkTarget::Soft("/x".into()));
        for key in ["file", "h5domain"] {
            let ext = LinkInfo::from_json(
                &json!({"title":"e","class":"H5L_TYPE_EXTERNAL","h5path":"/p", key:"/f.h5"}),
            )
            .unwrap();
            assert_eq!(
                ext.target,
                LinkTarget::External { file: "/f.h5".into(), path: "/p".into() }
            );
        }
        assert!(LinkInfo::from_json(&json!({"class":"H5L_TYPE_UD"})).is_err());
    }

    #[test]
    fn encodes_link_names() {
        assert_eq!(percent_encode("a b/c%"), "a%20b%2Fc%25");
        assert_eq!(percent_encode("x-y_z.1~"), "x-y_z.1~");
    }
}
